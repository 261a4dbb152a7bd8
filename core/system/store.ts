/** Data access for server-wide values (diagnostic id, …) and counts the system routes need. */
import { randomBytes } from 'node:crypto'
import { query, type Database } from '../db/index.ts'
import { newId } from '../ids.ts'

const PUBLIC_LINK_SALT = 'PublicLinkSalt'

function newSalt(): string {
  return randomBytes(32).toString('base64url')
}

export function createSystemStore(db: Database) {
  /**
   * The value stored under `name`, written first by whoever gets there first. One statement, not
   * Prisma's upsert (a read, then an insert): two servers starting together on a new database both
   * inserted, and the loser crashed at start on the unique key.
   */
  async function valueOrCreate(name: string, make: () => string): Promise<string> {
    const [row] = await query<{ value: string }>(
      db,
      `WITH inserted AS (INSERT INTO systems (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value)
       SELECT value FROM inserted UNION ALL SELECT value FROM systems WHERE name = $1 LIMIT 1`,
      [name, make()],
    )
    if (row) return row.value
    // The other writer committed after this statement's snapshot was taken: a new statement sees it.
    const [written] = await query<{ value: string }>(db, `SELECT value FROM systems WHERE name = $1`, [name])
    if (!written) throw new Error(`system value ${name} is neither inserted nor found`)
    return written.value
  }

  return {
    /** The server's stable DiagnosticId, created on first use. */
    async diagnosticId(): Promise<string> {
      return valueOrCreate('DiagnosticId', newId)
    },
    /** The key public file links are signed with, created on first use (Mattermost's FileSettings.PublicLinkSalt). */
    async publicLinkSalt(): Promise<string> {
      return valueOrCreate(PUBLIC_LINK_SALT, newSalt)
    },
    /** The key trigger ids are signed with, created on first use, so every server sharing the database accepts the others' ids. */
    async triggerIdKey(): Promise<string> {
      return valueOrCreate('TriggerIdKey', newSalt)
    },
    /** The 32-byte key ephemeral posts' action cookies are sealed with (Mattermost's PostActionCookieSecret), shared like the trigger id key. */
    async actionCookieKey(): Promise<Buffer> {
      return Buffer.from(await valueOrCreate('PostActionCookieSecret', newSalt), 'base64url')
    },
    /** The 32-byte key connector secrets and credentials are sealed with at rest (integrations/secret-box.ts), shared like the trigger id key. */
    async integrationSecretKey(): Promise<Buffer> {
      return Buffer.from(await valueOrCreate('IntegrationSecretKey', newSalt), 'base64url')
    },
    /** Replaces the public link salt, which invalidates every public link handed out so far. */
    async regeneratePublicLinkSalt(): Promise<void> {
      await query(db, `INSERT INTO systems (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, [PUBLIC_LINK_SALT, newSalt()])
    },
    async hasNoAccounts(): Promise<boolean> {
      return (await db.prisma.user.count()) === 0
    },
  }
}
