/** Data access for channels and channel members. */
import type { Database } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import { jsonParam, type SqlClient } from '../db/index.ts'
import type { Channel as ChannelRow, ChannelMember as ChannelMemberRow } from '../db/generated/client.ts'
import { toNumbers, type Numeric } from '../records.ts'

export type ChannelRecord = Numeric<ChannelRow>
export type ChannelMemberRecord = Omit<Numeric<ChannelMemberRow>, 'notifyProps'> & { notifyProps: Record<string, string> }

const toMember = (row: ChannelMemberRow) => toNumbers(row) as unknown as ChannelMemberRecord

// Each column's field name, worked out once: a batch of run channels maps 200 rows of 16 columns.
const fieldNames = new Map<string, string>()
const fieldOf = (column: string): string => {
  let field = fieldNames.get(column)
  if (field === undefined) fieldNames.set(column, (field = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())))
  return field
}

/** A `channels` row read with raw SQL (snake_case, int8 already numbers) as the record Prisma would give. */
function fromSqlRow(row: Record<string, unknown>): ChannelRecord {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(row)) out[fieldOf(key)] = row[key]
  return out as ChannelRecord
}

const CHANNEL_COLUMNS = 'id, create_at, update_at, delete_at, team_id, type, name, display_name, header, purpose, creator_id, last_post_at, last_root_post_at, total_msg_count, total_msg_count_root, extra_update_at'

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
    /**
     * Inserts channels in one statement; one whose id or team and name is taken is left out (ON CONFLICT DO NOTHING).
     * @returns the channels inserted.
     */
    async insertMany(client: SqlClient, channels: ChannelRecord[]): Promise<ChannelRecord[]> {
      if (channels.length === 0) return []
      const column = <K extends keyof ChannelRecord>(key: K) => channels.map((c) => c[key])
      const rows = await client.$queryRawUnsafe<Record<string, unknown>[]>(
        `INSERT INTO channels (${CHANNEL_COLUMNS})
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
           $10::text[], $11::text[], $12::bigint[], $13::bigint[], $14::int[], $15::int[], $16::bigint[])
         ON CONFLICT DO NOTHING
         RETURNING ${CHANNEL_COLUMNS}`,
        column('id'), column('createAt'), column('updateAt'), column('deleteAt'), column('teamId'), column('type'), column('name'), column('displayName'),
        column('header'), column('purpose'), column('creatorId'), column('lastPostAt'), column('lastRootPostAt'), column('totalMsgCount'),
        column('totalMsgCountRoot'), column('extraUpdateAt'),
      )
      return rows.map(fromSqlRow)
    },
    /**
     * Channels with any of these team/name pairs or ids, each with whether `userId` is a member (one statement).
     */
    async getByNamesOrIds(client: SqlClient, names: { teamId: string; name: string }[], ids: string[], userId: string): Promise<{ channel: ChannelRecord; userIsMember: boolean }[]> {
      if (names.length === 0 && ids.length === 0) return []
      const rows = await client.$queryRawUnsafe<Record<string, unknown>[]>(
        `SELECT ${CHANNEL_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')},
           EXISTS (SELECT 1 FROM channel_members m WHERE m.channel_id = c.id AND m.user_id = $4) AS user_is_member
         FROM channels c
         WHERE (c.team_id, c.name) IN (SELECT * FROM unnest($1::text[], $2::text[])) OR c.id = ANY($3::text[])`,
        names.map((n) => n.teamId), names.map((n) => n.name), ids, userId,
      )
      return rows.map(({ user_is_member, ...row }) => ({ channel: fromSqlRow(row), userIsMember: user_is_member === true }))
    },
    /**
     * Inserts members in one statement; existing memberships are kept as they are (ON CONFLICT DO NOTHING).
     * @returns the channel and user ids of the rows inserted.
     */
    async insertMembers(client: SqlClient, members: ChannelMemberRecord[]): Promise<{ channelId: string; userId: string }[]> {
      if (members.length === 0) return []
      const column = <K extends keyof ChannelMemberRecord>(key: K) => members.map((m) => m[key])
      const rows = await client.$queryRawUnsafe<{ channel_id: string; user_id: string }[]>(
        `INSERT INTO channel_members (channel_id, user_id, scheme_admin, last_viewed_at, msg_count, msg_count_root, mention_count, mention_count_root,
           urgent_mention_count, notify_props, last_update_at)
         SELECT channel_id, user_id, scheme_admin, last_viewed_at, msg_count, msg_count_root, mention_count, mention_count_root,
           urgent_mention_count, notify_props::jsonb, last_update_at
         FROM unnest($1::text[], $2::text[], $3::boolean[], $4::bigint[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[], $10::text[], $11::bigint[])
           AS m(channel_id, user_id, scheme_admin, last_viewed_at, msg_count, msg_count_root, mention_count, mention_count_root, urgent_mention_count, notify_props, last_update_at)
         ON CONFLICT DO NOTHING
         RETURNING channel_id, user_id`,
        column('channelId'), column('userId'), column('schemeAdmin'), column('lastViewedAt'), column('msgCount'), column('msgCountRoot'),
        column('mentionCount'), column('mentionCountRoot'), column('urgentMentionCount'), members.map((m) => jsonParam(m.notifyProps)), column('lastUpdateAt'),
      )
      return rows.map((r) => ({ channelId: r.channel_id, userId: r.user_id }))
    },
    async getByIds(ids: string[]): Promise<ChannelRecord[]> {
      if (ids.length === 0) return []
      return (await db.prisma.channel.findMany({ where: { id: { in: ids } } })).map((r) => toNumbers(r))
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
