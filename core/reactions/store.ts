/** Data access for reactions. */
import type { Database } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import type { Reaction as ReactionRow } from '../db/generated/client.ts'
import { toNumbers, type Numeric } from '../records.ts'

export type ReactionRecord = Numeric<ReactionRow>

export function createReactionStore(db: Database) {
  return {
    async insert(client: DbClient, reaction: ReactionRecord): Promise<{ reaction: ReactionRecord; created: boolean }> {
      const existing = await client.reaction.findUnique({ where: { postId_userId_emojiName: { postId: reaction.postId, userId: reaction.userId, emojiName: reaction.emojiName } } })
      if (existing) return { reaction: toNumbers(existing), created: false }
      return { reaction: toNumbers(await client.reaction.create({ data: reaction })), created: true }
    },
    async delete(client: DbClient, postId: string, userId: string, emojiName: string): Promise<ReactionRecord | null> {
      const existing = await client.reaction.findUnique({ where: { postId_userId_emojiName: { postId, userId, emojiName } } })
      if (!existing) return null
      await client.reaction.delete({ where: { postId_userId_emojiName: { postId, userId, emojiName } } })
      return toNumbers(existing)
    },
    async count(client: DbClient, postId: string): Promise<number> {
      return client.reaction.count({ where: { postId } })
    },
    async distinctEmojiCount(client: DbClient, postId: string): Promise<number> {
      return (await client.reaction.groupBy({ by: ['emojiName'], where: { postId } })).length
    },
    async forPosts(postIds: string[]): Promise<Map<string, ReactionRecord[]>> {
      const map = new Map<string, ReactionRecord[]>()
      if (postIds.length === 0) return map
      const rows = await db.prisma.reaction.findMany({ where: { postId: { in: postIds } }, orderBy: { createAt: 'asc' } })
      for (const row of rows) {
        const list = map.get(row.postId) ?? []
        list.push(toNumbers(row))
        map.set(row.postId, list)
      }
      return map
    },
  }
}

export type ReactionStore = ReturnType<typeof createReactionStore>
