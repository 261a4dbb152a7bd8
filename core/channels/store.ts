/** Data access for channels and channel members. */
import type { Database } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import type { Channel as ChannelRow, ChannelMember as ChannelMemberRow } from '../db/generated/client.ts'
import { toNumbers, type Numeric } from '../records.ts'

export type ChannelRecord = Numeric<ChannelRow>
export type ChannelMemberRecord = Omit<Numeric<ChannelMemberRow>, 'notifyProps'> & { notifyProps: Record<string, string> }

const toMember = (row: ChannelMemberRow) => toNumbers(row) as unknown as ChannelMemberRecord

export const DEFAULT_CHANNEL_NOTIFY_PROPS: Record<string, string> = {
  desktop: 'default',
  email: 'default',
  push: 'default',
  mark_unread: 'all',
  ignore_channel_mentions: 'default',
  channel_auto_follow_threads: 'off',
}

export function createChannelStore(db: Database) {
  return {
    async insert(client: DbClient, channel: ChannelRecord): Promise<ChannelRecord> {
      return toNumbers(await client.channel.create({ data: channel }))
    },
    async getById(id: string, client: DbClient = db.prisma): Promise<ChannelRecord | null> {
      const row = await client.channel.findUnique({ where: { id } })
      return row ? toNumbers(row) : null
    },
    async getByName(teamId: string, name: string, client: DbClient = db.prisma): Promise<ChannelRecord | null> {
      const row = await client.channel.findUnique({ where: { teamId_name: { teamId, name } } })
      return row ? toNumbers(row) : null
    },
    async update(id: string, data: Partial<ChannelRecord>, client: DbClient = db.prisma): Promise<ChannelRecord> {
      return toNumbers(await client.channel.update({ where: { id }, data }))
    },
    async listPublic(teamId: string, options: { offset: number; limit: number; includeDeleted?: boolean; prefix?: string }): Promise<ChannelRecord[]> {
      const rows = await db.prisma.channel.findMany({
        where: {
          teamId,
          type: 'O',
          ...(options.includeDeleted ? {} : { deleteAt: 0 }),
          ...(options.prefix ? { OR: [{ name: { startsWith: options.prefix } }, { displayName: { startsWith: options.prefix, mode: 'insensitive' } }] } : {}),
        },
        orderBy: { displayName: 'asc' },
        skip: options.offset,
        take: options.limit,
      })
      return rows.map((r) => toNumbers(r))
    },
    /**
     * Archived channels of a team a user may browse (Mattermost's GetDeletedChannelsForTeam): every
     * archived public channel, and the archived private ones the user is a member of.
     */
    async listArchived(teamId: string, userId: string, options: { offset: number; limit: number }): Promise<ChannelRecord[]> {
      const memberships = await db.prisma.channelMember.findMany({ where: { userId }, select: { channelId: true } })
      const rows = await db.prisma.channel.findMany({
        where: { teamId, deleteAt: { gt: 0 }, OR: [{ type: 'O' }, { type: 'P', id: { in: memberships.map((m) => m.channelId) } }] },
        orderBy: { displayName: 'asc' },
        skip: options.offset,
        take: options.limit,
      })
      return rows.map((r) => toNumbers(r))
    },
    /** The user's channels in a team plus their DMs and group messages. */
    async listForUser(userId: string, teamId: string, includeDeleted: boolean): Promise<ChannelRecord[]> {
      const memberships = await db.prisma.channelMember.findMany({ where: { userId }, select: { channelId: true } })
      const rows = await db.prisma.channel.findMany({
        where: {
          id: { in: memberships.map((m) => m.channelId) },
          teamId: { in: [teamId, ''] },
          ...(includeDeleted ? {} : { deleteAt: 0 }),
        },
        orderBy: { displayName: 'asc' },
      })
      return rows.map((r) => toNumbers(r))
    },
    async idsInTeam(client: DbClient, teamId: string, userId: string): Promise<string[]> {
      const memberships = await client.channelMember.findMany({ where: { userId }, select: { channelId: true } })
      const rows = await client.channel.findMany({ where: { id: { in: memberships.map((m) => m.channelId) }, teamId }, select: { id: true } })
      return rows.map((r) => r.id)
    },

    async getMember(channelId: string, userId: string, client: DbClient = db.prisma): Promise<ChannelMemberRecord | null> {
      const row = await client.channelMember.findUnique({ where: { channelId_userId: { channelId, userId } } })
      return row ? toMember(row) : null
    },
    async insertMember(client: DbClient, member: ChannelMemberRecord): Promise<ChannelMemberRecord> {
      return toMember(await client.channelMember.create({ data: member }))
    },
    async deleteMember(client: DbClient, channelId: string, userId: string): Promise<void> {
      await client.channelMember.deleteMany({ where: { channelId, userId } })
    },
    async updateMember(channelId: string, userId: string, data: Partial<ChannelMemberRecord>, client: DbClient = db.prisma): Promise<ChannelMemberRecord> {
      return toMember(await client.channelMember.update({ where: { channelId_userId: { channelId, userId } }, data }))
    },
    async members(channelId: string, offset: number, limit: number): Promise<ChannelMemberRecord[]> {
      const rows = await db.prisma.channelMember.findMany({ where: { channelId }, orderBy: { userId: 'asc' }, skip: offset, take: limit })
      return rows.map(toMember)
    },
    async memberIds(channelId: string, client: DbClient = db.prisma): Promise<string[]> {
      const rows = await client.channelMember.findMany({ where: { channelId }, select: { userId: true } })
      return rows.map((r) => r.userId)
    },
    /** The user's memberships in a team's channels and in their DMs/GMs. */
    async membershipsForUser(userId: string, teamId: string): Promise<ChannelMemberRecord[]> {
      const channels = await this.listForUser(userId, teamId, false)
      const rows = await db.prisma.channelMember.findMany({ where: { userId, channelId: { in: channels.map((c) => c.id) } } })
      return rows.map(toMember)
    },
    /** Every membership of a user with its channel (for unread summaries). */
    async membershipsWithChannels(userId: string): Promise<{ member: ChannelMemberRecord; channel: ChannelRecord }[]> {
      const rows = await db.prisma.channelMember.findMany({ where: { userId } })
      const channels = await db.prisma.channel.findMany({ where: { id: { in: rows.map((r) => r.channelId) }, deleteAt: 0 } })
      const byId = new Map(channels.map((c) => [c.id, toNumbers(c)]))
      return rows.flatMap((r) => {
        const channel = byId.get(r.channelId)
        return channel ? [{ member: toMember(r), channel }] : []
      })
    },
  }
}

export type ChannelStore = ReturnType<typeof createChannelStore>
