/** Per-request state: request id, logger and (after authentication) the caller's session. */
import type { Request } from 'express'
import type { Logger } from '../log.ts'
import type { AuthSession } from '../auth/session-types.ts'
import { sessionExpired } from '../errors.ts'

export interface RequestContext {
  requestId: string
  log: Logger
  session?: AuthSession
  /** The session token came from the MMAUTHTOKEN cookie (CSRF rules apply). */
  fromCookie?: boolean
}

const CONTEXT = Symbol('bridgehead.context')

type WithContext = Request & { [CONTEXT]?: RequestContext }

export function setContext(req: Request, ctx: RequestContext): void {
  ;(req as WithContext)[CONTEXT] = ctx
}

export function getContext(req: Request): RequestContext {
  const ctx = (req as WithContext)[CONTEXT]
  if (!ctx) throw new Error('request context missing: request-context middleware must run first')
  return ctx
}

/**
 * The caller's session.
 * @throws AppError 401 when the request is not authenticated.
 */
export function requireSession(req: Request): AuthSession {
  const session = getContext(req).session
  if (!session) throw sessionExpired('no session on request')
  return session
}
