/**
 * One Slack message → the rows it becomes (§2.3, §4.3): post type and props by subtype, thread
 * link, edit time, pins, reactions from every user, bot identity, attachments and blocks. Pure
 * apart from the collision clock the caller passes in.
 */
import { idFromKey } from '../../../core/ids.ts'
import { parseHashtags } from '../../../core/posts/mentions.ts'
import { readSlackAttachments, SlackPayloadError } from '../../../core/posts/slack-compat.ts'
import { convertAttachments, reactionEmojiName, renderBlocks, slackToMarkdown, type TokenNames } from '../format.ts'
import type { PostRow, ReactionRow } from './writer.ts'
import type { ImportReport } from './report.ts'
import { isObj, str, type Obj } from './json-shape.ts'

/** Core's limit on a message, in code points (Mattermost PostMessageMaxRunesV2). */
export const MAX_MESSAGE_RUNES = 16_383

export interface SlackFileRef {
  id: string
  name: string
  title: string
  mimetype: string
  filetype: string
  size: number
  url: string
  created: number
}

export interface ConvertedMessage {
  ts: string
  threadTs: string
  posts: PostRow[]
  reactions: ReactionRow[]
  files: SlackFileRef[]
}

export interface ChannelContext {
  teamId: string
  channelId: string
  slackChannelId: string
  /** Slack user or bot id → local user id; undefined when unknown (the caller creates placeholders first). */
  user(slackId: string): string | undefined
  /** A message's bot_id → local bot user id. */
  bot(botId: string): string | undefined
  names: TokenNames
  pinned: Set<string>
  /** The ms a post gets: its own unless taken in this channel, then the next free ms (§4.1). */
  claimTime(ms: number): number
  report: ImportReport
}


const TS = /^(\d{1,12})(?:\.(\d{1,6}))?$/

/** `"1700000000.000100"` as a sortable key and its ms; null when it is not a Slack ts. Numbers are coerced. */
export function parseTs(value: unknown): { ts: string; seconds: number; micros: number; ms: number } | null {
  const text = typeof value === 'number' && Number.isFinite(value) ? value.toFixed(6) : typeof value === 'string' ? value.trim() : ''
  const m = TS.exec(text)
  if (!m) return null
  const seconds = Number(m[1])
  const micros = Number((m[2] ?? '').padEnd(6, '0'))
  return { ts: `${m[1]}.${(m[2] ?? '').padEnd(6, '0')}`, seconds, micros, ms: seconds * 1000 + Math.floor(micros / 1000) }
}

/** Compares two parsed ts values by (seconds, micros), never as floats. */
export function compareTs(a: { seconds: number; micros: number }, b: { seconds: number; micros: number }): number {
  return a.seconds - b.seconds || a.micros - b.micros
}

// The id alphabet in byte order, so that encoded numbers sort as the numbers do.
const SORTED = '13456789abcdefghijkmnopqrstuwxyz'

/**
 * The post id of `(team, channel, ts)`: computable for a thread root that is not in the export.
 * 8 characters from the channel's hash, 11 that encode the ts in order, 7 from the post's hash.
 * A random id would put every insert on a random page of each id index (the posts and reactions
 * primary keys); this way a channel's posts extend one range of them, which keeps a million-message
 * import within the embedded database's 32 MB of buffers.
 */
export function postIdFor(teamId: string, slackChannelId: string, ts: string): string {
  const [seconds = '0', micros = '0'] = ts.split('.')
  let n = BigInt(seconds) * 1_000_000n + BigInt(micros.padEnd(6, '0').slice(0, 6))
  let time = ''
  for (let i = 0; i < 11; i += 1) {
    time = SORTED[Number(n & 31n)] + time
    n >>= 5n
  }
  return idFromKey(`slack:${teamId}:${slackChannelId}`).slice(0, 8) + time + idFromKey(`slack:${teamId}:${slackChannelId}:${ts}`).slice(0, 7)
}

const SYSTEM_TYPES: Record<string, string> = {
  channel_join: 'system_join_channel',
  group_join: 'system_join_channel',
  channel_leave: 'system_leave_channel',
  group_leave: 'system_leave_channel',
  channel_topic: 'system_header_change',
  group_topic: 'system_header_change',
  channel_purpose: 'system_purpose_change',
  group_purpose: 'system_purpose_change',
  channel_name: 'system_displayname_change',
  group_name: 'system_displayname_change',
  channel_archive: 'system_channel_deleted',
  group_archive: 'system_channel_deleted',
  channel_unarchive: 'system_channel_restored',
  group_unarchive: 'system_channel_restored',
  me_message: 'me',
}

// Subtypes imported as ordinary posts (with their extras); anything else becomes a system line.
const POST_SUBTYPES = new Set(['', 'thread_broadcast', 'file_share', 'bot_message', 'tombstone', 'file_comment', 'reply_broadcast'])

/**
 * Converts one message. `where` names it in warnings (`general/2024-03-01.json[4]`).
 * @returns null for an entry that is not a usable message (reported).
 */
export function convertMessage(raw: unknown, where: string, ctx: ChannelContext): ConvertedMessage | null {
  if (!isObj(raw)) {
    ctx.report.skip('malformed message', `${where}: not an object`)
    return null
  }
  const parsed = parseTs(raw.ts)
  if (!parsed) {
    ctx.report.skip('malformed message', `${where}: ts ${JSON.stringify(raw.ts)} is not a Slack timestamp`)
    return null
  }
  if (typeof raw.ts !== 'string') ctx.report.warn(`${where}: ts given as a number, read as "${parsed.ts}"`)
  const subtype = str(raw.subtype)
  ctx.report.subtype(subtype || 'message')
  const thread = raw.thread_ts === undefined ? null : parseTs(raw.thread_ts)
  if (raw.thread_ts !== undefined && !thread) ctx.report.warn(`${where}: thread_ts ${JSON.stringify(raw.thread_ts)} is not a Slack timestamp; imported outside its thread`)
  const isReply = thread !== null && thread.ts !== parsed.ts
  const id = postIdFor(ctx.teamId, ctx.slackChannelId, parsed.ts)
  const rootId = isReply ? postIdFor(ctx.teamId, ctx.slackChannelId, thread.ts) : ''

  const author = resolveAuthor(raw, subtype, where, ctx)
  if (!author) return null

  const props: Record<string, unknown> = { from_slack: true, slack_ts: parsed.ts, slack_channel: ctx.slackChannelId }
  if (subtype) props.slack_subtype = subtype
  let type = SYSTEM_TYPES[subtype] ?? (POST_SUBTYPES.has(subtype) ? '' : 'system_generic')
  let text = str(raw.text)
  if (subtype === 'file_comment' && isObj(raw.comment)) text = str(raw.comment.comment) || text
  let message = slackToMarkdown(text, ctx.names)
  const blocks = Array.isArray(raw.blocks) ? raw.blocks : []
  const layout = blocks.some((b) => isObj(b) && b.type !== 'rich_text')
  if (blocks.length && (message.trim() === '' || (subtype === 'bot_message' && layout))) {
    const rendered = renderBlocks(blocks, ctx.names)
    for (const kind of rendered.skipped) ctx.report.skip(`${kind} block`)
    if (rendered.markdown) message = rendered.markdown
  }
  if (raw.attachments !== undefined) {
    // Read into the shape core stores for integrations' posts, so clients render them alike.
    try {
      const attachments = readSlackAttachments(raw.attachments)
      if (attachments.length) props.attachments = convertAttachments(attachments, ctx.names)
    } catch (err) {
      if (!(err instanceof SlackPayloadError)) throw err
      ctx.report.skip('malformed attachments', `${where}: ${err.message}`)
    }
  }
  if (subtype === 'tombstone') {
    message = '(message deleted in Slack)'
    props.slack_tombstone = true
  }
  if (subtype === 'thread_broadcast' || subtype === 'reply_broadcast') props.broadcast = true
  if (author.override) {
    if (author.override.username) props.override_username = author.override.username
    if (author.override.iconUrl) props.override_icon_url = author.override.iconUrl
    props.from_webhook = 'true'
    props.from_bot = 'true'
  }
  if (type === 'me' && message === '') type = ''
  if (type === 'system_header_change') Object.assign(props, { new_header: slackToMarkdown(str(raw.topic), ctx.names) })
  if (type === 'system_purpose_change') Object.assign(props, { new_purpose: slackToMarkdown(str(raw.purpose), ctx.names) })
  if (type === 'system_displayname_change') Object.assign(props, { old_displayname: str(raw.old_name), new_displayname: str(raw.name) })

  const editedTs = isObj(raw.edited) ? parseTs(raw.edited.ts) : null
  const createAt = ctx.claimTime(parsed.ms)
  const reactions = convertReactions(raw.reactions, id, createAt, where, ctx)
  const pinned = ctx.pinned.has(parsed.ts) || (Array.isArray(raw.pinned_to) && raw.pinned_to.includes(ctx.slackChannelId))
  const chunks = splitMessage(message)
  const posts: PostRow[] = chunks.map((chunk, i) => ({
    id: i === 0 ? id : idFromKey(`${id}:continuation:${i}`),
    createAt: i === 0 ? createAt : ctx.claimTime(createAt + i),
    editAt: i === 0 && editedTs ? Math.max(editedTs.ms, createAt) : 0,
    isPinned: i === 0 && pinned,
    userId: author.userId,
    channelId: ctx.channelId,
    // Extra chunks of an over-long message continue it as replies in its thread.
    rootId: i === 0 ? rootId : rootId || id,
    message: chunk,
    type: i === 0 ? type : '',
    props: i === 0 ? props : { from_slack: true, slack_ts: parsed.ts, slack_channel: ctx.slackChannelId, slack_continuation: i },
    hashtags: parseHashtags(chunk),
    fileIds: [],
    hasReactions: i === 0 && reactions.length > 0,
  }))
  if (chunks.length > 1) ctx.report.warn(`${where}: message longer than ${MAX_MESSAGE_RUNES} characters, split into ${chunks.length} posts`)
  return { ts: parsed.ts, threadTs: isReply ? thread.ts : '', posts, reactions, files: convertFiles(raw, where, ctx) }
}

interface Author {
  userId: string
  override?: { username: string; iconUrl: string }
}

function resolveAuthor(raw: Obj, subtype: string, where: string, ctx: ChannelContext): Author | null {
  const botId = str(raw.bot_id)
  const userSlackId = str(raw.user)
  if (subtype === 'bot_message' || (botId && !userSlackId)) {
    const botUser = (botId && ctx.bot(botId)) || (userSlackId && ctx.user(userSlackId))
    if (!botUser) {
      ctx.report.skip('message from an unknown bot', `${where}: bot_id ${botId || '(none)'}`)
      return null
    }
    const profile = isObj(raw.bot_profile) ? raw.bot_profile : {}
    const icons = isObj(raw.icons) ? raw.icons : isObj(profile.icons) ? profile.icons : {}
    const username = str(raw.username) || str(profile.name)
    const iconUrl = str(icons.image_72) || str(icons.image_48) || str(icons.image_36)
    return { userId: botUser, override: { username, iconUrl } }
  }
  const local = userSlackId ? ctx.user(userSlackId) : undefined
  if (!local) {
    ctx.report.skip('message without a known user', `${where}: user ${JSON.stringify(raw.user ?? null)}`)
    return null
  }
  return { userId: local }
}

function convertReactions(raw: unknown, postId: string, createAt: number, where: string, ctx: ChannelContext): ReactionRow[] {
  if (raw === undefined) return []
  if (!Array.isArray(raw)) {
    ctx.report.warn(`${where}: reactions is not an array; ignored`)
    return []
  }
  const rows = new Map<string, ReactionRow>()
  for (const r of raw) {
    if (!isObj(r) || typeof r.name !== 'string' || !Array.isArray(r.users)) {
      ctx.report.skip('malformed reaction', where)
      continue
    }
    const emojiName = reactionEmojiName(r.name)
    for (const u of r.users) {
      const userId = typeof u === 'string' ? ctx.user(u) : undefined
      if (!userId) {
        ctx.report.skip('reaction by an unknown user', `${where}: ${String(u)}`)
        continue
      }
      // Slack keeps no reaction times; one just after the post keeps them ordered after it.
      rows.set(`${userId}:${emojiName}`, { postId, userId, emojiName, channelId: ctx.channelId, createAt: createAt + 1 })
    }
  }
  return [...rows.values()]
}

function convertFiles(raw: Obj, where: string, ctx: ChannelContext): SlackFileRef[] {
  const list = Array.isArray(raw.files) ? raw.files : isObj(raw.file) ? [raw.file] : []
  const out: SlackFileRef[] = []
  for (const f of list) {
    if (!isObj(f) || typeof f.id !== 'string') {
      ctx.report.skip('malformed file', where)
      continue
    }
    const size = typeof f.size === 'number' ? f.size : Number(f.size)
    out.push({
      id: f.id, name: str(f.name), title: str(f.title), mimetype: str(f.mimetype), filetype: str(f.filetype),
      size: Number.isFinite(size) && size >= 0 ? size : 0, url: str(f.url_private_download) || str(f.url_private), created: 0,
    })
  }
  return out
}

/** Splits text longer than core allows at a newline or space near the limit (§4.3). */
export function splitMessage(message: string): string[] {
  const runes = [...message]
  if (runes.length <= MAX_MESSAGE_RUNES) return [message]
  const chunks: string[] = []
  let start = 0
  while (start < runes.length) {
    let end = Math.min(start + MAX_MESSAGE_RUNES, runes.length)
    if (end < runes.length) {
      const window = runes.slice(start, end).join('')
      const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '))
      if (cut > MAX_MESSAGE_RUNES / 2) end = start + [...window.slice(0, cut)].length + 1
    }
    chunks.push(runes.slice(start, end).join('').trimEnd())
    start = end
  }
  return chunks
}
