/** The post search SQL: full-text match on posts.message_tsv (GIN), hashtags, and the filters, limited to the searcher's channels. */
import { query, type Database } from '../db/index.ts'
import type { ParsedSearch, SearchText } from './parse-terms.ts'

/** The parsed words, tags and authors as they are; channels and dates resolved by the service. */
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
  offset: number
  limit: number
}

export interface PostSearchHit {
  id: string
  /** Per term then per hashtag of the query: whether this post matched it. */
  hits: boolean[]
}

/**
 * Lexemes of a prefix term, quoted for to_tsquery with the last one marked `:*`. Only letters and
 * digits survive, so no tsquery operator (`& | ! : ( ) '`) from user input ever reaches the parser.
 */
function prefixQueryText(text: string): string | null {
  const pieces = text.match(/[\p{L}\p{N}]+/gu)
  if (!pieces) return null
  return pieces.map((p, i) => `'${p}'${i === pieces.length - 1 ? ':*' : ''}`).join(' <-> ')
}

export function createSearchStore(db: Database) {
  return {
    /** Matching root posts and replies, newest first, with which terms each matched. */
    async searchPosts(q: PostSearchQuery): Promise<PostSearchHit[]> {
      const params: unknown[] = []
      const param = (value: unknown) => {
        params.push(value)
        return `$${params.length}`
      }
      // A term is a tsquery built by PostgreSQL from a bound parameter: plainto/phraseto_tsquery
      // accept any text, and prefix terms are reduced to quoted letters and digits first.
      const tsquery = (term: SearchText): string => {
        if (term.phrase) return `phraseto_tsquery('simple', ${param(term.text)})`
        if (!term.prefix) return `plainto_tsquery('simple', ${param(term.text)})`
        const text = prefixQueryText(term.text)
        return text === null ? `''::tsquery` : `to_tsquery('simple', ${param(text)})`
      }
      const hashtagMatch = (tag: string) => `${param(tag)} = ANY(string_to_array(lower(p.hashtags), ' '))`

      const where: string[] = [
        `cm.user_id = ${param(q.userId)}`,
        'p.delete_at = 0',
        `p.type NOT LIKE 'system\\_%'`,
      ]
      if (q.teamId !== undefined) where.push(`(c.team_id = ${param(q.teamId)} OR c.team_id = '')`)
      if (!q.includeDeletedChannels) where.push('c.delete_at = 0')

      const matchers = [...q.terms.map((t) => `p.message_tsv @@ ${tsquery(t)}`), ...q.hashtags.map(hashtagMatch)]
      if (matchers.length > 0) where.push(`(${matchers.join(q.orTerms ? ' OR ' : ' AND ')})`)
      for (const term of q.excludedTerms) where.push(`NOT (p.message_tsv @@ ${tsquery(term)})`)
      for (const tag of q.excludedHashtags) where.push(`NOT (${hashtagMatch(tag)})`)
      if (q.fromUsers.length > 0) where.push(`p.user_id IN (SELECT id FROM users WHERE username = ANY(${param(q.fromUsers)}::text[]))`)
      if (q.excludedUsers.length > 0) where.push(`p.user_id NOT IN (SELECT id FROM users WHERE username = ANY(${param(q.excludedUsers)}::text[]))`)
      if (q.inChannels.length > 0) where.push(`c.name = ANY(${param(q.inChannels)}::text[])`)
      if (q.excludedChannels.length > 0) where.push(`NOT (c.name = ANY(${param(q.excludedChannels)}::text[]))`)
      if (q.createdAfter !== undefined) where.push(`p.create_at > ${param(q.createdAfter)}::bigint`)
      if (q.createdBefore !== undefined) where.push(`p.create_at < ${param(q.createdBefore)}::bigint`)

      // Reuses the WHERE's parameters: each matcher's text is bound again for the hits column.
      const hitColumns = matchers.length > 0 ? `ARRAY[${matchers.join(', ')}]` : `ARRAY[]::boolean[]`
      const rows = await query<{ id: string; hits: boolean[] }>(
        db,
        `SELECT p.id, ${hitColumns} AS hits
         FROM posts p
         JOIN channels c ON c.id = p.channel_id
         JOIN channel_members cm ON cm.channel_id = p.channel_id
         WHERE ${where.join('\n           AND ')}
         ORDER BY p.create_at DESC, p.id DESC
         LIMIT ${param(q.limit)} OFFSET ${param(q.offset)}`,
        params,
      )
      return rows.map((r) => ({ id: r.id, hits: r.hits }))
    },
  }
}

export type SearchStore = ReturnType<typeof createSearchStore>
