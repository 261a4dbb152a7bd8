/** The HTTP side of `GET /api/v4/websocket`: path, origin and session checks, then `ws` takes the socket over. */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { AppError, sessionExpired } from '../../errors.ts'
import { newId } from '../../ids.ts'
import type { Logger } from '../../log.ts'

/** Who a session token belongs to. */
export interface Identity {
  userId: string
  sessionId: string
}

export interface Handshake {
  /** Session token from the `MMAUTHTOKEN` cookie or the `Authorization` header; null when none. */
  token: string | null
  /** `connection_id` query parameter ('' on a first connection). */
  connectionId: string
  /** `sequence_number` query parameter, unparsed ('' when absent). */
  sequenceNumber: string
}

// Mattermost's route is `/{websocket:websocket(?:\/)?}` under /api/v4.
const WEBSOCKET_PATH = /^\/api\/v4\/websocket\/?$/

function isWebSocketPath(url: string | undefined): boolean {
  if (!url) return false
  const end = url.indexOf('?')
  return WEBSOCKET_PATH.test(end < 0 ? url : url.slice(0, end))
}

function readHandshake(req: IncomingMessage): Handshake {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams
  return {
    token: readToken(req),
    connectionId: query.get('connection_id') ?? '',
    sequenceNumber: query.get('sequence_number') ?? '',
  }
}

/** Mattermost's `ParseAuthTokenFromRequest` order: cookie, then `Bearer`, then `Token` (scheme case-insensitive). */
function readToken(req: IncomingMessage): string | null {
  const cookie = readCookie(req.headers.cookie, 'MMAUTHTOKEN')
  if (cookie) return cookie
  const header = req.headers.authorization ?? ''
  if (header.length > 6 && header.slice(0, 6).toUpperCase() === 'BEARER') return header.slice(7).trim() || null
  if (header.length > 5 && header.slice(0, 5).toLowerCase() === 'token') return header.slice(6).trim() || null
  return null
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null
  }
  return null
}

/**
 * Gorilla's default origin check, which Mattermost uses unless `AllowCorsFrom` is set: a browser's
 * `Origin` must name the host it connects to, so another site cannot open a socket with the user's cookie.
 */
export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin
  if (!origin) return true
  try {
    return new URL(origin).host.toLowerCase() === (req.headers.host ?? '').toLowerCase()
  } catch {
    return false
  }
}

function originBlocked(origin: string): AppError {
  return new AppError('api.web_socket.connect.upgrade.app_error', `URL Blocked because of CORS. Url: ${origin}`, 400)
}

/** Answers an upgrade with an HTTP error in Mattermost's AppError shape, then closes the socket. */
function rejectUpgrade(socket: Duplex, error: AppError): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const requestId = newId()
  const body = JSON.stringify({
    id: error.id,
    message: error.message,
    detailed_error: '',
    request_id: requestId,
    status_code: error.statusCode,
  })
  socket.once('finish', () => socket.destroy())
  socket.end(
    `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-ID: ${requestId}\r\n` +
      '\r\n' +
      body,
  )
}

export interface UpgraderDeps {
  log: Logger
  maxPayloadBytes: number
  authenticate(token: string): Promise<Identity | null>
  checkOrigin(req: IncomingMessage): boolean
  /** True once the hub is shutting down: upgrades are refused with 503. */
  isClosed(): boolean
  /** The socket is open; `identity` is null when no token came with the request (authentication_challenge follows). */
  onOpen(ws: WebSocket, identity: Identity | null, handshake: Handshake): void
}

export interface Upgrader {
  attach(server: Server): void
  /** Stops handling upgrades on every attached server. */
  detachAll(): void
}

export function createUpgrader({ log, maxPayloadBytes, authenticate, checkOrigin, isClosed, onOpen }: UpgraderDeps): Upgrader {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: maxPayloadBytes })
  const listeners = new Map<Server, (req: IncomingMessage, socket: Duplex, head: Buffer) => void>()

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Until `ws` takes the socket over, a reset during the session lookup must not become an uncaught 'error'.
    socket.on('error', onHandshakeSocketError)
    if (isClosed()) return rejectUpgrade(socket, serverBusy())
    if (!checkOrigin(req)) return rejectUpgrade(socket, originBlocked(req.headers.origin ?? ''))
    const handshake = readHandshake(req)
    let identity: Identity | null = null
    if (handshake.token) {
      identity = await authenticate(handshake.token)
      // As Mattermost: a token that does not resolve is a 401 before the upgrade, not a socket.
      if (!identity) return rejectUpgrade(socket, sessionExpired())
    }
    if (socket.destroyed) return
    socket.off('error', onHandshakeSocketError)
    wss.handleUpgrade(req, socket, head, (ws) => onOpen(ws, identity, handshake))
  }

  function onHandshakeSocketError(this: Duplex, err: Error): void {
    log.debug({ err }, 'websocket handshake socket error')
    this.destroy()
  }

  return {
    attach(server) {
      if (listeners.has(server)) return
      const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
        if (!isWebSocketPath(req.url)) {
          // Another component may serve this path with its own 'upgrade' listener; answer only if none can.
          if (server.listenerCount('upgrade') === 1) rejectUpgrade(socket, notFound())
          return
        }
        upgrade(req, socket, head).catch((err: unknown) => {
          log.error({ err }, 'websocket upgrade failed')
          socket.destroy()
        })
      }
      listeners.set(server, listener)
      server.on('upgrade', listener)
    },

    detachAll() {
      for (const [server, listener] of listeners) server.off('upgrade', listener)
      listeners.clear()
    },
  }
}

function serverBusy(): AppError {
  return new AppError('api.context.server_busy.app_error', 'Server is busy, non-critical services are temporarily unavailable.', 503)
}

function notFound(): AppError {
  return new AppError('api.context.404.app_error', 'Sorry, we could not find the page.', 404)
}
