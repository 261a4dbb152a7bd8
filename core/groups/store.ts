/** Data access for custom user groups and their members (`user_groups`, `group_members`). */
import type { Database } from '../db/index.ts'
import { query } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import type { UserGroup as GroupRow } from '../db/generated/client.ts'
import { toNumbers, type Numeric } from '../records.ts'

export type GroupRecord = Numeric<GroupRow>
export interface GroupMemberRecord { groupId: string; userId: string; createAt: number }

export interface GroupListFilter {
  /** Matches the name or display name, case-insensitively. */
  q: string
  includeDeleted: boolean
  offset: number
  limit: number
}

export function createGroupStore(db: Database) {
  return {
    async insert(client: DbClient, group: GroupRecord): Promise<GroupRecord> {
      return toNumbers(await client.userGroup.create({ data: group }))
    },
    async update(id: string, data: Partial<Omit<GroupRecord, 'id'>>): Promise<GroupRecord> {
      return toNumbers(await db.prisma.userGroup.update({ where: { id }, data }))
    },
    async touch(client: DbClient, id: string, at: number): Promise<void> {
      await client.userGroup.update({ where: { id }, data: { updateAt: at } })
    },
    async getById(id: string): Promise<GroupRecord | null> {
      const row = await db.prisma.userGroup.findUnique({ where: { id } })
      return row ? toNumbers(row) : null
    },
    async getByName(name: string): Promise<GroupRecord | null> {
      const row = await db.prisma.userGroup.findUnique({ where: { name } })
      return row ? toNumbers(row) : null
    },
    /** A page of custom groups ordered by display name. */
    async list(filter: GroupListFilter): Promise<GroupRecord[]> {
      const q = filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)
      const rows = await db.prisma.userGroup.findMany({
        where: {
          source: 'custom',
          ...(filter.includeDeleted ? {} : { deleteAt: 0 }),
          ...(q ? { OR: [{ name: { contains: q, mode: 'insensitive' } }, { displayName: { contains: q, mode: 'insensitive' } }] } : {}),
        },
        orderBy: [{ displayName: 'asc' }, { id: 'asc' }],
        skip: filter.offset,
        take: filter.limit,
      })
      return rows.map(toNumbers)
    },
    /** Member counts of active users, by group id. */
    async memberCounts(groupIds: string[]): Promise<Map<string, number>> {
      if (groupIds.length === 0) return new Map()
      const rows = await query<{ group_id: string; n: number }>(
        db,
        `SELECT gm.group_id, count(*)::int8 AS n FROM group_members gm JOIN users u ON u.id = gm.user_id
         WHERE gm.group_id = ANY($1) AND u.delete_at = 0 GROUP BY gm.group_id`,
        [groupIds],
      )
      return new Map(rows.map((r) => [r.group_id, r.n]))
    },
    /** Ids of the group's members who are active users, by username. */
    async activeMemberIds(groupId: string, offset = 0, limit = 10_000): Promise<string[]> {
      const rows = await query<{ id: string }>(
        db,
        `SELECT u.id FROM group_members gm JOIN users u ON u.id = gm.user_id
         WHERE gm.group_id = $1 AND u.delete_at = 0 ORDER BY u.username, u.id LIMIT $2 OFFSET $3`,
        [groupId, limit, offset],
      )
      return rows.map((r) => r.id)
    },
    /** Adds the users (already members stay as they are); returns every requested membership. */
    async addMembers(client: DbClient, groupId: string, userIds: string[], at: number): Promise<GroupMemberRecord[]> {
      await client.groupMember.createMany({ data: userIds.map((userId) => ({ groupId, userId, createAt: at })), skipDuplicates: true })
      const rows = await client.groupMember.findMany({ where: { groupId, userId: { in: userIds } }, orderBy: { userId: 'asc' } })
      return rows.map(toNumbers)
    },
    /** Removes the users; returns the memberships that existed. */
    async removeMembers(client: DbClient, groupId: string, userIds: string[]): Promise<GroupMemberRecord[]> {
      const rows = await client.groupMember.findMany({ where: { groupId, userId: { in: userIds } }, orderBy: { userId: 'asc' } })
      await client.groupMember.deleteMany({ where: { groupId, userId: { in: userIds } } })
      return rows.map(toNumbers)
    },
  }
}

export type GroupStore = ReturnType<typeof createGroupStore>
