/**
 * SQL for durable jobs and schedules. Claims take due rows with `FOR UPDATE SKIP LOCKED`, so
 * concurrent workers never take the same row, and lease them (`locked_until`); every later write of
 * a claimed job names its claim (`locked_by` and `attempts`), so a worker that lost its lease cannot
 * overwrite the outcome of the worker that took the job over.
 */
import { jsonParam, query, type Database } from '../db/index.ts'
import type { SqlClient } from '../db/sql-transaction.ts'
import { extend } from '../extend.ts'

export const JOB_STATUSES = ['pending', 'in_progress', 'success', 'error', 'cancel_requested', 'canceled'] as const
export type JobStatus = (typeof JOB_STATUSES)[number]

export interface Job<D = unknown> {
  id: string
  type: string
  status: JobStatus
  data: D
  dedupeKey: string | null
  scheduleName: string | null
  /** When it is (next) due; for a schedule's job, the tick it stands for. */
  runAt: number
  attempts: number
  maxAttempts: number
  lastError: string | null
  createAt: number
  startAt: number
  lastActivityAt: number
}

export interface JobSchedule {
  name: string
  type: string
  cron: string
  timeZone: string
  data: unknown
  nextRunAt: number
  createAt: number
  updateAt: number
}

export interface NewJob {
  id: string
  type: string
  data: unknown
  runAt: number
  maxAttempts: number
  dedupeKey: string | null
  scheduleName: string | null
  now: number
}

/** A job this worker claimed; `previousStatus` tells a fresh claim from a lease taken over. */
export interface ClaimedJob extends Job {
  previousStatus: JobStatus
}

/** One claim: the worker and the attempt number it claimed. */
export interface Claim {
  jobId: string
  workerId: string
  attempt: number
}

type Run = <T>(text: string, params: unknown[]) => Promise<T[]>

interface JobRow {
  id: string
  type: string
  status: string
  data: unknown
  dedupe_key: string | null
  schedule_name: string | null
  run_at: number | bigint
  attempts: number
  max_attempts: number
  last_error: string | null
  create_at: number | bigint
  start_at: number | bigint
  last_activity_at: number | bigint
}

interface ScheduleRow {
  name: string
  type: string
  cron: string
  time_zone: string
  data: unknown
  next_run_at: number | bigint
  create_at: number | bigint
  update_at: number | bigint
}

const JOB_COLUMNS = 'id, type, status, data, dedupe_key, schedule_name, run_at, attempts, max_attempts, last_error, create_at, start_at, last_activity_at'

// Prisma's raw queries give jsonb as text on some paths and int8 as bigint; pg gives objects and numbers.
function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    type: row.type,
    status: row.status as JobStatus,
    data: json(row.data),
    dedupeKey: row.dedupe_key,
    scheduleName: row.schedule_name,
    runAt: Number(row.run_at),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error,
    createAt: Number(row.create_at),
    startAt: Number(row.start_at),
    lastActivityAt: Number(row.last_activity_at),
  }
}

function toSchedule(row: ScheduleRow): JobSchedule {
  return {
    name: row.name,
    type: row.type,
    cron: row.cron,
    timeZone: row.time_zone,
    data: json(row.data),
    nextRunAt: Number(row.next_run_at),
    createAt: Number(row.create_at),
    updateAt: Number(row.update_at),
  }
}

export interface JobListFilter {
  types?: string[]
  status?: JobStatus
  offset: number
  limit: number
}

export function createJobStore(db: Database) {
  const viaPool: Run = <T>(text: string, params: unknown[]) => query(db, text, params) as Promise<T[]>
  const viaClient =
    (client: SqlClient): Run =>
    (text, params) =>
      client.$queryRawUnsafe(text, ...params)
  // Inside a caller's transaction only its client may be used (the embedded database has one connection).
  const runner = (tx?: SqlClient): Run => (tx ? viaClient(tx) : viaPool)

  return {
    /**
     * Inserts a pending job; with a dedupe key already taken, inserts nothing and returns the
     * job holding the key (`created: false`).
     */
    async insert(job: NewJob, tx?: SqlClient): Promise<{ job: Job; created: boolean }> {
      const run = runner(tx)
      const inserted = await run<JobRow>(
        `INSERT INTO jobs (id, type, status, data, dedupe_key, schedule_name, run_at, max_attempts, create_at, last_activity_at)
         VALUES ($1, $2, 'pending', $3::jsonb, $4, $5, $6::bigint, $7::int, $8::bigint, $8::bigint)
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING ${JOB_COLUMNS}`,
        [job.id, job.type, jsonParam(job.data ?? {}), job.dedupeKey, job.scheduleName, job.runAt, job.maxAttempts, job.now],
      )
      if (inserted[0]) return { job: toJob(inserted[0]), created: true }
      const [existing] = await run<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE dedupe_key = $1`, [job.dedupeKey])
      if (!existing) throw new Error(`job with dedupe key ${job.dedupeKey} conflicted on insert but cannot be read`)
      return { job: toJob(existing), created: false }
    },

    /**
     * Inserts pending jobs with one statement whatever their number (each column is one array
     * parameter, so PostgreSQL's limit of 65,535 parameters never applies). A row whose dedupe key
     * is taken, by an existing job or an earlier row of `jobs`, is skipped.
     * @returns the ids of the jobs created.
     */
    async insertMany(jobs: NewJob[], tx?: SqlClient): Promise<string[]> {
      if (jobs.length === 0) return []
      const rows = await runner(tx)<{ id: string }>(
        `WITH inserted AS (
           INSERT INTO jobs (id, type, status, data, dedupe_key, schedule_name, run_at, max_attempts, create_at, last_activity_at)
           SELECT n.id, n.type, 'pending', n.data::jsonb, n.dedupe_key, n.schedule_name, n.run_at, n.max_attempts, n.now, n.now
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::int[], $8::bigint[])
             WITH ORDINALITY AS n(id, type, data, dedupe_key, schedule_name, run_at, max_attempts, now, ord)
           ORDER BY n.ord
           ON CONFLICT (dedupe_key) DO NOTHING
           RETURNING id
         )
         SELECT id FROM inserted`,
        [
          jobs.map((j) => j.id),
          jobs.map((j) => j.type),
          jobs.map((j) => jsonParam(j.data ?? {})),
          jobs.map((j) => j.dedupeKey),
          jobs.map((j) => j.scheduleName),
          jobs.map((j) => j.runAt),
          jobs.map((j) => j.maxAttempts),
          jobs.map((j) => j.now),
        ],
      )
      return rows.map((r) => r.id)
    },

    async get(id: string, tx?: SqlClient): Promise<Job | null> {
      const [row] = await runner(tx)<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id])
      return row ? toJob(row) : null
    },

    /** Newest first, as Mattermost lists jobs. */
    async list(filter: JobListFilter): Promise<Job[]> {
      const where: string[] = []
      const params: unknown[] = []
      if (filter.types) {
        params.push(filter.types)
        where.push(`type = ANY($${params.length}::text[])`)
      }
      if (filter.status) {
        params.push(filter.status)
        where.push(`status = $${params.length}`)
      }
      params.push(filter.limit, filter.offset)
      const rows = await viaPool<JobRow>(
        `SELECT ${JOB_COLUMNS} FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY create_at DESC, id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
        params,
      )
      return rows.map(toJob)
    },

    /**
     * Claims up to `limit` jobs of `types` that are due, or whose lease expired (their worker died),
     * leasing them to `workerId` until `now + leaseMs` and counting the attempt. A job whose
     * cancellation was requested before its worker died comes back `canceled`, not leased.
     */
    async claim(options: { types: string[]; now: number; limit: number; workerId: string; leaseMs: number }): Promise<ClaimedJob[]> {
      const rows = await viaPool<JobRow & { previous_status: string }>(
        `WITH due AS (
           SELECT id, status AS previous_status FROM jobs
           WHERE type = ANY($1::text[])
             AND ((status = 'pending' AND run_at <= $2::bigint)
               OR (status IN ('in_progress', 'cancel_requested') AND locked_until < $2::bigint))
           ORDER BY run_at, id
           LIMIT $3
           FOR UPDATE SKIP LOCKED
         )
         UPDATE jobs j SET
           status = CASE WHEN due.previous_status = 'cancel_requested' THEN 'canceled' ELSE 'in_progress' END,
           attempts = j.attempts + CASE WHEN due.previous_status = 'cancel_requested' THEN 0 ELSE 1 END,
           locked_by = CASE WHEN due.previous_status = 'cancel_requested' THEN '' ELSE $4 END,
           locked_until = CASE WHEN due.previous_status = 'cancel_requested' THEN 0 ELSE $2::bigint + $5::bigint END,
           start_at = CASE WHEN j.start_at = 0 THEN $2::bigint ELSE j.start_at END,
           last_activity_at = $2::bigint
         FROM due WHERE j.id = due.id
         RETURNING ${JOB_COLUMNS.split(', ').map((c) => `j.${c}`).join(', ')}, due.previous_status`,
        [options.types, options.now, options.limit, options.workerId, options.leaseMs],
      )
      return rows.map((row) => extend(toJob(row), { previousStatus: row.previous_status as JobStatus }))
    },

    /** Merges `patch` into a running job's data (progress a long job shows while it runs); only the claiming worker may. */
    async mergeData(claim: Claim, patch: Record<string, unknown>, now: number): Promise<void> {
      await viaPool(
        `UPDATE jobs SET data = data || $4::jsonb, last_activity_at = $5::bigint
         WHERE id = $1 AND locked_by = $2 AND attempts = $3`,
        [claim.jobId, claim.workerId, claim.attempt, jsonParam(patch), now],
      )
    },

    /**
     * Extends a claim's lease. Returns the job's status, or null when the claim is no longer this
     * worker's (its lease expired and another worker took the job).
     */
    async extendLease(claim: Claim, until: number, now: number): Promise<JobStatus | null> {
      const [row] = await viaPool<{ status: string }>(
        `UPDATE jobs SET locked_until = $4::bigint, last_activity_at = $5::bigint
         WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND status IN ('in_progress', 'cancel_requested')
         RETURNING status`,
        [claim.jobId, claim.workerId, claim.attempt, until, now],
      )
      return row ? (row.status as JobStatus) : null
    },

    /**
     * `extendLease` for several claims with one statement: returns one entry per claim, in order,
     * the job's status or null for a claim no longer this worker's.
     */
    async extendLeases(claims: Claim[], until: number, now: number): Promise<(JobStatus | null)[]> {
      if (claims.length === 0) return []
      const rows = await viaPool<{ id: string; status: string }>(
        `UPDATE jobs j SET locked_until = $4::bigint, last_activity_at = $5::bigint
         FROM unnest($1::text[], $2::text[], $3::int[]) AS c(id, locked_by, attempts)
         WHERE j.id = c.id AND j.locked_by = c.locked_by AND j.attempts = c.attempts AND j.status IN ('in_progress', 'cancel_requested')
         RETURNING j.id, j.status`,
        [claims.map((c) => c.jobId), claims.map((c) => c.workerId), claims.map((c) => c.attempt), until, now],
      )
      const statuses = new Map(rows.map((row) => [row.id, row.status as JobStatus]))
      return claims.map((c) => statuses.get(c.jobId) ?? null)
    },

    /**
     * Records `success` for several claims with one statement (as `finish` does for one: a
     * cancellation requested meanwhile does not undo a success). Returns one entry per claim, in
     * order: the status written, or null for a claim no longer this worker's.
     */
    async finishMany(claims: Claim[], now: number): Promise<(JobStatus | null)[]> {
      if (claims.length === 0) return []
      const rows = await viaPool<{ id: string; status: string }>(
        `UPDATE jobs j SET status = 'success', last_error = NULL, locked_by = '', locked_until = 0, last_activity_at = $4::bigint
         FROM unnest($1::text[], $2::text[], $3::int[]) AS c(id, locked_by, attempts)
         WHERE j.id = c.id AND j.locked_by = c.locked_by AND j.attempts = c.attempts AND j.status IN ('in_progress', 'cancel_requested')
         RETURNING j.id, j.status`,
        [claims.map((c) => c.jobId), claims.map((c) => c.workerId), claims.map((c) => c.attempt), now],
      )
      const statuses = new Map(rows.map((row) => [row.id, row.status as JobStatus]))
      return claims.map((c) => statuses.get(c.jobId) ?? null)
    },

    /**
     * Records the outcome of a claim: `success`, `error` (final) or `pending` again at `runAt` (a
     * retry). A cancellation requested meanwhile turns a failure into `canceled`. Returns the
     * status written, or null when the claim was no longer this worker's.
     */
    async finish(claim: Claim, outcome: { status: 'success' | 'error' | 'pending'; error?: string; runAt?: number }, now: number): Promise<JobStatus | null> {
      const [row] = await viaPool<{ status: string }>(
        `UPDATE jobs SET
           status = CASE WHEN status = 'cancel_requested' AND $4 <> 'success' THEN 'canceled' ELSE $4 END,
           last_error = $5, run_at = COALESCE($6::bigint, run_at), locked_by = '', locked_until = 0, last_activity_at = $7::bigint
         WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND status IN ('in_progress', 'cancel_requested')
         RETURNING status`,
        [claim.jobId, claim.workerId, claim.attempt, outcome.status, outcome.error ?? null, outcome.runAt ?? null, now],
      )
      return row ? (row.status as JobStatus) : null
    },

    /**
     * Cancels a job: a pending one becomes `canceled`; a running one `cancel_requested` (its worker
     * aborts the handler's signal and records `canceled` unless it succeeded). Returns the job and
     * whether this call changed it (false for a job already finished or cancelling), or null when
     * none matches.
     */
    async cancel(by: { id: string } | { dedupeKey: string }, now: number, tx?: SqlClient): Promise<{ job: Job; changed: boolean } | null> {
      const [column, value] = 'id' in by ? ['id', by.id] : ['dedupe_key', by.dedupeKey]
      const run = runner(tx)
      const [row] = await run<JobRow>(
        `UPDATE jobs SET
           status = CASE status WHEN 'pending' THEN 'canceled' ELSE 'cancel_requested' END,
           last_activity_at = $2::bigint
         WHERE ${column} = $1 AND status IN ('pending', 'in_progress')
         RETURNING ${JOB_COLUMNS}`,
        [value, now],
      )
      if (row) return { job: toJob(row), changed: true }
      const [current] = await run<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE ${column} = $1`, [value])
      return current ? { job: toJob(current), changed: false } : null
    },

    /**
     * Creates or updates a schedule by name. `nextRunAt` is kept when the expression and time
     * zone did not change, so re-declaring a schedule at each start does not skip a tick missed
     * while the server was down.
     */
    async upsertSchedule(schedule: Omit<JobSchedule, 'createAt' | 'updateAt'>, now: number, tx?: SqlClient): Promise<JobSchedule> {
      const [row] = await runner(tx)<ScheduleRow>(
        `INSERT INTO job_schedules (name, type, cron, time_zone, data, next_run_at, create_at, update_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::bigint, $7::bigint, $7::bigint)
         ON CONFLICT (name) DO UPDATE SET
           type = EXCLUDED.type, data = EXCLUDED.data, update_at = EXCLUDED.update_at,
           next_run_at = CASE WHEN job_schedules.cron = EXCLUDED.cron AND job_schedules.time_zone = EXCLUDED.time_zone
                              THEN job_schedules.next_run_at ELSE EXCLUDED.next_run_at END,
           cron = EXCLUDED.cron, time_zone = EXCLUDED.time_zone
         RETURNING *`,
        [schedule.name, schedule.type, schedule.cron, schedule.timeZone, jsonParam(schedule.data ?? {}), schedule.nextRunAt, now],
      )
      return toSchedule(row!)
    },

    async deleteSchedule(name: string, tx?: SqlClient): Promise<boolean> {
      const rows = await runner(tx)<{ name: string }>('DELETE FROM job_schedules WHERE name = $1 RETURNING name', [name])
      return rows.length > 0
    },

    async getSchedule(name: string): Promise<JobSchedule | null> {
      const [row] = await viaPool<ScheduleRow>('SELECT * FROM job_schedules WHERE name = $1', [name])
      return row ? toSchedule(row) : null
    },

    /** Schedules of `types` whose next run has come, oldest first. */
    async dueSchedules(types: string[], now: number, limit: number): Promise<JobSchedule[]> {
      const rows = await viaPool<ScheduleRow>(
        'SELECT * FROM job_schedules WHERE next_run_at <= $1::bigint AND type = ANY($2::text[]) ORDER BY next_run_at LIMIT $3',
        [now, types, limit],
      )
      return rows.map(toSchedule)
    },

    /**
     * Moves a schedule from the tick it just fired to `next`, unless another node already did
     * (or the schedule was redefined): returns whether this call moved it.
     */
    async advanceSchedule(name: string, fired: number, next: number, now: number): Promise<boolean> {
      const rows = await viaPool<{ name: string }>(
        'UPDATE job_schedules SET next_run_at = $3::bigint, update_at = $4::bigint WHERE name = $1 AND next_run_at = $2::bigint RETURNING name',
        [name, fired, next, now],
      )
      return rows.length > 0
    },

    /**
     * Deletes finished jobs last active before the given times: `success` and `canceled` before
     * `doneBefore`, `error` before `failedBefore`. Returns how many went.
     */
    async purgeFinished(doneBefore: number, failedBefore: number): Promise<number> {
      const rows = await viaPool<{ id: string }>(
        `DELETE FROM jobs
         WHERE (status IN ('success', 'canceled') AND last_activity_at < $1::bigint) OR (status = 'error' AND last_activity_at < $2::bigint)
         RETURNING id`,
        [doneBefore, failedBefore],
      )
      return rows.length
    },
  }
}

export type JobStore = ReturnType<typeof createJobStore>
