/** The WebSocket hub: serves `GET /api/v4/websocket` and fans events out in Mattermost's wire format. */
import type { IncomingMessage, Server } from 'node:http'
import { hostname } from 'node:os'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import { AppError, sessionExpired } from '../errors.ts'
import { newId } from '../ids.ts'
import type { Logger } from '../log.ts'
import type { Audience, Subscriber, WsEvent } from './events.ts'
import { Connection } from './hub/connection.ts'
import { ConnectionIndex } from './hub/connection-index.ts'
import { DeadlineQueue } from './hub/deadline-queue.ts'
import { eventPrefix, failReply, helloPrefix, okReply, routerErrors, type EventPrefix } from './hub/envelope.ts'
import { isSameOrigin, isWebSocketPath, originBlocked, readHandshake, rejectUpgrade } from './hub/handshake.ts'
import { createActionRouter, parseClientFrame } from './hub/router.ts'

export interface Identity {
  userId: string
  sessionId: string
}

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

// Mattermost drops these first when a client reads slowly (its send queue half full), and closes
// the socket when the queue is full; bytes stand in for its 256-message queue here.
const SLOW_CLIENT_BYTES = 256 * 1024
const STALLED_CLIENT_BYTES = 4 * 1024 * 1024
const DROPPABLE_WHEN_SLOW = new Set(['typing', 'status_change', 'multiple_channels_viewed'])
const SHUTDOWN_GRACE_MS = 1000

/** Builds the hub; `attach` it to the HTTP server and subscribe `subscriber()` to the bus. */
export function createWebSocketHub(deps: HubDeps): WebSocketHub {
  const log = deps.log.child({ component: 'websocket' })
  const serverHostname = deps.serverHostname ?? hostname()
  const deadQueueSize = deps.deadQueueSize ?? 128
  const checkOrigin = deps.checkOrigin ?? isSameOrigin
  const route = createActionRouter({ log, serverVersion: deps.serverVersion, handleAction: deps.handleAction })
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    maxPayload: deps.maxPayloadBytes ?? 8192,
  })

  const index = new ConnectionIndex()
  const bySocket = new WeakMap<WebSocket, Connection>()
  const pending = new Map<WebSocket, PendingSocket>()
  const authDeadlines = new DeadlineQueue<WebSocket>(deps.authTimeoutMs ?? 5000, (ws) => {
    log.debug('websocket closed: not authenticated in time')
    ws.close(1008, 'authentication timeout')
  })
  const retention = new DeadlineQueue<Connection>(deps.reconnectRetentionMs ?? 5 * 60_000, (conn) => {
    if (conn.ws === null) index.remove(conn)
  })
  const upgradeListeners = new Map<Server, (req: IncomingMessage, socket: Duplex, head: Buffer) => void>()
  // One timer pings every socket, rather than one per socket.
  const pingTimer = setInterval(pingAll, deps.pingIntervalMs ?? 60_000)
  pingTimer.unref()
  // Broadcasts resolve their audiences concurrently but are queued in call order, so that a client
  // never sees `post_edited` before the `posted` it follows.
  let deliveries: Promise<void> = Promise.resolve()
  let closed = false

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
      const socket = pending.get(ws)
      if (conn || !socket) return reply(ws, okReply(seq))
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
    if (socket?.authenticating) socket.authenticating = socket.authenticating.then(run)
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

  function onOpen(ws: WebSocket, identity: Identity | null, resumeId: string, resumeSeq: string): void {
    ws.on('message', onMessage)
    ws.on('pong', onPong)
    ws.on('error', onSocketError)
    ws.on('close', onClose)
    if (closed) return ws.close(1001, 'server shutting down')
    if (identity) return register(ws, identity, resumeId, resumeSeq)
    pending.set(ws, { resumeId, resumeSeq, authenticating: null })
    authDeadlines.add(ws)
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Until `ws` takes the socket over, a reset during the session lookup must not become an uncaught 'error'.
    socket.on('error', onHandshakeSocketError)
    if (closed) return rejectUpgrade(socket, new AppError('api.context.server_busy.app_error', 'Server is shutting down.', 503))
    if (!checkOrigin(req)) return rejectUpgrade(socket, originBlocked(req.headers.origin ?? ''))
    const handshake = readHandshake(req)
    let identity: Identity | null = null
    if (handshake.token) {
      identity = await deps.authenticate(handshake.token)
      // As Mattermost: a token that does not resolve is a 401 before the upgrade, not a socket.
      if (!identity) return rejectUpgrade(socket, sessionExpired())
    }
    if (socket.destroyed) return
    socket.off('error', onHandshakeSocketError)
    wss.handleUpgrade(req, socket, head, (ws) => onOpen(ws, identity, handshake.connectionId, handshake.sequenceNumber))
  }

  function onHandshakeSocketError(this: Duplex, err: Error): void {
    log.debug({ err }, 'websocket handshake socket error')
    this.destroy()
  }

  async function resolveAudience(audience: Audience): Promise<Connection[]> {
    if (audience.connectionId) {
      const conn = index.get(audience.connectionId)
      return conn ? [conn] : []
    }
    let targets: Connection[]
    if (audience.userId) targets = [...index.forUser(audience.userId)]
    else if (audience.channelId) targets = connectionsOf(await deps.channelMemberIds(audience.channelId))
    else if (audience.teamId) targets = connectionsOf(await deps.teamMemberIds(audience.teamId))
    else if (audience.all) targets = [...index.all()]
    else {
      log.warn({ audience }, 'websocket event has no audience')
      return []
    }
    const omitUsers = audience.omitUsers?.length ? new Set(audience.omitUsers) : null
    if (!omitUsers && !audience.omitConnectionId) return targets
    return targets.filter((c) => c.id !== audience.omitConnectionId && !omitUsers?.has(c.userId))
  }

  function connectionsOf(userIds: string[]): Connection[] {
    const targets: Connection[] = []
    for (const userId of userIds) targets.push(...index.forUser(userId))
    return targets
  }

  function deliver(event: WsEvent, targets: Connection[]): void {
    let shared: EventPrefix | undefined
    // Keyed by the extra fields' JSON, so users with identical extras share one serialisation.
    const personal = new Map<string, EventPrefix>()
    for (const conn of targets) {
      const extra = event.perUser && Object.hasOwn(event.perUser, conn.userId) ? event.perUser[conn.userId] : undefined
      let prefix: EventPrefix
      if (extra) {
        const key = JSON.stringify(extra)
        prefix = personal.get(key) ?? eventPrefix(event.event, { ...event.data, ...extra }, event.audience)
        personal.set(key, prefix)
      } else {
        shared ??= eventPrefix(event.event, event.data, event.audience)
        prefix = shared
      }
      enqueue(conn, event.event, prefix)
    }
  }

  function enqueue(conn: Connection, type: string, prefix: EventPrefix): void {
    const ws = conn.ws
    if (ws && ws.bufferedAmount > SLOW_CLIENT_BYTES && DROPPABLE_WHEN_SLOW.has(type)) return
    conn.push(prefix)
    if (ws && ws.bufferedAmount > STALLED_CLIENT_BYTES) {
      // The events stay in the dead queue: a client that reconnects promptly loses nothing.
      log.warn({ connectionId: conn.id, userId: conn.userId, bufferedBytes: ws.bufferedAmount }, 'websocket client stalled; closing')
      ws.terminate()
    }
  }

  const hub: WebSocketHub = {
    attach(server) {
      if (upgradeListeners.has(server)) return
      const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
        if (!isWebSocketPath(req.url)) {
          // Another component may serve this path with its own 'upgrade' listener; answer only if none can.
          if (server.listenerCount('upgrade') === 1) rejectUpgrade(socket, new AppError('api.context.404.app_error', 'Sorry, we could not find the page.', 404))
          return
        }
        upgrade(req, socket, head).catch((err: unknown) => {
          log.error({ err }, 'websocket upgrade failed')
          socket.destroy()
        })
      }
      upgradeListeners.set(server, listener)
      server.on('upgrade', listener)
    },

    broadcast(event) {
      if (closed) return Promise.resolve()
      // Settled into a value at once, so a failed lookup is never an unhandled rejection while it waits its turn.
      const audience = resolveAudience(event.audience).then(
        (targets) => ({ targets }),
        (err: unknown) => ({ err }),
      )
      const delivered = deliveries.then(async () => {
        const resolved = await audience
        if ('err' in resolved) throw new Error(`cannot resolve the audience of websocket event ${event.event}`, { cause: resolved.err })
        deliver(event, resolved.targets)
      })
      deliveries = delivered.catch(() => undefined)
      return delivered
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
      for (const [server, listener] of upgradeListeners) server.off('upgrade', listener)
      upgradeListeners.clear()
      const sockets = [...pending.keys()]
      for (const conn of index.all()) if (conn.ws) sockets.push(conn.ws)
      const allClosed = Promise.all(sockets.map((ws) => closeSocket(ws)))
      // Clients that do not answer the close handshake are cut after a grace period.
      const grace = setTimeout(() => sockets.forEach((ws) => ws.terminate()), SHUTDOWN_GRACE_MS)
      await allClosed
      clearTimeout(grace)
      await deliveries
      index.clear()
      pending.clear()
      wss.close()
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
