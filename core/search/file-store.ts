/**
 * The file search SQL: full-text match on file_infos.search_tsv (name, name split on punctuation,
 * extracted content; GIN), extensions and the post search filters, over files attached to live
 * posts in channels the searcher belongs to.
 */
import { query, type Database } from '../db/index.ts'
import type { ParsedSearch } from './parse-terms.ts'
import { termQuery } from './tsquery.ts'
import type { PostSearchQuery } from './store.ts'

/** A post search's scope and filters (hashtags aside: files have none), plus extensions. */
export interface FileSearchQuery extends Omit<PostSearchQuery, 'hashtags' | 'excludedHashtags'>, Pick<ParsedSearch, 'extensions' | 'excludedExtensions'> {}

export function createFileSearchStore(db: Database) {
  return {
    /** Ids of the matching files, newest first. */
    async searchFiles(q: FileSearchQuery): Promise<string[]> {
      const params: unknown[] = []
      const bind = (value: unknown) => {
        params.push(value)
        return `$${params.length}`
      }
      const where: string[] = ['fi.delete_at = 0']
      if (q.teamId !== undefined) where.push(`(c.team_id = ${bind(q.teamId)} OR c.team_id = '')`)
      if (!q.includeDeletedChannels) where.push('c.delete_at = 0')
      const matchers = q.terms.map((t) => `fi.search_tsv @@ ${termQuery(t, bind)}`)
      if (matchers.length > 0) where.push(`(${matchers.join(q.orTerms ? ' OR ' : ' AND ')})`)
      for (const term of q.excludedTerms) where.push(`NOT (fi.search_tsv @@ ${termQuery(term, bind)})`)
      if (q.extensions.length > 0) where.push(`fi.extension = ANY(${bind(q.extensions)}::text[])`)
      if (q.excludedExtensions.length > 0) where.push(`NOT (fi.extension = ANY(${bind(q.excludedExtensions)}::text[]))`)
      if (q.fromUsers.length > 0) where.push(`fi.user_id IN (SELECT id FROM users WHERE username = ANY(${bind(q.fromUsers)}::text[]))`)
      if (q.excludedUsers.length > 0) where.push(`fi.user_id NOT IN (SELECT id FROM users WHERE username = ANY(${bind(q.excludedUsers)}::text[]))`)
      if (q.inChannels.length > 0) where.push(`c.name = ANY(${bind(q.inChannels)}::text[])`)
      if (q.excludedChannels.length > 0) where.push(`NOT (c.name = ANY(${bind(q.excludedChannels)}::text[]))`)
      if (q.createdAfter !== undefined) where.push(`fi.create_at > ${bind(q.createdAfter)}::bigint`)
      if (q.createdBefore !== undefined) where.push(`fi.create_at < ${bind(q.createdBefore)}::bigint`)
      if (q.excludedDay) where.push(`fi.create_at NOT BETWEEN ${bind(q.excludedDay[0])}::bigint AND ${bind(q.excludedDay[1])}::bigint`)

      // The post join keeps out uploads never attached and files of deleted posts.
      const rows = await query<{ id: string }>(
        db,
        `SELECT fi.id
         FROM file_infos fi
         JOIN posts p ON p.id = fi.post_id AND p.delete_at = 0
         JOIN channels c ON c.id = fi.channel_id
         JOIN channel_members cm ON cm.channel_id = fi.channel_id AND cm.user_id = ${bind(q.userId)}
         WHERE ${where.join('\n           AND ')}
         ORDER BY fi.create_at DESC, fi.id DESC
         LIMIT ${bind(q.limit)} OFFSET ${bind(q.offset)}`,
        params,
      )
      return rows.map((r) => r.id)
    },
  }
}

export type FileSearchStore = ReturnType<typeof createFileSearchStore>
