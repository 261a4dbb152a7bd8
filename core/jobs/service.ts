/**
 * Durable jobs: what other modules call to run work later or on a cron schedule (`enqueue`,
 * `schedule`, `cancel`), the admin view (`admin`), and the worker's life cycle (`start`, `stop`).
 */
import type { AuthSession } from '../auth/session-types.ts'
import { nowMillis } from '../clock.ts'
import type { Database } from '../db/index.ts'
import type { SqlClient } from '../db/sql-transaction.ts'
import { AppError, forbidden, invalidParam, invalidUrlParam, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import type { Logger } from '../log.ts'
import { CronError, nextCronRun } from './cron.ts'
import { createJobRegistry, DEFAULT_MAX_ATTEMPTS, type JobType } from './registry.ts'
import { createJobStore, JOB_STATUSES, type Job, type JobSchedule, type JobStatus } from './store.ts'
import { createJobWorker } from './worker.ts'

export interface JobServiceOptions {
  db: Database
  log: Logger
  /** Longest wait between polls (default 1 s). */
  pollIntervalMs?: number
  /** Jobs run at once by this process (default 4). */
  concurrency?: number
  /** Lease of a claimed job, renewed while it runs (default 60 s): a job whose process died runs again after it. */
  leaseMs?: number
  /** How long `stop()` waits for running handlers (default 10 s). */
  stopTimeoutMs?: number
  /** The jobs' clock, ms since the epoch (default the system clock). */
  now?: () => number
}

export interface EnqueueInput<D> {
  /** A registered job type id. */
  type: string
  /** JSON-serialisable; the handler gets it back as `job.data`. */
  data: D
  /** When to run (ms since the epoch); default now. */
  runAt?: number
  /** Or: how long from now. */
  delayMs?: number
  /** At most one job per key: enqueueing again returns the first job (until it is purged, days after it finished). */
  dedupeKey?: string
}

export interface ScheduleInput {
  /** Unique name; scheduling the same name again updates that schedule. */
  name: string
  /** 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first. */
  cron: string
  /** IANA time zone the fields are read in, e.g. `Europe/Berlin`. */
  timeZone: string
  /** A registered job type; each tick enqueues one job of it with `data`. */
  type: string
  data?: unknown
}

export interface JobWriteOptions {
  /** The caller's transaction: the write commits or rolls back with it. */
  tx?: SqlClient
}

export interface AdminJobFilter {
  type?: string
  status?: string
  page: number
  perPage: number
}

export function createJobService(options: JobServiceOptions) {
  const { db, log } = options
  const now = options.now ?? nowMillis
  const registry = createJobRegistry()
  const store = createJobStore(db)
  const worker = createJobWorker({
    store,
    registry,
    log,
    now,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    concurrency: options.concurrency ?? 4,
    leaseMs: options.leaseMs ?? 60_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
  })

  function typeOf(id: string): JobType {
    const type = registry.get(id)
    if (!type) throw new Error(`Unknown job type "${id}": register it with jobs.register() first`)
    return type
  }

  function requireAdmin(session: AuthSession): void {
    if (!session.isSystemAdmin) throw forbidden('jobs are visible to system admins only')
  }

  async function adminGet(session: AuthSession, id: string): Promise<Job> {
    requireAdmin(session)
    const job = await store.get(id)
    if (!job) throw notFound('job', id)
    return job
  }

  /**
   * `enqueueMany`, telling for each input whether it created its job (false: its dedupe key was
   * already taken, or taken by an earlier input).
   * @throws Error for an unregistered type (before anything is written).
   */
  async function enqueueEach(inputs: EnqueueInput<unknown>[], writeOptions: JobWriteOptions = {}): Promise<boolean[]> {
    if (inputs.length === 0) return []
    const at = now()
    const rows = inputs.map((input) => {
      const type = typeOf(input.type)
      return {
        id: newId(),
        type: type.id,
        data: input.data,
        runAt: input.runAt ?? at + (input.delayMs ?? 0),
        maxAttempts: type.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        dedupeKey: input.dedupeKey ?? null,
        scheduleName: null,
        now: at,
      }
    })
    const created = new Set(await store.insertMany(rows, writeOptions.tx))
    if (created.size > 0) {
      const earliest = rows.reduce((min, r) => Math.min(min, r.runAt), Infinity)
      // Inside a transaction the rows are invisible until the commit; look shortly after.
      worker.wake(writeOptions.tx ? Math.max(earliest, at + 50) : earliest)
    }
    return rows.map((r) => created.has(r.id))
  }

  return {
    /**
     * Adds a job type. Types are registered by the composition root before `start()`; a worker
     * claims only the types its own process registered.
     * @throws Error when the id is taken.
     */
    register<D>(type: JobType<D>): void {
      if (type.id.length > 64) throw new Error(`Job type id "${type.id}" is longer than 64 characters`)
      if (type.batch && !(Number.isInteger(type.batch.max) && type.batch.max >= 1)) throw new Error(`Job type "${type.id}" has batch.max ${type.batch.max}; it must be a whole number of at least 1`)
      registry.register(type as JobType)
    },

    /** Registered types, in registration order. */
    types: (): JobType[] => registry.list(),

    /**
     * Enqueues a job. With `tx`, it is created atomically with the caller's other writes (the
     * worker sees it after the commit, at its next poll); without, this process polls for it at
     * its run time. With a `dedupeKey` already taken, returns the job holding it.
     * @throws Error for an unregistered type.
     */
    async enqueue<D>(input: EnqueueInput<D>, writeOptions: JobWriteOptions = {}): Promise<Job<D>> {
      const type = typeOf(input.type)
      const at = now()
      const runAt = input.runAt ?? at + (input.delayMs ?? 0)
      const { job, created } = await store.insert(
        {
          id: newId(),
          type: type.id,
          data: input.data,
          runAt,
          maxAttempts: type.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
          dedupeKey: input.dedupeKey ?? null,
          scheduleName: null,
          now: at,
        },
        writeOptions.tx,
      )
      // Inside a transaction the row is invisible until the commit; look shortly after.
      if (created) worker.wake(writeOptions.tx ? Math.max(runAt, at + 50) : runAt)
      return job as Job<D>
    },

    /**
     * Enqueues several jobs with one multi-row INSERT (a dedupe key already taken, or taken by an
     * earlier input, keeps its first job). With `tx`, atomically with the caller's writes. Returns
     * how many were created; an empty list writes nothing.
     * @throws Error for an unregistered type (before anything is written).
     */
    async enqueueMany(inputs: EnqueueInput<unknown>[], writeOptions: JobWriteOptions = {}): Promise<number> {
      return (await enqueueEach(inputs, writeOptions)).filter(Boolean).length
    },

    enqueueEach,

    /**
     * Creates or updates the recurring schedule `name`. Re-declaring it unchanged (as a service does
     * at each start) keeps its next run, so a tick missed while the server was down still runs, once.
     * @throws AppError 400 naming `cron` or `time_zone` when either is unusable; Error for an unregistered type.
     */
    async schedule(input: ScheduleInput, writeOptions: JobWriteOptions = {}): Promise<JobSchedule> {
      typeOf(input.type)
      const at = now()
      let nextRunAt: number
      try {
        nextRunAt = nextCronRun(input.cron, input.timeZone, at)
      } catch (err) {
        if (err instanceof CronError) throw invalidParam(err.field, err.message)
        throw err
      }
      const schedule = await store.upsertSchedule({ name: input.name, type: input.type, cron: input.cron, timeZone: input.timeZone, data: input.data ?? {}, nextRunAt }, at, writeOptions.tx)
      worker.wake(writeOptions.tx ? Math.max(schedule.nextRunAt, at + 50) : schedule.nextRunAt)
      return schedule
    },

    /** Deletes a schedule; jobs it already created stay. Returns whether it existed. */
    unschedule: (name: string, writeOptions: JobWriteOptions = {}): Promise<boolean> => store.deleteSchedule(name, writeOptions.tx),

    getSchedule: (name: string): Promise<JobSchedule | null> => store.getSchedule(name),

    /**
     * Cancels a job by id or dedupe key: a pending job is `canceled`; a running one becomes
     * `cancel_requested` and its handler's signal is aborted within a third of the lease. Returns the
     * job (unchanged when already finished), or null when there is none.
     */
    async cancel(by: { id: string } | { dedupeKey: string }, writeOptions: JobWriteOptions = {}): Promise<Job | null> {
      return (await store.cancel(by, now(), writeOptions.tx))?.job ?? null
    },

    get: (id: string): Promise<Job | null> => store.get(id),

    /** What `GET /api/v4/jobs…` serves: system admins only. */
    admin: {
      /**
       * Jobs newest first, optionally of one type and one status.
       * @throws AppError 403 for a non-admin; 400 for an unknown type or status.
       */
      async list(session: AuthSession, filter: AdminJobFilter): Promise<Job[]> {
        requireAdmin(session)
        if (filter.type !== undefined && !registry.get(filter.type)) throw invalidUrlParam('job_type')
        if (filter.status !== undefined && !(JOB_STATUSES as readonly string[]).includes(filter.status)) {
          throw new AppError('api.job.status.invalid', 'The job status is not valid.', 400, { context: { status: filter.status } })
        }
        return store.list({
          types: filter.type === undefined ? undefined : [filter.type],
          status: filter.status as JobStatus | undefined,
          offset: filter.page * filter.perPage,
          limit: filter.perPage,
        })
      },

      /** @throws AppError 403 for a non-admin; 404 `app.job.get.app_error` for an unknown id. */
      get: adminGet,

      /**
       * Cancels a pending or running job.
       * @throws AppError 403, 404, or 400 `jobs.request_cancellation.status.error` for a finished job.
       */
      async cancel(session: AuthSession, id: string): Promise<Job> {
        await adminGet(session, id)
        const result = await store.cancel({ id }, now())
        if (!result) throw notFound('job', id)
        if (!result.changed) {
          throw new AppError('jobs.request_cancellation.status.error', 'Could not request cancellation for job that is not in a cancelable state.', 400, {
            context: { jobId: id, status: result.job.status },
          })
        }
        return result.job
      },
    },

    /** Starts polling; call once the server is up. */
    start: (): void => worker.start(),

    /** One poll round, waiting for the jobs it claims (for tests, with a clock of their own). */
    runDue: (): Promise<void> => worker.runDue(),

    /** Stops polling and waits (bounded) for running handlers. */
    stop: (): Promise<void> => worker.stop(),
  }
}

export type JobService = ReturnType<typeof createJobService>
