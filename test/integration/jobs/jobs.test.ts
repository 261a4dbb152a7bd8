/**
 * Durable jobs on both databases, driven by a clock of the test's own (`runAt(service, t)` sets it
 * and polls once): delays, retries with backoff, final failure, deduplication, transactions, leases
 * of dead workers, cancellation and cron schedules in a time zone.
 */
import { expect } from 'chai'
import { query, withTransaction } from '../../../core/db/index.ts'
import { createLogger } from '../../../core/log.ts'
import { createJobService, PermanentJobError, type JobService } from '../../../core/jobs/index.ts'
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts'
import { BACKENDS } from '../../helpers/server.ts'

const log = createLogger({ level: 'silent' })
const at = (iso: string) => Date.parse(iso)
const SECOND = 1000
/** Where each test's clock starts. */
const t0 = at('2026-01-15T12:00:00Z')
const MINUTE = 60 * SECOND

interface Run {
  jobId: string
  attempt: number
  data: unknown
  runAt: number
}

for (const backend of BACKENDS) {
  describe(`durable jobs on ${backend}`, function () {
    this.timeout(60_000)
    let test: TestDatabase
    let clock: number
    let runs: Run[]
    let jobs: JobService
    /** Outcomes the `flaky` type plays, one per run; past the end it succeeds. */
    let script: (string | 'ok' | 'permanent')[]

    /** Sets the clock to `time` and lets `service` poll once, waiting for what it runs. */
    async function runAt(service: JobService, time: number): Promise<void> {
      clock = time
      await service.runDue()
    }

    function makeService(options: { leaseMs?: number; stopTimeoutMs?: number } = {}): JobService {
      const service = createJobService({ db: test.db, log, now: () => clock, leaseMs: options.leaseMs, stopTimeoutMs: options.stopTimeoutMs })
      service.register<{ n?: number }>({
        id: 'test.record',
        handler: async (job, ctx) => {
          runs.push({ jobId: job.id, attempt: ctx.attempt, data: job.data, runAt: job.runAt })
        },
      })
      service.register({
        id: 'test.flaky',
        maxAttempts: 3,
        backoff: { baseMs: 10 * SECOND, maxMs: MINUTE },
        handler: async (job, ctx) => {
          runs.push({ jobId: job.id, attempt: ctx.attempt, data: job.data, runAt: job.runAt })
          const next = script.shift() ?? 'ok'
          if (next === 'permanent') throw new PermanentJobError('the channel is gone')
          if (next !== 'ok') throw new Error(next)
        },
      })
      return service
    }

    before(async () => {
      test = await createTestDatabase(backend)
    })

    after(async () => {
      await test?.cleanup()
    })

    beforeEach(() => {
      clock = t0
      runs = []
      script = []
      jobs = makeService()
    })

    afterEach(async () => {
      await jobs.stop()
      // Each test starts from empty tables: a schedule left behind would fire in the next test.
      await query(test.db, 'DELETE FROM job_schedules')
      await query(test.db, 'DELETE FROM jobs')
    })

    it('runs a delayed job once, at its time and not before', async () => {
      const job = await jobs.enqueue({ type: 'test.record', data: { n: 1 }, delayMs: 30 * SECOND })
      expect(job.status).to.equal('pending')
      expect(job.runAt).to.equal(t0 + 30 * SECOND)

      await runAt(jobs, t0 + 29 * SECOND)
      expect(runs).to.deep.equal([])

      await runAt(jobs, t0 + 30 * SECOND)
      await runAt(jobs, t0 + 31 * SECOND)
      expect(runs).to.deep.equal([{ jobId: job.id, attempt: 1, data: { n: 1 }, runAt: job.runAt }])
      const done = (await jobs.get(job.id))!
      expect(done.status).to.equal('success')
      expect(done.attempts).to.equal(1)
      expect(done.startAt).to.equal(t0 + 30 * SECOND)
    })

    it('retries a failing job with growing, jittered delays, then marks it error with the last message', async () => {
      script = ['timeout talking to ci.internal', 'HTTP 502 from ci.internal', 'HTTP 503 from ci.internal']
      const job = await jobs.enqueue({ type: 'test.flaky', data: {} })

      await runAt(jobs, t0)
      let current = (await jobs.get(job.id))!
      expect(current).to.include({ status: 'pending', attempts: 1, lastError: 'timeout talking to ci.internal' })
      // First retry: 10 s doubled 0 times, times a jitter in [0.5, 1).
      const firstDelay = current.runAt - t0
      expect(firstDelay).to.be.within(5 * SECOND, 10 * SECOND)

      await runAt(jobs, current.runAt - 1)
      expect(runs).to.have.length(1)
      await runAt(jobs, current.runAt)
      expect(runs).to.have.length(2)
      const secondFailedAt = current.runAt
      current = (await jobs.get(job.id))!
      expect(current).to.include({ status: 'pending', attempts: 2, lastError: 'HTTP 502 from ci.internal' })
      // Second retry: 20 s times the jitter.
      expect(current.runAt - secondFailedAt).to.be.within(10 * SECOND, 20 * SECOND)

      await runAt(jobs, current.runAt)
      current = (await jobs.get(job.id))!
      expect(current).to.include({ status: 'error', attempts: 3, lastError: 'HTTP 503 from ci.internal' })
      expect(runs.map((r) => r.attempt)).to.deep.equal([1, 2, 3])

      await runAt(jobs, t0 + 24 * 60 * MINUTE)
      expect(runs).to.have.length(3)
    })

    it('does not retry a PermanentJobError', async () => {
      script = ['permanent']
      const job = await jobs.enqueue({ type: 'test.flaky', data: {} })
      await runAt(jobs, t0)
      await runAt(jobs, t0 + 60 * MINUTE)
      expect(runs).to.have.length(1)
      expect(await jobs.get(job.id)).to.include({ status: 'error', attempts: 1, lastError: 'the channel is gone' })
    })

    it('returns the first job when one with the same dedupe key exists, and runs only that one', async () => {
      const first = await jobs.enqueue({ type: 'test.record', data: { n: 1 }, dedupeKey: `reminder:${t0}` })
      const second = await jobs.enqueue({ type: 'test.record', data: { n: 2 }, dedupeKey: `reminder:${t0}` })
      expect(second.id).to.equal(first.id)
      expect(second.data).to.deep.equal({ n: 1 })
      await runAt(jobs, t0)
      expect(runs.map((r) => r.data)).to.deep.equal([{ n: 1 }])
    })

    it('creates a job enqueued inside a transaction only if the transaction commits', async () => {
      await withTransaction(test.db, async (tx) => {
        await jobs.enqueue({ type: 'test.record', data: { n: 'kept' } }, { tx })
      })
      const rolledBack = await withTransaction(test.db, async (tx) => {
        const job = await jobs.enqueue({ type: 'test.record', data: { n: 'dropped' } }, { tx })
        throw Object.assign(new Error('the caller failed after enqueueing'), { jobId: job.id })
      }).catch((err: { jobId: string }) => err.jobId)
      expect(await jobs.get(rolledBack)).to.equal(null)
      await runAt(jobs, t0)
      expect(runs.map((r) => r.data)).to.deep.equal([{ n: 'kept' }])
    })

    it('never runs a job canceled while pending', async () => {
      const job = await jobs.enqueue({ type: 'test.record', data: {}, delayMs: MINUTE, dedupeKey: `cancel-me:${t0}` })
      const canceled = await jobs.cancel({ dedupeKey: `cancel-me:${t0}` })
      expect(canceled).to.include({ id: job.id, status: 'canceled' })
      await runAt(jobs, t0 + 2 * MINUTE)
      expect(runs).to.deep.equal([])
    })

    it('runs a job again after the lease of a worker that stopped answering, and ignores that worker\'s late outcome', async () => {
      const dead = makeService({ leaseMs: 30 * SECOND })
      let release!: () => void
      dead.register({ id: 'test.hang', handler: () => new Promise<void>((resolve) => (release = resolve)) })
      jobs.register({ id: 'test.hang', handler: async (job, ctx) => void runs.push({ jobId: job.id, attempt: ctx.attempt, data: job.data, runAt: job.runAt }) })
      const job = await jobs.enqueue({ type: 'test.hang', data: {} })

      const hung = runAt(dead, t0)
      await waitFor(async () => (await jobs.get(job.id))?.status === 'in_progress')
      await runAt(jobs, t0 + 29 * SECOND)
      expect(runs).to.deep.equal([])

      await runAt(jobs, t0 + 31 * SECOND)
      expect(runs.map((r) => r.attempt)).to.deep.equal([2])
      release()
      await hung
      expect(await jobs.get(job.id)).to.include({ status: 'success', attempts: 2 })
      await dead.stop()
    })

    it('aborts the signal of a running job that is canceled, and records it canceled', async () => {
      // A 300 ms lease is renewed (and the cancellation seen) every 100 ms.
      const service = makeService({ leaseMs: 300 })
      let abortReason: unknown
      service.register({
        id: 'test.cancelable',
        handler: (_job, ctx) =>
          new Promise<void>((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => {
              abortReason = ctx.signal.reason
              reject(new Error('stopped by the signal'))
            }),
          ),
      })
      const job = await service.enqueue({ type: 'test.cancelable', data: {} })
      const running = runAt(service, t0)
      await waitFor(async () => (await service.get(job.id))?.status === 'in_progress')
      expect(await service.cancel({ id: job.id })).to.include({ status: 'cancel_requested' })
      await running
      expect(String(abortReason)).to.match(/canceled/)
      expect(await service.get(job.id)).to.include({ status: 'canceled', lastError: 'stopped by the signal' })
      await service.stop()
    })

    it('waits at stop for running handlers to finish', async () => {
      const service = makeService()
      let finished = false
      service.register({ id: 'test.slow', handler: () => new Promise<void>((resolve) => setTimeout(() => resolve(void (finished = true)), 150)) })
      const job = await service.enqueue({ type: 'test.slow', data: {} })
      const running = runAt(service, t0)
      await waitFor(async () => (await service.get(job.id))?.status === 'in_progress')
      await service.stop()
      expect(finished).to.equal(true)
      expect(await service.get(job.id)).to.include({ status: 'success' })
      await running
    })

    it('stops after its bound when a handler does not finish, aborting that handler', async () => {
      const service = makeService({ stopTimeoutMs: 200 })
      let signal: AbortSignal | undefined
      service.register({
        id: 'test.stuck',
        handler: (_job, ctx) => {
          signal = ctx.signal
          return new Promise<void>(() => undefined)
        },
      })
      const job = await service.enqueue({ type: 'test.stuck', data: {} })
      void runAt(service, t0)
      await waitFor(async () => (await service.get(job.id))?.status === 'in_progress')
      const started = Date.now()
      await service.stop()
      expect(Date.now() - started).to.be.within(150, 2000)
      expect(signal?.aborted).to.equal(true)
      expect(String(signal?.reason)).to.match(/server is stopping/)
      // Still leased to the stopped worker: another one takes it when the lease expires.
      expect(await service.get(job.id)).to.include({ status: 'in_progress' })
    })

    describe('cron schedules', () => {
      it('runs at each tick of the expression in its time zone, across a daylight saving change', async () => {
        clock = at('2026-03-27T00:00:00Z')
        const schedule = await jobs.schedule({ name: `standup-${backend}-1`, cron: '30 9 * * *', timeZone: 'Europe/Berlin', type: 'test.record', data: { channel: 'town-square' } })
        // 09:30 in Berlin is 08:30 UTC before the change to summer time on 29 March, 07:30 UTC after.
        expect(new Date(schedule.nextRunAt).toISOString()).to.equal('2026-03-27T08:30:00.000Z')

        await runAt(jobs, at('2026-03-27T08:29:59Z'))
        expect(runs).to.deep.equal([])
        for (const tick of ['2026-03-27T08:30:00Z', '2026-03-28T08:30:00Z', '2026-03-29T07:30:00Z']) {
          await runAt(jobs, at(tick))
          // The tick's job is created and claimed in one poll; a second poll finds nothing more.
          await runAt(jobs, at(tick) + SECOND)
        }
        expect(runs.map((r) => new Date(r.runAt).toISOString())).to.deep.equal(['2026-03-27T08:30:00.000Z', '2026-03-28T08:30:00.000Z', '2026-03-29T07:30:00.000Z'])
        expect(runs.every((r) => JSON.stringify(r.data) === '{"channel":"town-square"}')).to.equal(true)
      })

      it('runs ticks missed while no server ran once, then the next tick after now', async () => {
        const name = `every-minute-${backend}`
        await jobs.schedule({ name, cron: '* * * * *', timeZone: 'UTC', type: 'test.record' })
        await runAt(jobs, t0 + 10 * MINUTE + 5 * SECOND)
        expect(runs.map((r) => r.runAt)).to.deep.equal([t0 + MINUTE])
        expect((await jobs.getSchedule(name))!.nextRunAt).to.equal(t0 + 11 * MINUTE)
      })

      it('keeps the next run when declared again unchanged, and recomputes it when the expression changes', async () => {
        const name = `redeclared-${backend}`
        const first = await jobs.schedule({ name, cron: '0 9 * * *', timeZone: 'UTC', type: 'test.record' })
        clock = t0 + 2 * 24 * 60 * MINUTE
        const again = await jobs.schedule({ name, cron: '0 9 * * *', timeZone: 'UTC', type: 'test.record', data: { v: 2 } })
        expect(again.nextRunAt).to.equal(first.nextRunAt)
        expect(again.data).to.deep.equal({ v: 2 })
        const changed = await jobs.schedule({ name, cron: '0 10 * * *', timeZone: 'UTC', type: 'test.record' })
        expect(new Date(changed.nextRunAt).toISOString()).to.equal('2026-01-18T10:00:00.000Z')
      })

      it('fires each tick once when two workers poll at the same time', async () => {
        const other = makeService()
        await jobs.schedule({ name: `shared-${backend}`, cron: '*/5 * * * *', timeZone: 'UTC', type: 'test.record' })
        for (let minute = 5; minute <= 30; minute += 5) {
          await Promise.all([runAt(jobs, t0 + minute * MINUTE), runAt(other, t0 + minute * MINUTE)])
        }
        expect(runs.map((r) => (r.runAt - t0) / MINUTE)).to.deep.equal([5, 10, 15, 20, 25, 30])
        await other.stop()
      })

      it('rejects a bad expression or time zone with a 400 naming the field', async () => {
        await expectAppError(jobs.schedule({ name: 'bad', cron: '0 25 * * *', timeZone: 'UTC', type: 'test.record' }), 'Invalid cron parameter.')
        await expectAppError(jobs.schedule({ name: 'bad', cron: '0 9 * * *', timeZone: 'Europe/Atlantis', type: 'test.record' }), 'Invalid time_zone parameter.')
      })
    })

    it('refuses to enqueue a type no one registered', async () => {
      let error: unknown
      await jobs.enqueue({ type: 'test.nobody', data: {} }).catch((err: unknown) => (error = err))
      expect(error).to.be.an('error').with.property('message').that.matches(/Unknown job type "test.nobody"/)
    })
  })
}

async function expectAppError(promise: Promise<unknown>, message: string): Promise<void> {
  let error: { statusCode?: number; message?: string } | undefined
  await promise.catch((err: { statusCode?: number; message?: string }) => (error = err))
  expect(error, `expected "${message}"`).to.include({ statusCode: 400, message })
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
