/** The jobs admin API through Client4 (Mattermost api4/job.go, model/job.go): system admins only. */
import { expect } from 'chai'
import type { Job as MattermostJob } from '@mattermost/types/jobs'
import { PermanentJobError, type Job, type JobStatus } from '../../core/jobs/index.ts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectAppError, expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { getAdmin, makeUser } from '../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend, { jobPollIntervalMs: 100 })
  const FAILING = `test.compat.failing.${backend}`
  const LATER = `test.compat.later.${backend}`

  before(() => {
    ctx.server.jobs.register({ id: FAILING, maxAttempts: 1, handler: async () => Promise.reject(new PermanentJobError('the integration answered 410 Gone')) })
    ctx.server.jobs.register({ id: LATER, handler: async () => undefined })
  })

  async function waitForStatus(id: string, status: JobStatus): Promise<Job> {
    const deadline = Date.now() + 10_000
    for (;;) {
      const job = await ctx.server.jobs.get(id)
      if (job?.status === status) return job
      if (Date.now() > deadline) throw new Error(`job ${id} is ${job?.status}, not ${status}, after 10 s`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /** A job due in an hour, so it stays pending through the test. */
  const enqueueLater = (data: Record<string, unknown> = {}) => ctx.server.jobs.enqueue({ type: LATER, data, delayMs: 60 * 60_000 })

  describe('GET /api/v4/jobs/{job_id}', () => {
    it("returns Mattermost's job shape, with data values as strings", async () => {
      const admin = await getAdmin(ctx.server)
      const job = await enqueueLater({ channel_id: 'abc', attempt_limit: 3 })
      const got: MattermostJob & Record<string, unknown> = await admin.client.getJob(job.id)
      expect(got).to.deep.equal({
        id: job.id,
        type: LATER,
        priority: 0,
        create_at: job.createAt,
        start_at: 0,
        last_activity_at: job.createAt,
        status: 'pending',
        progress: 0,
        data: { channel_id: 'abc', attempt_limit: '3' },
        run_at: job.runAt,
        attempts: 0,
        max_attempts: 5,
      })
    })

    it('shows a failed job as error with its message under data.error', async () => {
      const admin = await getAdmin(ctx.server)
      const job = await ctx.server.jobs.enqueue({ type: FAILING, data: { hook_id: 'h1' } })
      await waitForStatus(job.id, 'error')
      const got = await admin.client.getJob(job.id)
      expect(got).to.include({ status: 'error', type: FAILING })
      expect(got.data).to.deep.equal({ hook_id: 'h1', error: 'the integration answered 410 Gone' })
      expect(got.start_at).to.be.greaterThan(0)
    })

    it('answers 404 app.job.get.app_error for an unknown id', async () => {
      const admin = await getAdmin(ctx.server)
      await expectStatus(admin.client.getJob('a'.repeat(26)), 404, 'app.job.get.app_error')
    })
  })

  describe('GET /api/v4/jobs and /api/v4/jobs/type/{job_type}', () => {
    it('lists jobs newest first, paged', async () => {
      const admin = await getAdmin(ctx.server)
      const older = await enqueueLater()
      await new Promise((resolve) => setTimeout(resolve, 5))
      const newer = await enqueueLater()
      const page = await admin.client.getJobs(0, 2)
      expect(page.map((j) => j.id)).to.deep.equal([newer.id, older.id])
      const next = await admin.client.getJobs(1, 2)
      expect(next.map((j) => j.id)).to.not.include.members([newer.id, older.id])
    })

    it('lists only the jobs of one type', async () => {
      const admin = await getAdmin(ctx.server)
      const failed = await ctx.server.jobs.enqueue({ type: FAILING, data: {} })
      await enqueueLater()
      const list = await admin.client.getJobsByType(FAILING, 0, 200)
      expect(list.map((j) => j.id)).to.include(failed.id)
      expect(list.every((j) => j.type === FAILING)).to.equal(true)
    })

    it('filters by status with ?status=, and answers 400 api.job.status.invalid for an unknown one', async () => {
      const admin = await getAdmin(ctx.server)
      const failed = await ctx.server.jobs.enqueue({ type: FAILING, data: {} })
      await waitForStatus(failed.id, 'error')
      const res = await rawRequest(ctx.server.url, `/api/v4/jobs?job_type=${FAILING}&status=error&per_page=200`, { token: admin.token })
      expect(res.status).to.equal(200)
      const list = res.json as MattermostJob[]
      expect(list.map((j) => j.id)).to.include(failed.id)
      expect(list.every((j) => j.status === 'error')).to.equal(true)
      expectAppError(await rawRequest(ctx.server.url, '/api/v4/jobs?status=sleeping', { token: admin.token }), 400, 'api.job.status.invalid')
    })
  })

  describe('POST /api/v4/jobs/{job_id}/cancel', () => {
    it('cancels a pending job', async () => {
      const admin = await getAdmin(ctx.server)
      const job = await enqueueLater()
      expect(await admin.client.cancelJob(job.id)).to.deep.equal({ status: 'OK' })
      expect(await admin.client.getJob(job.id)).to.include({ status: 'canceled' })
    })

    it('answers 400 jobs.request_cancellation.status.error for a job that already finished', async () => {
      const admin = await getAdmin(ctx.server)
      const job = await ctx.server.jobs.enqueue({ type: FAILING, data: {} })
      await waitForStatus(job.id, 'error')
      await expectStatus(admin.client.cancelJob(job.id), 400, 'jobs.request_cancellation.status.error')
    })
  })

  describe('as a user who is not a system admin', () => {
    it('gets 403 from every jobs route', async () => {
      const { client } = await makeUser(ctx.server)
      const job = await enqueueLater()
      await expectStatus(client.getJobs(), 403, 'api.context.permissions.app_error')
      await expectStatus(client.getJob(job.id), 403, 'api.context.permissions.app_error')
      await expectStatus(client.getJobsByType(LATER), 403, 'api.context.permissions.app_error')
      await expectStatus(client.cancelJob(job.id), 403, 'api.context.permissions.app_error')
      expect((await ctx.server.jobs.get(job.id))?.status).to.equal('pending')
      expectAppError(await rawRequest(ctx.server.url, '/api/v4/jobs', { token: 'x'.repeat(26) }), 401)
    })
  })
})
