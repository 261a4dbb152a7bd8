/** Data access for outgoing webhooks (`outgoing_webhooks`) and their posted deliveries (`outgoing_webhook_deliveries`). */
import type { Database } from '../db/index.ts'
import { jsonParam, query } from '../db/index.ts'
import type { SqlClient } from '../db/index.ts'

export interface OutgoingWebhookRecord {
  id: string
  token: string
  createAt: number
  updateAt: number
  deleteAt: number
  creatorId: string
  /** `''` = every public channel of the team (then trigger words are required). */
  channelId: string
  teamId: string
  triggerWords: string[]
  /** 0 = the first word equals a trigger word; 1 = it starts with one. */
  triggerWhen: number
  callbackUrls: string[]
  displayName: string
  description: string
  contentType: string
  username: string
  iconUrl: string
}

/** What an update may change; id, creator, team, token and creation time stay. */
export type OutgoingWebhookPatch = Pick<
  OutgoingWebhookRecord,
  'channelId' | 'triggerWords' | 'triggerWhen' | 'callbackUrls' | 'displayName' | 'description' | 'contentType' | 'username' | 'iconUrl' | 'updateAt'
>

export interface OutgoingWebhookFilter {
  teamId?: string
  channelId?: string
  /** Only hooks this user created. */
  creatorId?: string
  offset: number
  limit: number
}

interface HookSqlRow {
  id: string
  token: string
  create_at: number
  update_at: number
  delete_at: number
  creator_id: string
  channel_id: string
  team_id: string
  trigger_words: string[]
  trigger_when: number
  callback_urls: string[]
  display_name: string
  description: string
  content_type: string
  username: string
  icon_url: string
}

const COLUMNS =
  'id, token, create_at, update_at, delete_at, creator_id, channel_id, team_id, trigger_words, trigger_when, callback_urls, display_name, description, content_type, username, icon_url'

function fromSql(row: HookSqlRow): OutgoingWebhookRecord {
  return {
    id: row.id, token: row.token, createAt: row.create_at, updateAt: row.update_at, deleteAt: row.delete_at, creatorId: row.creator_id,
    channelId: row.channel_id, teamId: row.team_id, triggerWords: row.trigger_words, triggerWhen: row.trigger_when, callbackUrls: row.callback_urls,
    displayName: row.display_name, description: row.description, contentType: row.content_type, username: row.username, iconUrl: row.icon_url,
  }
}

function filterSql(filter: Omit<OutgoingWebhookFilter, 'offset' | 'limit'>): { where: string; params: unknown[] } {
  const clauses = ['delete_at = 0']
  const params: unknown[] = []
  if (filter.teamId) clauses.push(`team_id = $${params.push(filter.teamId)}`)
  if (filter.channelId) clauses.push(`channel_id = $${params.push(filter.channelId)}`)
  if (filter.creatorId) clauses.push(`creator_id = $${params.push(filter.creatorId)}`)
  return { where: clauses.join(' AND '), params }
}

export function createOutgoingWebhookStore(db: Database) {
  return {
    async insert(hook: OutgoingWebhookRecord): Promise<OutgoingWebhookRecord> {
      const rows = await query<HookSqlRow>(
        db,
        `INSERT INTO outgoing_webhooks (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::jsonb, $12, $13, $14, $15, $16) RETURNING ${COLUMNS}`,
        [
          hook.id, hook.token, hook.createAt, hook.updateAt, hook.deleteAt, hook.creatorId, hook.channelId, hook.teamId, jsonParam(hook.triggerWords),
          hook.triggerWhen, jsonParam(hook.callbackUrls), hook.displayName, hook.description, hook.contentType, hook.username, hook.iconUrl,
        ],
      )
      return fromSql(rows[0]!)
    },

    /** A live (not deleted) hook, or null. */
    async get(id: string): Promise<OutgoingWebhookRecord | null> {
      const rows = await query<HookSqlRow>(db, `SELECT ${COLUMNS} FROM outgoing_webhooks WHERE id = $1 AND delete_at = 0`, [id])
      return rows[0] ? fromSql(rows[0]) : null
    },

    /** A page of live hooks, oldest first. */
    async list(filter: OutgoingWebhookFilter): Promise<OutgoingWebhookRecord[]> {
      const { where, params } = filterSql(filter)
      const rows = await query<HookSqlRow>(
        db,
        `SELECT ${COLUMNS} FROM outgoing_webhooks WHERE ${where} ORDER BY create_at, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filter.limit, filter.offset],
      )
      return rows.map(fromSql)
    },

    /** Every live hook of a team (what each new post there is matched against). */
    async listByTeam(teamId: string): Promise<OutgoingWebhookRecord[]> {
      const rows = await query<HookSqlRow>(db, `SELECT ${COLUMNS} FROM outgoing_webhooks WHERE team_id = $1 AND delete_at = 0 ORDER BY create_at, id`, [teamId])
      return rows.map(fromSql)
    },

    /** The updated live hook, or null when it was deleted meanwhile. */
    async update(id: string, patch: OutgoingWebhookPatch): Promise<OutgoingWebhookRecord | null> {
      const rows = await query<HookSqlRow>(
        db,
        `UPDATE outgoing_webhooks SET channel_id = $2, trigger_words = $3::jsonb, trigger_when = $4, callback_urls = $5::jsonb, display_name = $6,
           description = $7, content_type = $8, username = $9, icon_url = $10, update_at = $11
         WHERE id = $1 AND delete_at = 0 RETURNING ${COLUMNS}`,
        [
          id, patch.channelId, jsonParam(patch.triggerWords), patch.triggerWhen, jsonParam(patch.callbackUrls), patch.displayName, patch.description,
          patch.contentType, patch.username, patch.iconUrl, patch.updateAt,
        ],
      )
      return rows[0] ? fromSql(rows[0]) : null
    },

    /** The hook with a new token, or null when it was deleted meanwhile. */
    async setToken(id: string, token: string, at: number): Promise<OutgoingWebhookRecord | null> {
      const rows = await query<HookSqlRow>(db, `UPDATE outgoing_webhooks SET token = $2, update_at = $3 WHERE id = $1 AND delete_at = 0 RETURNING ${COLUMNS}`, [id, token, at])
      return rows[0] ? fromSql(rows[0]) : null
    },

    async softDelete(id: string, at: number): Promise<void> {
      await query(db, 'UPDATE outgoing_webhooks SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0', [id, at])
    },

    /**
     * Records that delivery `key` posted its answer, inside the posts' transaction. Returns false
     * (and writes nothing) when the key was recorded before: that answer is already posted.
     */
    async claimDelivery(tx: SqlClient, delivery: { key: string; hookId: string; postId: string; at: number }): Promise<boolean> {
      const inserted = await tx.$executeRawUnsafe(
        'INSERT INTO outgoing_webhook_deliveries (key, hook_id, post_id, create_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING',
        delivery.key, delivery.hookId, delivery.postId, delivery.at,
      )
      return inserted === 1
    },

    /** Forgets delivery keys recorded before `before` (their jobs can no longer be retried); returns how many. */
    async purgeDeliveries(before: number): Promise<number> {
      const rows = await query(db, 'DELETE FROM outgoing_webhook_deliveries WHERE create_at < $1 RETURNING key', [before])
      return rows.length
    },
  }
}

export type OutgoingWebhookStore = ReturnType<typeof createOutgoingWebhookStore>
