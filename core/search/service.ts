/** Post search (POST /teams/{id}/posts/search, /posts/search): parse the terms, resolve names, run the store, present a PostList with matches. */
import { forbidden } from '../errors.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { TeamStore } from '../teams/store.ts'
import type { UserStore } from '../users/store.ts'
import type { PostService } from '../posts/service.ts'
import type { PostStore } from '../posts/store.ts'
import { directChannelName, groupChannelName } from '../channels/rules.ts'
import { presentPostList } from '../present/post.ts'
import { dayBounds, isEmptySearch, parseSearchTerms, type SearchText } from './parse-terms.ts'
import type { SearchStore } from './store.ts'

export interface SearchServiceOptions {
  store: SearchStore
  posts: PostService
  postStore: PostStore
  teams: TeamStore
  users: UserStore
}

export interface PostSearchRequest {
  terms: string
  isOrSearch: boolean
  /** Seconds east of UTC, for the day bounds of before:/after:/on:. */
  timeZoneOffset: number
  includeDeletedChannels: boolean
  page: number
  perPage: number
}

const displayText = (t: SearchText) => (t.phrase ? `"${t.text}"` : t.prefix ? `${t.text}*` : t.text)

export function createSearchService(options: SearchServiceOptions) {
  const { store, posts, postStore, teams, users } = options

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

  return {
    /**
     * Searches the posts of channels the caller belongs to, in one team (plus DMs/GMs) or all.
     * @throws AppError 403 when the caller is not a member of the team.
     */
    async searchPosts(session: AuthSession, teamId: string | undefined, request: PostSearchRequest): Promise<Record<string, unknown>> {
      if (teamId !== undefined && !session.isSystemAdmin) {
        const member = await teams.getMember(teamId, session.userId)
        if (!member || member.deleteAt > 0) throw forbidden(`searching team ${teamId} without being a member`)
      }
      const parsed = parseSearchTerms(request.terms)
      const empty = presentPostList({ order: [], threads: new Map(), reactions: new Map() })
      // Posts carry no files yet, so a search for file extensions finds nothing.
      if (isEmptySearch(parsed) || parsed.extensions.length > 0) return { ...empty, matches: {} }

      let createdAfter: number | undefined
      let createdBefore: number | undefined
      const onDay = parsed.on === undefined ? null : dayBounds(parsed.on, request.timeZoneOffset)
      if (onDay) [createdAfter, createdBefore] = [onDay[0] - 1, onDay[1] + 1]
      const afterDay = parsed.after === undefined ? null : dayBounds(parsed.after, request.timeZoneOffset)
      if (afterDay) createdAfter = Math.max(createdAfter ?? -Infinity, afterDay[1])
      const beforeDay = parsed.before === undefined ? null : dayBounds(parsed.before, request.timeZoneOffset)
      if (beforeDay) createdBefore = Math.min(createdBefore ?? Infinity, beforeDay[0])

      const hits = await store.searchPosts({
        userId: session.userId,
        teamId,
        includeDeletedChannels: request.includeDeletedChannels,
        terms: parsed.terms,
        hashtags: parsed.hashtags,
        orTerms: request.isOrSearch,
        excludedTerms: parsed.excludedTerms,
        excludedHashtags: parsed.excludedHashtags,
        fromUsers: parsed.fromUsers,
        excludedUsers: parsed.excludedUsers,
        inChannels: await channelNames(session.userId, parsed.inChannels),
        excludedChannels: await channelNames(session.userId, parsed.excludedChannels),
        createdAfter,
        createdBefore,
        offset: request.page * request.perPage,
        limit: request.perPage,
      })
      const labels = [...parsed.terms.map(displayText), ...parsed.hashtags]
      const byId = new Map((await postStore.getByIds(hits.map((h) => h.id))).map((p) => [p.id, p]))
      const order = hits.map((h) => byId.get(h.id)).filter((p) => p !== undefined)
      const extras = await posts.postsWithExtras(order)
      const matches: Record<string, string[]> = {}
      for (const hit of hits) {
        const matched = labels.filter((_, i) => hit.hits[i])
        if (matched.length > 0) matches[hit.id] = matched
      }
      return { ...presentPostList({ order, threads: extras.threads, reactions: extras.reactions, files: extras.files }), matches }
    },
  }
}

export type SearchService = ReturnType<typeof createSearchService>
