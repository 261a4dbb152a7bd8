/** Mattermost's WebSocket wire format: event envelopes, `hello`, and replies to client actions. */
import { AppError } from '../../errors.ts'
import type { Audience } from '../events.ts'

/**
 * An event serialised up to its `seq` value: `{"event":…,"data":…,"broadcast":…,"seq":`. One prefix is
 * shared by every recipient of the same payload; only the sequence number differs per connection.
 */
export type EventPrefix = string

/** The frame for one connection: the shared prefix plus that connection's sequence number. */
export function eventFrame(prefix: EventPrefix, seq: number): string {
  return prefix + seq + '}'
}

/** Mattermost's `WebsocketBroadcast`, in its field order; `omit_users` is `null` when empty. */
function broadcastJson(audience: Audience): string {
  const omitUsers = audience.omitUsers?.length ? Object.fromEntries(audience.omitUsers.map((id) => [id, true])) : null
  return JSON.stringify({
    omit_users: omitUsers,
    user_id: audience.userId ?? '',
    channel_id: audience.channelId ?? '',
    team_id: audience.teamId ?? '',
    connection_id: audience.connectionId ?? '',
    omit_connection_id: audience.omitConnectionId ?? '',
  })
}

/** Serialises an event once, in Mattermost's key order (`event`, `data`, `broadcast`, `seq`). */
export function eventPrefix(event: string, data: Record<string, unknown>, audience: Audience): EventPrefix {
  return `{"event":${JSON.stringify(event)},"data":${JSON.stringify(data)},"broadcast":${broadcastJson(audience)},"seq":`
}

export interface HelloInfo {
  connectionId: string
  userId: string
  serverVersion: string
  serverHostname: string
}

/** The first event of every fresh connection (seq 0); a changed `connection_id` tells the client to resync. */
export function helloPrefix(info: HelloInfo): EventPrefix {
  const data = { connection_id: info.connectionId, server_version: info.serverVersion, server_hostname: info.serverHostname }
  return eventPrefix('hello', data, { userId: info.userId })
}

/** `model.AppError` as Mattermost serialises it inside a WebSocket reply (detail wiped, like `WipeDetailed`). */
function appErrorJson(error: AppError): Record<string, unknown> {
  return { id: error.id, message: error.message, detailed_error: '', status_code: error.statusCode }
}

/**
 * `{"status":"OK","seq_reply":n,"data"?}`. Go's `omitempty` drops a zero `seq_reply` and empty `data`;
 * note the client treats a frame without `seq_reply` as an event.
 */
export function okReply(seq: number | undefined, data?: Record<string, unknown>): string {
  const reply: Record<string, unknown> = { status: 'OK' }
  if (seq) reply.seq_reply = seq
  if (data && Object.keys(data).length > 0) reply.data = data
  return JSON.stringify(reply)
}

/** `{"status":"FAIL","seq_reply"?:n,"error":AppError}`. */
export function failReply(seq: number | undefined, error: AppError): string {
  const reply: Record<string, unknown> = { status: 'FAIL' }
  if (seq) reply.seq_reply = seq
  reply.error = appErrorJson(error)
  return JSON.stringify(reply)
}

/** Errors of Mattermost's `WebSocketRouter`, with its ids, messages and status codes. */
export const routerErrors = {
  noAction: () => new AppError('api.web_socket_router.no_action.app_error', 'No websocket action.', 400),
  badSeq: () => new AppError('api.web_socket_router.bad_seq.app_error', 'Invalid sequence for WebSocket message.', 400),
  notAuthenticated: () =>
    new AppError(
      'api.web_socket_router.not_authenticated.app_error',
      'WebSocket connection is not authenticated. Please log in and try again.',
      401,
    ),
  badAction: () => new AppError('api.web_socket_router.bad_action.app_error', 'Unknown WebSocket action.', 500),
  invalidParam: (name: string) =>
    new AppError('api.websocket_handler.invalid_param.app_error', `Invalid ${name} parameter.`, 400, { context: { param: name } }),
  // Mattermost has no id for an unexpected failure inside an action handler; this one is ours.
  internal: () =>
    new AppError('api.web_socket.handle_action.app_error', 'An error occurred while handling the WebSocket action.', 500),
}
