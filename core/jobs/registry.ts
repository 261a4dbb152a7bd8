/** The job types a server can run: each names its handler, how often it may be tried and how retries are spaced. */
import type { Logger } from '../log.ts'
import { Registry, type Registered } from '../registry.ts'
import type { Job } from './store.ts'

/** What a handler gets besides its job. */
export interface JobContext {
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number
  /**
   * Aborted when an admin cancels the job while it runs, when this worker lost the job's lease, or
   * when the server stops before the handler finished; pass it to fetch and check it in loops.
   */
  signal: AbortSignal
  log: Logger
  /** Merges `patch` into the job's `data`, so `GET /jobs/{id}` shows progress or a result while it runs. */
  saveData(patch: Record<string, unknown>): Promise<void>
}

/** What a batch handler gets besides its jobs. */
export interface BatchJobContext {
  /**
   * Aborted when every job of the batch was canceled or lost its lease, or when the server stops
   * before the handler finished. A single job canceled or lost is only logged: the others still count.
   */
  signal: AbortSignal
  log: Logger
}

export interface Backoff {
  /** Delay before the first retry; each further retry doubles it. */
  baseMs: number
  /** Longest delay. */
  maxMs: number
}

export interface JobType<D = unknown> extends Registered {
  /** Stable id stored with each job, e.g. `webhooks.outgoing.deliver`; at most 64 characters. */
  id: string
  description?: string
  /**
   * Does the work. Resolving marks the job `success`; throwing schedules a retry (or, after the last
   * attempt or for a `PermanentJobError`, marks it `error` with the message). A job runs once per
   * claim; a process that dies mid-run leaves it to be claimed again after its lease, so a handler
   * whose effects must not repeat makes them idempotent (e.g. keyed on `job.id`).
   */
  handler: (job: Job<D>, ctx: JobContext) => Promise<void>
  /**
   * Claimed up to `max` jobs of this type at a time and handed over together (one worker slot for the
   * whole batch). The result has one entry per job, in order: null = success, an Error = that job failed
   * (retried or failed for good exactly as if `handler` had thrown it). A throw fails every job of the batch.
   * With it, the worker uses only this; `handler` stays for callers that run one job (it may be a batch of one).
   */
  batch?: { max: number; handler: (jobs: Job<D>[], ctx: BatchJobContext) => Promise<(Error | null)[]> }
  /** Runs in all, first included (default 5). */
  maxAttempts?: number
  /** Retry spacing (default 10 s doubling up to 1 h), with jitter. */
  backoff?: Backoff
}

export const DEFAULT_MAX_ATTEMPTS = 5
export const DEFAULT_BACKOFF: Backoff = { baseMs: 10_000, maxMs: 60 * 60_000 }

/** A failure that retrying cannot fix (a 4xx answer, a deleted channel): the job ends in `error` at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PermanentJobError'
  }
}

export type JobRegistry = Registry<JobType>

export function createJobRegistry(): JobRegistry {
  return new Registry<JobType>('job type')
}

/**
 * The delay before retry number `attempt` (1 = the first retry): `baseMs · 2^(attempt-1)`, capped at
 * `maxMs`, then scaled by a random factor in [0.5, 1) so that jobs failing together do not retry together.
 */
export function retryDelay(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt - 1, 40))
  return Math.round(exponential * (0.5 + random() / 2))
}
