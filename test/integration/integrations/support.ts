/** What the connector suites share: the admin API over real HTTP, signed deliveries, and waiting for the job's effects. */
import { createHmac } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Post } from '@mattermost/types/posts'
import type { DomainEvent } from '../../../core/realtime/index.ts'
import type { TestServer } from '../../helpers/server.ts'
import type { Client } from '../../helpers/factories.ts'
import { eventually } from '../../helpers/eventually.ts'

export { eventually }
export { rejection, sessionOf } from '../../helpers/sessions.ts'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/integrations')

export function fixture(vendor: string, name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, vendor, name))
}

export function hmacHex(secret: string, message: Buffer | string): string {
  return createHmac('sha256', secret).update(message).digest('hex')
}

export interface ApiAnswer {
  status: number
  json: any
  text: string
}

/** One request with a session token (or none), JSON in and out. */
export async function api(server: TestServer, token: string | undefined, method: string, route: string, body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  return readAnswer(response)
}

async function readAnswer(response: Response): Promise<ApiAnswer> {
  const text = await response.text()
  let json: unknown = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = null
  }
  return { status: response.status, json, text }
}

/** Creates a connection as `token`; fails the test unless it answers 201. */
export async function createConnection(server: TestServer, token: string, vendor: string, body: Record<string, unknown>): Promise<any> {
  const answer = await api(server, token, 'POST', `/api/v4/integrations/${vendor}/connections`, body)
  if (answer.status !== 201) throw new Error(`creating a ${vendor} connection answered ${answer.status}: ${answer.text}`)
  return answer.json
}

/** Posts raw bytes to a connection's webhook URL (the path part of its webhook_url). */
export async function deliver(server: TestServer, connection: { webhook_url: string }, headers: Record<string, string>, body: Buffer | string): Promise<ApiAnswer> {
  const route = new URL(connection.webhook_url).pathname
  return readAnswer(await fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }))
}

/** The channel's posts, oldest first, without system messages. */
export async function channelPosts(client: Client, channelId: string): Promise<Post[]> {
  const list = await client.getPosts(channelId, 0, 200)
  return list.order.map((id) => list.posts[id]!).filter((p) => !p.type.startsWith('system_')).reverse()
}

/** Waits until every job of the webhook processing type has finished (so "nothing was posted" is a real answer). */
export async function settled(server: TestServer): Promise<void> {
  await eventually('the webhook jobs to finish', async () => {
    const rows = await server.sql<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE type = 'integrations.webhook.process' AND status NOT IN ('success', 'error', 'canceled')`)
    return rows[0]!.n === 0 ? true : undefined
  })
}

/** Records the bus's `integration.event`s from now on. */
export function recordIntegrationEvents(server: TestServer): { events: DomainEvent[]; stop(): void } {
  const events: DomainEvent[] = []
  const stop = server.bus.subscribe({ id: `test.integration-events.${Math.random()}`, events: ['integration.event'], handle: (e) => void events.push(e) })
  return { events, stop }
}
