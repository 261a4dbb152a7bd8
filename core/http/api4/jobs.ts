/** Job routes for system admins (Mattermost api4/job.go): list, get, list by type, cancel. */
import type { Router } from 'express'
import { invalidUrlParam } from '../../errors.ts'
import { presentJob } from '../../present/job.ts'
import { requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { idParam, pagination, queryString } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

const JOB_TYPE = /^[A-Za-z0-9_.-]{1,64}$/

export function jobRoutes(router: Router, deps: ApiDeps): void {
  const { jobs } = deps

  router.get('/jobs', async (req, res) => {
    const session = requireSession(req)
    const { page, perPage } = pagination(req)
    const list = await jobs.admin.list(session, { type: queryString(req, 'job_type'), status: queryString(req, 'status'), page, perPage })
    sendJson(res, 200, list.map(presentJob))
  })

  router.get('/jobs/type/:job_type', async (req, res) => {
    const session = requireSession(req)
    const type = req.params.job_type
    if (typeof type !== 'string' || !JOB_TYPE.test(type)) throw invalidUrlParam('job_type')
    const { page, perPage } = pagination(req)
    sendJson(res, 200, (await jobs.admin.list(session, { type, page, perPage })).map(presentJob))
  })

  router.get('/jobs/:job_id', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, presentJob(await jobs.admin.get(session, idParam(req, 'job_id'))))
  })

  router.post('/jobs/:job_id/cancel', async (req, res) => {
    const session = requireSession(req)
    await jobs.admin.cancel(session, idParam(req, 'job_id'))
    sendOk(res)
  })
}
