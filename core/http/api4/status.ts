/** User status routes (Mattermost api4/status.go). */
import type { Router } from 'express'
import { z } from 'zod'
import { invalidBodyParam } from '../../errors.ts'
import { isValidId } from '../../ids.ts'
import { presentStatus } from '../../present/status.ts'
import { requireSession } from '../context.ts'
import { sendJson } from '../respond.ts'
import { parseBody, userIdParam } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

// Mattermost decodes a missing user_id as "", which then fails the URL match with 400 invalid_param.
const statusBody = z.object({
  user_id: z.string().default(''),
  status: z.string().default(''),
  dnd_end_time: z.number().int().min(0).optional(),
}).loose()

export function statusRoutes(router: Router, deps: ApiDeps): void {
  const { statuses } = deps

  router.get('/users/:user_id/status', async (req, res) => {
    requireSession(req)
    sendJson(res, 200, presentStatus(await statuses.get(userIdParam(req))))
  })

  router.put('/users/:user_id/status', async (req, res) => {
    const session = requireSession(req)
    const userId = userIdParam(req)
    sendJson(res, 200, presentStatus(await statuses.update(session, userId, parseBody(statusBody, req.body))))
  })

  router.post('/users/status/ids', async (req, res) => {
    requireSession(req)
    const ids = parseBody(z.array(z.string()).max(1000), req.body)
    if (ids.length === 0 || !ids.every(isValidId)) throw invalidBodyParam('user_ids', 'expected a non-empty array of 26-character user ids')
    sendJson(res, 200, (await statuses.getMany(ids)).map(presentStatus))
  })
}
