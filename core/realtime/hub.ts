/** The WebSocket hub: serves `GET /api/v4/websocket` and fans events out in Mattermost's wire format. */
import type { IncomingMessage, Server } from 'node:http'
import { hostname } from 'node:os'
import { WebSocket, type RawData } from 'ws'
import { sessionExpired } from '../errors.ts'
import { newId } from '../ids.ts'
import type { Logger } from '../log.ts'
import type { Subscriber, WsEvent } from './events.ts'
import { Connection } from './hub/connection.ts'
import { ConnectionIndex } from './hub/connection-index.ts'
import { DeadlineQueue } from './hub/deadline-queue.ts'
import { failReply, helloPrefix, okReply, routerErrors } from './hub/envelope.ts'
import { createFanOut } from './hub/fan-out.ts'
import { createActionRouter, parseClientFrame } from './hub/router.ts'
import { createUpgrader, isSameOrigin, type Handshake, type Identity } from './hub/upgrade.ts'

export type { Identity }

export interface HubDeps {
  log: Logger
  /** Resolve a session token (from header, cookie or authentication_challenge); null if invalid/expired. */
  authenticate(token: string): Promise<Identity | null>
  /** Current member user ids of a channel / team (for audience resolution at delivery time). */
  channelMemberIds(channelId: string): Promise<string[]>
  teamMemberIds(teamId: string): Promise<string[]>
  /**
   * Client actions other than ping/authentication_challenge (user_typing, get_statuses, get_statuses_by_ids,
   * user_update_active_status, see `FORWARDED_ACTIONS`): return reply data or throw an AppError.
   */
  handleAction(action: string, data: unknown, ctx: { userId: string; connectionId: string }): Promise<Record<string, unknown> | undefined>
  /** Called when a user's first connection opens / last connection closes (for presence). */
  onUserConnected?(userId: string): void
  onUserDisconnected?(userId: string): void
  /** X-Version-ID value, used in hello and ping replies. */
  serverVersion: string
  /** `server_hostname` in hello; default `os.hostname()`, as Mattermost. */
  serverHostname?: string
  /** Events kept per connection for a replay after a reconnect; default 128. */
  deadQueueSize?: number
  /** How long a closed connection's state can be resumed; default 5 min. */
  reconnectRetentionMs?: number
  /** Server ping frames; a socket that has not answered by the next ping is dropped. Default 60 s. */
  pingIntervalMs?: number
  /** Close sockets that have not authenticated by then; default 5 s. */
  authTimeoutMs?: number
  /** Largest client frame accepted; default 8192 bytes (Mattermost's `SocketMaxMessageSizeKb`). */
  maxPayloadBytes?: number
  /** Upgrade origin check; default: a browser's `Origin` must match the `Host` it connects to. */
  checkOrigin?(req: IncomingMessage): boolean
}

export interface WebSocketHub {
  /** Handle HTTP upgrade requests for GET /api/v4/websocket on this server. */
  attach(server: Server): void
  /** Fan out one event to its audience; resolves once it is queued on every recipient connection. */
  broadcast(event: WsEvent): Promise<void>
  /** A bus subscriber that broadcasts every DomainEvent having `ws`. */
  subscriber(): Subscriber
  /** Open, authenticated sockets. */
  connectionCount(): number
  isUserOnline(userId: string): boolean
  /** Closes the sockets of a session (logout, revocation) and forgets their state so they cannot resume. */
  disconnectSession(sessionId: string): void
  /** Close every socket (code 1001) and stop timers; for SIGTERM. */
  close(): Promise<void>
}

interface PendingSocket {
  resumeId: string
  resumeSeq: string
  /** The authentication under way; frames that arrive meanwhile wait for it, to keep their order. */
  authenticating: Promise<void> | null
}

const SHUTDOWN_GRACE_MS = 1000

/** Builds the hub; `attach` it to the HTTP server and subscribe `subscriber()` to the bus. */
export function createWebSocketHub(deps: HubDeps): WebSocketHub {
  let closed = false
  const log = deps.log
  const serverHostname = deps.serverHostname ?? hostname()
  const deadQueueSize = deps.deadQueueSize ?? 128
  const route = createActionRouter({ log, serverVersion: deps.serverVersion, handleAction: deps.handleAction })
  const upgrader = createUpgrader({
    log,
    maxPayloadBytes: deps.maxPayloadBytes ?? 8192,
    authenticate: deps.authenticate,
    checkOrigin: deps.checkOrigin ?? isSameOrigin,
    isClosed: () => closed,
    onOpen,
  })

  const index = new ConnectionIndex()
  const fanOut = createFanOut({ log, index, channelMemberIds: deps.channelMemberIds, teamMemberIds: deps.teamMemberIds })
  const bySocket = new WeakMap<WebSocket, Connection>()
  const pending = new Map<WebSocket, PendingSocket>()
  const authDeadlines = new DeadlineQueue<WebSocket>(deps.authTimeoutMs ?? 5000, (ws) => {
    log.debug('websocket closed: not authenticated in time')
    ws.close(1008, 'authentication timeout')
  })
  const retention = new DeadlineQueue<Connection>(deps.reconnectRetentionMs ?? 5 * 60_000, (conn) => {
    if (conn.ws === null) index.remove(conn)
  })
  // One timer pings every socket, rather than one per socket.
  const pingTimer = setInterval(pingAll, deps.pingIntervalMs ?? 60_000)
  pingTimer.unref()

  function notify(hook: ((userId: string) => void) | undefined, userId: string, name: string): void {
    if (!hook) return
    try {
      hook(userId)
    } catch (err) {
      log.error({ userId, hook: name, err }, 'presence hook failed')
    }
  }

  function bind(conn: Connection, ws: WebSocket): void {
    bySocket.set(ws, conn)
    if (index.attach(conn, ws)) notify(deps.onUserConnected, conn.userId, 'onUserConnected')
  }

  function unbind(conn: Connection): void {
    if (conn.ws) bySocket.delete(conn.ws)
    if (index.detach(conn)) notify(deps.onUserDisconnected, conn.userId, 'onUserDisconnected')
  }

  function forget(conn: Connection): void {
    retention.delete(conn)
    index.remove(conn)
  }

  /** Registers an authenticated socket: resumes `resumeId` when possible, else a fresh connection and hello. */
  function register(ws: WebSocket, identity: Identity, resumeId: string, resumeSeq: string): void {
    if (resumeId && resume(ws, identity, resumeId, resumeSeq)) return
    const conn = new Connection(newId(), identity.userId, identity.sessionId, deadQueueSize)
    index.add(conn)
    bind(conn, ws)
    conn.push(helloPrefix({ connectionId: conn.id, userId: conn.userId, serverVersion: deps.serverVersion, serverHostname }))
    log.debug({ connectionId: conn.id, userId: conn.userId }, 'websocket connected')
  }

  function resume(ws: WebSocket, identity: Identity, resumeId: string, resumeSeq: string): boolean {
    const conn = index.get(resumeId)
    // Another user's connection id is treated as unknown, so ids reveal nothing.
    if (!conn || conn.userId !== identity.userId) return false
    // A socket still open under this id is this client's previous one, not yet seen as closed.
    const previous = conn.ws
    if (previous) {
      bySocket.delete(previous)
      previous.terminate()
    }
    const seq = /^\d+$/.test(resumeSeq) ? Number(resumeSeq) : NaN
    if (!conn.canResumeFrom(seq)) {
      unbind(conn)
      forget(conn)
      log.debug({ connectionId: resumeId, userId: conn.userId, sequenceNumber: resumeSeq }, 'websocket resume failed: events lost')
      return false
    }
    retention.delete(conn)
    conn.sessionId = identity.sessionId
    bind(conn, ws)
    conn.replayFrom(seq)
    log.debug({ connectionId: conn.id, userId: conn.userId, replayed: conn.nextSeq - seq }, 'websocket resumed')
    return true
  }

  function pingAll(): void {
    for (const conn of index.all()) {
      const ws = conn.ws
      if (ws?.readyState !== WebSocket.OPEN) continue
      if (!conn.alive) {
        log.debug({ connectionId: conn.id, userId: conn.userId }, 'websocket closed: no pong')
        ws.terminate()
        continue
      }
      conn.alive = false
      ws.ping()
    }
  }

  function reply(ws: WebSocket, frame: string): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(frame)
  }

  async function authenticateChallenge(ws: WebSocket, socket: PendingSocket, seq: number, token: string): Promise<void> {
    let identity: Identity | null
    try {
      identity = await deps.authenticate(token)
    } catch (err) {
      log.error({ err }, 'websocket authentication failed')
      reply(ws, failReply(seq, routerErrors.internal()))
      ws.close(1011, 'authentication failed')
      return
    }
    // The socket may have closed or timed out while the session was looked up.
    if (ws.readyState !== WebSocket.OPEN || pending.get(ws) !== socket) return
    if (!identity) {
      reply(ws, failReply(seq, sessionExpired()))
      ws.close(1008, 'invalid session')
      return
    }
    pending.delete(ws)
    authDeadlines.delete(ws)
    reply(ws, okReply(seq))
    register(ws, identity, socket.resumeId, socket.resumeSeq)
  }

  async function handleFrame(ws: WebSocket, text: string): Promise<void> {
    const parsed = parseClientFrame(text)
    if (!parsed.ok) {
      log.debug({ errorId: parsed.error.id }, 'websocket frame rejected')
      reply(ws, failReply(parsed.seq, parsed.error))
      return
    }
    const { seq, action, data } = parsed.request
    // Mattermost hands `custom_*` actions to plugins only and never answers them; there are no plugins here.
    if (action.startsWith('custom_')) return
    const conn = bySocket.get(ws)
    if (action === 'authentication_challenge') {
      // Mattermost ignores a challenge on an authenticated socket; answering OK serves clients that wait for a reply.
      if (conn) return reply(ws, okReply(seq))
      const socket = pending.get(ws)
      if (!socket) return
      const token = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).token : undefined
      if (typeof token !== 'string' || token === '') {
        reply(ws, failReply(seq, routerErrors.invalidParam('token')))
        ws.close(1008, 'invalid session')
        return
      }
      socket.authenticating = authenticateChallenge(ws, socket, seq, token)
      return socket.authenticating
    }
    if (!conn) return reply(ws, failReply(seq, routerErrors.notAuthenticated()))
    reply(ws, await route(parsed.request, { userId: conn.userId, connectionId: conn.id }))
  }

  // Socket listeners are shared functions (`this` is the socket), not per-socket closures.
  function onMessage(this: WebSocket, data: RawData): void {
    const ws = this
    const conn = bySocket.get(ws)
    if (conn) conn.alive = true
    const text = rawToString(data)
    const run = (): Promise<void> =>
      handleFrame(ws, text).catch((err: unknown) => log.error({ connectionId: conn?.id, err }, 'websocket frame handling failed'))
    const socket = pending.get(ws)
    // Runs after the authentication whether or not it succeeded; `run` never rejects, so neither does the chain.
    if (socket?.authenticating) socket.authenticating = socket.authenticating.then(run, run)
    else void run()
  }

  function onPong(this: WebSocket): void {
    const conn = bySocket.get(this)
    if (conn) conn.alive = true
  }

  function onSocketError(this: WebSocket, err: Error): void {
    log.debug({ connectionId: bySocket.get(this)?.id, err }, 'websocket error')
  }

  function onClose(this: WebSocket, code: number): void {
    pending.delete(this)
    authDeadlines.delete(this)
    const conn = bySocket.get(this)
    if (!conn || conn.ws !== this) return
    unbind(conn)
    log.debug({ connectionId: conn.id, userId: conn.userId, code }, 'websocket disconnected')
    if (closed) forget(conn)
    else retention.add(conn)
  }

  function onOpen(ws: WebSocket, identity: Identity | null, { connectionId, sequenceNumber }: Handshake): void {
    ws.on('message', onMessage)
    ws.on('pong', onPong)
    ws.on('error', onSocketError)
    ws.on('close', onClose)
    if (closed) return ws.close(1001, 'server shutting down')
    if (identity) return register(ws, identity, connectionId, sequenceNumber)
    pending.set(ws, { resumeId: connectionId, resumeSeq: sequenceNumber, authenticating: null })
    authDeadlines.add(ws)
  }

  const hub: WebSocketHub = {
    attach: (server) => upgrader.attach(server),

    broadcast(event) {
      return closed ? Promise.resolve() : fanOut.broadcast(event)
    },

    subscriber() {
      return {
        id: 'realtime.websocket-hub',
        events: '*',
        handle: (event) => (event.ws ? hub.broadcast(event.ws) : undefined),
      }
    },

    connectionCount: () => index.openCount,

    isUserOnline: (userId) => index.isUserOnline(userId),

    disconnectSession(sessionId) {
      for (const conn of [...index.all()]) {
        if (conn.sessionId !== sessionId) continue
        const ws = conn.ws
        unbind(conn)
        forget(conn)
        ws?.close(1008, 'session ended')
      }
    },

    async close() {
      if (closed) return
      closed = true
      clearInterval(pingTimer)
      authDeadlines.clear()
      retention.clear()
      upgrader.detachAll()
      const sockets = [...pending.keys()]
      for (const conn of index.all()) if (conn.ws) sockets.push(conn.ws)
      const allClosed = Promise.all(sockets.map((ws) => closeSocket(ws)))
      // Clients that do not answer the close handshake are cut after a grace period.
      const grace = setTimeout(() => sockets.forEach((ws) => ws.terminate()), SHUTDOWN_GRACE_MS)
      await allClosed
      clearTimeout(grace)
      await fanOut.idle()
      index.clear()
      pending.clear()
    },
  }
  return hub
}

function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve()
  return new Promise((resolve) => {
    ws.once('close', () => resolve())
    ws.close(1001, 'server shutting down')
  })
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}
