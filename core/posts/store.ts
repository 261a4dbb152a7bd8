/** Data access for posts and thread summaries. */
import type { Database } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import type { Post as PostRow, Thread as ThreadRow, ThreadMembership as ThreadMembershipRow } from '../db/generated/client.ts'
import { toNumbers, type Numeric } from '../records.ts'
import type { PostPriorityRecord } from './priority.ts'

export type PostRecord = Omit<Numeric<PostRow>, 'props' | 'fileIds'> & { props: Record<string, unknown>; fileIds: string[] }
export type ThreadRecord = Omit<Numeric<ThreadRow>, 'participants'> & { participants: string[] }
export type ThreadMembershipRecord = Numeric<ThreadMembershipRow>

export const toPost = (row: PostRow) => toNumbers(row) as unknown as PostRecord
export const toThread = (row: ThreadRow) => toNumbers(row) as unknown as ThreadRecord

export function createPostStore(db: Database) {
  return {
    async insert(client: DbClient, post: PostRecord): Promise<PostRecord> {
      return toPost(await client.post.create({ data: { ...post, props: post.props as object } }))
    },
    async getById(id: string, client: DbClient = db.prisma): Promise<PostRecord | null> {
      const row = await client.post.findUnique({ where: { id } })
      return row ? toPost(row) : null
    },
    async getByIds(ids: string[]): Promise<PostRecord[]> {
      if (ids.length === 0) return []
      return (await db.prisma.post.findMany({ where: { id: { in: ids } } })).map(toPost)
    },
    async byPendingId(userId: string, pendingPostId: string, since: number): Promise<PostRecord | null> {
      const row = await db.prisma.post.findFirst({ where: { userId, pendingPostId, createAt: { gte: since } } })
      return row ? toPost(row) : null
    },
    async update(id: string, data: Partial<PostRecord>, client: DbClient = db.prisma): Promise<PostRecord> {
      const { props, ...rest } = data
      return toPost(await client.post.update({ where: { id }, data: { ...rest, ...(props ? { props: props as object } : {}) } }))
    },
    /** Soft-deletes a post and, for a root, its replies. */
    async softDelete(client: DbClient, post: PostRecord, at: number): Promise<void> {
      await client.post.updateMany({ where: { OR: [{ id: post.id }, ...(post.rootId === '' ? [{ rootId: post.id }] : [])], deleteAt: 0 }, data: { deleteAt: at, updateAt: at } })
    },

    /** Ids of every reply of a root (deleted or not). */
    async replyIds(client: DbClient, rootId: string): Promise<string[]> {
      return (await client.post.findMany({ where: { rootId }, select: { id: true } })).map((p) => p.id)
    },

    /** Newest first, `offset`/`limit` paging, optionally roots only. */
    async channelPage(channelId: string, options: { offset: number; limit: number; rootsOnly: boolean; includeDeleted: boolean }): Promise<PostRecord[]> {
      const rows = await db.prisma.post.findMany({
        where: { channelId, ...(options.rootsOnly ? { rootId: '' } : {}), ...(options.includeDeleted ? {} : { deleteAt: 0 }) },
        orderBy: [{ createAt: 'desc' }, { id: 'desc' }],
        skip: options.offset,
        take: options.limit,
      })
      return rows.map(toPost)
    },
    /** Posts created, edited or deleted after `since` (all of them, for client sync). */
    async channelSince(channelId: string, since: number, rootsOnly: boolean): Promise<PostRecord[]> {
      const rows = await db.prisma.post.findMany({
        where: { channelId, updateAt: { gt: since }, ...(rootsOnly ? { rootId: '' } : {}) },
        orderBy: [{ createAt: 'desc' }, { id: 'desc' }],
        take: 1000,
      })
      return rows.map(toPost)
    },
    /** Posts strictly before/after a create_at (with id tie-break), nearest first. */
    async channelAround(channelId: string, pivot: PostRecord, direction: 'before' | 'after', options: { offset: number; limit: number; rootsOnly: boolean }): Promise<PostRecord[]> {
      const cmp = direction === 'before' ? 'lt' : 'gt'
      const rows = await db.prisma.post.findMany({
        where: {
          channelId,
          deleteAt: 0,
          ...(options.rootsOnly ? { rootId: '' } : {}),
          OR: [{ createAt: { [cmp]: pivot.createAt } }, { createAt: pivot.createAt, id: { [cmp]: pivot.id } }],
        },
        orderBy: direction === 'before' ? [{ createAt: 'desc' }, { id: 'desc' }] : [{ createAt: 'asc' }, { id: 'asc' }],
        skip: options.offset,
        take: options.limit,
      })
      return rows.map(toPost)
    },
    async threadPosts(rootId: string, includeDeleted = false): Promise<PostRecord[]> {
      const rows = await db.prisma.post.findMany({
        where: { OR: [{ id: rootId }, { rootId }], ...(includeDeleted ? {} : { deleteAt: 0 }) },
        orderBy: [{ createAt: 'asc' }, { id: 'asc' }],
      })
      return rows.map(toPost)
    },
    async pinned(channelId: string): Promise<PostRecord[]> {
      const rows = await db.prisma.post.findMany({ where: { channelId, isPinned: true, deleteAt: 0 }, orderBy: { createAt: 'desc' } })
      return rows.map(toPost)
    },
    /** Stores a root post's priority; run in the post's transaction. */
    async insertPriority(client: DbClient, priority: PostPriorityRecord): Promise<void> {
      await client.postPriority.create({ data: priority })
    },
    /** The priorities of these posts (one query), by post id; posts without one are absent. */
    async prioritiesFor(postIds: string[]): Promise<Map<string, PostPriorityRecord>> {
      if (postIds.length === 0) return new Map()
      const rows = await db.prisma.postPriority.findMany({ where: { postId: { in: postIds } } })
      return new Map(rows.map((r) => [r.postId, r]))
    },
    async getThread(postId: string, client: DbClient = db.prisma): Promise<ThreadRecord | null> {
      const row = await client.thread.findUnique({ where: { postId } })
      return row ? toThread(row) : null
    },
    async getThreads(postIds: string[]): Promise<ThreadRecord[]> {
      if (postIds.length === 0) return []
      return (await db.prisma.thread.findMany({ where: { postId: { in: postIds } } })).map(toThread)
    },
    async upsertThread(client: DbClient, thread: ThreadRecord): Promise<void> {
      await client.thread.upsert({ where: { postId: thread.postId }, create: thread, update: { replyCount: thread.replyCount, lastReplyAt: thread.lastReplyAt, participants: thread.participants } })
    },
    async markThreadDeleted(client: DbClient, postId: string, at: number): Promise<void> {
      await client.thread.updateMany({ where: { postId }, data: { threadDeleteAt: at } })
    },
    async getMembership(postId: string, userId: string, client: DbClient = db.prisma): Promise<ThreadMembershipRecord | null> {
      const row = await client.threadMembership.findUnique({ where: { postId_userId: { postId, userId } } })
      return row ? toNumbers(row) : null
    },
    async upsertMembership(client: DbClient, m: ThreadMembershipRecord): Promise<void> {
      await client.threadMembership.upsert({ where: { postId_userId: { postId: m.postId, userId: m.userId } }, create: m, update: { following: m.following, lastViewed: m.lastViewed, lastUpdated: m.lastUpdated, unreadMentions: m.unreadMentions } })
    },
    async memberships(postId: string, client: DbClient = db.prisma): Promise<ThreadMembershipRecord[]> {
      return (await client.threadMembership.findMany({ where: { postId } })).map((r) => toNumbers(r))
    },
    async followedThreads(userId: string): Promise<ThreadMembershipRecord[]> {
      return (await db.prisma.threadMembership.findMany({ where: { userId, following: true } })).map((r) => toNumbers(r))
    },
    async updateMemberships(userId: string, data: Partial<ThreadMembershipRecord>, postIds?: string[]): Promise<void> {
      await db.prisma.threadMembership.updateMany({ where: { userId, ...(postIds ? { postId: { in: postIds } } : {}) }, data })
    },
    /** Replies after `since` not written by `userId` (unread replies of a thread). */
    async countRepliesAfter(rootId: string, since: number, excludeUserId: string): Promise<number> {
      return db.prisma.post.count({ where: { rootId, deleteAt: 0, createAt: { gt: since }, userId: { not: excludeUserId } } })
    },
  }
}

export type PostStore = ReturnType<typeof createPostStore>
