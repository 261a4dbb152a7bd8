/** Durable jobs in a running server, on the real clock: delayed runs, and work that came due while the server was down. */
import { expect } from 'chai'
import type { BridgeheadServer } from '../../../core/main.ts'
import type { Job, JobStatus } from '../../../core/jobs/index.ts'
import { forEachBackend, useServerStorage, useTestServer } from '../../helpers/server.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitForStatus(get: () => Promise<Job | null>, status: JobStatus, timeoutMs = 10_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const job = await get()
    if (job?.status === status) return job
    if (Date.now() > deadline) throw new Error(`job is ${job?.status}, not ${status}, after ${timeoutMs} ms`)
    await sleep(25)
  }
}

forEachBackend((backend) => {
  describe('a delayed job in a running server', () => {
    const ctx = useTestServer(backend, { jobPollIntervalMs: 100 })

    it('runs once, at its time and not before', async () => {
      const ranAt: number[] = []
      ctx.server.jobs.register({ id: 'test.server.delayed', handler: async () => void ranAt.push(Date.now()) })
      const job = await ctx.server.jobs.enqueue({ type: 'test.server.delayed', data: {}, delayMs: 800 })
      await sleep(400)
      expect(ranAt).to.deep.equal([])
      await waitForStatus(() => ctx.server.jobs.get(job.id), 'success')
      await sleep(300)
      expect(ranAt).to.have.length(1)
      expect(ranAt[0]).to.be.within(job.runAt, job.runAt + 1000)
    })
  })

  describe('work that came due while the server was down', function () {
    this.timeout(120_000)
    const { start } = useServerStorage(backend, { jobPollIntervalMs: 100 })

    it('runs a job due while the server was down, and a missed schedule tick, once each after start', async () => {
      const runs: { server: number; job: Job }[] = []
      const register = (server: BridgeheadServer, index: number) =>
        server.jobs.register({ id: 'test.server.restart', handler: async (job) => void runs.push({ server: index, job }) })

      const first = await start()
      register(first, 1)
      const dueAt = Date.now() + 1500
      const job = await first.jobs.enqueue({ type: 'test.server.restart', data: { what: 'delayed' }, runAt: dueAt })
      // A daily schedule whose tick falls while the server is down (on a whole second after dueAt).
      const tick = new Date(Math.ceil(dueAt / 1000) * 1000)
      const cron = `${tick.getUTCSeconds()} ${tick.getUTCMinutes()} ${tick.getUTCHours()} * * *`
      await first.jobs.schedule({ name: `restart-${backend}`, cron, timeZone: 'UTC', type: 'test.server.restart', data: { what: 'tick' } })
      await first.close()

      await sleep(Math.max(0, tick.getTime() + 300 - Date.now()))
      const second = await start()
      register(second, 2)
      await waitForStatus(() => second.jobs.get(job.id), 'success')
      const deadline = Date.now() + 10_000
      while (runs.length < 2 && Date.now() < deadline) await sleep(25)
      // Give a wrongly repeated run the time to show.
      await sleep(500)

      expect(runs.map((r) => [r.server, r.job.data])).to.have.deep.members([
        [2, { what: 'delayed' }],
        [2, { what: 'tick' }],
      ])
      expect(runs.find((r) => (r.job.data as { what: string }).what === 'tick')!.job.runAt).to.equal(tick.getTime())
      const schedule = await second.jobs.getSchedule(`restart-${backend}`)
      expect(schedule!.nextRunAt).to.equal(tick.getTime() + 24 * 60 * 60_000)
    })
  })
})
