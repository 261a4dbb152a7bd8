/** Data access for bot accounts (the `bots` row beside each bot's `users` row). */
import type { Database } from '../db/index.ts'
import { query } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import type { Bot as BotRow } from '../db/generated/client.ts'
import { toNumbers, type Numeric } from '../records.ts'

export type BotRecord = Numeric<BotRow>
/** A bot with its user's username, which the bot JSON carries. */
export type BotWithUsername = BotRecord & { username: string }

export interface BotListFilter {
  /** Only bots owned by this user. */
  ownerId?: string
  includeDeleted: boolean
  /** Only bots whose owner is deactivated. */
  onlyOrphaned: boolean
  offset: number
  limit: number
}

interface BotSqlRow {
  user_id: string
  owner_id: string
  display_name: string
  description: string
  last_icon_update: number
  create_at: number
  update_at: number
  delete_at: number
  username: string
}

const BOT_COLUMNS = 'b.user_id, b.owner_id, b.display_name, b.description, b.last_icon_update, b.create_at, b.update_at, b.delete_at, u.username'

function fromSql(row: BotSqlRow): BotWithUsername {
  return {
    userId: row.user_id,
    ownerId: row.owner_id,
    displayName: row.display_name,
    description: row.description,
    lastIconUpdate: row.last_icon_update,
    createAt: row.create_at,
    updateAt: row.update_at,
    deleteAt: row.delete_at,
    username: row.username,
  }
}

export function createBotStore(db: Database) {
  return {
    async insert(client: DbClient, bot: BotRecord): Promise<BotRecord> {
      return toNumbers(await client.bot.create({ data: bot }))
    },
    async update(client: DbClient, userId: string, data: Partial<Omit<BotRecord, 'userId'>>): Promise<BotRecord> {
      return toNumbers(await client.bot.update({ where: { userId }, data }))
    },
    /** The bot with its username, or null (also null when disabled unless `includeDeleted`). */
    async get(userId: string, includeDeleted: boolean): Promise<BotWithUsername | null> {
      const rows = await query<BotSqlRow>(
        db,
        `SELECT ${BOT_COLUMNS} FROM bots b JOIN users u ON u.id = b.user_id WHERE b.user_id = $1 ${includeDeleted ? '' : 'AND b.delete_at = 0'}`,
        [userId],
      )
      return rows[0] ? fromSql(rows[0]) : null
    },
    /** A page of bots ordered by username. */
    async list(filter: BotListFilter): Promise<BotWithUsername[]> {
      const where: string[] = []
      const params: unknown[] = []
      const p = (value: unknown) => {
        params.push(value)
        return `$${params.length}`
      }
      if (filter.ownerId) where.push(`b.owner_id = ${p(filter.ownerId)}`)
      if (!filter.includeDeleted) where.push('b.delete_at = 0')
      if (filter.onlyOrphaned) where.push('owner.delete_at <> 0')
      const rows = await query<BotSqlRow>(
        db,
        `SELECT ${BOT_COLUMNS} FROM bots b JOIN users u ON u.id = b.user_id LEFT JOIN users owner ON owner.id = b.owner_id
         ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY u.username, b.user_id LIMIT ${p(filter.limit)} OFFSET ${p(filter.offset)}`,
        params,
      )
      return rows.map(fromSql)
    },
  }
}

export type BotStore = ReturnType<typeof createBotStore>
