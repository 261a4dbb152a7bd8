/** Starts a WebSocket hub on an ephemeral port with fake sessions and memberships, and a test socket to talk to it. */
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket, type ClientOptions } from 'ws'
import { createLogger } from '../../../core/log.ts'
import { createWebSocketHub, type HubDeps, type WebSocketHub } from '../../../core/realtime/index.ts'

export const SERVER_VERSION = '10.5.0.10.5.0.testhash.false'

export interface HubFixture {
  hub: WebSocketHub
  server: Server
  /** `ws://127.0.0.1:<port>/api/v4/websocket` */
  url: string
  /** token → session */
  sessions: Map<string, { userId: string; sessionId: string }>
  channels: Map<string, string[]>
  teams: Map<string, string[]>
  actions: { action: string; data: unknown; userId: string; connectionId: string }[]
  presence: string[]
  /** Adds a session for `userId` and returns its token. */
  login(userId: string, sessionId?: string): string
  close(): Promise<void>
}

/** Starts `http.Server` + hub. Deps given in `overrides` replace the fakes. */
export async function startHub(overrides: Partial<HubDeps> = {}): Promise<HubFixture> {
  const sessions = new Map<string, { userId: string; sessionId: string }>()
  const channels = new Map<string, string[]>()
  const teams = new Map<string, string[]>()
  const actions: HubFixture['actions'] = []
  const presence: string[] = []
  const hub = createWebSocketHub({
    log: createLogger({ level: 'silent' }),
    serverVersion: SERVER_VERSION,
    serverHostname: 'test-node',
    authenticate: async (token) => sessions.get(token) ?? null,
    channelMemberIds: async (id) => channels.get(id) ?? [],
    teamMemberIds: async (id) => teams.get(id) ?? [],
    handleAction: async (action, data, ctx) => {
      actions.push({ action, data, ...ctx })
      return action === 'get_statuses' ? { [ctx.userId]: 'online' } : undefined
    },
    onUserConnected: (userId) => presence.push(`online:${userId}`),
    onUserDisconnected: (userId) => presence.push(`offline:${userId}`),
    ...overrides,
  })
  const server = createServer((_req, res) => res.writeHead(404).end())
  hub.attach(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  let sessionCount = 0
  return {
    hub,
    server,
    url: `ws://127.0.0.1:${port}/api/v4/websocket`,
    sessions,
    channels,
    teams,
    actions,
    presence,
    login(userId, sessionId = `session-${++sessionCount}`) {
      const token = `token-${userId}-${sessionId}`
      sessions.set(token, { userId, sessionId })
      return token
    },
    async close() {
      await hub.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A parsed server frame: an event (`event`, `seq`) or a reply (`status`, `seq_reply`). */
export type Frame = Record<string, any>

/** A raw `ws` client that buffers what it receives, so a test can await frames in order. */
export class TestSocket {
  readonly ws: WebSocket
  readonly raw: string[] = []
  private readonly frames: Frame[] = []
  private waiter: (() => void) | null = null
  readonly closed: Promise<{ code: number; reason: string }>

  constructor(url: string, options: ClientOptions = {}) {
    this.ws = new WebSocket(url, options)
    this.ws.on('message', (data) => {
      const text = String(data)
      this.raw.push(text)
      this.frames.push(JSON.parse(text) as Frame)
      this.waiter?.()
    })
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: String(reason) })
        this.waiter?.()
      })
    })
    // Expected for refused upgrades; the test reads `opened` instead.
    this.ws.on('error', () => undefined)
  }

  /** Resolves when open; rejects with the HTTP status of a refused upgrade. */
  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve()
      this.ws.once('open', () => resolve())
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)))
      this.ws.once('error', reject)
    })
  }

  /** The next frame, waiting up to `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs
    while (this.frames.length === 0) {
      const left = deadline - Date.now()
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) throw new Error(`no frame within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiter = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.waiter = null
    }
    return this.frames.shift()!
  }

  /** Frames received so far and not yet read. */
  drain(): Frame[] {
    return this.frames.splice(0)
  }

  /** Waits `ms` and returns whatever arrived meanwhile. */
  async quiet(ms = 100): Promise<Frame[]> {
    await new Promise((resolve) => setTimeout(resolve, ms))
    return this.drain()
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close()
    return this.closed
  }
}

/** Opens a socket authenticated with `Authorization: Bearer` and reads its hello. */
export async function connectAs(fixture: HubFixture, userId: string, query = ''): Promise<{ socket: TestSocket; hello: Frame }> {
  const socket = new TestSocket(fixture.url + query, { headers: { Authorization: `Bearer ${fixture.login(userId)}` } })
  await socket.opened()
  const hello = await socket.next()
  if (hello.event !== 'hello') throw new Error(`expected hello, got ${JSON.stringify(hello)}`)
  return { socket, hello }
}

/** Polls until `condition` holds (server-side effects such as a socket being seen as closed). */
export async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
