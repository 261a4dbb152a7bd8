/**
 * HTTP for connectors: the admin API under /api/v4/integrations/{vendor}/connections (system admins, and team admins
 * for their teams) and the public receiver `POST /integrations/{vendor}/{connection_id}/webhook`.
 */
import express, { type Request, type RequestHandler } from 'express'
import type { RouteModule } from '../core/http/app.ts'
import { requireSession, getContext } from '../core/http/context.ts'
import { sendJson, sendOk } from '../core/http/respond.ts'
import { idParam, parseBody, queryString } from '../core/http/validate.ts'
import type { Registry } from '../core/registry.ts'
import type { Connector } from './connector.ts'
import { createConnectionBody, patchConnectionBody, rotateSecretBody, type ConnectionService } from './connections.ts'
import type { WebhookReceiver } from './webhooks.ts'

const param = (req: Request, name: string): string => {
  const value = (req.params as Record<string, string | string[] | undefined>)[name]
  return typeof value === 'string' ? value : ''
}
const vendorOf = (req: Request): string => param(req, 'vendor')

/** The admin API; needs a session. */
export function connectionRoutes(connections: ConnectionService): RouteModule {
  return (router) => {
    router.post('/integrations/:vendor/connections', async (req, res) => {
      const { connection, generatedSecret } = await connections.create(requireSession(req), vendorOf(req), parseBody(createConnectionBody, req.body))
      // A secret the server made is shown this once, for pasting into the vendor's settings.
      sendJson(res, 201, generatedSecret === undefined ? connection : { ...connection, webhook_secret: generatedSecret })
    })

    router.get('/integrations/:vendor/connections', async (req, res) => {
      sendJson(res, 200, await connections.list(requireSession(req), vendorOf(req), queryString(req, 'team_id')))
    })

    router.get('/integrations/:vendor/connections/:connection_id', async (req, res) => {
      sendJson(res, 200, await connections.get(requireSession(req), vendorOf(req), idParam(req, 'connection_id')))
    })

    router.patch('/integrations/:vendor/connections/:connection_id', async (req, res) => {
      sendJson(res, 200, await connections.patch(requireSession(req), vendorOf(req), idParam(req, 'connection_id'), parseBody(patchConnectionBody, req.body)))
    })

    router.delete('/integrations/:vendor/connections/:connection_id', async (req, res) => {
      await connections.delete(requireSession(req), vendorOf(req), idParam(req, 'connection_id'))
      sendOk(res)
    })

    router.post('/integrations/:vendor/connections/:connection_id/rotate_secret', async (req, res) => {
      const session = requireSession(req)
      const { connection, generatedSecret } = await connections.rotateSecret(session, vendorOf(req), idParam(req, 'connection_id'), parseBody(rotateSecretBody, req.body))
      sendJson(res, 200, generatedSecret === undefined ? connection : { ...connection, webhook_secret: generatedSecret })
    })
  }
}

/** `POST /integrations/{vendor}/{connection_id}/webhook`: no session; the raw bytes, capped per vendor (413 beyond). */
export function webhookRoute(receiver: WebhookReceiver, connectors: Registry<Connector>): RouteModule {
  const readers = new Map<string, RequestHandler>(connectors.list().map((c) => [c.id, express.raw({ type: () => true, limit: c.maxBodyBytes })]))
  const readBody: RequestHandler = (req, res, next) => {
    const reader = readers.get(vendorOf(req))
    if (reader) return reader(req, res, next)
    try {
      receiver.connector(vendorOf(req))
    } catch (err) {
      next(err)
    }
  }
  return (router) => {
    router.post('/integrations/:vendor/:connection_id/webhook', readBody, async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      const outcome = await receiver.receive(vendorOf(req), param(req, 'connection_id'), req.headers, body)
      getContext(req).log.debug({ vendor: vendorOf(req), outcome }, 'webhook answered')
      sendJson(res, 200, { status: 'OK', result: outcome })
    })
  }
}
