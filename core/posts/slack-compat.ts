/**
 * Slack compatibility for posts made by integrations (incoming webhooks, slash-command responses):
 * reading and checking Slack message attachments, converting Slack markup to Mattermost markdown,
 * and splitting an over-long webhook message into several posts. Pure functions; follows
 * Mattermost's model/slack_attachment.go, app/slack.go and app/webhook.go (SplitWebhookPost).
 */
import { AppError } from '../errors.ts'
import { MAX_POST_SIZE } from './service.ts'

export { MAX_POST_SIZE }

/** Mattermost's `PostPropsMaxUserRunes`: the props a split webhook post may carry (800000 − 40000). */
export const POST_PROPS_MAX_USER_RUNES = 760_000

export interface SlackAttachmentField {
  title: string
  /** Any JSON scalar in the payload; always a string (or null when absent) once read. */
  value: string | null
  short: boolean
}

/** A Slack message attachment as Mattermost stores it in `props.attachments` (same keys, same order). */
export interface SlackAttachment {
  id: number
  fallback: string
  color: string
  pretext: string
  author_name: string
  author_link: string
  author_icon: string
  title: string
  title_link: string
  text: string
  fields: SlackAttachmentField[] | null
  image_url: string
  thumb_url: string
  footer: string
  footer_icon: string
  /** Seconds since the epoch, as a string or an integer; null when absent. */
  ts: string | number | null
  /** Interactive buttons and menus; passed through as given (omitted when empty). */
  actions?: Record<string, unknown>[]
}

/** A payload value of the wrong type; `path` names it (`attachments[0].fields[1].short`). */
export class SlackPayloadError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`${path}: ${reason}`)
    this.name = 'SlackPayloadError'
  }
}

const STRING_KEYS = [
  'fallback', 'color', 'pretext', 'author_name', 'author_link', 'author_icon', 'title', 'title_link', 'text',
  'image_url', 'thumb_url', 'footer', 'footer_icon',
] as const

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function readString(input: Record<string, unknown>, key: string, path: string): string {
  const value = input[key]
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw new SlackPayloadError(`${path}.${key}`, `expected a string, got ${describe(value)}`)
  return value
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`
}

/** Slack accepts `true`/`false` as booleans or strings, in any case (Mattermost's SlackCompatibleBool). */
function readSlackBool(value: unknown, path: string): boolean {
  if (value === undefined || value === null) return false
  if (typeof value === 'boolean') return value
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
  throw new SlackPayloadError(path, `expected true or false, got ${describe(value)}`)
}

/** A field value as Go's `fmt.Sprintf("%v")` would print a JSON scalar; objects become their JSON. */
function stringifyFieldValue(value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

function readField(input: unknown, path: string): SlackAttachmentField | null {
  if (input === null) return null
  if (!isObject(input)) throw new SlackPayloadError(path, `expected an object, got ${describe(input)}`)
  return { title: readString(input, 'title', path), value: stringifyFieldValue(input.value), short: readSlackBool(input.short, `${path}.short`) }
}

function readAttachment(input: unknown, path: string): SlackAttachment | null {
  if (input === null) return null
  if (!isObject(input)) throw new SlackPayloadError(path, `expected an object, got ${describe(input)}`)
  const strings = Object.fromEntries(STRING_KEYS.map((key) => [key, readString(input, key, path)])) as Record<(typeof STRING_KEYS)[number], string>
  const id = input.id ?? 0
  if (typeof id !== 'number' || !Number.isInteger(id)) throw new SlackPayloadError(`${path}.id`, `expected an integer, got ${describe(id)}`)
  const ts = input.ts ?? null
  if (ts !== null && typeof ts !== 'string' && typeof ts !== 'number') throw new SlackPayloadError(`${path}.ts`, `expected a string or a number, got ${describe(ts)}`)
  let fields: SlackAttachmentField[] | null = null
  if (input.fields !== undefined && input.fields !== null) {
    if (!Array.isArray(input.fields)) throw new SlackPayloadError(`${path}.fields`, `expected an array, got ${describe(input.fields)}`)
    fields = input.fields.map((field, i) => readField(field, `${path}.fields[${i}]`)).filter((field) => field !== null)
  }
  const attachment: SlackAttachment = {
    id,
    fallback: strings.fallback, color: strings.color, pretext: strings.pretext,
    author_name: strings.author_name, author_link: strings.author_link, author_icon: strings.author_icon,
    title: strings.title, title_link: strings.title_link, text: strings.text, fields,
    image_url: strings.image_url, thumb_url: strings.thumb_url, footer: strings.footer, footer_icon: strings.footer_icon, ts,
  }
  if (input.actions !== undefined && input.actions !== null) {
    if (!Array.isArray(input.actions)) throw new SlackPayloadError(`${path}.actions`, `expected an array, got ${describe(input.actions)}`)
    const actions = input.actions.filter((action) => action !== null)
    actions.forEach((action, i) => {
      if (!isObject(action)) throw new SlackPayloadError(`${path}.actions[${i}]`, `expected an object, got ${describe(action)}`)
    })
    if (actions.length > 0) attachment.actions = actions as Record<string, unknown>[]
  }
  return attachment
}

/**
 * Reads the `attachments` of a webhook payload or command response the way Mattermost's JSON
 * decoding does: every known key type-checked, absent strings as `""`, null entries dropped,
 * field values stringified (`5` → `"5"`), `short` as a Slack bool. Unknown keys are dropped.
 * @throws SlackPayloadError naming the first value of the wrong type.
 */
export function readSlackAttachments(input: unknown, path = 'attachments'): SlackAttachment[] {
  if (input === undefined || input === null) return []
  if (!Array.isArray(input)) throw new SlackPayloadError(path, `expected an array, got ${describe(input)}`)
  return input.map((attachment, i) => readAttachment(attachment, `${path}[${i}]`)).filter((a) => a !== null)
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/
const NAMED_COLORS = new Set(['good', 'warning', 'danger'])

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== ''
  } catch {
    return false
  }
}

/**
 * Mattermost's `SlackAttachment.IsValid`: the problems of one attachment, each naming its field
 * (`attachments[0].color: expected good, warning, danger or a #rrggbb hex color, got "blue"`).
 * Mattermost checks this for slash-command responses; incoming webhooks post without it.
 * An empty list means valid.
 */
export function slackAttachmentProblems(attachment: SlackAttachment, path = 'attachment'): string[] {
  const problems: string[] = []
  const url = (key: 'author_link' | 'author_icon' | 'title_link' | 'image_url' | 'thumb_url' | 'footer_icon') => {
    if (attachment[key] !== '' && !isHttpUrl(attachment[key])) problems.push(`${path}.${key}: expected an http or https URL, got ${JSON.stringify(attachment[key])}`)
  }
  if (attachment.color !== '' && !NAMED_COLORS.has(attachment.color) && !HEX_COLOR.test(attachment.color)) {
    problems.push(`${path}.color: expected good, warning, danger or a #rrggbb hex color, got ${JSON.stringify(attachment.color)}`)
  }
  if (attachment.author_link !== '' && attachment.author_name === '') problems.push(`${path}.author_link: set without author_name`)
  url('author_link')
  url('author_icon')
  if (attachment.title_link !== '' && attachment.title === '') problems.push(`${path}.title_link: set without title`)
  url('title_link')
  url('image_url')
  url('thumb_url')
  url('footer_icon')
  if (typeof attachment.ts === 'number' && !Number.isInteger(attachment.ts)) problems.push(`${path}.ts: expected a string or an integer, got ${attachment.ts}`)
  return problems
}

/** The lookup `processSlackText` uses for `<@USERID>`: a username, or undefined when unknown. */
export type UsernameLookup = (userId: string) => string | undefined

const ANNOUNCEMENTS: [string, string][] = [['<!channel>', '@channel'], ['<!here>', '@here'], ['<!all>', '@all'], ['<!everyone>', '@all']]
const USER_REFERENCE = /<@([a-zA-Z0-9]+)>/g
// Mattermost's linkWithTextRegex (app/webhook.go) for the message text.
const LINK_WITH_TEXT = /<([^\n<|>]+)\|([^|\n>]+)>/g
// Mattermost's ParseSlackLinksToMarkdown regex (model/slack_attachment.go) for attachment text.
const ATTACHMENT_LINK_WITH_TEXT = /<([^<|]+)\|([^>]+)>/g
// Slack wraps bare links in angle brackets; Mattermost's markdown autolinks them without.
const BARE_LINK = /<((?:https?|mailto|ftp):[^\s<>|]+)>/g

function expandMentions(text: string, lookupUsername?: UsernameLookup): string {
  for (const [slack, mattermost] of ANNOUNCEMENTS) text = text.split(slack).join(mattermost)
  if (!lookupUsername) return text
  return text.replace(USER_REFERENCE, (whole, id: string) => {
    const username = lookupUsername(id)
    return username ? `@${username}` : whole
  })
}

/**
 * Slack markup → Mattermost markdown, as Mattermost converts an incoming webhook's text:
 * `<!channel>` → `@channel`, `<!here>` → `@here`, `<!all>`/`<!everyone>` → `@all`,
 * `<@U123>` → `@username` when `lookupUsername` knows the id (left as is otherwise),
 * `<url|label>` → `[label](url)`, and a bare `<https://…>` → `https://…`.
 */
export function processSlackText(text: string, lookupUsername?: UsernameLookup): string {
  return expandMentions(text, lookupUsername).replace(LINK_WITH_TEXT, '[$2]($1)').replace(BARE_LINK, '$1')
}

function processAttachmentText(text: string, lookupUsername?: UsernameLookup): string {
  return expandMentions(text, lookupUsername).replace(ATTACHMENT_LINK_WITH_TEXT, '[$2]($1)').replace(BARE_LINK, '$1')
}

/**
 * Converts Slack markup inside attachments as Mattermost does (ProcessSlackAttachments +
 * ParseSlackAttachment): pretext, text and field values fully, the title's mentions only
 * (its link is `title_link`). Returns new objects; the input is not changed.
 */
export function processSlackAttachments(attachments: SlackAttachment[], lookupUsername?: UsernameLookup): SlackAttachment[] {
  return attachments.map((attachment) => ({
    ...attachment,
    pretext: processAttachmentText(attachment.pretext, lookupUsername),
    text: processAttachmentText(attachment.text, lookupUsername),
    title: expandMentions(attachment.title, lookupUsername),
    fields: attachment.fields?.map((field) => ({ ...field, value: field.value === null ? null : processAttachmentText(field.value, lookupUsername) })) ?? null,
  }))
}

/** The Slack user ids referenced as `<@U…>` in texts and attachments, to look up in one query. */
export function slackUserIdsIn(text: string, attachments: SlackAttachment[] = []): string[] {
  const texts = [text, ...attachments.flatMap((a) => [a.pretext, a.text, a.title, ...(a.fields ?? []).map((f) => f.value ?? '')])]
  const ids = new Set<string>()
  for (const t of texts) for (const match of t.matchAll(USER_REFERENCE)) ids.add(match[1]!)
  return [...ids]
}

/** One post of a split webhook message. */
export interface WebhookPostPart {
  message: string
  props: Record<string, unknown>
}

const runeLength = (text: string): number => {
  let n = 0
  for (const _ of text) n++
  return n
}

/** The first `count` runes of `text` and the rest (a rune is a code point, as in Go). */
function splitAtRune(text: string, count: number): [string, string] {
  let n = 0
  let offset = 0
  for (const char of text) {
    if (n === count) break
    n++
    offset += char.length
  }
  return [text.slice(0, offset), text.slice(offset)]
}

function splitPropsTooLong(): AppError {
  return new AppError(
    'web.incoming_webhook.split_props_length.app_error',
    `Unable to split webhook props into ${POST_PROPS_MAX_USER_RUNES} character parts.`,
    400,
  )
}

/**
 * Mattermost's SplitWebhookPost: a message longer than `maxPostSize` runes becomes several parts of
 * at most `maxPostSize` runes, each with the same props; `props.attachments` go on the last part,
 * and onto further parts (with an empty message) when one part's props would pass
 * POST_PROPS_MAX_USER_RUNES; a lone attachment too large for a part has its text truncated.
 * @throws AppError 400 `web.incoming_webhook.split_props_length.app_error` when the props cannot fit.
 */
export function splitWebhookPost(post: WebhookPostPart, maxPostSize = MAX_POST_SIZE): WebhookPostPart[] {
  const { attachments, ...baseProps } = post.props
  if (runeLength(JSON.stringify(baseProps)) > POST_PROPS_MAX_USER_RUNES) throw splitPropsTooLong()
  const parts: WebhookPostPart[] = []
  let remaining = post.message
  while (runeLength(remaining) > maxPostSize) {
    const [head, rest] = splitAtRune(remaining, maxPostSize)
    parts.push({ message: head, props: { ...baseProps } })
    remaining = rest
  }
  parts.push({ message: remaining, props: { ...baseProps } })

  for (const attachment of Array.isArray(attachments) ? (attachments as SlackAttachment[]) : []) {
    for (;;) {
      const last = parts[parts.length - 1]!
      const placed = Array.isArray(last.props.attachments) ? (last.props.attachments as SlackAttachment[]) : []
      const props = { ...last.props, attachments: [...placed, attachment] }
      const size = runeLength(JSON.stringify(props))
      if (size <= POST_PROPS_MAX_USER_RUNES) {
        last.props = props
        break
      }
      if (placed.length > 0) {
        parts.push({ message: '', props: { ...baseProps } })
        continue
      }
      const excess = size - POST_PROPS_MAX_USER_RUNES
      const textLength = runeLength(attachment.text)
      if (textLength < excess) throw splitPropsTooLong()
      last.props = { ...last.props, attachments: [{ ...attachment, text: splitAtRune(attachment.text, textLength - excess)[0] }] }
      break
    }
  }
  return parts
}
