/** Outgoing webhooks over HTTP: the admin API under /api/v4/hooks/outgoing (Mattermost api4/webhook.go). */
import type { Router } from 'express'
import { z } from 'zod'
import { presentOutgoingWebhook } from '../../present/outgoing-webhook.ts'
import type { OutgoingWebhookService } from '../../webhooks/outgoing-service.ts'
import { requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { idParam, pagination, parseBody, queryString } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

type RouteModule = (router: Router, deps: ApiDeps) => void

const hookBody = z.object({
  id: z.string().optional(),
  team_id: z.string().optional(),
  channel_id: z.string().optional(),
  creator_id: z.string().optional(),
  trigger_words: z.array(z.string()).nullable().optional(),
  trigger_when: z.number().int().optional(),
  callback_urls: z.array(z.string()).nullable().optional(),
  display_name: z.string().optional(),
  description: z.string().optional(),
  content_type: z.string().optional(),
  username: z.string().optional(),
  icon_url: z.string().optional(),
})

/** The admin API; needs a session. */
export function outgoingWebhookRoutes(hooks: OutgoingWebhookService): RouteModule {
  return (router) => {
    router.post('/hooks/outgoing', async (req, res) => {
      sendJson(res, 201, presentOutgoingWebhook(await hooks.create(requireSession(req), parseBody(hookBody, req.body))))
    })

    router.get('/hooks/outgoing', async (req, res) => {
      const { page, perPage } = pagination(req)
      const list = await hooks.list(requireSession(req), { teamId: queryString(req, 'team_id'), channelId: queryString(req, 'channel_id'), page, perPage })
      sendJson(res, 200, list.map(presentOutgoingWebhook))
    })

    router.get('/hooks/outgoing/:hook_id', async (req, res) => {
      sendJson(res, 200, presentOutgoingWebhook(await hooks.get(requireSession(req), idParam(req, 'hook_id'))))
    })

    router.put('/hooks/outgoing/:hook_id', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, presentOutgoingWebhook(await hooks.update(session, idParam(req, 'hook_id'), parseBody(hookBody, req.body))))
    })

    router.post('/hooks/outgoing/:hook_id/regen_token', async (req, res) => {
      sendJson(res, 200, presentOutgoingWebhook(await hooks.regenerateToken(requireSession(req), idParam(req, 'hook_id'))))
    })

    router.delete('/hooks/outgoing/:hook_id', async (req, res) => {
      await hooks.delete(requireSession(req), idParam(req, 'hook_id'))
      sendOk(res)
    })
  }
}
