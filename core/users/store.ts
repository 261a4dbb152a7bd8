/** Data access for users (the only users file that talks to the database). */
import type { Database } from '../db/index.ts'
import { query } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import type { User as UserRow } from '../db/generated/client.ts'
import { toNumbers, type Numeric } from '../records.ts'

export type UserRecord = Omit<Numeric<UserRow>, 'notifyProps' | 'props' | 'timezone'> & {
  notifyProps: Record<string, string>
  props: Record<string, string>
  timezone: Record<string, string>
}

export type NewUser = Omit<UserRecord, 'emailVerified' | 'authData' | 'failedAttempts' | 'lastFailedAt' | 'lastLogin' | 'lastPictureUpdate'> &
  Partial<Pick<UserRecord, 'emailVerified' | 'authData'>>

function toUser(row: UserRow): UserRecord {
  return toNumbers(row) as unknown as UserRecord
}

/** Filters of `GET /users` and user search; all optional, combined with AND. */
export interface UserFilter {
  inTeam?: string
  notInTeam?: string
  inChannel?: string
  /** Members of a custom group (core/groups), as Mattermost's `in_group`. */
  inGroup?: string
  notInChannel?: string
  withoutTeam?: boolean
  /** true: only deactivated; false: only active; undefined: both. */
  inactive?: boolean
  role?: string
  /** Prefix match on username, names, nickname or email. */
  term?: string
  /** Restrict to users sharing a team or channel with this user (plus the user). */
  visibleTo?: string
  excludeBots?: boolean
  sort?: 'username' | 'create_at' | 'last_activity_at'
  offset: number
  limit: number
}

export function createUserStore(db: Database) {
  return {
    async insert(client: DbClient, user: NewUser): Promise<UserRecord> {
      return toUser(await client.user.create({ data: user }))
    },

    async count(client: DbClient): Promise<number> {
      return client.user.count()
    },

    async getById(id: string, client: DbClient = db.prisma): Promise<UserRecord | null> {
      const row = await client.user.findUnique({ where: { id } })
      return row ? toUser(row) : null
    },

    async getByIds(ids: string[], since = 0): Promise<UserRecord[]> {
      if (ids.length === 0) return []
      const rows = await db.prisma.user.findMany({ where: { id: { in: ids }, ...(since > 0 ? { updateAt: { gt: since } } : {}) }, orderBy: { username: 'asc' } })
      return rows.map(toUser)
    },

    async getByUsernames(usernames: string[]): Promise<UserRecord[]> {
      if (usernames.length === 0) return []
      const rows = await db.prisma.user.findMany({ where: { username: { in: usernames } }, orderBy: { username: 'asc' } })
      return rows.map(toUser)
    },

    async getByUsername(username: string): Promise<UserRecord | null> {
      const row = await db.prisma.user.findUnique({ where: { username } })
      return row ? toUser(row) : null
    },

    async getByEmail(email: string): Promise<UserRecord | null> {
      const row = await db.prisma.user.findUnique({ where: { email } })
      return row ? toUser(row) : null
    },

    async update(id: string, data: Partial<Omit<UserRecord, 'id'>>, client: DbClient = db.prisma): Promise<UserRecord> {
      return toUser(await client.user.update({ where: { id }, data }))
    },

    async list(filter: UserFilter): Promise<UserRecord[]> {
      const where: string[] = []
      const params: unknown[] = []
      const p = (value: unknown) => {
        params.push(value)
        return `$${params.length}`
      }
      if (filter.inTeam) where.push(`u.id IN (SELECT user_id FROM team_members WHERE team_id = ${p(filter.inTeam)} AND delete_at = 0)`)
      if (filter.notInTeam) where.push(`u.id NOT IN (SELECT user_id FROM team_members WHERE team_id = ${p(filter.notInTeam)} AND delete_at = 0)`)
      if (filter.inChannel) where.push(`u.id IN (SELECT user_id FROM channel_members WHERE channel_id = ${p(filter.inChannel)})`)
      if (filter.inGroup) where.push(`u.id IN (SELECT user_id FROM group_members WHERE group_id = ${p(filter.inGroup)})`)
      if (filter.notInChannel) where.push(`u.id NOT IN (SELECT user_id FROM channel_members WHERE channel_id = ${p(filter.notInChannel)})`)
      if (filter.withoutTeam) where.push(`u.id NOT IN (SELECT user_id FROM team_members WHERE delete_at = 0)`)
      if (filter.inactive === true) where.push('u.delete_at > 0')
      if (filter.inactive === false) where.push('u.delete_at = 0')
      if (filter.excludeBots) where.push('u.is_bot = false')
      if (filter.role) where.push(`(' ' || u.roles || ' ') LIKE ${p(`% ${filter.role} %`)}`)
      if (filter.term) {
        const term = p(filter.term.toLowerCase().replace(/^@/, '').replace(/[\\%_]/g, (c) => `\\${c}`) + '%')
        where.push(
          `(u.username LIKE ${term} OR lower(u.first_name) LIKE ${term} OR lower(u.last_name) LIKE ${term} OR lower(u.nickname) LIKE ${term} OR lower(u.email) LIKE ${term} OR lower(u.first_name || ' ' || u.last_name) LIKE ${term})`,
        )
      }
      if (filter.visibleTo) {
        const viewer = p(filter.visibleTo)
        where.push(`(u.id = ${viewer}
          OR u.id IN (SELECT tm.user_id FROM team_members tm JOIN team_members mine ON mine.team_id = tm.team_id AND mine.user_id = ${viewer} AND mine.delete_at = 0 WHERE tm.delete_at = 0)
          OR u.id IN (SELECT cm.user_id FROM channel_members cm JOIN channel_members mine ON mine.channel_id = cm.channel_id AND mine.user_id = ${viewer}))`)
      }
      const order = filter.sort === 'create_at' ? 'u.create_at DESC' : filter.sort === 'last_activity_at' ? 'coalesce(s.last_activity_at, 0) DESC' : 'u.username ASC'
      const join = filter.sort === 'last_activity_at' ? 'LEFT JOIN statuses s ON s.user_id = u.id' : ''
      const sql = `SELECT u.id FROM users u ${join} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order}, u.id LIMIT ${p(filter.limit)} OFFSET ${p(filter.offset)}`
      const ids = (await query<{ id: string }>(db, sql, params)).map((r) => r.id)
      const users = await this.getByIds(ids)
      const byId = new Map(users.map((u) => [u.id, u]))
      return ids.map((id) => byId.get(id)).filter((u): u is UserRecord => u !== undefined)
    },

    /** Ids among `userIds` that share a team or channel with `viewerId`. */
    async visibleIds(viewerId: string, userIds: string[]): Promise<Set<string>> {
      if (userIds.length === 0) return new Set()
      const rows = await query<{ id: string }>(
        db,
        `SELECT id FROM users u WHERE u.id = ANY($2::text[]) AND (u.id = $1
          OR EXISTS (SELECT 1 FROM team_members tm JOIN team_members mine ON mine.team_id = tm.team_id AND mine.user_id = $1 AND mine.delete_at = 0 WHERE tm.user_id = u.id AND tm.delete_at = 0)
          OR EXISTS (SELECT 1 FROM channel_members cm JOIN channel_members mine ON mine.channel_id = cm.channel_id AND mine.user_id = $1 WHERE cm.user_id = u.id))`,
        [viewerId, userIds],
      )
      return new Set(rows.map((r) => r.id))
    },
  }
}

export type UserStore = ReturnType<typeof createUserStore>
