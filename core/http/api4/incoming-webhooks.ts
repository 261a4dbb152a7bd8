/**
 * Incoming webhooks over HTTP: the admin API under /api/v4/hooks/incoming (Mattermost
 * api4/webhook.go) and the public receiver `POST /hooks/{id}` (Mattermost web/webhook.go).
 */
import express, { type Request, type Router } from 'express'
import busboy from 'busboy'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import { presentIncomingWebhook } from '../../present/incoming-webhook.ts'
import type { IncomingWebhookService } from '../../webhooks/incoming-service.ts'
import { parseIncomingWebhookJson, readIncomingWebhookRequest, type IncomingWebhookRequest } from '../../webhooks/incoming-payload.ts'
import { requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { idParam, pagination, parseBody, queryBool, queryString } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

type RouteModule = (router: Router, deps: ApiDeps) => void

const hookBody = z.object({
  id: z.string().optional(),
  channel_id: z.string().default(''),
  team_id: z.string().optional(),
  user_id: z.string().optional(),
  display_name: z.string().optional(),
  description: z.string().optional(),
  username: z.string().optional(),
  icon_url: z.string().optional(),
  channel_locked: z.boolean().optional(),
})

/** The admin API; needs a session. */
export function incomingWebhookRoutes(hooks: IncomingWebhookService): RouteModule {
  return (router) => {
    router.post('/hooks/incoming', async (req, res) => {
      sendJson(res, 201, presentIncomingWebhook(await hooks.create(requireSession(req), parseBody(hookBody, req.body))))
    })

    router.get('/hooks/incoming', async (req, res) => {
      const { page, perPage } = pagination(req)
      const { hooks: list, total } = await hooks.list(requireSession(req), { teamId: queryString(req, 'team_id'), page, perPage })
      const presented = list.map(presentIncomingWebhook)
      sendJson(res, 200, queryBool(req, 'include_total_count') ? { incoming_webhooks: presented, total_count: await total() } : presented)
    })

    router.get('/hooks/incoming/:hook_id', async (req, res) => {
      sendJson(res, 200, presentIncomingWebhook(await hooks.get(requireSession(req), idParam(req, 'hook_id'))))
    })

    // Mattermost answers an update with 201.
    router.put('/hooks/incoming/:hook_id', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 201, presentIncomingWebhook(await hooks.update(session, idParam(req, 'hook_id'), parseBody(hookBody, req.body))))
    })

    router.delete('/hooks/incoming/:hook_id', async (req, res) => {
      await hooks.delete(requireSession(req), idParam(req, 'hook_id'))
      sendOk(res)
    })
  }
}

// RFC 7231 type/subtype tokens; parameters after ';' are not checked, as Go's mime.ParseMediaType
// lets an invalid parameter pass.
const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/

function mediaTypeOf(req: Request, hookId: string): string {
  const header = req.headers['content-type']
  if (!header) return ''
  const mediaType = header.split(';')[0]!.trim().toLowerCase()
  if (!MEDIA_TYPE.test(mediaType)) {
    throw new AppError('web.incoming_webhook.media_type.app_error', `Failed to parse the media type "${header}" of incoming webhook ${hookId}.`, 400, { context: { hookId } })
  }
  return mediaType
}

const MULTIPART_FIELDS = ['text', 'username', 'icon_url', 'channel', 'icon_emoji', 'type'] as const

/** Form fields of a multipart body: a `payload` field holds JSON; otherwise the fields are the request's own. */
function readMultipartPayload(req: Request, body: Buffer, hookId: string): Promise<IncomingWebhookRequest> {
  return new Promise((resolve, reject) => {
    const failed = (err: unknown) =>
      reject(new AppError('web.incoming_webhook.parse_multipart.app_error', `Failed to parse the multipart form of webhook ${hookId}.`, 400, { detailed: (err as Error).message, cause: err }))
    let parser: busboy.Busboy
    try {
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fields: 50 } })
    } catch (err) {
      failed(err)
      return
    }
    const fields: Record<string, string> = {}
    parser.on('field', (name, value) => {
      fields[name] = value
    })
    parser.on('file', (_name, stream) => stream.resume())
    parser.on('error', failed)
    parser.on('close', () => {
      try {
        if (fields.payload !== undefined) return resolve(parseIncomingWebhookJson(fields.payload))
        resolve(readIncomingWebhookRequest(Object.fromEntries(MULTIPART_FIELDS.filter((k) => k in fields).map((k) => [k, fields[k]]))))
      } catch (err) {
        reject(err)
      }
    })
    parser.end(body)
  })
}

/** The body of a webhook call, by Content-Type: form `payload=`, multipart fields, or JSON (the default, as in Mattermost). */
async function readPayload(req: Request, hookId: string): Promise<IncomingWebhookRequest> {
  const mediaType = mediaTypeOf(req, hookId)
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
  if (mediaType === 'application/x-www-form-urlencoded') return parseIncomingWebhookJson(new URLSearchParams(body.toString('utf8')).get('payload') ?? '')
  if (mediaType === 'multipart/form-data') return readMultipartPayload(req, body, hookId)
  return parseIncomingWebhookJson(body.toString('utf8'))
}

/** `POST /hooks/{id}`: no session, answered `200 text/plain ok` once the post is made. */
export function incomingWebhookReceiver(hooks: IncomingWebhookService): RouteModule {
  return (router, deps) => {
    router.post('/hooks/:hook_id', express.raw({ type: () => true, limit: deps.config.maxBodyBytes }), async (req, res) => {
      const hookId = req.params.hook_id!
      const payload = await readPayload(req, hookId)
      // PostgreSQL text cannot hold U+0000: a clear 400 instead of a failed insert.
      parseBody(z.unknown(), payload)
      try {
        await hooks.handle(hookId, payload)
      } catch (err) {
        if (err instanceof AppError && err.statusCode === 429) res.setHeader('Retry-After', String(err.context.retryAfterSeconds))
        throw err
      }
      res.status(200)
      res.setHeader('Content-Type', 'text/plain')
      res.end('ok')
    })
  }
}
