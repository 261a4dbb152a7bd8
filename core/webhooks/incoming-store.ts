/** Data access for incoming webhooks (the `incoming_webhooks` table). */
import type { Database } from '../db/index.ts'
import { query } from '../db/index.ts'

export interface IncomingWebhookRecord {
  id: string
  createAt: number
  updateAt: number
  deleteAt: number
  userId: string
  channelId: string
  teamId: string
  displayName: string
  description: string
  username: string
  iconUrl: string
  channelLocked: boolean
}

/** What an update may change; id, owner, team and creation time stay. */
export type IncomingWebhookPatch = Pick<IncomingWebhookRecord, 'channelId' | 'displayName' | 'description' | 'username' | 'iconUrl' | 'channelLocked' | 'updateAt'>

export interface IncomingWebhookFilter {
  /** Only hooks of this team. */
  teamId?: string
  /** Only hooks owned by this user. */
  userId?: string
  offset: number
  limit: number
}

interface HookSqlRow {
  id: string
  create_at: number
  update_at: number
  delete_at: number
  user_id: string
  channel_id: string
  team_id: string
  display_name: string
  description: string
  username: string
  icon_url: string
  channel_locked: boolean
}

const COLUMNS = 'id, create_at, update_at, delete_at, user_id, channel_id, team_id, display_name, description, username, icon_url, channel_locked'

function fromSql(row: HookSqlRow): IncomingWebhookRecord {
  return {
    id: row.id, createAt: row.create_at, updateAt: row.update_at, deleteAt: row.delete_at, userId: row.user_id, channelId: row.channel_id,
    teamId: row.team_id, displayName: row.display_name, description: row.description, username: row.username, iconUrl: row.icon_url,
    channelLocked: row.channel_locked,
  }
}

function filterSql(filter: Pick<IncomingWebhookFilter, 'teamId' | 'userId'>): { where: string; params: unknown[] } {
  const clauses = ['delete_at = 0']
  const params: unknown[] = []
  if (filter.teamId) clauses.push(`team_id = $${params.push(filter.teamId)}`)
  if (filter.userId) clauses.push(`user_id = $${params.push(filter.userId)}`)
  return { where: clauses.join(' AND '), params }
}

export function createIncomingWebhookStore(db: Database) {
  return {
    async insert(hook: IncomingWebhookRecord): Promise<IncomingWebhookRecord> {
      const rows = await query<HookSqlRow>(
        db,
        `INSERT INTO incoming_webhooks (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
        [hook.id, hook.createAt, hook.updateAt, hook.deleteAt, hook.userId, hook.channelId, hook.teamId, hook.displayName, hook.description, hook.username, hook.iconUrl, hook.channelLocked],
      )
      return fromSql(rows[0]!)
    },

    /** A live (not deleted) hook, or null. */
    async get(id: string): Promise<IncomingWebhookRecord | null> {
      const rows = await query<HookSqlRow>(db, `SELECT ${COLUMNS} FROM incoming_webhooks WHERE id = $1 AND delete_at = 0`, [id])
      return rows[0] ? fromSql(rows[0]) : null
    },

    /** A page of live hooks, oldest first. */
    async list(filter: IncomingWebhookFilter): Promise<IncomingWebhookRecord[]> {
      const { where, params } = filterSql(filter)
      const rows = await query<HookSqlRow>(
        db,
        `SELECT ${COLUMNS} FROM incoming_webhooks WHERE ${where} ORDER BY create_at, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filter.limit, filter.offset],
      )
      return rows.map(fromSql)
    },

    async count(filter: Pick<IncomingWebhookFilter, 'teamId' | 'userId'>): Promise<number> {
      const { where, params } = filterSql(filter)
      const rows = await query<{ n: number }>(db, `SELECT count(*)::int8 AS n FROM incoming_webhooks WHERE ${where}`, params)
      return rows[0]?.n ?? 0
    },

    /** The updated live hook, or null when it was deleted meanwhile. */
    async update(id: string, patch: IncomingWebhookPatch): Promise<IncomingWebhookRecord | null> {
      const rows = await query<HookSqlRow>(
        db,
        `UPDATE incoming_webhooks SET channel_id = $2, display_name = $3, description = $4, username = $5, icon_url = $6, channel_locked = $7, update_at = $8
         WHERE id = $1 AND delete_at = 0 RETURNING ${COLUMNS}`,
        [id, patch.channelId, patch.displayName, patch.description, patch.username, patch.iconUrl, patch.channelLocked, patch.updateAt],
      )
      return rows[0] ? fromSql(rows[0]) : null
    },

    async softDelete(id: string, at: number): Promise<void> {
      await query(db, 'UPDATE incoming_webhooks SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0', [id, at])
    },
  }
}

export type IncomingWebhookStore = ReturnType<typeof createIncomingWebhookStore>
