/**
 * The post search SQL, in two statements. The first resolves who and where: the ids of the searcher's
 * channels (after the team, archived, `in:` and `-in:` filters) and of the `from:` users. The second
 * searches posts with those ids bound as values, so the planner sees the real channels and authors:
 * with the posts.create_at index it walks newest-first when a term is common (a few hundred rows for
 * a page) and uses the GIN index on message_tsv when a term is rare. With joins in their place it
 * could not tell the two apart, and a common term cost a second at a million posts.
 */
import { query, type Database } from '../db/index.ts'
import type { ParsedSearch } from './parse-terms.ts'
import { termQuery } from './tsquery.ts'

/** The parsed words, tags and authors as they are; channel names and dates resolved by the service. */
export interface PostSearchQuery extends Pick<ParsedSearch, 'terms' | 'hashtags' | 'excludedTerms' | 'excludedHashtags' | 'fromUsers' | 'excludedUsers'> {
  userId: string
  /** Only channels of this team (plus DMs/GMs); undefined = every channel of the user. */
  teamId?: string
  includeDeletedChannels: boolean
  /** OR instead of AND between terms and hashtags. */
  orTerms: boolean
  /** Channel names (DM/GM names already resolved). */
  inChannels: string[]
  excludedChannels: string[]
  /** Exclusive bounds on create_at, in milliseconds. */
  createdAfter?: number
  createdBefore?: number
  /** Inclusive [start, end] on create_at to leave out (`-on:`). */
  excludedDay?: [number, number]
  offset: number
  limit: number
}

/** The ids the first statement resolves. */
export interface PostSearchScope {
  channelIds: string[]
  fromUserIds: string[]
  excludedUserIds: string[]
}

export interface PostSearchHit {
  id: string
  /** Per term then per hashtag of the query: whether this post matched it. */
  hits: boolean[]
}

interface Sql {
  text: string
  params: unknown[]
}

function binder(): { params: unknown[]; bind: (value: unknown) => string } {
  const params: unknown[] = []
  return {
    params,
    bind: (value) => {
      params.push(value)
      return `$${params.length}`
    },
  }
}

/** Statement 1: the searcher's channels and the named users, as id arrays. */
export function postSearchScopeSql(q: PostSearchQuery): Sql {
  const { params, bind } = binder()
  const channelWhere = [`cm.user_id = ${bind(q.userId)}`]
  if (q.teamId !== undefined) channelWhere.push(`(c.team_id = ${bind(q.teamId)} OR c.team_id = '')`)
  if (!q.includeDeletedChannels) channelWhere.push('c.delete_at = 0')
  if (q.inChannels.length > 0) channelWhere.push(`c.name = ANY(${bind(q.inChannels)}::text[])`)
  if (q.excludedChannels.length > 0) channelWhere.push(`NOT (c.name = ANY(${bind(q.excludedChannels)}::text[]))`)
  const userIds = (names: string[]) => (names.length > 0 ? `ARRAY(SELECT id FROM users WHERE username = ANY(${bind(names)}::text[]))` : `'{}'::text[]`)
  return {
    text: `SELECT ARRAY(SELECT c.id FROM channel_members cm JOIN channels c ON c.id = cm.channel_id WHERE ${channelWhere.join(' AND ')}) AS channel_ids,
                  ${userIds(q.fromUsers)} AS from_user_ids,
                  ${userIds(q.excludedUsers)} AS excluded_user_ids`,
    params,
  }
}

/** Statement 2, or null when the scope leaves nothing to search (no channel, or no `from:` user exists). */
export function postSearchSql(q: PostSearchQuery, scope: PostSearchScope): Sql | null {
  if (scope.channelIds.length === 0) return null
  if (q.fromUsers.length > 0 && scope.fromUserIds.length === 0) return null
  const { params, bind } = binder()
  const hashtagMatch = (tag: string) => `${bind(tag)} = ANY(string_to_array(lower(p.hashtags), ' '))`

  // One channel (`in:`) as an equality, so posts(channel_id, create_at) serves it in order.
  const where: string[] = [
    scope.channelIds.length === 1 ? `p.channel_id = ${bind(scope.channelIds[0])}` : `p.channel_id = ANY(${bind(scope.channelIds)}::text[])`,
    'p.delete_at = 0',
    `p.type NOT LIKE 'system\\_%'`,
  ]
  const matchers = [...q.terms.map((t) => `p.message_tsv @@ ${termQuery(t, bind)}`), ...q.hashtags.map(hashtagMatch)]
  if (matchers.length > 0) where.push(`(${matchers.join(q.orTerms ? ' OR ' : ' AND ')})`)
  for (const term of q.excludedTerms) where.push(`NOT (p.message_tsv @@ ${termQuery(term, bind)})`)
  for (const tag of q.excludedHashtags) where.push(`NOT (${hashtagMatch(tag)})`)
  if (q.fromUsers.length > 0) where.push(`p.user_id = ANY(${bind(scope.fromUserIds)}::text[])`)
  if (scope.excludedUserIds.length > 0) where.push(`NOT (p.user_id = ANY(${bind(scope.excludedUserIds)}::text[]))`)
  if (q.createdAfter !== undefined) where.push(`p.create_at > ${bind(q.createdAfter)}::bigint`)
  if (q.createdBefore !== undefined) where.push(`p.create_at < ${bind(q.createdBefore)}::bigint`)
  if (q.excludedDay) where.push(`p.create_at NOT BETWEEN ${bind(q.excludedDay[0])}::bigint AND ${bind(q.excludedDay[1])}::bigint`)

  // Reuses the WHERE's parameters: each matcher is evaluated again for the hits column.
  const hitColumns = matchers.length > 0 ? `ARRAY[${matchers.join(', ')}]` : `ARRAY[]::boolean[]`
  return {
    text: `SELECT p.id, ${hitColumns} AS hits
           FROM posts p
           WHERE ${where.join('\n             AND ')}
           ORDER BY p.create_at DESC, p.id DESC
           LIMIT ${bind(q.limit)} OFFSET ${bind(q.offset)}`,
    params,
  }
}

export function createSearchStore(db: Database) {
  return {
    /** Matching root posts and replies, newest first, with which terms each matched. */
    async searchPosts(q: PostSearchQuery): Promise<PostSearchHit[]> {
      const scopeSql = postSearchScopeSql(q)
      const [row] = await query<{ channel_ids: string[]; from_user_ids: string[]; excluded_user_ids: string[] }>(db, scopeSql.text, scopeSql.params)
      const sql = postSearchSql(q, { channelIds: row!.channel_ids, fromUserIds: row!.from_user_ids, excludedUserIds: row!.excluded_user_ids })
      if (!sql) return []
      return query<{ id: string; hits: boolean[] }>(db, sql.text, sql.params)
    },
  }
}

export type SearchStore = ReturnType<typeof createSearchStore>
