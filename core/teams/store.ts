/** Data access for teams and team members. */
import type { Database } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import type { Team as TeamRow, TeamMember as TeamMemberRow } from '../db/generated/client.ts'
import { toNumbers, type Numeric } from '../records.ts'

export type TeamRecord = Numeric<TeamRow>
export type TeamMemberRecord = Numeric<TeamMemberRow>

export function createTeamStore(db: Database) {
  return {
    async insert(client: DbClient, team: TeamRecord): Promise<TeamRecord> {
      return toNumbers(await client.team.create({ data: team }))
    },
    async getById(id: string): Promise<TeamRecord | null> {
      const row = await db.prisma.team.findUnique({ where: { id } })
      return row ? toNumbers(row) : null
    },
    async getByIds(ids: string[]): Promise<TeamRecord[]> {
      if (ids.length === 0) return []
      return (await db.prisma.team.findMany({ where: { id: { in: ids } } })).map((r) => toNumbers(r))
    },
    async getByName(name: string): Promise<TeamRecord | null> {
      const row = await db.prisma.team.findUnique({ where: { name } })
      return row ? toNumbers(row) : null
    },
    async update(id: string, data: Partial<TeamRecord>): Promise<TeamRecord> {
      return toNumbers(await db.prisma.team.update({ where: { id }, data }))
    },
    async listForUser(userId: string): Promise<TeamRecord[]> {
      const members = await db.prisma.teamMember.findMany({ where: { userId, deleteAt: 0 }, select: { teamId: true } })
      const rows = await db.prisma.team.findMany({ where: { id: { in: members.map((m) => m.teamId) }, deleteAt: 0 }, orderBy: { displayName: 'asc' } })
      return rows.map((r) => toNumbers(r))
    },
    async list(options: { openOnly: boolean; offset: number; limit: number }): Promise<TeamRecord[]> {
      const rows = await db.prisma.team.findMany({
        where: { deleteAt: 0, ...(options.openOnly ? { allowOpenInvite: true } : {}) },
        orderBy: { displayName: 'asc' },
        skip: options.offset,
        take: options.limit,
      })
      return rows.map((r) => toNumbers(r))
    },

    async getMember(teamId: string, userId: string, client: DbClient = db.prisma): Promise<TeamMemberRecord | null> {
      const row = await client.teamMember.findUnique({ where: { teamId_userId: { teamId, userId } } })
      return row ? toNumbers(row) : null
    },
    async upsertMember(client: DbClient, member: TeamMemberRecord): Promise<TeamMemberRecord> {
      const row = await client.teamMember.upsert({
        where: { teamId_userId: { teamId: member.teamId, userId: member.userId } },
        create: member,
        update: { deleteAt: 0, schemeAdmin: member.schemeAdmin },
      })
      return toNumbers(row)
    },
    async markMemberDeleted(client: DbClient, teamId: string, userId: string, at: number): Promise<void> {
      await client.teamMember.update({ where: { teamId_userId: { teamId, userId } }, data: { deleteAt: at } })
    },
    /** Which of these users are live members of which of these teams, as `teamId:userId` keys (one query for a batch). */
    async liveMemberKeys(teamIds: string[], userIds: string[]): Promise<Set<string>> {
      if (teamIds.length === 0 || userIds.length === 0) return new Set()
      const rows = await db.prisma.teamMember.findMany({ where: { teamId: { in: teamIds }, userId: { in: userIds }, deleteAt: 0 }, select: { teamId: true, userId: true } })
      return new Set(rows.map((r) => `${r.teamId}:${r.userId}`))
    },
    async members(teamId: string, offset: number, limit: number): Promise<TeamMemberRecord[]> {
      const rows = await db.prisma.teamMember.findMany({ where: { teamId, deleteAt: 0 }, orderBy: { userId: 'asc' }, skip: offset, take: limit })
      return rows.map((r) => toNumbers(r))
    },
    async memberIds(teamId: string): Promise<string[]> {
      const rows = await db.prisma.teamMember.findMany({ where: { teamId, deleteAt: 0 }, select: { userId: true } })
      return rows.map((r) => r.userId)
    },
    async membershipsOfUser(userId: string): Promise<TeamMemberRecord[]> {
      const rows = await db.prisma.teamMember.findMany({ where: { userId, deleteAt: 0 } })
      return rows.map((r) => toNumbers(r))
    },
  }
}

export type TeamStore = ReturnType<typeof createTeamStore>
