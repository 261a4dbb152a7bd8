/** Posts: create (mentions, threads, unread counters), edit, delete, pins and the read paths. */
import { AppError, forbidden, forInput, invalidParam, notFound } from '../errors.ts'
import { newId, isValidId } from '../ids.ts'
import { extend } from '../extend.ts'
import { nowMillis } from '../clock.ts'
import type { Database } from '../db/index.ts'
import { jsonParam, query, withSqlTransaction, withTransaction, type SqlClient } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import type { EventBus } from '../realtime/events.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { ChannelService, SystemPostInput } from '../channels/service.ts'
import type { ChannelRecord, ChannelStore } from '../channels/store.ts'
import type { UserRecord, UserStore } from '../users/store.ts'
import type { ReactionStore } from '../reactions/store.ts'
import type { FileInfoRecord, FileStore } from '../files/store.ts'
import { presentPost, presentPostList } from '../present/post.ts'
import { createReadCache } from '../cache/read-cache.ts'
import { parseHashtags, parseMentions } from './mentions.ts'
import type { PostRecord, PostStore, ThreadRecord } from './store.ts'
import { withActionIds } from './post-actions.ts'
import { withActionCookies, type ActionCookies } from './action-cookies.ts'
import { checkPriority, toPriorityRecord, type PostPriorityInput, type PostPriorityRecord } from './priority.ts'
import { createPostClock } from './post-clock.ts'

/** Mattermost's MaxPostSize for a PostgreSQL `varchar(65535)` message column. */
export const MAX_POST_SIZE = 16383
const MAX_PROPS_SIZE = 800_000
const PENDING_DEDUPE_MS = 30_000

export interface PostServiceOptions {
  db: Database
  store: PostStore
  channels: ChannelService
  channelStore: ChannelStore
  users: UserStore
  reactions: ReactionStore
  /** Files attached by `file_ids`. */
  files: FileStore
  bus: EventBus
  isOnline(userId: string): boolean
  /** Seals the actions of ephemeral posts, which are not stored, so their buttons can be clicked. */
  actionCookies: ActionCookies
}

/** A stored post with its thread summary (null for a root without replies). */
export interface CreatedPost {
  post: PostRecord
  thread: ThreadRecord | null
  /** The files the post claimed (`metadata.files`). */
  files?: FileInfoRecord[]
  /** The root post's priority (`metadata.priority`), when created with one. */
  priority?: PostPriorityRecord | null
}

/** One post of `createMany`: a root post without files or priority. */
export interface CreateManyPostInput {
  /** A deterministic id (core/ids.ts idFromKey): a post already stored under it is not written again. */
  id?: string
  channel_id: string
  message: string
  type?: string
  props?: Record<string, unknown>
}

export interface CreatePostInput {
  channel_id: string
  message: string
  root_id?: string
  file_ids?: string[]
  props?: Record<string, unknown>
  pending_post_id?: string
  type?: string
  create_at?: number
  /** `metadata.priority`: root posts only. */
  priority?: PostPriorityInput
}

function checkMessage(message: string): void {
  if ([...message].length > MAX_POST_SIZE) {
    throw new AppError('model.post.is_valid.message_length.app_error', `Message is too long: the limit is ${MAX_POST_SIZE} characters.`, 400)
  }
}

function checkClientType(type: string): void {
  if (type !== '' && type !== 'me' && !type.startsWith('custom_')) throw invalidParam('type', 'only custom_* post types may be set by clients')
}

function checkProps(props: Record<string, unknown>): void {
  if (JSON.stringify(props).length > MAX_PROPS_SIZE) throw new AppError('model.post.is_valid.props.app_error', 'Post props are too large.', 400)
}

/** A new root post without files, with every other column at its default (field by field, not `{ ...fields, … }`: see core/extend.ts). */
function rootPost(f: Pick<PostRecord, 'id' | 'createAt' | 'userId' | 'channelId' | 'message' | 'type' | 'props' | 'hashtags'>): PostRecord {
  return {
    id: f.id, createAt: f.createAt, updateAt: f.createAt, editAt: 0, deleteAt: 0, isPinned: false, userId: f.userId, channelId: f.channelId, rootId: '', originalId: '',
    message: f.message, type: f.type, props: f.props, hashtags: f.hashtags, fileIds: [], pendingPostId: '', hasReactions: false, remoteId: '',
  }
}

/** One part of an integration's message (a long message is split into several). */
export interface IntegrationPart {
  message: string
  type: string
  props: Record<string, unknown>
}

/**
 * An integration's root posts in `channel`, checked: a live channel, no `system_*` type, message and props within
 * their limits. Their creation times are set by the caller (a PostClock).
 * @throws AppError 400 naming what is wrong.
 */
function integrationPostRecords(channel: ChannelRecord, userId: string, parts: IntegrationPart[]): PostRecord[] {
  if (channel.deleteAt > 0) {
    throw new AppError('api.post.create_post.can_not_post_to_deleted.error', 'Can not post to a deleted or archived channel.', 400)
  }
  return parts.map((part) => {
    if (part.type.startsWith('system_')) throw invalidParam('post.type', 'integrations may not create system_* posts')
    checkMessage(part.message)
    checkProps(part.props)
    return rootPost({ id: newId(), createAt: 0, userId, channelId: channel.id, message: part.message, type: part.type, props: withActionIds(part.props), hashtags: parseHashtags(part.message) })
  })
}

/**
 * Mattermost's postPriorityCheck for a new post with a priority: root posts only, a known value,
 * persistent notifications only for urgent posts.
 * @throws AppError 400 `api.post.post_priority.priority_post_only_allowed_for_root_post.request_error` for a reply;
 *   400 `api.context.invalid_param.app_error` for an unknown value;
 *   400 `api.post.post_priority.urgent_persistent_notification_post.request_error` for persistent notifications on a non-urgent post.
 */
function checkPostPriority(priority: PostPriorityInput, rootId: string, param: string): void {
  if (rootId !== '') {
    throw new AppError('api.post.post_priority.priority_post_only_allowed_for_root_post.request_error', 'Only root posts can have a priority.', 400)
  }
  checkPriority(priority, param)
  if (priority.persistent_notifications && priority.priority !== 'urgent') {
    throw new AppError('api.post.post_priority.urgent_persistent_notification_post.request_error', 'Persistent notifications are only for urgent posts.', 400)
  }
}

export function createPostService(options: PostServiceOptions) {
  const { db, store, channels, channelStore, users, reactions, files, bus } = options
  const clock = createPostClock()
  /** Gives new posts their creation times (the clock's), in order. */
  const stampTimes = (posts: PostRecord[]) => {
    const times = clock.times(posts.map((post) => post.channelId))
    for (const [i, post] of posts.entries()) post.createAt = post.updateAt = times[i]!
  }

  // Senders' names for `posted` events, without a query per post.
  const userCache = createReadCache<UserRecord | null>({ ttlMs: 60_000, maxEntries: 20_000 })
  bus.subscribe({
    id: 'posts.user-cache',
    events: ['user.updated', 'user.created'],
    handle(event) {
      if (typeof event.payload.userId === 'string') userCache.delete(event.payload.userId)
    },
  })
  const cachedUser = (id: string) => userCache.get(id, () => users.getById(id))

  async function requirePost(id: string): Promise<PostRecord> {
    const post = await store.getById(id)
    if (!post || post.deleteAt > 0) throw notFound('post', id, 'app.post.get.app_error')
    return post
  }

  async function postsWithExtras(posts: PostRecord[]) {
    const threadIds = [...new Set(posts.map((p) => p.rootId || p.id))]
    const threads = new Map((await store.getThreads(threadIds)).map((t) => [t.postId, t]))
    const reactionMap = await reactions.forPosts(posts.filter((p) => p.hasReactions).map((p) => p.id))
    const fileMap = await files.forPosts(posts.filter((p) => p.fileIds.length > 0).map((p) => p.id))
    // Only root posts have a priority.
    const priorities = await store.prioritiesFor(posts.filter((p) => p.rootId === '').map((p) => p.id))
    return { threads, reactions: reactionMap, files: fileMap, priorities }
  }

  async function present(post: PostRecord): Promise<Record<string, unknown>> {
    const extras = await postsWithExtras([post])
    return presentPost(post, { thread: extras.threads.get(post.rootId || post.id) ?? null, reactions: extras.reactions.get(post.id), files: extras.files.get(post.id), priority: extras.priorities.get(post.id) })
  }

  async function channelDisplayFor(channel: ChannelRecord, sender: UserRecord | null): Promise<string> {
    if (channel.type === 'D') return `@${sender?.username ?? ''}`
    if (channel.type === 'G') {
      const ids = await channels.memberIdsCached(channel.id)
      return (await users.getByIds([...ids])).map((u) => u.username).join(', ')
    }
    return channel.displayName
  }

  async function publishPosted(post: PostRecord, thread: ThreadRecord | null, channel: ChannelRecord, mentioned: string[], attached: FileInfoRecord[], priority: PostPriorityRecord | null = null): Promise<void> {
    const sender = await cachedUser(post.userId)
    const overridden = post.props.from_webhook === 'true' && typeof post.props.override_username === 'string' && channel.type !== 'D'
    const data: Record<string, unknown> = {
      channel_display_name: await channelDisplayFor(channel, sender),
      channel_name: channel.name,
      channel_type: channel.type,
      post: JSON.stringify(presentPost(post, { thread, files: attached, priority })),
      sender_name: overridden ? String(post.props.override_username) : `@${sender?.username ?? ''}`,
      set_online: true,
      team_id: channel.teamId,
    }
    const perUser: Record<string, Record<string, unknown>> = {}
    for (const userId of mentioned) perUser[userId] = { mentions: JSON.stringify([userId]) }
    await bus.publish({
      type: 'post.created',
      payload: { postId: post.id, channelId: channel.id, teamId: channel.teamId, userId: post.userId, rootId: post.rootId, mentions: mentioned },
      ws: { event: 'posted', data, audience: { channelId: channel.id }, perUser },
    })
  }

  async function publishPostChange(event: 'post_edited' | 'post_deleted', type: string, post: PostRecord): Promise<void> {
    await bus.publish({
      type,
      payload: { postId: post.id, channelId: post.channelId, userId: post.userId },
      ws: { event, data: { post: JSON.stringify(await present(post)) }, audience: { channelId: post.channelId } },
    })
  }

  /** Users named with @username, looked up before the transaction (which holds the only embedded connection). */
  async function mentionedUsers(post: PostRecord): Promise<UserRecord[]> {
    return (await mentionedUsersOf([post]))[0]!
  }

  /** `mentionedUsers` of each post, with one query for all of them. */
  async function mentionedUsersOf(posts: PostRecord[]): Promise<UserRecord[][]> {
    const names = posts.map((post) => (post.type.startsWith('system_') ? new Set<string>() : parseMentions(post.message).usernames))
    const all = [...new Set(names.flatMap((set) => [...set]))]
    const found = all.length > 0 ? await users.getByUsernames(all) : []
    return names.map((set) => found.filter((user) => set.has(user.username)))
  }

  /** Resolves who a message mentions among the channel's members, and who is mentioned but not in it. */
  function resolveMentions(channel: ChannelRecord, post: PostRecord, named: UserRecord[], memberIds: Set<string>): { mentioned: string[]; outside: UserRecord[] } {
    if (post.type.startsWith('system_')) return { mentioned: [], outside: [] }
    const parsed = parseMentions(post.message)
    const mentioned = new Set<string>()
    const outside: UserRecord[] = []
    if (channel.type === 'D') {
      for (const id of memberIds) if (id !== post.userId) mentioned.add(id)
    }
    if (parsed.channel) for (const id of memberIds) mentioned.add(id)
    if (parsed.here) for (const id of memberIds) if (options.isOnline(id)) mentioned.add(id)
    for (const user of named) {
      if (memberIds.has(user.id)) mentioned.add(user.id)
      else if (user.deleteAt === 0 && !user.isBot && channel.type !== 'D' && channel.type !== 'G') outside.push(user)
    }
    mentioned.delete(post.userId)
    return { mentioned: [...mentioned], outside }
  }

  async function updateThreadOnReply(tx: DbClient, root: PostRecord, reply: PostRecord, mentioned: string[], teamId: string): Promise<string[]> {
    const existing = await store.getThread(root.id, tx)
    const participants = existing?.participants ?? []
    const thread: ThreadRecord = {
      postId: root.id,
      channelId: root.channelId,
      teamId,
      replyCount: (existing?.replyCount ?? 0) + 1,
      lastReplyAt: reply.createAt,
      participants: participants.includes(reply.userId) ? participants : [...participants, reply.userId],
      threadDeleteAt: 0,
    }
    await store.upsertThread(tx, thread)
    // Followers: the root's author, everyone who replied, and anyone mentioned in the thread.
    const autoFollow = new Set([root.userId, reply.userId, ...mentioned])
    const memberships = new Map((await store.memberships(root.id, tx)).map((m) => [m.userId, m]))
    for (const userId of autoFollow) {
      if (!memberships.has(userId)) {
        memberships.set(userId, { postId: root.id, userId, following: true, lastViewed: userId === reply.userId ? reply.createAt : 0, lastUpdated: reply.createAt, unreadMentions: 0 })
      }
    }
    const followers: string[] = []
    for (const m of memberships.values()) {
      const explicitUnfollow = !m.following && !mentioned.includes(m.userId) && m.userId !== reply.userId
      if (explicitUnfollow) continue
      const own = m.userId === reply.userId
      await store.upsertMembership(tx, {
        ...m,
        following: true,
        lastUpdated: reply.createAt,
        lastViewed: own ? reply.createAt : m.lastViewed,
        unreadMentions: own ? 0 : m.unreadMentions + (mentioned.includes(m.userId) ? 1 : 0),
      })
      followers.push(m.userId)
    }
    return followers
  }

  async function publishThreadUpdated(rootId: string, followers: string[], teamId: string): Promise<void> {
    const root = await store.getById(rootId)
    const thread = await store.getThread(rootId)
    if (!root || !thread) return
    for (const userId of followers) {
      const membership = await store.getMembership(rootId, userId)
      if (!membership) continue
      const unreadReplies = await store.countRepliesAfter(rootId, membership.lastViewed, userId)
      const data = {
        thread: JSON.stringify({
          id: rootId, reply_count: thread.replyCount, last_reply_at: thread.lastReplyAt, last_viewed_at: membership.lastViewed,
          participants: thread.participants.map((id) => ({ id })), post: await present(root), unread_replies: unreadReplies,
          unread_mentions: membership.unreadMentions, is_following: membership.following, is_urgent: false, delete_at: thread.threadDeleteAt,
        }),
      }
      await bus.publish({ type: 'thread.updated', payload: { threadId: rootId, userId }, ws: { event: 'thread_updated', data, audience: { userId, teamId } } })
    }
  }

  /** Sends a post only one user sees (not stored), e.g. "@bob is not in this channel"; `props` carry attachments or overrides. */
  async function sendEphemeral(userId: string, channelId: string, message: string, rootId = '', props: Record<string, unknown> = {}, replacesPostId?: string): Promise<void> {
    const now = nowMillis()
    const post: PostRecord = {
      id: replacesPostId ?? newId(), createAt: now, updateAt: now, editAt: 0, deleteAt: 0, isPinned: false, userId, channelId, rootId, originalId: '',
      message, type: 'system_ephemeral', props: withActionIds(props), hashtags: '', fileIds: [], pendingPostId: '', hasReactions: false, remoteId: '',
    }
    const presented = presentPost(post)
    presented.props = withActionCookies(options.actionCookies, { id: post.id, rootId, channelId, original: post.props, presented: presented.props as Record<string, unknown> })
    // Mattermost's UpdateEphemeralPost sends `post_edited` for a replaced ephemeral post, to its one reader.
    const event = replacesPostId ? 'post_edited' : 'ephemeral_message'
    await bus.publish({ type: 'post.ephemeral', payload: { userId, channelId }, ws: { event, data: { post: JSON.stringify(presented) }, audience: { userId, channelId } } })
  }

  /**
   * Inserts the post and applies its counters in ONE statement (atomic on its own): channel totals,
   * the author's read position and mention counts. Posting is the hottest write path; on the
   * embedded database every round trip costs ~0.5 ms, so this replaces five queries and a transaction.
   */
  async function insertPostRow(client: SqlClient, post: PostRecord, mentioned: string[]): Promise<void> {
    const isRoot = post.rootId === ''
    await client.$executeRawUnsafe(
      `WITH p AS (
         INSERT INTO posts (id, create_at, update_at, edit_at, delete_at, is_pinned, user_id, channel_id, root_id, original_id, message, type, props, hashtags, file_ids, pending_post_id, has_reactions, remote_id)
         VALUES ($1, $2::bigint, $2::bigint, 0, 0, false, $3, $4, $5, '', $6, $7, $8::jsonb, $9, $10::jsonb, $11, false, '')
         RETURNING id
       ), c AS (
         UPDATE channels SET
           total_msg_count = total_msg_count + 1,
           total_msg_count_root = total_msg_count_root + CASE WHEN $12::boolean THEN 1 ELSE 0 END,
           last_post_at = GREATEST(last_post_at, $2::bigint),
           last_root_post_at = CASE WHEN $12::boolean THEN GREATEST(last_root_post_at, $2::bigint) ELSE last_root_post_at END
         WHERE id = $4 AND EXISTS (SELECT 1 FROM p)
         RETURNING total_msg_count, total_msg_count_root
       ), author AS (
         UPDATE channel_members SET last_viewed_at = $2::bigint, last_update_at = $2::bigint,
           msg_count = (SELECT total_msg_count FROM c), msg_count_root = (SELECT total_msg_count_root FROM c)
         WHERE channel_id = $4 AND user_id = $3
       ), mentions AS (
         UPDATE channel_members SET mention_count = mention_count + 1,
           mention_count_root = mention_count_root + CASE WHEN $12::boolean THEN 1 ELSE 0 END
         WHERE channel_id = $4 AND user_id = ANY(string_to_array($13, ','))
       )
       SELECT 1 FROM c`,
      post.id, post.createAt, post.userId, post.channelId, post.rootId, post.message, post.type, jsonParam(post.props),
      post.hashtags, jsonParam(post.fileIds), post.pendingPostId, isRoot, mentioned.filter((id) => id !== post.userId).join(','),
    )
  }

  /**
   * Inserts root posts and applies their counters in ONE statement, with the same results as `insertPostRow` for each
   * in turn: channel totals and last post times, each author's read position (caught up to their own last post of the
   * batch) and mention counts per mentioned member. Posts whose id is taken are left out, with their counters.
   * @returns the ids inserted.
   */
  async function insertRootPostRows(tx: SqlClient | null, posts: PostRecord[], mentioned: string[][]): Promise<Set<string>> {
    if (posts.length === 0) return new Set()
    const mentionPairs = posts.flatMap((post, i) => mentioned[i]!.filter((id) => id !== post.userId).map((userId) => [post.id, userId] as const))
    const run = (text: string, params: unknown[]) => (tx ? tx.$queryRawUnsafe<{ id: string }[]>(text, ...params) : query<{ id: string }>(db, text, params))
    const rows = await run(
      `WITH p AS (
         INSERT INTO posts (id, create_at, update_at, edit_at, delete_at, is_pinned, user_id, channel_id, root_id, original_id, message, type, props, hashtags, file_ids, pending_post_id, has_reactions, remote_id)
         SELECT v.id, v.create_at, v.create_at, 0, 0, false, v.user_id, v.channel_id, '', '', v.message, v.type, v.props::jsonb, v.hashtags, '[]'::jsonb, '', false, ''
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS v(id, create_at, user_id, channel_id, message, type, props, hashtags)
         ON CONFLICT (id) DO NOTHING
         RETURNING id, create_at, user_id, channel_id
       ), per_channel AS (
         SELECT channel_id, count(*)::int AS n, max(create_at) AS last FROM p GROUP BY channel_id
       ), c AS (
         UPDATE channels SET
           total_msg_count = total_msg_count + per_channel.n,
           total_msg_count_root = total_msg_count_root + per_channel.n,
           last_post_at = GREATEST(last_post_at, per_channel.last),
           last_root_post_at = GREATEST(last_root_post_at, per_channel.last)
         FROM per_channel WHERE channels.id = per_channel.channel_id
         RETURNING channels.id, channels.total_msg_count, channels.total_msg_count_root
       ), touched AS (
         -- One row per member to update: an author's last post (read position) and the mentions a member got.
         SELECT channel_id, user_id, max(last) AS last, sum(mentions)::int AS mentions FROM (
           SELECT channel_id, user_id, max(create_at) AS last, 0 AS mentions FROM p GROUP BY channel_id, user_id
           UNION ALL
           SELECT p.channel_id, m.user_id, NULL, count(*) FROM unnest($9::text[], $10::text[]) AS m(post_id, user_id) JOIN p ON p.id = m.post_id GROUP BY p.channel_id, m.user_id
         ) t GROUP BY channel_id, user_id
       ), later AS (
         -- An author has read up to their own last post: the total then is the total now minus the batch's later posts
         -- (counted with one join: a subquery per member scanned the whole batch once each).
         SELECT t.channel_id, t.user_id, count(p.id)::int AS n
         FROM touched t JOIN p ON p.channel_id = t.channel_id AND p.create_at > t.last
         GROUP BY t.channel_id, t.user_id
       ), members AS (
         UPDATE channel_members SET
           last_viewed_at = COALESCE(t.last, last_viewed_at),
           last_update_at = COALESCE(t.last, last_update_at),
           msg_count = CASE WHEN t.last IS NULL THEN msg_count ELSE c.total_msg_count - COALESCE(l.n, 0) END,
           msg_count_root = CASE WHEN t.last IS NULL THEN msg_count_root ELSE c.total_msg_count_root - COALESCE(l.n, 0) END,
           mention_count = mention_count + t.mentions,
           mention_count_root = mention_count_root + t.mentions
         FROM touched t JOIN c ON c.id = t.channel_id LEFT JOIN later l ON l.channel_id = t.channel_id AND l.user_id = t.user_id
         WHERE channel_members.channel_id = t.channel_id AND channel_members.user_id = t.user_id
       )
       SELECT id FROM p`,
      [
        posts.map((p) => p.id), posts.map((p) => p.createAt), posts.map((p) => p.userId), posts.map((p) => p.channelId), posts.map((p) => p.message),
        posts.map((p) => p.type), posts.map((p) => jsonParam(p.props)), posts.map((p) => p.hashtags),
        mentionPairs.map(([postId]) => postId), mentionPairs.map(([, userId]) => userId),
      ],
    )
    return new Set(rows.map((r) => r.id))
  }

  /**
   * Writes root posts (no files, priority or thread) with one statement and publishes each one written as
   * `createInternal` does: its `posted` event and the ephemeral "did not get notified" for mentions outside the channel.
   * @returns for each post, whether it was written (false: its id was taken).
   */
  async function writeRootPosts(
    items: { channel: ChannelRecord; post: PostRecord }[],
    options: { claim?: (tx: SqlClient) => Promise<Set<string>>; notifyOutside?: boolean } = {},
  ): Promise<boolean[]> {
    const named = await mentionedUsersOf(items.map((item) => item.post))
    // Member lists once per channel, and none for system posts (which mention nobody).
    const memberIds = new Map<string, Set<string>>()
    for (const { channel, post } of items) {
      if (!post.type.startsWith('system_') && !memberIds.has(channel.id)) memberIds.set(channel.id, await channels.memberIdsCached(channel.id))
    }
    const resolved = items.map(({ channel, post }, i) => resolveMentions(channel, post, named[i]!, memberIds.get(channel.id) ?? new Set()))
    const { claim } = options
    const inserted = claim
      ? await withSqlTransaction(db, async (tx) => {
          const allowed = await claim(tx)
          const kept = items.flatMap((item, i) => (allowed.has(item.post.id) ? [i] : []))
          return insertRootPostRows(tx, kept.map((i) => items[i]!.post), kept.map((i) => resolved[i]!.mentioned))
        })
      : await insertRootPostRows(null, items.map((item) => item.post), resolved.map((r) => r.mentioned))
    for (const [i, { channel, post }] of items.entries()) {
      if (!inserted.has(post.id)) continue
      await publishPosted(post, null, channel, resolved[i]!.mentioned, [])
      if (options.notifyOutside === false) continue
      for (const user of resolved[i]!.outside) {
        await sendEphemeral(post.userId, channel.id, `@${user.username} did not get notified by this mention because they are not in the channel. Would you like to add them to it?`, post.rootId)
      }
    }
    return items.map((item) => inserted.has(item.post.id))
  }

  /**
   * The channel the caller may post in: a member (or system admin), not archived. Mattermost checks the permission
   * before existence: an unknown channel is a 403, not a 404.
   * @throws AppError 403 for an unknown channel or a non-member; 400 for an archived channel.
   */
  async function channelForPosting(session: AuthSession, channelId: string): Promise<ChannelRecord> {
    const channel = await channels.getCached(channelId).catch((err: unknown) => {
      throw err instanceof AppError && err.statusCode === 404 ? forbidden(`unknown channel ${channelId}`) : err
    })
    const members = await channels.memberIdsCached(channel.id)
    if (!members.has(session.userId) && !session.isSystemAdmin) throw forbidden(`not a member of channel ${channel.id}`)
    if (channel.deleteAt > 0) {
      throw new AppError('api.post.create_post.can_not_post_to_deleted.error', 'Can not post to a deleted or archived channel.', 400)
    }
    return channel
  }

  async function createInternal(channel: ChannelRecord, post: PostRecord, root: PostRecord | null, priority: PostPriorityRecord | null = null): Promise<CreatedPost> {
    const named = await mentionedUsers(post)
    const memberIds = await channels.memberIdsCached(channel.id)
    const { mentioned, outside } = resolveMentions(channel, post, named, memberIds)
    let followers: string[] = []
    let thread: ThreadRecord | null = null
    let attached: FileInfoRecord[] = []
    if (root || post.fileIds.length > 0 || priority) {
      // A reply also changes the thread's counts and followers, and files and priority are
      // written with the post: one transaction for all of it.
      ;({ followers, thread, attached } = await withTransaction(db, async (tx) => {
        await insertPostRow(tx, post, mentioned)
        if (priority) await store.insertPriority(tx, priority)
        const claimed = await attachFiles(tx, post)
        if (!root) return { followers: [], thread: null, attached: claimed }
        const f = await updateThreadOnReply(tx, root, post, mentioned, channel.teamId)
        return { followers: f, thread: await store.getThread(root.id, tx), attached: claimed }
      }))
    } else {
      await insertPostRow(db.prisma, post, mentioned)
    }
    await publishPosted(post, thread, channel, mentioned, attached, priority)
    if (root) await publishThreadUpdated(root.id, followers, channel.teamId)
    for (const user of outside) {
      await sendEphemeral(
        post.userId,
        channel.id,
        `@${user.username} did not get notified by this mention because they are not in the channel. Would you like to add them to it?`,
        post.rootId,
      )
    }
    return { post, thread, files: attached, priority }
  }

  /** Claims the post's files; any that is not the author's own, unattached, in this channel rolls the post back. */
  async function attachFiles(tx: DbClient, post: PostRecord): Promise<FileInfoRecord[]> {
    if (post.fileIds.length === 0) return []
    const claimed = await files.attachToPost(tx, post.fileIds, { postId: post.id, userId: post.userId, channelId: post.channelId, at: post.createAt })
    if (claimed !== post.fileIds.length) throw invalidParam('file_ids', 'each file must be an unattached upload of the author in this channel')
    const byId = new Map((await files.getByIds(post.fileIds, tx)).map((f) => [f.id, f]))
    return post.fileIds.map((id) => byId.get(id)!).filter(Boolean)
  }

  return {
    requirePost,
    present,
    presentCreated: (created: CreatedPost) => presentPost(created.post, { thread: created.thread, files: created.files, priority: created.priority }),
    sendEphemeral,

    /**
     * Creates a post or reply as the caller.
     * @throws AppError 400 for bad root_id, length, type or archived channel; 403 for non-members.
     */
    async create(session: AuthSession, input: CreatePostInput): Promise<CreatedPost> {
      return this.createAs(session, input, checkClientType)
    },

    /**
     * The post a slash command answers with (`in_channel`), as the user who ran it: like `create`,
     * but any post type except `system_*` (Mattermost's CreateCommandPost), e.g. `slack_attachment`.
     * @throws AppError as `create`; 400 `api.context.invalid_param.app_error` for a system type.
     */
    async createForIntegration(session: AuthSession, input: CreatePostInput): Promise<CreatedPost> {
      return this.createAs(session, input, (type) => {
        if (type.startsWith('system_')) throw invalidParam('post.type', 'integrations cannot post system messages')
      })
    },

    /** `create` with the post types allowed decided by `checkType` (which throws). */
    async createAs(session: AuthSession, input: CreatePostInput, checkType: (type: string) => void): Promise<CreatedPost> {
      const channel = await channelForPosting(session, input.channel_id)
      const type = input.type ?? ''
      checkType(type)
      checkMessage(input.message)
      const props = input.props ?? {}
      checkProps(props)
      if (input.priority) checkPostPriority(input.priority, input.root_id ?? '', 'post.metadata.priority')
      let root: PostRecord | null = null
      if (input.root_id) {
        root = await store.getById(input.root_id)
        if (!root || root.deleteAt > 0 || root.rootId !== '') {
          throw new AppError('api.post.create_post.root_id.app_error', 'Invalid RootId parameter: the post you reply to does not exist, was deleted, or is itself a reply.', 400)
        }
        if (root.channelId !== channel.id) {
          throw new AppError('api.post.create_post.channel_root_id.app_error', 'Invalid ChannelId for RootId parameter.', 400)
        }
      }
      const fileIds = [...new Set(input.file_ids ?? [])]
      if (fileIds.length > 10 || fileIds.some((id) => !isValidId(id))) throw invalidParam('file_ids', 'at most 10 file ids, each 26 characters')
      if (fileIds.length > 0) {
        const found = await files.getByIds(fileIds)
        const usable = found.filter((f) => f.userId === session.userId && f.channelId === channel.id && f.postId === '' && f.deleteAt === 0)
        if (usable.length !== fileIds.length) throw invalidParam('file_ids', 'each file must be an unattached upload of the author in this channel')
      }
      const now = nowMillis()
      if (input.pending_post_id) {
        // A client retrying the same send (flaky network) must not create a duplicate.
        const existing = await store.byPendingId(session.userId, input.pending_post_id, now - PENDING_DEDUPE_MS)
        if (existing) return { post: existing, thread: await store.getThread(existing.rootId || existing.id), priority: (await store.prioritiesFor([existing.id])).get(existing.id) ?? null }
      }
      const createAt = session.isSystemAdmin && input.create_at && input.create_at > 0 ? input.create_at : clock.times([channel.id])[0]!
      const post: PostRecord = {
        id: newId(), createAt, updateAt: createAt, editAt: 0, deleteAt: 0, isPinned: false, userId: session.userId, channelId: channel.id,
        rootId: root?.id ?? '', originalId: '', message: input.message, type, props: withActionIds(session.isBot ? extend(props, { from_bot: 'true' }) : props),
        hashtags: parseHashtags(input.message), fileIds, pendingPostId: input.pending_post_id ?? '', hasReactions: false, remoteId: '',
      }
      return createInternal(channel, post, root, input.priority ? toPriorityRecord(post.id, channel.id, input.priority) : null)
    },

    /**
     * Posts made by an integration (an incoming or outgoing webhook) as `userId`, who need not be a
     * member: the caller has checked access. The parts of a split message are checked first and
     * written in one transaction, so either all of them appear or none; each gets its own `posted`
     * event. With `rootId` they are replies in that post's thread. With `claim`, it runs first in
     * that transaction and returning false writes nothing (and returns `[]`): an integration's
     * idempotency key, taken atomically with its posts. With `priority`, every part is a root post
     * of that priority (Mattermost copies it to each split), written in the same transaction.
     * @throws AppError 400 for an archived channel, a `system_*` type, an over-long part or props, a root that is not a live root post of the channel.
     */
    async createIntegrationPosts(
      channel: ChannelRecord,
      userId: string,
      parts: IntegrationPart[],
      extra: { rootId?: string; claim?: (tx: SqlClient, postIds: string[]) => Promise<boolean>; priority?: PostPriorityInput | null } = {},
    ): Promise<CreatedPost[]> {
      if (extra.priority) checkPostPriority(extra.priority, extra.rootId ?? '', 'webhook.priority')
      const posts = integrationPostRecords(channel, userId, parts)
      stampTimes(posts)
      const root = extra.rootId ? await store.getById(extra.rootId) : null
      if (extra.rootId) {
        if (!root || root.deleteAt > 0 || root.rootId !== '' || root.channelId !== channel.id) {
          throw new AppError('api.post.create_post.root_id.app_error', 'Invalid RootId parameter: the post you reply to does not exist, was deleted, or is itself a reply.', 400)
        }
        for (const post of posts) post.rootId = root.id
      }
      const priorities = posts.map((post) => (extra.priority ? toPriorityRecord(post.id, channel.id, extra.priority) : null))
      const memberIds = await channels.memberIdsCached(channel.id)
      const mentions = await Promise.all(posts.map(async (post) => resolveMentions(channel, post, await mentionedUsers(post), memberIds).mentioned))
      const ids = posts.map((p) => p.id)
      // Root posts without a priority need raw statements only: a pool transaction costs a fraction of Prisma's
      // interactive one, which a vendor's burst of bot posts would pay per delivery.
      const writeRoots = async (tx: SqlClient) => {
        if (extra.claim && !(await extra.claim(tx, ids))) return null
        for (const [i, post] of posts.entries()) await insertPostRow(tx, post, mentions[i]!)
        return posts.map(() => ({ thread: null, followers: [] as string[] }))
      }
      const writeRepliesOrPriority = async (tx: DbClient) => {
        if (extra.claim && !(await extra.claim(tx, ids))) return null
        const threads: { thread: ThreadRecord | null; followers: string[] }[] = []
        for (const [i, post] of posts.entries()) {
          await insertPostRow(tx, post, mentions[i]!)
          if (priorities[i]) await store.insertPriority(tx, priorities[i]!)
          if (!root) threads.push({ thread: null, followers: [] })
          else threads.push({ followers: await updateThreadOnReply(tx, root, post, mentions[i]!, channel.teamId), thread: await store.getThread(root.id, tx) })
        }
        return threads
      }
      const written = !root && !extra.priority ? await withSqlTransaction(db, writeRoots) : await withTransaction(db, writeRepliesOrPriority)
      if (!written) return []
      for (const [i, post] of posts.entries()) {
        await publishPosted(post, written[i]!.thread, channel, mentions[i]!, [], priorities[i])
        if (root) await publishThreadUpdated(root.id, written[i]!.followers, channel.teamId)
      }
      return posts.map((post, i) => ({ post, thread: written[i]!.thread, priority: priorities[i] }))
    },

    /**
     * Root posts of many integration deliveries at once (a vendor's burst into one channel), in one transaction:
     * `claimMany` takes each delivery's claim first (e.g. one INSERT … ON CONFLICT DO NOTHING), then the posts of the
     * deliveries whose claim it got are written with one statement, channel counters included. Each delivery is
     * checked as `createIntegrationPosts` checks it; one that fails gets its AppError and writes nothing, the others
     * go on. Posts in one channel are one millisecond apart, in order.
     * @returns per delivery: its posts, [] when its claim was already taken (a retried job), or the Error.
     */
    async createIntegrationRootPostsMany(
      deliveries: { channel: ChannelRecord; userId: string; parts: IntegrationPart[] }[],
      claimMany: (tx: SqlClient, postIds: string[][]) => Promise<boolean[]>,
    ): Promise<(CreatedPost[] | Error)[]> {
      const prepared = deliveries.map(({ channel, userId, parts }) => {
        try {
          return integrationPostRecords(channel, userId, parts)
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err))
        }
      })
      const valid = prepared.flatMap((p, i) => (p instanceof Error ? [] : [{ channel: deliveries[i]!.channel, posts: p }]))
      const items = valid.flatMap(({ channel, posts }) => posts.map((post) => ({ channel, post })))
      stampTimes(items.map(({ post }) => post))
      const written = await writeRootPosts(items, {
        notifyOutside: false,
        claim: async (tx) => {
          const claimed = await claimMany(tx, valid.map(({ posts }) => posts.map((post) => post.id)))
          return new Set(valid.flatMap(({ posts }, i) => (claimed[i] ? posts.map((post) => post.id) : [])))
        },
      })
      const writtenIds = new Set(items.flatMap(({ post }, i) => (written[i] ? [post.id] : [])))
      return prepared.map((p) => (p instanceof Error ? p : p.filter((post) => writtenIds.has(post.id)).map((post) => ({ post, thread: null, priority: null }))))
    },

    /** Posts a system message (join, leave, header change) as `userId`. */
    async createSystemPost(input: SystemPostInput): Promise<CreatedPost> {
      return (await this.createSystemPosts([input]))[0]!
    },

    /** Posts system messages, each as its `userId`, written with one statement (the channel service's SystemPoster). */
    async createSystemPosts(inputs: SystemPostInput[]): Promise<CreatedPost[]> {
      const byId = new Map<string, ChannelRecord>()
      for (const channelId of new Set(inputs.map((input) => input.channelId))) byId.set(channelId, await channels.getCached(channelId))
      const times = clock.times(inputs.map((input) => input.channelId))
      const items = inputs.map((input, i) => ({
        channel: byId.get(input.channelId)!,
        post: rootPost({ id: newId(), createAt: times[i]!, userId: input.userId, channelId: input.channelId, message: input.message, type: input.type, props: input.props, hashtags: '' }),
      }))
      await writeRootPosts(items)
      return items.map(({ post }) => ({ post, thread: null, files: [], priority: null }))
    },

    /**
     * Root posts (no replies, no files, no priority) as `session`'s user in one or more channels, written in one
     * transaction with a constant number of statements; each gets its `posted` event etc. exactly as `create` would
     * publish it. With `id` given (a deterministic id, core/ids.ts idFromKey), a post whose id already exists is not
     * written again and comes back (as stored) with `created: false` (how a retried job stays idempotent). Same checks
     * as `create` per input (membership unless system admin, live channel, message length, props, type rules as
     * createAs with checkClientType unless `system: true`). Posts in one channel are one millisecond apart, in order.
     * @throws AppError as `create`, naming the input's index, before anything is written.
     */
    async createMany(session: AuthSession, inputs: CreateManyPostInput[], options: { system?: boolean } = {}): Promise<{ post: PostRecord; created: boolean }[]> {
      if (inputs.length === 0) return []
      const byId = new Map<string, ChannelRecord>()
      const ids = new Map<string, number>()
      for (const [i, input] of inputs.entries()) {
        try {
          let channel = byId.get(input.channel_id)
          if (!channel) {
            channel = await channelForPosting(session, input.channel_id)
            byId.set(channel.id, channel)
          }
          const type = input.type ?? ''
          if (!options.system) checkClientType(type)
          checkMessage(input.message)
          checkProps(input.props ?? {})
          if (input.id !== undefined) {
            if (!isValidId(input.id)) throw invalidParam('id', 'an id is 26 letters or digits')
            if (ids.has(input.id)) throw invalidParam('id', `the same id as inputs[${ids.get(input.id)}]`)
            ids.set(input.id, i)
          }
        } catch (err) {
          throw forInput(i, err)
        }
      }
      const times = clock.times(inputs.map((input) => input.channel_id))
      const items = inputs.map((input, i) => {
        const props = input.props ?? {}
        return {
          channel: byId.get(input.channel_id)!,
          post: rootPost({
            id: input.id ?? newId(), createAt: times[i]!, userId: session.userId, channelId: input.channel_id, message: input.message, type: input.type ?? '',
            props: withActionIds(session.isBot ? extend(props, { from_bot: 'true' }) : props), hashtags: parseHashtags(input.message),
          }),
        }
      })
      const created = await writeRootPosts(items)
      const stored = new Map((await store.getByIds(items.filter((_, i) => !created[i]).map(({ post }) => post.id))).map((p) => [p.id, p]))
      return items.map(({ post }, i) => ({ post: created[i] ? post : (stored.get(post.id) ?? post), created: created[i]! }))
    },

    /** A post the caller may read. @throws AppError 404/403. */
    async get(session: AuthSession, id: string, includeDeleted = false): Promise<PostRecord> {
      const post = await store.getById(id)
      if (!post || (post.deleteAt > 0 && !(includeDeleted && session.isSystemAdmin))) throw notFound('post', id, 'app.post.get.app_error')
      await channels.getReadable(session, post.channelId)
      return post
    },

    /**
     * Edits message, props, file ids or pin state of the caller's own post (admins: any post).
     * @throws AppError 403 for another user's post, 400 for bad values.
     */
    async patch(session: AuthSession, id: string, patch: { message?: string; is_pinned?: boolean; props?: Record<string, unknown>; file_ids?: string[] }): Promise<PostRecord> {
      const post = await requirePost(id)
      await channels.getReadable(session, post.channelId)
      if (post.userId !== session.userId && !session.isSystemAdmin) throw forbidden(`editing post ${id} of another user`)
      if (post.type.startsWith('system_')) throw invalidParam('id', 'system messages cannot be edited')
      const now = nowMillis()
      const data: Partial<PostRecord> = { updateAt: now }
      if (patch.message !== undefined) {
        checkMessage(patch.message)
        if (patch.message !== post.message) {
          data.message = patch.message
          data.editAt = now
          data.hashtags = parseHashtags(patch.message)
        }
      }
      if (patch.props !== undefined) {
        checkProps(patch.props)
        data.props = withActionIds(patch.props)
      }
      if (patch.is_pinned !== undefined) data.isPinned = patch.is_pinned
      if (patch.file_ids !== undefined) {
        if (patch.file_ids.length > 10 || patch.file_ids.some((f) => !isValidId(f))) throw invalidParam('file_ids', 'at most 10 file ids, each 26 characters')
        data.fileIds = patch.file_ids
      }
      const updated = await store.update(id, data)
      await publishPostChange('post_edited', 'post.edited', updated)
      return updated
    },

    /**
     * Replaces a post's message and props with an integration's answer to a click (Mattermost
     * UpdatePost without SafeUpdate): the caller has checked access and decided which props stay.
     * @throws AppError 404 for a deleted post, 400 for an over-long message or props.
     */
    async updateFromIntegration(id: string, update: { message: string; props: Record<string, unknown> }): Promise<PostRecord> {
      const post = await requirePost(id)
      checkMessage(update.message)
      checkProps(update.props)
      const now = nowMillis()
      const data: Partial<PostRecord> = { updateAt: now, props: withActionIds(update.props) }
      if (update.message !== post.message) {
        data.message = update.message
        data.editAt = now
        data.hashtags = parseHashtags(update.message)
      }
      const updated = await store.update(id, data)
      await publishPostChange('post_edited', 'post.edited', updated)
      return updated
    },

    /** Pins or unpins; any channel member may. */
    async setPinned(session: AuthSession, id: string, pinned: boolean): Promise<PostRecord> {
      const post = await requirePost(id)
      const channel = await channels.getReadable(session, post.channelId)
      await channels.requireMembership(session, channel)
      if (channel.deleteAt > 0) throw new AppError('api.post.update_post.can_not_update_post_in_deleted.error', 'Can not update a post in an archived channel.', 400)
      const updated = await store.update(id, { isPinned: pinned, updateAt: nowMillis() })
      await publishPostChange('post_edited', pinned ? 'post.pinned' : 'post.unpinned', updated)
      return updated
    },

    /**
     * Soft-deletes a post (a root takes its replies with it).
     * @throws AppError 403 for another user's post unless admin.
     */
    async delete(session: AuthSession, id: string): Promise<void> {
      const post = await requirePost(id)
      const channel = await channels.getReadable(session, post.channelId)
      if (post.userId !== session.userId && !session.isSystemAdmin) {
        const member = await channelStore.getMember(channel.id, session.userId)
        if (!member?.schemeAdmin) throw forbidden(`deleting post ${id} of another user`)
      }
      const now = nowMillis()
      await withTransaction(db, async (tx) => {
        await store.softDelete(tx, post, now)
        await files.softDeleteForPosts(tx, [post.id, ...(post.rootId === '' ? await store.replyIds(tx, post.id) : [])], now)
        if (post.rootId === '') {
          await store.markThreadDeleted(tx, post.id, now)
        } else {
          const thread = await store.getThread(post.rootId, tx)
          if (thread) {
            const last = await tx.post.findFirst({ where: { rootId: post.rootId, deleteAt: 0 }, orderBy: { createAt: 'desc' } })
            await store.upsertThread(tx, { ...thread, replyCount: Math.max(0, thread.replyCount - 1), lastReplyAt: last ? Number(last.createAt) : 0 })
          }
        }
      })
      await publishPostChange('post_deleted', 'post.deleted', { ...post, deleteAt: now, updateAt: now })
    },

    /** The thread of any post in it, as a PostList (root first in time). */
    async thread(session: AuthSession, id: string): Promise<Record<string, unknown>> {
      const post = await requirePost(id)
      await channels.getReadable(session, post.channelId)
      const rootId = post.rootId || post.id
      const posts = await store.threadPosts(rootId)
      const extras = await postsWithExtras(posts)
      return presentPostList({ order: [...posts].reverse(), threads: extras.threads, reactions: extras.reactions, files: extras.files, priorities: extras.priorities })
    },

    /** `GET /channels/{id}/posts` with page, since, before or after. */
    async channelPosts(
      session: AuthSession,
      channelId: string,
      q: { page: number; perPage: number; since?: number; before?: string; after?: string; collapsedThreads: boolean; skipFetchThreads: boolean; includeDeleted: boolean },
    ): Promise<Record<string, unknown>> {
      const channel = await channels.getReadable(session, channelId)
      const rootsOnly = q.collapsedThreads
      let order: PostRecord[]
      let prevPostId = ''
      let nextPostId = ''
      if (q.since !== undefined) {
        order = await store.channelSince(channel.id, q.since, rootsOnly)
      } else if (q.before || q.after) {
        const pivotId = (q.before ?? q.after)!
        const pivot = await store.getById(pivotId)
        if (!pivot || pivot.channelId !== channel.id) throw invalidParam(q.before ? 'before' : 'after', 'unknown post in this channel')
        const direction = q.before ? 'before' : 'after'
        const fetched = await store.channelAround(channel.id, pivot, direction, { offset: q.page * q.perPage, limit: q.perPage + 1, rootsOnly })
        const more = fetched.length > q.perPage
        const page = fetched.slice(0, q.perPage)
        if (direction === 'before') {
          order = page
          prevPostId = more ? fetched[q.perPage]!.id : ''
          nextPostId = pivot.id
        } else {
          order = [...page].reverse()
          nextPostId = more ? fetched[q.perPage]!.id : ''
          prevPostId = pivot.id
        }
      } else {
        const fetched = await store.channelPage(channel.id, { offset: q.page * q.perPage, limit: q.perPage + 1, rootsOnly, includeDeleted: q.includeDeleted && session.isSystemAdmin })
        order = fetched.slice(0, q.perPage)
        prevPostId = fetched.length > q.perPage ? fetched[q.perPage]!.id : ''
      }
      let extra: PostRecord[] = []
      if (!q.skipFetchThreads && !rootsOnly) {
        const inOrder = new Set(order.map((p) => p.id))
        const missingRoots = [...new Set(order.filter((p) => p.rootId && !inOrder.has(p.rootId)).map((p) => p.rootId))]
        extra = (await store.getByIds(missingRoots)).filter((p) => p.deleteAt === 0)
      }
      const extras = await postsWithExtras([...order, ...extra])
      return presentPostList({ order, extra, threads: extras.threads, reactions: extras.reactions, files: extras.files, priorities: extras.priorities, prevPostId, nextPostId, hasNext: nextPostId !== '' })
    },

    /** Posts around the user's last view of a channel (GET …/posts/unread). */
    async unreadPosts(session: AuthSession, userId: string, channelId: string, limitBefore: number, limitAfter: number, collapsedThreads: boolean): Promise<Record<string, unknown>> {
      if (userId !== session.userId && !session.isSystemAdmin) throw forbidden('unread posts of another user')
      const channel = await channels.getReadable(session, channelId)
      const member = await channelStore.getMember(channel.id, userId)
      if (!member) throw forbidden(`not a member of channel ${channelId}`)
      const lastViewed: PostRecord = { id: '', createAt: member.lastViewedAt } as PostRecord
      const after = await store.channelAround(channel.id, { ...lastViewed, id: 'zzzzzzzzzzzzzzzzzzzzzzzzzz' }, 'after', { offset: 0, limit: limitAfter + 1, rootsOnly: collapsedThreads })
      const before = await store.channelAround(channel.id, { ...lastViewed, id: 'zzzzzzzzzzzzzzzzzzzzzzzzzz' }, 'before', { offset: 0, limit: limitBefore + 1, rootsOnly: collapsedThreads })
      const newer = after.slice(0, limitAfter).reverse()
      const older = before.slice(0, limitBefore)
      const order = [...newer, ...older]
      const extras = await postsWithExtras(order)
      return presentPostList({
        order, threads: extras.threads, reactions: extras.reactions, files: extras.files, priorities: extras.priorities,
        nextPostId: after.length > limitAfter ? after[limitAfter]!.id : '',
        prevPostId: before.length > limitBefore ? before[limitBefore]!.id : '',
        hasNext: after.length > limitAfter,
      })
    },

    async pinned(session: AuthSession, channelId: string): Promise<Record<string, unknown>> {
      const channel = await channels.getReadable(session, channelId)
      const posts = await store.pinned(channel.id)
      const extras = await postsWithExtras(posts)
      return presentPostList({ order: posts, threads: extras.threads, reactions: extras.reactions, files: extras.files, priorities: extras.priorities })
    },

    postsWithExtras,
  }
}

export type PostService = ReturnType<typeof createPostService>
