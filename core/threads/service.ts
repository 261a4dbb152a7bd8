/**
 * Collapsed reply threads as one user follows them (Mattermost app/user.go thread functions and
 * store/sqlstore/thread_store.go): listing with totals, one thread, follow/unfollow and read state.
 * Threads and memberships are written by the posts service when replies arrive; this reads them.
 */
import { AppError, forbidden, invalidUrlParam, notFound } from '../errors.ts'
import { nowMillis } from '../clock.ts'
import type { Database } from '../db/index.ts'
import { withTransaction } from '../db/index.ts'
import type { EventBus } from '../realtime/events.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { ChannelService } from '../channels/service.ts'
import type { ChannelRecord, ChannelStore } from '../channels/store.ts'
import type { PostService } from '../posts/service.ts'
import { parseMentions } from '../posts/mentions.ts'
import type { PostRecord, PostStore, ThreadMembershipRecord, ThreadRecord } from '../posts/store.ts'
import { presentPost } from '../present/post.ts'
import { presentThread } from '../present/thread.ts'
import { presentUser } from '../present/user.ts'
import type { UserRecord, UserStore } from '../users/store.ts'

export interface ThreadServiceOptions {
  db: Database
  postStore: PostStore
  posts: PostService
  channels: ChannelService
  channelStore: ChannelStore
  users: UserStore
  bus: EventBus
}

export interface ThreadListQuery {
  /** Thread (root post) ids; mutually exclusive. */
  before?: string
  after?: string
  perPage: number
  /** Only threads updated or replied to since (ms). */
  since: number
  deleted: boolean
  unread: boolean
  extended: boolean
  totalsOnly: boolean
  threadsOnly: boolean
}

interface FollowedThread {
  thread: ThreadRecord
  membership: ThreadMembershipRecord
  channel: ChannelRecord
}

function requireSelfOrAdmin(session: AuthSession, userId: string): void {
  if (userId !== session.userId && !session.isSystemAdmin) throw forbidden(`threads of user ${userId}`)
}

function membershipNotFound(threadId: string): AppError {
  return new AppError('app.user.get_thread_membership_for_user.not_found', 'Unable to find the thread membership.', 404, { context: { threadId } })
}

function threadNotFound(threadId: string): AppError {
  return new AppError('app.user.get_threads_for_user.not_found', 'Thread not found or not followed.', 404, { context: { threadId } })
}

const isUnread = (f: { thread: ThreadRecord; membership: ThreadMembershipRecord }) => f.thread.lastReplyAt > f.membership.lastViewed

export function createThreadService(options: ThreadServiceOptions) {
  const { db, postStore, posts, channels, channelStore, users, bus } = options

  async function requireUser(userId: string): Promise<UserRecord> {
    const user = await users.getById(userId)
    if (!user) throw notFound('user', userId, 'app.user.missing_account.const')
    return user
  }

  /** Whether `user` (not the caller: an admin may look at another user's threads) can still read the channel. */
  async function userCanRead(user: UserRecord, channel: ChannelRecord): Promise<boolean> {
    if (user.roles.split(' ').includes('system_admin')) return true
    if (channel.type === 'O') return channels.isTeamMember(channel.teamId, user.id)
    return (await channelStore.getMember(channel.id, user.id)) !== null
  }

  /** Threads the user follows in the team's channels and their DMs/GMs, in channels they can still read. */
  async function followedIn(user: UserRecord, teamId: string, includeDeleted: boolean): Promise<FollowedThread[]> {
    const memberships = await postStore.followedThreads(user.id)
    const threads = new Map((await postStore.getThreads(memberships.map((m) => m.postId))).map((t) => [t.postId, t]))
    const readable = new Map<string, ChannelRecord | null>()
    const out: FollowedThread[] = []
    for (const membership of memberships) {
      const thread = threads.get(membership.postId)
      if (!thread || (thread.teamId !== teamId && thread.teamId !== '')) continue
      if (!includeDeleted && thread.threadDeleteAt > 0) continue
      if (!readable.has(thread.channelId)) {
        const channel = await channelStore.getById(thread.channelId)
        readable.set(thread.channelId, channel && (await userCanRead(user, channel)) ? channel : null)
      }
      const channel = readable.get(thread.channelId)
      if (channel) out.push({ thread, membership, channel })
    }
    return out
  }

  /** ThreadResponses for followed threads, with their roots, participants and unread reply counts. */
  async function present(session: AuthSession, userId: string, followed: { thread: ThreadRecord; membership: ThreadMembershipRecord }[], extended: boolean): Promise<Record<string, unknown>[]> {
    const roots = new Map((await postStore.getByIds(followed.map((f) => f.thread.postId))).map((p) => [p.id, p]))
    const extras = await posts.postsWithExtras([...roots.values()])
    const participantUsers = extended
      ? new Map((await users.getByIds([...new Set(followed.flatMap((f) => f.thread.participants))])).map((u) => [u.id, u]))
      : new Map<string, UserRecord>()
    const viewer = { userId: session.userId, isSystemAdmin: session.isSystemAdmin }
    const out: Record<string, unknown>[] = []
    for (const { thread, membership } of followed) {
      const root = roots.get(thread.postId)
      if (!root) continue
      const participants = extended
        ? thread.participants.flatMap((id) => {
            const user = participantUsers.get(id)
            return user ? [presentUser(user, viewer)] : []
          })
        : thread.participants.map((id) => ({ id }))
      out.push(presentThread({
        thread,
        membership,
        post: presentPost(root, { thread: extras.threads.get(root.id) ?? thread, reactions: extras.reactions.get(root.id), files: extras.files.get(root.id), priority: extras.priorities.get(root.id) }),
        participants,
        unreadReplies: await postStore.countRepliesAfter(thread.postId, membership.lastViewed, userId),
      }))
    }
    return out
  }

  /** Mentions of `user` in the thread's replies by others after `since` (Mattermost's countThreadMentions). */
  async function countMentions(user: UserRecord, root: PostRecord, channel: ChannelRecord, since: number): Promise<number> {
    const replies = (await postStore.threadPosts(root.id)).filter((p) => p.id !== root.id && p.createAt > since && p.userId !== user.id)
    // In a direct message every message is a mention.
    if (channel.type === 'D') return replies.length
    return replies.filter((p) => {
      if (p.type.startsWith('system_')) return false
      const mentions = parseMentions(p.message)
      return mentions.channel || mentions.usernames.has(user.username)
    }).length
  }

  /** The root post of a thread. @throws AppError 404 for unknown or deleted posts, 400 for a reply id. */
  async function requireRoot(threadId: string): Promise<PostRecord> {
    const root = await postStore.getById(threadId)
    if (!root || root.deleteAt > 0) throw notFound('post', threadId, 'app.post.get.app_error')
    if (root.rootId !== '') throw invalidUrlParam('thread_id')
    return root
  }

  async function getOne(session: AuthSession, user: UserRecord, threadId: string, extended: boolean): Promise<Record<string, unknown>> {
    const membership = await postStore.getMembership(threadId, user.id)
    if (!membership) throw membershipNotFound(threadId)
    const thread = await postStore.getThread(threadId)
    if (!membership.following || !thread) throw threadNotFound(threadId)
    const channel = await channelStore.getById(thread.channelId)
    if (!channel || !(await userCanRead(user, channel))) throw forbidden(`thread ${threadId} is in a channel user ${user.id} cannot read`)
    const [response] = await present(session, user.id, [{ thread, membership }], extended)
    if (!response) throw threadNotFound(threadId)
    return response
  }

  /** Sets last_viewed to `timestamp` and recounts mentions after it; publishes thread_read_changed. */
  async function markRead(session: AuthSession, user: UserRecord, teamId: string, threadId: string, timestamp: number): Promise<Record<string, unknown>> {
    const membership = await postStore.getMembership(threadId, user.id)
    if (!membership) throw membershipNotFound(threadId)
    const root = await requireRoot(threadId)
    const channel = await channels.requireChannel(root.channelId)
    const previousUnreadReplies = await postStore.countRepliesAfter(threadId, membership.lastViewed, user.id)
    const unreadMentions = await countMentions(user, root, channel, timestamp)
    await withTransaction(db, (tx) => postStore.upsertMembership(tx, { ...membership, lastViewed: timestamp, unreadMentions, lastUpdated: nowMillis() }))
    const response = await getOne(session, user, threadId, false)
    await bus.publish({
      type: 'thread.read_changed',
      payload: { threadId, userId: user.id, timestamp },
      ws: {
        event: 'thread_read_changed',
        data: {
          thread_id: threadId, timestamp, unread_mentions: unreadMentions, unread_replies: response.unread_replies,
          previous_unread_mentions: membership.unreadMentions, previous_unread_replies: previousUnreadReplies, channel_id: root.channelId,
        },
        audience: { userId: user.id, teamId },
      },
    })
    return response
  }

  return {
    /**
     * `GET /users/{uid}/teams/{tid}/threads`: followed threads, newest reply first (oldest first
     * after `after`), with totals over all of them.
     * @throws AppError 403 for another user (unless admin), 400 for `before` with `after` or `totalsOnly` with `threadsOnly`.
     */
    async list(session: AuthSession, userId: string, teamId: string, q: ThreadListQuery): Promise<Record<string, unknown>> {
      requireSelfOrAdmin(session, userId)
      if (q.before && q.after) throw new AppError('api.getThreadsForUser.bad_params', 'Before and after parameters to getThreadsForUser are mutually exclusive.', 400)
      if (q.totalsOnly && q.threadsOnly) throw new AppError('api.getThreadsForUser.bad_only_params', 'totalsOnly and threadsOnly parameters to getThreadsForUser are mutually exclusive.', 400)
      const user = await requireUser(userId)
      const followed = await followedIn(user, teamId, q.deleted)
      const result: Record<string, unknown> = { total: 0, total_unread_threads: 0, total_unread_mentions: 0, total_unread_urgent_mentions: 0, threads: [] }
      if (!q.threadsOnly) {
        const unread = followed.filter(isUnread)
        // As Mattermost: with the legacy `unread` flag the total counts unread threads only.
        result.total = q.unread ? unread.length : followed.length
        result.total_unread_threads = unread.length
        result.total_unread_mentions = followed.reduce((sum, f) => sum + f.membership.unreadMentions, 0)
      }
      if (!q.totalsOnly) {
        let page = followed
        if (q.since > 0) page = page.filter((f) => f.membership.lastUpdated >= q.since || f.thread.lastReplyAt >= q.since)
        if (q.unread) page = page.filter(isUnread)
        const pivotId = q.before ?? q.after
        if (pivotId) {
          const pivot = await postStore.getThread(pivotId)
          // An unknown pivot matches nothing, as Mattermost's subquery comparing with NULL.
          page = pivot ? page.filter((f) => (q.before ? f.thread.lastReplyAt < pivot.lastReplyAt : f.thread.lastReplyAt > pivot.lastReplyAt)) : []
        }
        const ascending = q.after !== undefined
        page = [...page].sort((a, b) => (ascending ? a.thread.lastReplyAt - b.thread.lastReplyAt : b.thread.lastReplyAt - a.thread.lastReplyAt)).slice(0, q.perPage)
        result.threads = await present(session, userId, page, q.extended)
      }
      return result
    },

    /**
     * One followed thread, whatever team the URL names (as Mattermost's GetThreadForUser).
     * @throws AppError 404 without a membership or when not followed, 403 when its channel is no longer readable.
     */
    async get(session: AuthSession, userId: string, threadId: string, extended: boolean): Promise<Record<string, unknown>> {
      requireSelfOrAdmin(session, userId)
      return getOne(session, await requireUser(userId), threadId, extended)
    },

    /**
     * Follows (read up to now) or unfollows a thread; an unfollow is remembered so later replies do
     * not re-follow the user unless they reply or are mentioned.
     * @throws AppError 403 for another user or an unreadable channel, 404 for an unknown thread.
     */
    async setFollowing(session: AuthSession, userId: string, teamId: string, threadId: string, following: boolean): Promise<void> {
      requireSelfOrAdmin(session, userId)
      const user = await requireUser(userId)
      const root = await requireRoot(threadId)
      const channel = await channels.requireChannel(root.channelId)
      if (following && !(await userCanRead(user, channel))) throw forbidden(`following thread ${threadId} in an unreadable channel`)
      const now = nowMillis()
      await withTransaction(db, async (tx) => {
        const existing = await postStore.getMembership(threadId, userId, tx)
        const base: ThreadMembershipRecord = existing ?? { postId: threadId, userId, following, lastViewed: 0, lastUpdated: now, unreadMentions: 0 }
        // Following marks the thread read, as Mattermost's UpdateViewedTimestamp on follow.
        await postStore.upsertMembership(tx, following ? { ...base, following, lastViewed: now, unreadMentions: 0, lastUpdated: now } : { ...base, following, lastUpdated: now })
      })
      const thread = await postStore.getThread(threadId)
      await bus.publish({
        type: following ? 'thread.followed' : 'thread.unfollowed',
        payload: { threadId, userId },
        ws: { event: 'thread_follow_changed', data: { thread_id: threadId, state: following, reply_count: thread?.replyCount ?? 0 }, audience: { userId, teamId } },
      })
    },

    /**
     * Marks a thread read up to `timestamp` (ms) and returns it.
     * @throws AppError 404 without a membership or when not followed.
     */
    async markRead(session: AuthSession, userId: string, teamId: string, threadId: string, timestamp: number): Promise<Record<string, unknown>> {
      requireSelfOrAdmin(session, userId)
      return markRead(session, await requireUser(userId), teamId, threadId, timestamp)
    },

    /**
     * Marks a thread unread from one of its posts on (`…/set_unread/{post_id}`).
     * @throws AppError 400 `app.user.update_thread_read_for_user_by_post.app_error` for a post outside the thread.
     */
    async markUnreadFrom(session: AuthSession, userId: string, teamId: string, threadId: string, postId: string): Promise<Record<string, unknown>> {
      requireSelfOrAdmin(session, userId)
      const user = await requireUser(userId)
      const post = await postStore.getById(postId)
      if (!post || post.deleteAt > 0) throw notFound('post', postId, 'app.post.get.app_error')
      await channels.getReadable(session, post.channelId)
      if (post.rootId !== threadId && post.id !== threadId) {
        throw new AppError('app.user.update_thread_read_for_user_by_post.app_error', 'The post is not part of the thread.', 400, { context: { threadId, postId } })
      }
      return markRead(session, user, teamId, threadId, post.createAt - 1)
    },

    /** Marks every followed thread of the team (and DMs/GMs) read; publishes thread_read_changed without data. */
    async markAllRead(session: AuthSession, userId: string, teamId: string): Promise<void> {
      requireSelfOrAdmin(session, userId)
      const user = await requireUser(userId)
      const followed = await followedIn(user, teamId, true)
      const now = nowMillis()
      if (followed.length > 0) await postStore.updateMemberships(userId, { lastViewed: now, unreadMentions: 0, lastUpdated: now }, followed.map((f) => f.thread.postId))
      await bus.publish({ type: 'thread.all_read', payload: { userId, teamId }, ws: { event: 'thread_read_changed', data: {}, audience: { userId, teamId } } })
    },
  }
}

export type ThreadService = ReturnType<typeof createThreadService>
