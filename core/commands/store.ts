/** Data access for custom slash commands and their response URLs (command webhooks). */
import type { Database } from '../db/index.ts'
import { query } from '../db/index.ts'

export interface CommandRecord {
  id: string
  token: string
  createAt: number
  updateAt: number
  deleteAt: number
  creatorId: string
  teamId: string
  trigger: string
  /** `P` (POST form) or `G` (GET query). */
  method: string
  username: string
  iconUrl: string
  autoComplete: boolean
  autoCompleteDesc: string
  autoCompleteHint: string
  displayName: string
  description: string
  url: string
}

export interface CommandWebhookRecord {
  id: string
  createAt: number
  commandId: string
  userId: string
  channelId: string
  rootId: string
  useCount: number
}

const COLUMNS: [keyof CommandRecord, string][] = [
  ['id', 'id'], ['token', 'token'], ['createAt', 'create_at'], ['updateAt', 'update_at'], ['deleteAt', 'delete_at'],
  ['creatorId', 'creator_id'], ['teamId', 'team_id'], ['trigger', 'trigger'], ['method', 'method'], ['username', 'username'],
  ['iconUrl', 'icon_url'], ['autoComplete', 'auto_complete'], ['autoCompleteDesc', 'auto_complete_desc'],
  ['autoCompleteHint', 'auto_complete_hint'], ['displayName', 'display_name'], ['description', 'description'], ['url', 'url'],
]
const SELECT = COLUMNS.map(([key, column]) => `"${column}" AS "${key}"`).join(', ')

export function createCommandStore(db: Database) {
  return {
    async insert(command: CommandRecord): Promise<void> {
      await query(
        db,
        `INSERT INTO commands (${COLUMNS.map(([, c]) => `"${c}"`).join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
        COLUMNS.map(([key]) => command[key]),
      )
    },

    /** Rewrites every column but id and create_at. */
    async update(command: CommandRecord): Promise<void> {
      const editable = COLUMNS.filter(([key]) => key !== 'id' && key !== 'createAt')
      await query(
        db,
        `UPDATE commands SET ${editable.map(([, c], i) => `"${c}" = $${i + 2}`).join(', ')} WHERE id = $1`,
        [command.id, ...editable.map(([key]) => command[key])],
      )
    },

    async markDeleted(id: string, at: number): Promise<void> {
      await query(db, 'UPDATE commands SET delete_at = $2, update_at = $2 WHERE id = $1', [id, at])
    },

    /** A live (not deleted) command, or null. */
    async get(id: string): Promise<CommandRecord | null> {
      const rows = await query<CommandRecord>(db, `SELECT ${SELECT} FROM commands WHERE id = $1 AND delete_at = 0`, [id])
      return rows[0] ?? null
    },

    /** A team's live commands, oldest first. */
    async listByTeam(teamId: string): Promise<CommandRecord[]> {
      return query<CommandRecord>(db, `SELECT ${SELECT} FROM commands WHERE team_id = $1 AND delete_at = 0 ORDER BY create_at, id`, [teamId])
    },

    async insertWebhook(hook: CommandWebhookRecord): Promise<void> {
      await query(
        db,
        'INSERT INTO command_webhooks (id, create_at, command_id, user_id, channel_id, root_id, use_count) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [hook.id, hook.createAt, hook.commandId, hook.userId, hook.channelId, hook.rootId, hook.useCount],
      )
    },

    /** The response URL row if it was created after `notBefore`. */
    async getWebhook(id: string, notBefore: number): Promise<CommandWebhookRecord | null> {
      const rows = await query<CommandWebhookRecord>(
        db,
        `SELECT id, create_at AS "createAt", command_id AS "commandId", user_id AS "userId", channel_id AS "channelId", root_id AS "rootId", use_count AS "useCount"
         FROM command_webhooks WHERE id = $1 AND create_at > $2`,
        [id, notBefore],
      )
      return rows[0] ?? null
    },

    /** Counts one use if fewer than `limit` were made; false when the URL is used up. Atomic across nodes. */
    async tryUseWebhook(id: string, limit: number): Promise<boolean> {
      const rows = await query(db, 'UPDATE command_webhooks SET use_count = use_count + 1 WHERE id = $1 AND use_count < $2 RETURNING id', [id, limit])
      return rows.length > 0
    },

    /** Removes response URLs created before `before`. */
    async deleteWebhooksBefore(before: number): Promise<void> {
      await query(db, 'DELETE FROM command_webhooks WHERE create_at < $1', [before])
    },
  }
}

export type CommandStore = ReturnType<typeof createCommandStore>
