/**
 * Finds the caller's session as Mattermost does (app/authentication.go): cookie MMAUTHTOKEN,
 * then `Authorization: Bearer|Token`, then `?access_token=`; applies the CSRF rule to cookies.
 */
import type { Request, RequestHandler } from 'express'
import { AppError, sessionExpired } from '../../errors.ts'
import type { AuthSession } from '../../auth/session-types.ts'
import { getContext } from '../context.ts'

export interface TokenSource {
  token: string
  from: 'cookie' | 'header' | 'query'
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {}
  if (!header) return cookies
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    try {
      cookies[name] = decodeURIComponent(value)
    } catch {
      cookies[name] = value
    }
  }
  return cookies
}

/** The token a request carries, if any (also used for the WebSocket upgrade). */
export function findToken(req: Pick<Request, 'headers'> & { url?: string }): TokenSource | undefined {
  const cookie = parseCookies(req.headers.cookie).MMAUTHTOKEN
  if (cookie) return { token: cookie, from: 'cookie' }
  const auth = req.headers.authorization
  if (auth) {
    const match = /^(bearer|token)\s+(.+)$/i.exec(auth.trim())
    if (match) return { token: match[2]!.trim(), from: 'header' }
  }
  const url = req.url ? new URL(req.url, 'http://localhost') : undefined
  const accessToken = url?.searchParams.get('access_token')
  if (accessToken) return { token: accessToken, from: 'query' }
  return undefined
}

/** Attaches `ctx.session` when a valid token is present; never rejects by itself. */
export function authenticate(resolve: (token: string) => Promise<AuthSession | null>): RequestHandler {
  return async (req, _res, next) => {
    const found = findToken(req)
    if (!found) return next()
    const ctx = getContext(req)
    const session = await resolve(found.token)
    if (!session) return next(sessionExpired(`token from ${found.from} is invalid or expired`))
    // Mattermost accepts ?access_token= only for tokens made for integrations (OAuth there, personal
    // access tokens here); a login session's token in a URL is refused so that it does not leak
    // into logs and referrers.
    if (found.from === 'query' && session.kind !== 'access_token') {
      return next(new AppError('api.context.token_provided.app_error', 'Session is not OAuth but token was provided in the query string.', 401))
    }
    if (found.from === 'cookie' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method) && !csrfPasses(req, session)) {
      return next(sessionExpired('Appears to be a CSRF attempt'))
    }
    ctx.session = session
    ctx.fromCookie = found.from === 'cookie'
    ctx.log = ctx.log.child({ userId: session.userId })
    next()
  }
}

function csrfPasses(req: Request, session: AuthSession): boolean {
  const header = req.headers['x-csrf-token']
  if (typeof header === 'string' && header.length > 0 && header === session.csrfToken) return true
  // Mattermost's default (ExperimentalStrictCSRFEnforcement=false) also trusts this header,
  // which browsers do not let cross-site forms set.
  return req.headers['x-requested-with'] === 'XMLHttpRequest'
}

/** Rejects requests without a session with 401. */
export const requireAuth: RequestHandler = (req, _res, next) => {
  if (!getContext(req).session) return next(sessionExpired('no token'))
  next()
}
