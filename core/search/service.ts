/**
 * Post and file search (POST /teams/{id}/posts/search, /posts/search, /teams/{id}/files/search,
 * /files/search): parse the terms, resolve names, run the store, present a PostList with matches or
 * a FileInfoList.
 */
import { forbidden } from '../errors.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { TeamStore } from '../teams/store.ts'
import type { UserStore } from '../users/store.ts'
import type { PostService } from '../posts/service.ts'
import type { PostStore } from '../posts/store.ts'
import type { FileStore } from '../files/store.ts'
import { directChannelName, groupChannelName } from '../channels/rules.ts'
import { presentPostList } from '../present/post.ts'
import { presentFileInfo } from '../present/file-info.ts'
import { isEmptySearch, parseSearchTerms, searchDateRange, type ParsedSearch, type SearchText } from './parse-terms.ts'
import type { SearchStore } from './store.ts'
import type { FileSearchStore } from './file-store.ts'
import { matchedWords } from './highlight.ts'

export interface SearchServiceOptions {
  store: SearchStore
  fileStore: FileSearchStore
  posts: PostService
  postStore: PostStore
  files: FileStore
  teams: TeamStore
  users: UserStore
}

export interface SearchRequest {
  terms: string
  isOrSearch: boolean
  /** Seconds east of UTC, for the day bounds of before:/after:/on:. */
  timeZoneOffset: number
  includeDeletedChannels: boolean
  page: number
  perPage: number
}


/** File search looks for `#tag` as the word `tag` (files have no hashtags). */
const tagAsWord = (tag: string): SearchText => ({ text: tag.slice(1), prefix: false, phrase: false })
/** File search matches every word as a prefix: Mattermost's SearchFiles adds `:*` to each term, not to excluded ones. */
const asPrefix = (t: SearchText): SearchText => (t.phrase ? t : { ...t, prefix: true })

const displayText = (t: SearchText) => (t.phrase ? `"${t.text}"` : t.prefix ? `${t.text}*` : t.text)

export function createSearchService(options: SearchServiceOptions) {
  const { store, fileStore, posts, postStore, files, teams, users } = options

  /** @throws AppError 403 when the caller is not a member of the team. */
  async function checkTeam(session: AuthSession, teamId: string | undefined): Promise<void> {
    if (teamId === undefined || session.isSystemAdmin) return
    const member = await teams.getMember(teamId, session.userId)
    if (!member || member.deleteAt > 0) throw forbidden(`searching team ${teamId} without being a member`)
  }

  /** `in:` values as channel names: `@alice` is the DM with alice, `@alice,bob` the GM with both. */
  async function channelNames(userId: string, values: string[]): Promise<string[]> {
    const names: string[] = []
    for (const value of values) {
      if (!value.startsWith('@')) {
        names.push(value)
        continue
      }
      const usernames = [...new Set(value.slice(1).split(',').map((u) => u.replace(/^@/, '').trim()).filter(Boolean))]
      const found = await users.getByUsernames(usernames)
      // An unknown user names no channel; keep a name that matches nothing rather than dropping the filter.
      if (found.length !== usernames.length || found.length === 0) {
        names.push('')
        continue
      }
      const others = found.map((u) => u.id).filter((id) => id !== userId)
      if (others.length <= 1) names.push(directChannelName(userId, others[0] ?? userId))
      else names.push(groupChannelName([userId, ...others]))
    }
    return names
  }

  /** The filters post and file search share, with channel names resolved. */
  async function commonFilters(session: AuthSession, teamId: string | undefined, parsed: ParsedSearch, request: SearchRequest) {
    return {
      userId: session.userId,
      teamId,
      includeDeletedChannels: request.includeDeletedChannels,
      orTerms: request.isOrSearch,
      fromUsers: parsed.fromUsers,
      excludedUsers: parsed.excludedUsers,
      inChannels: await channelNames(session.userId, parsed.inChannels),
      excludedChannels: await channelNames(session.userId, parsed.excludedChannels),
    }
  }

  return {
    /**
     * Searches the posts of channels the caller belongs to, in one team (plus DMs/GMs) or all.
     * `ext:` is ignored, as in Mattermost's database post search.
     * @throws AppError 403 when the caller is not a member of the team.
     */
    async searchPosts(session: AuthSession, teamId: string | undefined, request: SearchRequest): Promise<Record<string, unknown>> {
      await checkTeam(session, teamId)
      const parsed = parseSearchTerms(request.terms)
      const dates = searchDateRange(parsed, request.timeZoneOffset)
      if (isEmptySearch(parsed) || dates.matchesNothing) {
        return { ...presentPostList({ order: [], threads: new Map(), reactions: new Map() }), matches: {} }
      }

      const base = {
        ...(await commonFilters(session, teamId, parsed, request)),
        terms: parsed.terms,
        hashtags: parsed.hashtags,
        excludedTerms: parsed.excludedTerms,
        excludedHashtags: parsed.excludedHashtags,
      }
      const hits = await store.searchPosts({
        ...base,
        createdAfter: dates.createdAfter,
        createdBefore: dates.createdBefore,
        excludedDay: dates.excludedDay,
        offset: request.page * request.perPage,
        limit: request.perPage,
      })

      const labels = [...parsed.terms.map(displayText), ...parsed.hashtags]
      const byId = new Map((await postStore.getByIds(hits.map((h) => h.id))).map((p) => [p.id, p]))
      const order = hits.map((h) => byId.get(h.id)).filter((p) => p !== undefined)
      const extras = await posts.postsWithExtras(order)
      const matches: Record<string, string[]> = {}
      for (const hit of hits) {
        const post = byId.get(hit.id)
        const words = post ? matchedWords(post.message, parsed.terms, parsed.hashtags) : []
        // A match the 'simple' parser found in a token the word split misses (a URL, an e-mail): highlight the term itself.
        const matched = words.length > 0 ? words : labels.filter((_, i) => hit.hits[i])
        if (matched.length > 0) matches[hit.id] = matched
      }
      return { ...presentPostList({ order, threads: extras.threads, reactions: extras.reactions, files: extras.files, priorities: extras.priorities }), matches }
    },

    /**
     * Searches files attached to live posts of channels the caller belongs to by name and
     * extracted content, with `ext:` and the post filters. Words match as prefixes, as in
     * Mattermost's file search; `#tag` is searched as the word `tag`.
     * @throws AppError 403 when the caller is not a member of the team.
     */
    async searchFiles(session: AuthSession, teamId: string | undefined, request: SearchRequest): Promise<Record<string, unknown>> {
      await checkTeam(session, teamId)
      const parsed = parseSearchTerms(request.terms)
      const dates = searchDateRange(parsed, request.timeZoneOffset)
      const empty = isEmptySearch(parsed) && parsed.extensions.length === 0 && parsed.excludedExtensions.length === 0
      let ids: string[] = []
      if (!empty && !dates.matchesNothing) {
        ids = await fileStore.searchFiles({
          ...(await commonFilters(session, teamId, parsed, request)),
          terms: [...parsed.terms, ...parsed.hashtags.map(tagAsWord)].map(asPrefix),
          excludedTerms: [...parsed.excludedTerms, ...parsed.excludedHashtags.map(tagAsWord)],
          extensions: parsed.extensions,
          excludedExtensions: parsed.excludedExtensions,
          createdAfter: dates.createdAfter,
          createdBefore: dates.createdBefore,
          excludedDay: dates.excludedDay,
          offset: request.page * request.perPage,
          limit: request.perPage,
        })
      }
      const byId = new Map((await files.getByIds(ids)).map((f) => [f.id, f]))
      const order = ids.filter((id) => byId.has(id))
      return {
        order,
        file_infos: Object.fromEntries(order.map((id) => [id, presentFileInfo(byId.get(id)!)])),
        next_file_info_id: '',
        prev_file_info_id: '',
        first_inaccessible_file_time: 0,
      }
    },
  }
}

export type SearchService = ReturnType<typeof createSearchService>
