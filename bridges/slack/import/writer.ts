/**
 * Every write of the Slack import, as raw multi-row SQL: rows are sent as one array per column
 * through `unnest` (or, for the big tables, as one JSON document through `jsonb_to_recordset`), so a
 * batch of thousands of posts is one statement with a fixed number of parameters, in one transaction. Ids are derived from Slack identity, so `ON CONFLICT DO NOTHING`
 * makes a re-run (or the rerun after a crash) add only what is missing.
 */
import { jsonParam, withSqlTransaction, type Database, type SqlClient } from '../../../core/db/index.ts'
import { DEFAULT_NOTIFY_PROPS, DEFAULT_TIMEZONE } from '../../../core/users/rules.ts'
import { DEFAULT_CHANNEL_NOTIFY_PROPS } from '../../../core/channels/store.ts'

export interface PostRow {
  id: string
  createAt: number
  editAt: number
  isPinned: boolean
  userId: string
  channelId: string
  rootId: string
  message: string
  type: string
  props: Record<string, unknown>
  hashtags: string
  fileIds: string[]
  hasReactions: boolean
}

export interface ReactionRow {
  postId: string
  userId: string
  emojiName: string
  channelId: string
  createAt: number
}

export interface FileRow {
  id: string
  userId: string
  postId: string
  channelId: string
  createAt: number
  path: string
  name: string
  extension: string
  size: number
  mimeType: string
}

export interface UserRow {
  id: string
  createAt: number
  deleteAt: number
  username: string
  email: string
  nickname: string
  firstName: string
  lastName: string
  position: string
  isBot: boolean
  props: Record<string, unknown>
  timezone: string
}

export interface ChannelRow {
  id: string
  createAt: number
  deleteAt: number
  teamId: string
  type: 'O' | 'P' | 'D' | 'G'
  name: string
  displayName: string
  header: string
  purpose: string
  creatorId: string
}

/** One statement in a batch's transaction; resolves to the rows it changed. */
const exec = (tx: SqlClient, text: string, values: unknown[] = []): Promise<number> => tx.$executeRawUnsafe(text, ...values)

/** Inserts posts, their reactions and files in one transaction. @returns how many posts were new. */
export async function writeBatch(db: Database, posts: PostRow[], reactions: ReactionRow[], files: FileRow[]): Promise<{ posts: number; reactions: number }> {
  if (posts.length === 0 && reactions.length === 0 && files.length === 0) return { posts: 0, reactions: 0 }
  return withSqlTransaction(db, async (client) => {
    const p = await insertPosts(client, posts)
    const r = await insertReactions(client, reactions)
    await insertFiles(client, files)
    return { posts: p, reactions: r }
  })
}

/** The multi-row post INSERT, also what the bench measures as the raw floor. */
export async function insertPosts(client: SqlClient, posts: PostRow[]): Promise<number> {
  if (posts.length === 0) return 0
  const result = await exec(client, 
    `INSERT INTO posts (id, create_at, update_at, edit_at, delete_at, is_pinned, user_id, channel_id, root_id, original_id, message, type, props, hashtags, file_ids, pending_post_id, has_reactions, remote_id)
     SELECT id, create_at, GREATEST(create_at, edit_at), edit_at, 0, is_pinned, user_id, channel_id, root_id, '', message, type, props, hashtags, file_ids, '', has_reactions, ''
     FROM jsonb_to_recordset($1::jsonb)
       AS t(id text, create_at bigint, edit_at bigint, is_pinned boolean, user_id text, channel_id text, root_id text, message text, type text, props jsonb, hashtags text, file_ids jsonb, has_reactions boolean)
     ON CONFLICT (id) DO NOTHING`,
    [recordsJson(posts, (p) => ({
      id: p.id, create_at: p.createAt, edit_at: p.editAt, is_pinned: p.isPinned, user_id: p.userId, channel_id: p.channelId, root_id: p.rootId,
      message: p.message, type: p.type, props: p.props, hashtags: p.hashtags, file_ids: p.fileIds, has_reactions: p.hasReactions,
    }))],
  )
  return result
}

/**
 * Rows as one JSON parameter for `jsonb_to_recordset`: JSON.stringify is native code, where pg's
 * text-array encoding escapes every element in JavaScript; on the embedded database that CPU
 * is taken from the database itself, which shares the thread. (`jsonParam`: a lone surrogate
 * becomes U+FFFD instead of failing the batch.)
 */
function recordsJson<T>(rows: T[], shape: (row: T) => Record<string, unknown>): string {
  return jsonParam(rows.map(shape))
}

async function insertReactions(client: SqlClient, reactions: ReactionRow[]): Promise<number> {
  if (reactions.length === 0) return 0
  const result = await exec(client, 
    `INSERT INTO reactions (post_id, user_id, emoji_name, channel_id, create_at)
     SELECT post_id, user_id, emoji_name, channel_id, create_at
     FROM jsonb_to_recordset($1::jsonb) AS t(post_id text, user_id text, emoji_name text, channel_id text, create_at bigint)
     ON CONFLICT DO NOTHING`,
    [recordsJson(reactions, (r) => ({ post_id: r.postId, user_id: r.userId, emoji_name: r.emojiName, channel_id: r.channelId, create_at: r.createAt }))],
  )
  return result
}

async function insertFiles(client: SqlClient, files: FileRow[]): Promise<void> {
  if (files.length === 0) return
  await exec(client, 
    `INSERT INTO file_infos (id, user_id, post_id, channel_id, create_at, update_at, delete_at, path, name, extension, size, mime_type)
     SELECT id, user_id, post_id, channel_id, create_at, create_at, 0, path, name, extension, size, mime_type
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[])
       AS t(id, user_id, post_id, channel_id, create_at, path, name, extension, size, mime_type)
     ON CONFLICT (id) DO NOTHING`,
    [files.map((f) => f.id), files.map((f) => f.userId), files.map((f) => f.postId), files.map((f) => f.channelId), files.map((f) => f.createAt),
      files.map((f) => f.path), files.map((f) => f.name), files.map((f) => f.extension), files.map((f) => f.size), files.map((f) => f.mimeType)],
  )
}

/** Users (and bot rows for bot users, owned by `ownerId`) that do not exist yet. @returns how many were new. */
export async function insertUsers(db: Database, users: UserRow[], ownerId: string, now: number): Promise<number> {
  if (users.length === 0) return 0
  return withSqlTransaction(db, async (client) => {
    const result = await exec(client, 
      `INSERT INTO users (id, create_at, update_at, delete_at, username, email, password_hash, nickname, first_name, last_name, position, roles, notify_props, props, timezone, is_bot)
       SELECT id, create_at, create_at, delete_at, username, email, '', nickname, first_name, last_name, position, 'system_user', $13::jsonb, props::jsonb,
              jsonb_build_object('automaticTimezone', tz, 'manualTimezone', '', 'useAutomaticTimezone', $14::text), is_bot
       FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[], $11::text[], $12::text[])
         AS t(id, create_at, delete_at, username, email, nickname, first_name, last_name, position, is_bot, props, tz)
       ON CONFLICT DO NOTHING`,
      [users.map((u) => u.id), users.map((u) => u.createAt), users.map((u) => u.deleteAt), users.map((u) => u.username), users.map((u) => u.email),
        users.map((u) => u.nickname), users.map((u) => u.firstName), users.map((u) => u.lastName), users.map((u) => u.position), users.map((u) => u.isBot),
        users.map((u) => jsonParam(u.props)), users.map((u) => u.timezone), jsonParam(DEFAULT_NOTIFY_PROPS), DEFAULT_TIMEZONE.useAutomaticTimezone],
    )
    const bots = users.filter((u) => u.isBot)
    if (bots.length) {
      await exec(client, 
        `INSERT INTO bots (user_id, owner_id, display_name, description, create_at, update_at, delete_at)
         SELECT id, $2, left(name, 64), 'Imported from Slack', $3::bigint, $3::bigint, del FROM unnest($1::text[], $4::text[], $5::bigint[]) AS t(id, name, del)
         ON CONFLICT (user_id) DO NOTHING`,
        [bots.map((b) => b.id), ownerId, now, bots.map((b) => b.nickname || b.username), bots.map((b) => b.deleteAt)],
      )
    }
    return result
  })
}

/** Team memberships for the imported users. */
export async function joinTeam(db: Database, teamId: string, userIds: string[], now: number): Promise<void> {
  if (userIds.length === 0) return
  await db.pool.query(
    `INSERT INTO team_members (team_id, user_id, scheme_admin, create_at, delete_at)
     SELECT $1, id, false, $3::bigint, 0 FROM unnest($2::text[]) AS t(id) ON CONFLICT DO NOTHING`,
    [teamId, userIds, now],
  )
}

/** Channels that do not exist yet. @returns how many were new. */
export async function insertChannels(db: Database, channels: ChannelRow[]): Promise<number> {
  if (channels.length === 0) return 0
  const result = await db.pool.query(
    `INSERT INTO channels (id, create_at, update_at, delete_at, team_id, type, name, display_name, header, purpose, creator_id)
     SELECT id, create_at, create_at, delete_at, team_id, type, name, display_name, header, purpose, creator_id
     FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
       AS t(id, create_at, delete_at, team_id, type, name, display_name, header, purpose, creator_id)
     ON CONFLICT DO NOTHING`,
    [channels.map((c) => c.id), channels.map((c) => c.createAt), channels.map((c) => c.deleteAt), channels.map((c) => c.teamId), channels.map((c) => c.type),
      channels.map((c) => c.name), channels.map((c) => c.displayName), channels.map((c) => c.header), channels.map((c) => c.purpose), channels.map((c) => c.creatorId)],
  )
  return result.rowCount ?? 0
}

/** Channel memberships; the read position is set by `finishChannel`. */
export async function insertMembers(db: Database, channelId: string, userIds: string[], now: number): Promise<void> {
  if (userIds.length === 0) return
  await db.pool.query(
    `INSERT INTO channel_members (channel_id, user_id, scheme_admin, last_viewed_at, msg_count, msg_count_root, notify_props, last_update_at)
     SELECT $1, id, false, 0, 0, 0, $3::jsonb, $4::bigint FROM unnest($2::text[]) AS t(id) ON CONFLICT DO NOTHING`,
    [channelId, userIds, jsonParam(DEFAULT_CHANNEL_NOTIFY_PROPS), now],
  )
}

/**
 * Recomputes what posting would have maintained one post at a time, from the posts themselves, so
 * the result is the same after one run, a rerun, or a run resumed after a crash: channel totals and
 * last post times, thread reply counts, last reply and participants (in order of first reply),
 * thread followers, and the imported members' read positions (imported history is not unread).
 */
export async function finishChannel(
  db: Database,
  input: { channelId: string; teamId: string; memberIds: string[]; archivedAt: number; checkpoint: { source: string; unit: string; digest: string } },
): Promise<void> {
  const { channelId, teamId, memberIds } = input
  await withSqlTransaction(db, async (client) => {
    // An archived channel was archived when its last channel_archive message says (§4.2).
    if (input.archivedAt > 0) await exec(client, 'UPDATE channels SET delete_at = $2::bigint WHERE id = $1 AND delete_at > 0', [channelId, input.archivedAt])
    await exec(client, 
      `UPDATE channels c SET total_msg_count = s.total, total_msg_count_root = s.roots,
         last_post_at = GREATEST(c.last_post_at, s.last_at), last_root_post_at = GREATEST(c.last_root_post_at, s.last_root_at)
       FROM (SELECT count(*)::int AS total, count(*) FILTER (WHERE root_id = '')::int AS roots,
                    COALESCE(max(create_at), 0) AS last_at, COALESCE(max(create_at) FILTER (WHERE root_id = ''), 0) AS last_root_at
             FROM posts WHERE channel_id = $1 AND delete_at = 0) s
       WHERE c.id = $1`,
      [channelId],
    )
    await exec(client, 
      `WITH firsts AS (
         SELECT root_id, user_id, min(create_at) AS first_at, count(*) AS n, max(create_at) AS last_at
         FROM posts WHERE channel_id = $1 AND root_id <> '' AND delete_at = 0 GROUP BY root_id, user_id
       ), agg AS (
         SELECT root_id, sum(n)::int AS replies, max(last_at) AS last_at, jsonb_agg(user_id ORDER BY first_at, user_id) AS participants
         FROM firsts GROUP BY root_id
       )
       INSERT INTO threads (post_id, channel_id, team_id, reply_count, last_reply_at, participants, thread_delete_at)
       SELECT root_id, $1, $2, replies, last_at, participants, 0 FROM agg
       ON CONFLICT (post_id) DO UPDATE SET reply_count = EXCLUDED.reply_count, last_reply_at = EXCLUDED.last_reply_at, participants = EXCLUDED.participants`,
      [channelId, teamId],
    )
    // Followers as posting makes them: the root's author and everyone who replied, caught up.
    await exec(client, 
      `INSERT INTO thread_memberships (post_id, user_id, following, last_viewed, last_updated, unread_mentions)
       SELECT t.post_id, u.user_id, true, t.last_reply_at, t.last_reply_at, 0
       FROM threads t
       CROSS JOIN LATERAL (SELECT jsonb_array_elements_text(t.participants) AS user_id
                           UNION SELECT p.user_id FROM posts p WHERE p.id = t.post_id) u
       WHERE t.channel_id = $1
       ON CONFLICT (post_id, user_id) DO UPDATE SET last_updated = GREATEST(thread_memberships.last_updated, EXCLUDED.last_updated)`,
      [channelId],
    )
    await exec(client, 
      `UPDATE channel_members m SET msg_count = c.total_msg_count, msg_count_root = c.total_msg_count_root,
         last_viewed_at = GREATEST(m.last_viewed_at, c.last_post_at), last_update_at = GREATEST(m.last_update_at, c.last_post_at)
       FROM channels c WHERE c.id = $1 AND m.channel_id = $1 AND m.user_id = ANY($2::text[])`,
      [channelId, memberIds],
    )
    // Written with the derived state: a channel is skipped on a rerun only once all of it is in.
    const { source, unit, digest } = input.checkpoint
    await exec(client, 
      `INSERT INTO import_checkpoints (source, unit, digest, done_at) VALUES ($1, $2, $3, $4::bigint)
       ON CONFLICT (source, unit) DO UPDATE SET digest = EXCLUDED.digest, done_at = EXCLUDED.done_at`,
      [source, unit, digest, Date.now()],
    )
  })
}

/** The digest recorded when the unit was last completely imported, or null. */
export async function checkpointDigest(db: Database, source: string, unit: string): Promise<string | null> {
  const result = await db.pool.query<{ digest: string }>('SELECT digest FROM import_checkpoints WHERE source = $1 AND unit = $2', [source, unit])
  return result.rows[0]?.digest ?? null
}

/** Ids among `ids` that already exist in `table` (posts or file_infos). */
export async function existingIds(db: Database, table: 'posts' | 'file_infos' | 'users' | 'channels', ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const result = await db.pool.query<{ id: string }>(`SELECT id FROM ${table} WHERE id = ANY($1::text[])`, [ids])
  return new Set(result.rows.map((r) => r.id))
}
