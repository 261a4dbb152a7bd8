/** Parses client frames and answers the actions of an authenticated connection, as Mattermost's `WebSocketRouter`. */
import { AppError } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import { failReply, okReply, routerErrors } from './envelope.ts'
import { parseJson } from '../../well-formed.ts'

/** Actions the hub hands to `HubDeps.handleAction`; every other name (except those below) is `bad_action`. */
export const FORWARDED_ACTIONS: readonly string[] = [
  'user_typing',
  'get_statuses',
  'get_statuses_by_ids',
  'user_update_active_status',
]

// Accepted and answered OK without effect: `presence` only tracks the active channel/thread for
// Mattermost's notification logic, `posted_notify_ack` only feeds its metrics.
const ACKNOWLEDGED_ACTIONS = new Set(['presence', 'posted_notify_ack'])

export interface ClientRequest {
  seq: number
  action: string
  data: unknown
}

export type ParsedFrame = { ok: true; request: ClientRequest } | { ok: false; seq?: number; error: AppError }

/** Validates `{seq, action, data}` in Mattermost's order: action first, then seq (a positive integer). */
export function parseClientFrame(text: string): ParsedFrame {
  let value: unknown
  try {
    value = parseJson(text)
  } catch {
    // Mattermost closes the socket on an undecodable frame; we answer it and keep the connection.
    return { ok: false, error: routerErrors.noAction() }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: routerErrors.noAction() }
  const frame = value as Record<string, unknown>
  const seq = typeof frame.seq === 'number' && Number.isSafeInteger(frame.seq) && frame.seq > 0 ? frame.seq : undefined
  if (typeof frame.action !== 'string' || frame.action === '') return { ok: false, seq, error: routerErrors.noAction() }
  if (seq === undefined) return { ok: false, error: routerErrors.badSeq() }
  return { ok: true, request: { seq, action: frame.action, data: frame.data } }
}

export interface ActionRouterDeps {
  log: Logger
  serverVersion: string
  handleAction(action: string, data: unknown, ctx: { userId: string; connectionId: string }): Promise<Record<string, unknown> | undefined>
}

export type ActionRouter = (request: ClientRequest, ctx: { userId: string; connectionId: string }) => Promise<string>

/** @returns the reply frame for an authenticated connection's request. */
export function createActionRouter({ log, serverVersion, handleAction }: ActionRouterDeps): ActionRouter {
  return async ({ seq, action, data }, ctx) => {
    if (action === 'ping') {
      return okReply(seq, { text: 'pong', version: serverVersion, server_time: Date.now(), node_id: '' })
    }
    if (ACKNOWLEDGED_ACTIONS.has(action)) return okReply(seq)
    if (!FORWARDED_ACTIONS.includes(action)) return failReply(seq, routerErrors.badAction())
    try {
      return okReply(seq, await handleAction(action, data, ctx))
    } catch (err) {
      const fields = { action, seq, userId: ctx.userId, connectionId: ctx.connectionId, err }
      if (err instanceof AppError) {
        if (err.statusCode >= 500) log.error(fields, 'websocket action failed')
        else log.debug(fields, 'websocket action rejected')
        return failReply(seq, err)
      }
      log.error(fields, 'websocket action failed')
      return failReply(seq, routerErrors.internal())
    }
  }
}
