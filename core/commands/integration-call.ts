/**
 * Calling an integration (a custom command's URL, an action's or a dialog's) and reading a command's
 * answer (Mattermost DoCommandRequest and CommandResponseFromHTTPBody), through the outbound client
 * so the address policy applies.
 */
import http from 'node:http'
import { AppError } from '../errors.ts'
import { OutboundError, type OutboundClient, type OutboundRequest } from '../outbound/client.ts'
import type { CommandResponse } from './registry.ts'
import type { CommandRecord } from './store.ts'
import { parseJson } from '../well-formed.ts'

/** Mattermost's MaxIntegrationResponseSize. */
const MAX_RESPONSE_BYTES = 1024 * 1024

/** A body that is not the JSON its Content-Type claims. */
export class CommandResponseParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CommandResponseParseError'
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const STRING_FIELDS = ['response_type', 'text', 'username', 'channel_id', 'icon_url', 'type', 'goto_location', 'trigger_id'] as const

/**
 * Reads one CommandResponse object as Go's json.Unmarshal would: known fields type-checked, others
 * dropped. Outgoing webhooks' answers (Mattermost OutgoingWebhookResponse) are read with it too.
 * @throws CommandResponseParseError naming the field of the wrong type.
 */
export function readResponse(value: unknown, path: string): CommandResponse {
  if (!isObject(value)) throw new CommandResponseParseError(`${path}: expected an object`)
  const out: CommandResponse = {}
  for (const field of STRING_FIELDS) {
    const v = value[field]
    if (v === undefined || v === null) continue
    if (typeof v !== 'string') throw new CommandResponseParseError(`${path}.${field}: expected a string`)
    out[field] = v
  }
  if (value.props !== undefined && value.props !== null) {
    if (!isObject(value.props)) throw new CommandResponseParseError(`${path}.props: expected an object`)
    out.props = value.props
  }
  if (value.skip_slack_parsing !== undefined && value.skip_slack_parsing !== null) {
    if (typeof value.skip_slack_parsing !== 'boolean') throw new CommandResponseParseError(`${path}.skip_slack_parsing: expected true or false`)
    out.skip_slack_parsing = value.skip_slack_parsing
  }
  if (value.attachments !== undefined && value.attachments !== null) {
    if (!Array.isArray(value.attachments)) throw new CommandResponseParseError(`${path}.attachments: expected an array`)
    out.attachments = value.attachments
  }
  if (value.extra_responses !== undefined && value.extra_responses !== null) {
    if (!Array.isArray(value.extra_responses)) throw new CommandResponseParseError(`${path}.extra_responses: expected an array`)
    out.extra_responses = value.extra_responses.filter((r) => r !== null).map((r, i) => readResponse(r, `${path}.extra_responses[${i}]`))
  }
  return out
}

/**
 * A command answer: JSON when the Content-Type says so, otherwise the whole body is the text
 * (shown only to the caller).
 * @throws CommandResponseParseError for JSON that does not parse or has a field of the wrong type.
 */
export function parseCommandResponse(contentType: string | undefined, body: string): CommandResponse {
  if ((contentType ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/json') return { text: body }
  let parsed: unknown
  try {
    parsed = parseJson(body)
  } catch (err) {
    throw new CommandResponseParseError(`the body is not JSON: ${(err as Error).message}`, { cause: err })
  }
  return readResponse(parsed, 'response')
}

function failed(trigger: string, detailed: string, cause?: unknown): AppError {
  return new AppError('api.command.execute_command.failed.app_error', `Command with a trigger of '${trigger}' failed.`, 500, { detailed, cause, context: { trigger } })
}

/** How a failed integration call is reported: the caller's own error ids and messages. */
export interface IntegrationFailures {
  /** No usable answer: refused address, timeout, network error. */
  failed(detailed: string, cause: unknown): AppError
  /** An answer with a status other than 200 (`status` as `404 Not Found`). */
  badStatus(status: string, code: number, body: string): AppError
}

/**
 * One request to an integration through the outbound client (address policy, deadline, answer
 * cap), shared by slash commands, interactive actions and dialogs.
 * @throws AppError from `failures` when there is no 200 answer.
 */
export async function requestIntegration(outbound: OutboundClient, url: string, request: OutboundRequest, failures: IntegrationFailures): Promise<{ contentType: string | undefined; body: string }> {
  let response
  try {
    response = await outbound.request(url, { maxResponseBytes: MAX_RESPONSE_BYTES, ...request })
  } catch (err) {
    if (err instanceof OutboundError) throw failures.failed(`${err.reason}: ${err.message}`, err)
    throw err
  }
  if (response.status !== 200) {
    const status = `${response.status} ${http.STATUS_CODES[response.status] ?? ''}`.trim()
    throw failures.badStatus(status, response.status, response.body.toString('utf8').slice(0, 1000))
  }
  const contentType = Array.isArray(response.headers['content-type']) ? response.headers['content-type'][0] : response.headers['content-type']
  return { contentType, body: response.body.toString('utf8') }
}

/**
 * Sends the command's fields to its URL (POST form or GET query, `Authorization: Token …`) and
 * reads the answer.
 * @throws AppError 500 `api.command.execute_command.failed.app_error` (refused address, timeout,
 *   network error, unreadable answer) or `…failed_resp.app_error` (a status other than 200).
 */
export async function callCommandUrl(outbound: OutboundClient, command: CommandRecord, fields: URLSearchParams, timeoutMs: number): Promise<CommandResponse> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (command.token) headers.authorization = `Token ${command.token}`
  let url = command.url
  let body: string | undefined
  if (command.method === 'G') {
    url += (new URL(command.url).search ? '&' : '?') + fields.toString()
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = fields.toString()
  }
  const answer = await requestIntegration(outbound, url, { method: command.method === 'G' ? 'GET' : 'POST', headers, body, timeoutMs }, {
    failed: (detailed, cause) => failed(command.trigger, detailed, cause),
    badStatus: (status, code, detailed) => new AppError('api.command.execute_command.failed_resp.app_error', `Command with a trigger of '${command.trigger}' returned response ${status}.`, 500, {
      detailed,
      context: { trigger: command.trigger, status: code },
    }),
  })
  try {
    return parseCommandResponse(answer.contentType, answer.body)
  } catch (err) {
    throw failed(command.trigger, (err as Error).message, err)
  }
}
