/**
 * Reads the body of `POST /hooks/{id}` into an incoming webhook request, as Mattermost's
 * model/incoming_webhook.go does: Mattermost and Slack field names, every field type-checked,
 * and a second try for JSON with raw newlines or tabs inside its strings.
 */
import { AppError } from '../errors.ts'
import { readSlackAttachments, SlackPayloadError, type SlackAttachment } from '../posts/slack-compat.ts'
import type { PostPriorityInput } from '../posts/priority.ts'
import { parseJson } from '../well-formed.ts'

/** The payload's `priority`, stored as the post's `metadata.priority`. */
export type PostPriority = PostPriorityInput

export interface IncomingWebhookRequest {
  text: string
  username: string
  iconUrl: string
  /** `town-square`, `#town-square` or `@username` (a direct message); `""` = the hook's channel. */
  channel: string
  props: Record<string, unknown>
  /** Null when the payload has none (`[]` counts as none). */
  attachments: SlackAttachment[] | null
  type: string
  iconEmoji: string
  priority: PostPriority | null
}

function parseDataError(reason: string): AppError {
  return new AppError('model.incoming_hook.parse_data.app_error', `Unable to parse incoming data: ${reason}.`, 400, { detailed: reason })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringField(input: Record<string, unknown>, key: string): string {
  const value = input[key]
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw parseDataError(`${key}: expected a string, got ${Array.isArray(value) ? 'an array' : typeof value}`)
  return value
}

function readPriority(value: unknown): PostPriority | null {
  if (value === undefined || value === null) return null
  if (!isObject(value)) throw parseDataError('priority: expected an object')
  const out: PostPriority = {}
  if (value.priority !== undefined && value.priority !== null) {
    if (typeof value.priority !== 'string') throw parseDataError('priority.priority: expected a string')
    out.priority = value.priority
  }
  for (const key of ['requested_ack', 'persistent_notifications'] as const) {
    if (value[key] === undefined || value[key] === null) continue
    if (typeof value[key] !== 'boolean') throw parseDataError(`priority.${key}: expected true or false`)
    out[key] = value[key]
  }
  return out
}

/**
 * An incoming webhook request from a decoded JSON value.
 * @throws AppError 400 `model.incoming_hook.parse_data.app_error` naming the field of the wrong type.
 */
export function readIncomingWebhookRequest(input: unknown): IncomingWebhookRequest {
  if (!isObject(input)) throw parseDataError('expected a JSON object')
  let attachments: SlackAttachment[]
  try {
    attachments = readSlackAttachments(input.attachments)
  } catch (err) {
    if (err instanceof SlackPayloadError) throw parseDataError(err.message)
    throw err
  }
  if (input.props !== undefined && input.props !== null && !isObject(input.props)) throw parseDataError('props: expected an object')
  return {
    text: stringField(input, 'text'),
    username: stringField(input, 'username'),
    iconUrl: stringField(input, 'icon_url'),
    channel: stringField(input, 'channel'),
    props: isObject(input.props) ? input.props : {},
    attachments: attachments.length > 0 ? attachments : null,
    type: stringField(input, 'type'),
    iconEmoji: stringField(input, 'icon_emoji'),
    priority: readPriority(input.priority),
  }
}

// Mattermost's escapeControlCharsFromPayload: some integrations put raw newlines and tabs in
// these strings, which JSON forbids; Mattermost escapes them and tries again.
const LOOSE_STRING = /"(text|fallback|pretext|author_name|title|value)"\s*:\s*"(?:\\"|[^"])*"/g

function escapeControlChars(raw: string): string {
  return raw.replace(LOOSE_STRING, (match) => match.replace(/\n/g, '\\n').replace(/\t/g, '\\t'))
}

/**
 * Parses a JSON webhook body; on a syntax error, tries once more with raw newlines and tabs
 * escaped inside text fields, as Mattermost does.
 * @throws AppError 400 `model.incoming_hook.parse_data.app_error` for anything else that is not JSON.
 */
export function parseIncomingWebhookJson(raw: string): IncomingWebhookRequest {
  let value: unknown
  try {
    value = parseJson(raw)
  } catch (first) {
    try {
      value = parseJson(escapeControlChars(raw))
    } catch {
      throw parseDataError(raw.trim() === '' ? 'the body is empty' : `the body is not valid JSON (${(first as Error).message})`)
    }
  }
  return readIncomingWebhookRequest(value)
}
