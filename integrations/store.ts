/** Data access for connectors: connections (secrets stay sealed here), the posts their events made, /github subscriptions. */
import { jsonParam, query, type Database, type SqlClient } from '../core/db/index.ts'

export { isUniqueViolation } from '../core/db/index.ts'

/** A connection row as stored: `secret`, `previousSecret` and `credentials` are sealed (see secret-box.ts). */
export interface ConnectionRow {
  id: string
  vendor: string
  name: string
  teamId: string
  channelId: string
  secret: string
  previousSecret: string
  /** Epoch ms until which `previousSecret` is accepted; 0 when no rotation is under way. */
  rotationEndsAt: number
  credentials: string
  settings: Record<string, string>
  creatorId: string
  createAt: number
  updateAt: number
}

export interface IntegrationPostRow {
  connectionId: string
  eventId: string
  channelId: string
  refKey: string
  postId: string
  createAt: number
}

export interface GitHubSubscriptionRow {
  id: string
  teamId: string
  channelId: string
  repo: string
  features: string[]
  creatorId: string
  createAt: number
}

const CONNECTION_COLUMNS = `id, vendor, name, team_id AS "teamId", channel_id AS "channelId", secret, previous_secret AS "previousSecret",
  rotation_ends_at AS "rotationEndsAt", credentials, settings, creator_id AS "creatorId", create_at AS "createAt", update_at AS "updateAt"`

const POST_COLUMNS = `connection_id AS "connectionId", event_id AS "eventId", channel_id AS "channelId", ref_key AS "refKey", post_id AS "postId", create_at AS "createAt"`

const SUBSCRIPTION_COLUMNS = `id, team_id AS "teamId", channel_id AS "channelId", repo, features, creator_id AS "creatorId", create_at AS "createAt"`

export function createIntegrationStore(db: Database) {
  return {
    /** @throws the driver's unique_violation (see isUniqueViolation) when the vendor already has a connection of that name. */
    async insertConnection(row: ConnectionRow): Promise<void> {
      await query(
        db,
        `INSERT INTO integration_connections (id, vendor, name, team_id, channel_id, secret, previous_secret, rotation_ends_at, credentials, settings, creator_id, create_at, update_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)`,
        [row.id, row.vendor, row.name, row.teamId, row.channelId, row.secret, row.previousSecret, row.rotationEndsAt, row.credentials, jsonParam(row.settings), row.creatorId, row.createAt, row.updateAt],
      )
    },

    async getConnection(id: string): Promise<ConnectionRow | null> {
      const [row] = await query<ConnectionRow>(db, `SELECT ${CONNECTION_COLUMNS} FROM integration_connections WHERE id = $1`, [id])
      return row ?? null
    },

    async getConnectionByName(vendor: string, name: string): Promise<ConnectionRow | null> {
      const [row] = await query<ConnectionRow>(db, `SELECT ${CONNECTION_COLUMNS} FROM integration_connections WHERE vendor = $1 AND name = $2`, [vendor, name])
      return row ?? null
    },

    /** A vendor's connections, of some teams (all when `teamIds` is undefined), oldest first. */
    async listConnections(vendor: string, teamIds?: readonly string[]): Promise<ConnectionRow[]> {
      if (teamIds === undefined) return query<ConnectionRow>(db, `SELECT ${CONNECTION_COLUMNS} FROM integration_connections WHERE vendor = $1 ORDER BY create_at, id`, [vendor])
      return query<ConnectionRow>(db, `SELECT ${CONNECTION_COLUMNS} FROM integration_connections WHERE vendor = $1 AND team_id = ANY($2::varchar[]) ORDER BY create_at, id`, [vendor, teamIds])
    },

    /** Ids of a vendor's connections in a team. */
    async connectionIdsOfTeam(vendor: string, teamId: string): Promise<string[]> {
      const rows = await query<{ id: string }>(db, `SELECT id FROM integration_connections WHERE vendor = $1 AND team_id = $2`, [vendor, teamId])
      return rows.map((r) => r.id)
    },

    /** Writes every column but id, vendor, creator and create time. @throws unique_violation on a taken name. */
    async updateConnection(row: ConnectionRow): Promise<void> {
      await query(
        db,
        `UPDATE integration_connections SET name = $2, team_id = $3, channel_id = $4, secret = $5, previous_secret = $6, rotation_ends_at = $7,
           credentials = $8, settings = $9::jsonb, update_at = $10 WHERE id = $1`,
        [row.id, row.name, row.teamId, row.channelId, row.secret, row.previousSecret, row.rotationEndsAt, row.credentials, jsonParam(row.settings), row.updateAt],
      )
    },

    /** Removes a connection and what its events posted (the posts themselves stay). */
    async deleteConnection(id: string): Promise<void> {
      await query(db, `DELETE FROM integration_posts WHERE connection_id = $1`, [id])
      await query(db, `DELETE FROM integration_connections WHERE id = $1`, [id])
    },

    /**
     * Takes the (connection, event, channel) claims of posts inside the posts' transaction, in one statement: true for
     * each row whose claim it took (a row repeating an earlier row's claim, or one a run before this one took, gets false).
     */
    async claimPosts(tx: SqlClient, rows: IntegrationPostRow[]): Promise<boolean[]> {
      const taken = await tx.$queryRawUnsafe<{ post_id: string }[]>(
        `INSERT INTO integration_posts (connection_id, event_id, channel_id, ref_key, post_id, create_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
         ON CONFLICT DO NOTHING RETURNING post_id`,
        rows.map((r) => r.connectionId), rows.map((r) => r.eventId), rows.map((r) => r.channelId), rows.map((r) => r.refKey), rows.map((r) => r.postId), rows.map((r) => r.createAt),
      )
      const won = new Set(taken.map((t) => t.post_id))
      return rows.map((r) => won.has(r.postId))
    },

    /** The same claim outside a transaction (for updates of an earlier post, and links without a post: `postId` ''). */
    async claimUpdate(row: IntegrationPostRow): Promise<boolean> {
      const rows = await query(
        db,
        `INSERT INTO integration_posts (connection_id, event_id, channel_id, ref_key, post_id, create_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING post_id`,
        [row.connectionId, row.eventId, row.channelId, row.refKey, row.postId, row.createAt],
      )
      return rows.length === 1
    },

    /** The first post made for `refKey` in a channel (what a later event about the same thing updates). */
    async firstPostFor(connectionId: string, refKey: string, channelId: string): Promise<IntegrationPostRow | null> {
      const [row] = await query<IntegrationPostRow>(
        db,
        `SELECT ${POST_COLUMNS} FROM integration_posts WHERE connection_id = $1 AND ref_key = $2 AND channel_id = $3 AND post_id <> '' ORDER BY create_at, event_id LIMIT 1`,
        [connectionId, refKey, channelId],
      )
      return row ?? null
    },

    /** The newest post made for `refKey` in a channel (what an alert group's next delivery edits). */
    async latestPostFor(connectionId: string, refKey: string, channelId: string): Promise<IntegrationPostRow | null> {
      const [row] = await query<IntegrationPostRow>(
        db,
        `SELECT ${POST_COLUMNS} FROM integration_posts WHERE connection_id = $1 AND ref_key = $2 AND channel_id = $3 AND post_id <> '' ORDER BY create_at DESC, event_id DESC LIMIT 1`,
        [connectionId, refKey, channelId],
      )
      return row ?? null
    },

    /** The newest post in a channel whose ref key starts with `prefix` (e.g. the channel's latest PagerDuty incident). */
    async latestPostInChannel(channelId: string, vendor: string, prefix: string): Promise<IntegrationPostRow | null> {
      const [row] = await query<IntegrationPostRow>(
        db,
        `SELECT p.connection_id AS "connectionId", p.event_id AS "eventId", p.channel_id AS "channelId", p.ref_key AS "refKey", p.post_id AS "postId", p.create_at AS "createAt" FROM integration_posts p JOIN integration_connections c ON c.id = p.connection_id
         WHERE p.channel_id = $1 AND c.vendor = $2 AND p.ref_key LIKE $3 ORDER BY p.create_at DESC LIMIT 1`,
        [channelId, vendor, `${prefix.replace(/[\\%_]/g, '\\$&')}%`],
      )
      return row ?? null
    },

    /** Adds or replaces a channel's subscription to a repository. */
    async upsertSubscription(row: GitHubSubscriptionRow): Promise<void> {
      await query(
        db,
        `INSERT INTO github_subscriptions (id, team_id, channel_id, repo, features, creator_id, create_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
         ON CONFLICT (channel_id, repo) DO UPDATE SET features = EXCLUDED.features, creator_id = EXCLUDED.creator_id`,
        [row.id, row.teamId, row.channelId, row.repo, jsonParam(row.features), row.creatorId, row.createAt],
      )
    },

    /** @returns whether there was one to remove. */
    async deleteSubscription(channelId: string, repo: string): Promise<boolean> {
      const rows = await query(db, `DELETE FROM github_subscriptions WHERE channel_id = $1 AND repo = $2 RETURNING id`, [channelId, repo])
      return rows.length > 0
    },

    async subscriptionsOfChannel(channelId: string): Promise<GitHubSubscriptionRow[]> {
      return query<GitHubSubscriptionRow>(db, `SELECT ${SUBSCRIPTION_COLUMNS} FROM github_subscriptions WHERE channel_id = $1 ORDER BY repo`, [channelId])
    },

    /** Subscriptions in a team to a repository (compared without case, as GitHub names are). */
    async subscriptionsToRepo(teamId: string, repo: string): Promise<GitHubSubscriptionRow[]> {
      return query<GitHubSubscriptionRow>(db, `SELECT ${SUBSCRIPTION_COLUMNS} FROM github_subscriptions WHERE team_id = $1 AND repo = $2 ORDER BY create_at, id`, [teamId, repo.toLowerCase()])
    },
  }
}

export type IntegrationStore = ReturnType<typeof createIntegrationStore>
