/** Bot account routes (Mattermost api4/bot.go). */
import type { Router } from 'express'
import { z } from 'zod'
import { presentBot } from '../../present/bot.ts'
import { requireSession } from '../context.ts'
import { sendJson } from '../respond.ts'
import { idParam, pagination, parseBody, queryBool } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

const botPatchBody = z.object({
  username: z.string().max(128).optional(),
  display_name: z.string().max(256).optional(),
  description: z.string().max(4096).optional(),
})

export function botRoutes(router: Router, deps: ApiDeps): void {
  const { bots } = deps

  router.post('/bots', async (req, res) => {
    const session = requireSession(req)
    const input = parseBody(botPatchBody.extend({ username: z.string().max(128).default('') }), req.body)
    sendJson(res, 201, presentBot(await bots.create(session, input)))
  })

  router.get('/bots', async (req, res) => {
    const session = requireSession(req)
    const { page, perPage } = pagination(req)
    const list = await bots.list(session, { page, perPage, includeDeleted: queryBool(req, 'include_deleted'), onlyOrphaned: queryBool(req, 'only_orphaned') })
    sendJson(res, 200, list.map(presentBot))
  })

  router.get('/bots/:bot_user_id', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, presentBot(await bots.get(session, idParam(req, 'bot_user_id'), queryBool(req, 'include_deleted'))))
  })

  router.put('/bots/:bot_user_id', async (req, res) => {
    const session = requireSession(req)
    const botUserId = idParam(req, 'bot_user_id')
    sendJson(res, 200, presentBot(await bots.patch(session, botUserId, parseBody(botPatchBody, req.body))))
  })

  for (const [action, active] of [['disable', false], ['enable', true]] as const) {
    router.post(`/bots/:bot_user_id/${action}`, async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, presentBot(await bots.setActive(session, idParam(req, 'bot_user_id'), active)))
    })
  }
}
