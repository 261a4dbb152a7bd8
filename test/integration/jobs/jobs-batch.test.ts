/**
 * Batch job types (many due jobs handed to one handler call, their outcomes recorded together) and
 * `enqueueMany` (many jobs in one INSERT), on both databases, driven by a clock of the test's own.
 */
import { expect } from 'chai'
import { query, withSqlTransaction, withTransaction } from '../../../core/db/index.ts'
import { createLogger } from '../../../core/log.ts'
import { createJobService, PermanentJobError, type Job, type JobService } from '../../../core/jobs/index.ts'
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts'
import { eventually } from '../../helpers/eventually.ts'
import { BACKENDS } from '../../helpers/server.ts'

const log = createLogger({ level: 'silent' })
const SECOND = 1000
const MINUTE = 60 * SECOND
const t0 = Date.parse('2026-01-15T12:00:00Z')

/** What the `test.batch` type does with a job, by `data.plan`: succeed, fail once then succeed, fail for good. */
type Plan = 'ok' | 'fail-once' | 'permanent'

for (const backend of BACKENDS) {
  describe(`batch job types and enqueueMany on ${backend}`, function () {
    this.timeout(60_000)
    let test: TestDatabase
    let clock: number
    let jobs: JobService
    /** Job ids of each call of the batch handler, in call order. */
    let batches: string[][]
    let singleRuns: string[]

    async function runAt(service: JobService, time: number): Promise<void> {
      clock = time
      await service.runDue()
    }

    function makeService(options: { leaseMs?: number; concurrency?: number } = {}): JobService {
      const service = createJobService({ db: test.db, log, now: () => clock, ...options })
      service.register<{ plan?: Plan }>({
        id: 'test.batch',
        maxAttempts: 3,
        backoff: { baseMs: 10 * SECOND, maxMs: MINUTE },
        handler: async (job) => void singleRuns.push(job.id),
        batch: {
          max: 10,
          handler: async (claimed) => {
            batches.push(claimed.map((j) => j.id))
            return claimed.map((job) => {
              const plan = job.data.plan ?? 'ok'
              if (plan === 'permanent') return new PermanentJobError(`no such channel for ${job.id}`)
              if (plan === 'fail-once' && job.attempts === 1) return new Error(`HTTP 503 for ${job.id}`)
              return null
            })
          },
        },
      })
      service.register({ id: 'test.single', handler: async (job) => void singleRuns.push(job.id) })
      return service
    }

    /** Counts the statements sent through the pool whose text matches `pattern` while `fn` runs. */
    async function countStatements(pattern: RegExp, fn: () => Promise<void>): Promise<number> {
      const pool = test.db.pool
      const original = pool.query
      let count = 0
      pool.query = function (this: typeof pool, ...args: unknown[]) {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text
        if (text && pattern.test(text)) count++
        return (original as (...a: unknown[]) => unknown).apply(this, args)
      } as typeof pool.query
      try {
        await fn()
      } finally {
        pool.query = original
      }
      return count
    }

    async function statuses(): Promise<Record<string, number>> {
      const rows = await query<{ status: string; n: number }>(test.db, 'SELECT status, count(*)::int AS n FROM jobs GROUP BY status')
      return Object.fromEntries(rows.map((r) => [r.status, r.n]))
    }

    before(async () => {
      test = await createTestDatabase(backend)
    })

    after(async () => {
      await test?.cleanup()
    })

    beforeEach(() => {
      clock = t0
      batches = []
      singleRuns = []
      jobs = makeService()
    })

    afterEach(async () => {
      await jobs.stop()
      await query(test.db, 'DELETE FROM jobs')
    })

    describe('a batch type', () => {
      it('gets its due jobs together, at most `max` per call and one batch per poll, each job once, and records them all success', async () => {
        const created = await jobs.enqueueMany(Array.from({ length: 30 }, (_, i) => ({ type: 'test.batch', data: { i } })))
        expect(created).to.equal(30)

        await runAt(jobs, t0)
        expect(batches.map((b) => b.length)).to.deep.equal([10])
        await runAt(jobs, t0)
        await runAt(jobs, t0)

        expect(batches.map((b) => b.length)).to.deep.equal([10, 10, 10])
        const handled = batches.flat()
        expect(new Set(handled).size).to.equal(30)
        expect(singleRuns, 'the single-job handler of a batch type').to.deep.equal([])
        expect(await statuses()).to.deep.equal({ success: 30 })
        await runAt(jobs, t0 + MINUTE)
        expect(batches).to.have.length(3)
      })

      it('records the successes of a batch with one statement', async () => {
        await jobs.enqueueMany(Array.from({ length: 10 }, (_, i) => ({ type: 'test.batch', data: { i } })))
        const successWrites = await countStatements(/SET status = 'success'/, () => runAt(jobs, t0))
        expect(batches).to.have.length(1)
        expect(successWrites).to.equal(1)
        expect(await statuses()).to.deep.equal({ success: 10 })
      })

      it('keeps a slot for other types: a backlog of batches does not hold back a single job', async () => {
        const service = makeService({ concurrency: 2 })
        await service.enqueueMany([...Array.from({ length: 25 }, () => ({ type: 'test.batch', data: {} })), { type: 'test.single', data: {} }])
        await runAt(service, t0)
        // Two slots: one batch, and the single job in the slot kept for it.
        expect(batches.map((b) => b.length)).to.deep.equal([10])
        expect(singleRuns).to.have.length(1)
        await runAt(service, t0)
        await runAt(service, t0)
        expect(batches.map((b) => b.length)).to.deep.equal([10, 10, 5])
        expect(await statuses()).to.deep.equal({ success: 26 })
        await service.stop()
      })

      it('retries only the job whose entry is an Error, fails for good the one with a PermanentJobError, and records the others success', async () => {
        const [okId, flakyId, goneId] = await enqueueEach(jobs, ['ok', 'fail-once', 'permanent'])

        await runAt(jobs, t0)

        expect(await jobs.get(okId)).to.include({ status: 'success', attempts: 1 })
        expect(await jobs.get(goneId)).to.include({ status: 'error', attempts: 1, lastError: `no such channel for ${goneId}` })
        const flaky = (await jobs.get(flakyId))!
        expect(flaky).to.include({ status: 'pending', attempts: 1, lastError: `HTTP 503 for ${flakyId}` })
        // The type's backoff: 10 s times a jitter in [0.5, 1).
        expect(flaky.runAt - t0).to.be.within(5 * SECOND, 10 * SECOND)

        await runAt(jobs, flaky.runAt)
        expect(batches.map((b) => [...b].sort())).to.deep.equal([[okId, flakyId, goneId].sort(), [flakyId]])
        expect(await jobs.get(flakyId)).to.include({ status: 'success', attempts: 2 })
      })

      it('retries every job of the batch when the handler throws, until their last attempt', async () => {
        const service = makeService()
        service.register({
          id: 'test.batch-broken',
          maxAttempts: 2,
          backoff: { baseMs: SECOND, maxMs: SECOND },
          handler: async () => undefined,
          batch: {
            max: 5,
            handler: async (claimed) => {
              batches.push(claimed.map((j) => j.id))
              throw new Error('the connector is down')
            },
          },
        })
        const created = await service.enqueueMany([{ type: 'test.batch-broken', data: {} }, { type: 'test.batch-broken', data: {} }])
        expect(created).to.equal(2)

        await runAt(service, t0)
        const afterFirst = await query<{ status: string; attempts: number; last_error: string }>(test.db, 'SELECT status, attempts, last_error FROM jobs')
        expect(afterFirst).to.deep.equal([
          { status: 'pending', attempts: 1, last_error: 'the connector is down' },
          { status: 'pending', attempts: 1, last_error: 'the connector is down' },
        ])

        await runAt(service, t0 + 2 * SECOND)
        expect(batches.map((b) => b.length)).to.deep.equal([2, 2])
        expect(await statuses()).to.deep.equal({ error: 2 })
        await service.stop()
      })

      it('treats a result of the wrong length as a throw', async () => {
        const service = makeService()
        service.register({ id: 'test.batch-short', handler: async () => undefined, batch: { max: 5, handler: async () => [null] } })
        await service.enqueueMany([{ type: 'test.batch-short', data: {} }, { type: 'test.batch-short', data: {} }])
        await runAt(service, t0)
        const rows = await query<{ status: string; last_error: string }>(test.db, 'SELECT status, last_error FROM jobs')
        expect(rows).to.have.length(2)
        for (const row of rows) {
          expect(row.status).to.equal('pending')
          expect(row.last_error).to.match(/returned 1 results for 2 jobs/)
        }
        await service.stop()
      })

      it('refuses a batch type whose max is not a whole number of at least 1', () => {
        expect(() => jobs.register({ id: 'test.batch-zero', handler: async () => undefined, batch: { max: 0, handler: async () => [] } })).to.throw(/batch\.max 0/)
      })

      it('keeps the leases of a long batch alive, so a second worker does not take its jobs', async () => {
        // A 300 ms lease is renewed every 100 ms, at the (moved) test clock.
        const slow = makeService({ leaseMs: 300 })
        let release!: () => void
        slow.register({
          id: 'test.batch-slow',
          handler: async () => undefined,
          batch: {
            max: 10,
            handler: async (claimed) => {
              await new Promise<void>((resolve) => (release = resolve))
              return claimed.map(() => null)
            },
          },
        })
        const other = makeService()
        let stolen = 0
        other.register({ id: 'test.batch-slow', handler: async () => undefined, batch: { max: 10, handler: async (claimed) => ((stolen += claimed.length), claimed.map(() => null)) } })
        await slow.enqueueMany([1, 2, 3].map((i) => ({ type: 'test.batch-slow', data: { i } })))

        const running = runAt(slow, t0)
        await eventually('the batch claimed', async () => ((await statuses()).in_progress === 3 ? true : undefined), 5000, 20)
        clock = t0 + 10 * SECOND
        // Until a heartbeat ran at the new time, the leases end at t0 + 300 ms: long past.
        await eventually('the leases extended', async () => {
          const [row] = await query<{ until: number }>(test.db, `SELECT min(locked_until) AS until FROM jobs WHERE type = 'test.batch-slow'`)
          return row!.until > clock ? true : undefined
        }, 5000, 20)
        await runAt(other, clock)
        expect(stolen).to.equal(0)

        release()
        await running
        const rows = await query<{ status: string; attempts: number }>(test.db, `SELECT status, attempts FROM jobs WHERE type = 'test.batch-slow'`)
        expect(rows).to.deep.equal([1, 2, 3].map(() => ({ status: 'success', attempts: 1 })))
        await Promise.all([slow.stop(), other.stop()])
      })

      it('aborts the signal when every job of a running batch is canceled, and records them canceled', async () => {
        const service = makeService({ leaseMs: 300 })
        let abortReason: unknown
        service.register({
          id: 'test.batch-cancelable',
          handler: async () => undefined,
          batch: {
            max: 10,
            handler: (claimed, ctx) =>
              new Promise((resolve) =>
                ctx.signal.addEventListener('abort', () => {
                  abortReason = ctx.signal.reason
                  resolve(claimed.map(() => new Error('stopped by the signal')))
                }),
              ),
          },
        })
        const ids = await enqueueEach(service, [{}, {}], 'test.batch-cancelable')
        const running = runAt(service, t0)
        await eventually('the batch claimed', async () => ((await statuses()).in_progress === 2 ? true : undefined), 5000, 20)
        for (const id of ids) await service.cancel({ id })
        await running
        expect(String(abortReason)).to.match(/every job of the batch was canceled/)
        for (const id of ids) expect(await service.get(id)).to.include({ status: 'canceled', lastError: 'stopped by the signal' })
        await service.stop()
      })

      it('keeps running a batch when only some of its jobs are canceled: an Error for one ends it canceled, a success stays success', async () => {
        const service = makeService({ leaseMs: 300 })
        let signal: AbortSignal | undefined
        let release!: () => void
        service.register({
          id: 'test.batch-partial',
          handler: async () => undefined,
          batch: {
            max: 10,
            handler: async (claimed, ctx) => {
              signal = ctx.signal
              await new Promise<void>((resolve) => (release = resolve))
              return claimed.map((job) => ((job.data as { fail?: boolean }).fail ? new Error('gave up on it') : null))
            },
          },
        })
        const [failed, succeeded, untouched] = await enqueueEach(service, [{ fail: true }, {}, {}], 'test.batch-partial')
        const running = runAt(service, t0)
        await eventually('the batch claimed', async () => ((await statuses()).in_progress === 3 ? true : undefined), 5000, 20)
        await service.cancel({ id: failed })
        await service.cancel({ id: succeeded })
        // Several heartbeats (every 100 ms) see the cancellations.
        await new Promise((resolve) => setTimeout(resolve, 350))
        expect(signal?.aborted).to.equal(false)
        release()
        await running
        expect(await service.get(failed)).to.include({ status: 'canceled', lastError: 'gave up on it' })
        expect(await service.get(succeeded)).to.include({ status: 'success' })
        expect(await service.get(untouched)).to.include({ status: 'success' })
        await service.stop()
      })

      it('is waited for at stop', async () => {
        const service = makeService()
        let finished = false
        service.register({
          id: 'test.batch-stop',
          handler: async () => undefined,
          batch: { max: 10, handler: (claimed) => new Promise((resolve) => setTimeout(() => ((finished = true), resolve(claimed.map(() => null))), 150)) },
        })
        await service.enqueueMany([{ type: 'test.batch-stop', data: {} }])
        const running = runAt(service, t0)
        await eventually('the batch claimed', async () => ((await statuses()).in_progress === 1 ? true : undefined), 5000, 20)
        await service.stop()
        expect(finished).to.equal(true)
        expect(await statuses()).to.deep.equal({ success: 1 })
        await running
      })

      it('claims the next batch as soon as one ends, without waiting for the poll interval', async () => {
        // The real clock and a poll interval far longer than the test: only the wake after each batch moves it on.
        const service = createJobService({ db: test.db, log, concurrency: 1, pollIntervalMs: 10 * MINUTE })
        const sizes: number[] = []
        service.register({ id: 'test.batch-chain', handler: async () => undefined, batch: { max: 10, handler: async (claimed) => (sizes.push(claimed.length), claimed.map(() => null)) } })
        service.start()
        await service.enqueueMany(Array.from({ length: 25 }, () => ({ type: 'test.batch-chain', data: {} })))
        await eventually('every job done', async () => ((await statuses()).success === 25 ? true : undefined), 5000, 20)
        expect(sizes).to.deep.equal([10, 10, 5])
        await service.stop()
      })
    })

    describe('enqueueMany', () => {
      it('inserts many jobs, each with its own run time, with one statement', async () => {
        const inputs = Array.from({ length: 2000 }, (_, i) => ({ type: 'test.single', data: { i }, runAt: t0 + (i % 2) * MINUTE }))
        let created = 0
        const inserts = await countStatements(/INSERT INTO jobs/, async () => {
          created = await jobs.enqueueMany(inputs)
        })
        expect(created).to.equal(2000)
        expect(inserts).to.equal(1)
        const [row] = await query<{ n: number; due: number }>(test.db, `SELECT count(*)::int AS n, count(*) FILTER (WHERE run_at = $1)::int AS due FROM jobs WHERE status = 'pending'`, [t0])
        expect(row).to.deep.equal({ n: 2000, due: 1000 })
        const [sample] = await query<{ data: unknown; max_attempts: number }>(test.db, `SELECT data, max_attempts FROM jobs WHERE data->>'i' = '1999'`)
        expect(sample).to.deep.equal({ data: { i: 1999 }, max_attempts: 5 })
      })

      it('keeps the first job of a taken dedupe key, within the call too, and counts only the jobs created', async () => {
        const first = await jobs.enqueue({ type: 'test.single', data: { n: 'first' }, dedupeKey: 'event:1' })
        const created = await jobs.enqueueMany([
          { type: 'test.single', data: { n: 'again' }, dedupeKey: 'event:1' },
          { type: 'test.single', data: { n: 'new' }, dedupeKey: 'event:2' },
          { type: 'test.single', data: { n: 'new again' }, dedupeKey: 'event:2' },
          { type: 'test.single', data: { n: 'no key' } },
        ])
        expect(created).to.equal(2)
        const rows = await query<{ dedupe_key: string | null; data: unknown }>(test.db, 'SELECT dedupe_key, data FROM jobs ORDER BY dedupe_key NULLS LAST')
        expect(rows).to.deep.equal([
          { dedupe_key: 'event:1', data: { n: 'first' } },
          { dedupe_key: 'event:2', data: { n: 'new' } },
          { dedupe_key: null, data: { n: 'no key' } },
        ])
        expect((await jobs.get(first.id))!.data).to.deep.equal({ n: 'first' })
      })

      it('commits and rolls back with the caller\'s transaction, of either kind', async () => {
        const kept = await withSqlTransaction(test.db, (tx) => jobs.enqueueMany([{ type: 'test.single', data: { n: 'kept' } }, { type: 'test.single', data: { n: 'kept too' } }], { tx }))
        expect(kept).to.equal(2)
        const viaPrisma = await withTransaction(test.db, (tx) => jobs.enqueueMany([{ type: 'test.single', data: { n: 'via prisma' }, dedupeKey: 'prisma:1' }], { tx }))
        expect(viaPrisma).to.equal(1)
        let createdBeforeFailure = 0
        const error = await withSqlTransaction(test.db, async (tx) => {
          createdBeforeFailure = await jobs.enqueueMany([{ type: 'test.single', data: { n: 'dropped' } }], { tx })
          throw new Error('the caller failed after enqueueing')
        }).catch((err: unknown) => err)
        expect(error).to.be.an('error').with.property('message', 'the caller failed after enqueueing')
        expect(createdBeforeFailure).to.equal(1)
        const rows = await query<{ data: { n: string } }>(test.db, 'SELECT data FROM jobs')
        expect(rows.map((r) => r.data.n).sort()).to.deep.equal(['kept', 'kept too', 'via prisma'])
      })

      it('rejects an unregistered type before writing anything, and writes nothing for an empty list', async () => {
        let error: unknown
        await jobs.enqueueMany([{ type: 'test.single', data: {} }, { type: 'test.nobody', data: {} }]).catch((err: unknown) => (error = err))
        expect(error).to.be.an('error').with.property('message').that.matches(/Unknown job type "test.nobody"/)
        const inserts = await countStatements(/INSERT INTO jobs/, async () => {
          expect(await jobs.enqueueMany([])).to.equal(0)
        })
        expect(inserts).to.equal(0)
        expect(await statuses()).to.deep.equal({})
      })
    })
  })
}

/** Enqueues one job per entry (a `test.batch` plan, or data for `type`), in order, and returns their ids. */
async function enqueueEach(service: JobService, entries: (Plan | object)[], type = 'test.batch'): Promise<string[]> {
  const ids: string[] = []
  for (const entry of entries) {
    const job: Job = await service.enqueue({ type, data: typeof entry === 'string' ? { plan: entry } : entry })
    ids.push(job.id)
  }
  return ids
}
