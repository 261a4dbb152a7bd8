/**
 * The job worker: polls for due schedules and jobs, runs claimed jobs with bounded concurrency,
 * keeps their leases alive while they run, and records success, retry or failure. A type with
 * `batch` has its due jobs claimed and handed over together, in one worker slot, their leases kept
 * and their successes recorded with one statement per batch.
 *
 * Several processes may run a worker on one database: schedules fire once per tick (the tick's job
 * is deduplicated and the schedule moves on only if no one else moved it), and jobs are claimed
 * with SKIP LOCKED. A worker claims only the types registered in its own process.
 */
import os from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Logger } from '../log.ts'
import { newId } from '../ids.ts'
import { nextCronRun, NEVER } from './cron.ts'
import { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, PermanentJobError, retryDelay, type JobRegistry, type JobType } from './registry.ts'
import type { Claim, ClaimedJob, JobSchedule, JobStore } from './store.ts'

const HOUR = 60 * 60_000
const DAY = 24 * HOUR
const SCHEDULE_CHECK_MS = 1000

export interface JobWorkerOptions {
  store: JobStore
  registry: JobRegistry
  log: Logger
  /** The jobs' clock (ms since the epoch); tests pass their own to `runDue` instead. */
  now: () => number
  /** Longest wait between polls (an enqueue in this process wakes the worker sooner). */
  pollIntervalMs: number
  /** Jobs run at once by this process. */
  concurrency: number
  /** How long a claim stays this worker's without a heartbeat; renewed every third of it. */
  leaseMs: number
  /** How long `stop()` waits for running handlers before aborting them. */
  stopTimeoutMs: number
  /** Finished jobs are deleted after this long (success, canceled) … */
  keepDoneMs?: number
  /** … and failed ones after this long. */
  keepFailedMs?: number
}

export function createJobWorker(options: JobWorkerOptions) {
  const { store, registry, log, now, pollIntervalMs, concurrency, leaseMs, stopTimeoutMs } = options
  const keepDoneMs = options.keepDoneMs ?? 7 * DAY
  const keepFailedMs = options.keepFailedMs ?? 30 * DAY
  const workerId = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
  /** Running handlers, by job id or (a batch) by `batch:` and its first job's id; a batch is one entry. */
  const active = new Map<string, { done: Promise<void>; controller: AbortController }>()
  let started = false
  let stopping = false
  let timer: NodeJS.Timeout | undefined
  let nextTickAt = Infinity
  let polling: Promise<void> | undefined
  let pollAgain = false
  let lastPurgeAt = 0
  let lastSchedulesAt = -Infinity

  const typeIds = () => registry.list().map((t) => t.id)

  /** Creates the job of each due schedule's tick, then moves the schedule to its first tick after `at`. */
  async function fireSchedules(at: number): Promise<void> {
    const types = typeIds()
    if (types.length === 0) return
    for (const schedule of await store.dueSchedules(types, at, 50)) {
      try {
        await fireSchedule(schedule, at)
      } catch (err) {
        log.error({ schedule: schedule.name, jobType: schedule.type, err }, 'could not fire a job schedule; the next poll retries')
      }
    }
  }

  async function fireSchedule(schedule: JobSchedule, at: number): Promise<void> {
    const type = registry.get(schedule.type)!
    // The tick's key makes a second node (or a retry after a crash here) find the job made, not make another.
    await store.insert({
      id: newId(),
      type: schedule.type,
      data: schedule.data,
      runAt: schedule.nextRunAt,
      maxAttempts: type.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      dedupeKey: `schedule:${schedule.name}:${schedule.nextRunAt}`,
      scheduleName: schedule.name,
      now: at,
    })
    let next = NEVER
    try {
      // From now, not from the tick: ticks missed while every server was down collapse into the one just fired.
      next = nextCronRun(schedule.cron, schedule.timeZone, Math.max(at, schedule.nextRunAt))
    } catch (err) {
      log.error({ schedule: schedule.name, cron: schedule.cron, timeZone: schedule.timeZone, err }, 'job schedule has an unusable cron expression; it will not fire again')
    }
    await store.advanceSchedule(schedule.name, schedule.nextRunAt, next, at)
  }

  async function purge(at: number): Promise<void> {
    if (at - lastPurgeAt < HOUR) return
    lastPurgeAt = at
    const purged = await store.purgeFinished(at - keepDoneMs, at - keepFailedMs)
    if (purged > 0) log.info({ purged }, 'finished jobs purged')
  }

  /**
   * One round: fire due schedules, claim what this process has room for, start running it.
   * Schedules (cron: minute granularity) are checked at most once a second by the loop, which
   * polls after every job under load: `always` is for `runDue`, whose callers move the clock.
   */
  async function poll(at: number, schedules: 'always' | 'throttled' = 'always'): Promise<Promise<void>[]> {
    if (schedules === 'always' || at - lastSchedulesAt >= SCHEDULE_CHECK_MS) {
      lastSchedulesAt = at
      await fireSchedules(at)
    }
    await purge(at)
    const started: Promise<void>[] = []
    const types = registry.list()
    const single = types.filter((t) => !t.batch).map((t) => t.id)
    // Batch types first, one batch each per poll (each takes one slot however many jobs it holds),
    // leaving one slot to the other types: a backlog of batches must not hold back reminders or webhooks.
    // The poll after each batch ends claims the next.
    const reserved = single.length > 0 ? 1 : 0
    for (const type of types) {
      if (!type.batch || concurrency - active.size <= reserved) continue
      const claimed = await store.claim({ types: [type.id], now: at, limit: type.batch.max, workerId, leaseMs })
      if (claimed.length > 0) started.push(startBatch(type, claimed))
    }
    const room = concurrency - active.size
    if (room <= 0 || single.length === 0) return started
    const claimed = await store.claim({ types: single, now: at, limit: room, workerId, leaseMs })
    return [...started, ...claimed.map(startRun)]
  }

  function startRun(job: ClaimedJob): Promise<void> {
    if (job.status === 'canceled') {
      log.info({ jobId: job.id, jobType: job.type }, 'job canceled while its worker was gone')
      return Promise.resolve()
    }
    const controller = new AbortController()
    const claim: Claim = { jobId: job.id, workerId, attempt: job.attempts }
    const done = run(job, claim, controller)
      .catch((err: unknown) => log.error({ jobId: job.id, jobType: job.type, err }, 'could not record the outcome of a job; it runs again after its lease'))
      .finally(() => {
        active.delete(job.id)
        wake(now())
      })
    active.set(job.id, { done, controller })
    return done
  }

  /** Each claim counts; a job whose worker keeps dying (e.g. it crashes the process) stops here. */
  async function failExhausted(claim: Claim, jobLog: Logger): Promise<void> {
    await store.finish(claim, { status: 'error', error: 'The worker running this job stopped before it finished, and no attempts are left.' }, now())
    jobLog.warn('job failed: its worker stopped during the last attempt')
  }

  /** Records a failed run: a retry after the type's backoff, or `error` for good after the last attempt or a `PermanentJobError`. */
  async function recordFailure(type: JobType, job: ClaimedJob, claim: Claim, err: unknown, jobLog: Logger): Promise<void> {
    const message = err instanceof Error ? err.message : String(err)
    const final = err instanceof PermanentJobError || claim.attempt >= job.maxAttempts
    if (final) {
      const status = await store.finish(claim, { status: 'error', error: message }, now())
      jobLog.warn({ err, status }, 'job failed')
      return
    }
    const runAt = now() + retryDelay(type.backoff ?? DEFAULT_BACKOFF, claim.attempt)
    const status = await store.finish(claim, { status: 'pending', error: message, runAt }, now())
    jobLog.info({ err, status, retryAt: runAt }, 'job failed; it will be retried')
    if (status === 'pending') wake(runAt)
  }

  const heartbeatMs = () => Math.max(10, Math.floor(leaseMs / 3))

  async function run(job: ClaimedJob, claim: Claim, controller: AbortController): Promise<void> {
    const type = registry.get(job.type) as JobType
    const jobLog = log.child({ job: job.type, jobId: job.id, attempt: claim.attempt })
    if (job.attempts > job.maxAttempts) return failExhausted(claim, jobLog)
    const heartbeat = setInterval(() => {
      store
        .extendLease(claim, now() + leaseMs, now())
        .then((status) => {
          if (status === null) controller.abort(new Error('this worker lost the job: its lease expired and another worker took it'))
          else if (status === 'cancel_requested') controller.abort(new Error('the job was canceled'))
        })
        .catch((err: unknown) => jobLog.warn({ err }, 'could not extend a job lease'))
    }, heartbeatMs())
    heartbeat.unref()
    const startedAt = now()
    try {
      await type.handler(job, { attempt: claim.attempt, signal: controller.signal, log: jobLog, saveData: (patch) => store.mergeData(claim, patch, now()) })
    } catch (err) {
      clearInterval(heartbeat)
      await recordFailure(type, job, claim, err, jobLog)
      return
    }
    clearInterval(heartbeat)
    const status = await store.finish(claim, { status: 'success' }, now())
    jobLog.debug({ ms: now() - startedAt, status }, 'job done')
  }

  function startBatch(type: JobType, claimed: ClaimedJob[]): Promise<void> {
    const key = `batch:${claimed[0]!.id}`
    const controller = new AbortController()
    const done = runBatch(type, claimed, controller)
      .catch((err: unknown) => log.error({ jobType: type.id, jobIds: claimed.map((j) => j.id), err }, 'could not record the outcome of a job batch; its jobs run again after their lease'))
      .finally(() => {
        active.delete(key)
        wake(now())
      })
    active.set(key, { done, controller })
    return done
  }

  /**
   * Runs one batch: one handler call, one heartbeat statement for all leases, one statement for all
   * successes; failures take the single-job path one by one (they are the exception).
   */
  async function runBatch(type: JobType, claimed: ClaimedJob[], controller: AbortController): Promise<void> {
    const batchLog = log.child({ job: type.id, batch: claimed.length })
    const jobs: ClaimedJob[] = []
    const claims: Claim[] = []
    for (const job of claimed) {
      const claim: Claim = { jobId: job.id, workerId, attempt: job.attempts }
      if (job.status === 'canceled') batchLog.info({ jobId: job.id }, 'job canceled while its worker was gone')
      else if (job.attempts > job.maxAttempts) await failExhausted(claim, batchLog.child({ jobId: job.id, attempt: claim.attempt }))
      else {
        jobs.push(job)
        claims.push(claim)
      }
    }
    if (jobs.length === 0) return
    const heartbeat = setInterval(() => {
      store
        .extendLeases(claims, now() + leaseMs, now())
        .then((statuses) => {
          const gone = claims.filter((_, i) => statuses[i] === null || statuses[i] === 'cancel_requested').map((c) => c.jobId)
          // The handler still works for the others; what it does for these is not recorded (lost) or ends canceled.
          if (gone.length === claims.length) controller.abort(new Error('every job of the batch was canceled or lost to another worker'))
          else if (gone.length > 0) batchLog.info({ jobIds: gone }, 'jobs of a running batch were canceled or lost to another worker')
        })
        .catch((err: unknown) => batchLog.warn({ err }, 'could not extend the leases of a job batch'))
    }, heartbeatMs())
    heartbeat.unref()
    const startedAt = now()
    let results: (Error | null)[]
    try {
      results = await type.batch!.handler(jobs, { signal: controller.signal, log: batchLog })
      if (!Array.isArray(results) || results.length !== jobs.length) {
        throw new Error(`the batch handler of job type ${type.id} returned ${Array.isArray(results) ? results.length : typeof results} results for ${jobs.length} jobs`)
      }
    } catch (err) {
      clearInterval(heartbeat)
      for (const [i, job] of jobs.entries()) await recordFailure(type, job, claims[i]!, err, batchLog.child({ jobId: job.id, attempt: claims[i]!.attempt }))
      return
    }
    clearInterval(heartbeat)
    const succeeded = claims.filter((_, i) => results[i] == null)
    const statuses = await store.finishMany(succeeded, now())
    batchLog.debug({ ms: now() - startedAt, succeeded: succeeded.length, lost: statuses.filter((s) => s === null).length }, 'job batch done')
    for (const [i, job] of jobs.entries()) {
      if (results[i] != null) await recordFailure(type, job, claims[i]!, results[i], batchLog.child({ jobId: job.id, attempt: claims[i]!.attempt }))
    }
  }

  function tick(): void {
    timer = undefined
    nextTickAt = Infinity
    if (polling) {
      pollAgain = true
      return
    }
    polling = poll(now(), 'throttled')
      .then(() => undefined)
      .catch((err: unknown) => log.error({ err }, 'job poll failed'))
      .finally(() => {
        polling = undefined
        const again = pollAgain
        pollAgain = false
        wake(again ? now() : now() + pollIntervalMs)
      })
  }

  /** Polls at `at` (or now, if it has passed) unless a poll is already due sooner. */
  function wake(at: number): void {
    if (!started || stopping || at >= nextTickAt) return
    clearTimeout(timer)
    nextTickAt = at
    timer = setTimeout(tick, Math.max(0, at - now()))
    timer.unref()
  }

  return {
    workerId,

    /** Starts polling (at once, then every `pollIntervalMs`). */
    start(): void {
      if (started) return
      started = true
      wake(now())
    },

    /** Asks for a poll at `at` (ms), e.g. the run time of a job just enqueued in this process. */
    wake,

    /**
     * One round without the loop, at the jobs' clock (tests drive a clock of their own): fires due
     * schedules, claims due jobs and waits for the claimed jobs to finish.
     */
    async runDue(): Promise<void> {
      await Promise.all(await poll(now()))
    },

    /**
     * Stops polling and waits up to `stopTimeoutMs` for running handlers; handlers still running
     * then are aborted (their signal fires) and left: their jobs run again after their lease.
     */
    async stop(): Promise<void> {
      stopping = true
      clearTimeout(timer)
      await polling
      if (active.size === 0) return
      const running = [...active.values()]
      let timeout: NodeJS.Timeout | undefined
      const timedOut = await Promise.race([
        Promise.all(running.map((r) => r.done)).then(() => false),
        new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(true), stopTimeoutMs))),
      ])
      clearTimeout(timeout)
      if (timedOut) {
        log.warn({ running: active.size, stopTimeoutMs }, 'jobs still running at shutdown were aborted; they run again after their lease')
        for (const r of active.values()) r.controller.abort(new Error('the server is stopping'))
      }
    },
  }
}

export type JobWorker = ReturnType<typeof createJobWorker>
