/** Reads the HTTP upgrade request of `GET /api/v4/websocket`: path, session token, resume parameters, origin. */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { STATUS_CODES } from 'node:http'
import { AppError } from '../../errors.ts'
import { newId } from '../../ids.ts'

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

export function isWebSocketPath(url: string | undefined): boolean {
  if (!url) return false
  const end = url.indexOf('?')
  return WEBSOCKET_PATH.test(end < 0 ? url : url.slice(0, end))
}

export function readHandshake(req: IncomingMessage): Handshake {
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

export function originBlocked(origin: string): AppError {
  return new AppError('api.web_socket.connect.upgrade.app_error', `URL Blocked because of CORS. Url: ${origin}`, 400)
}

/** Answers an upgrade with an HTTP error in Mattermost's AppError shape, then closes the socket. */
export function rejectUpgrade(socket: Duplex, error: AppError): void {
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
