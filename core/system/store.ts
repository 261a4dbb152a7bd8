/** Data access for server-wide values (diagnostic id, …) and counts the system routes need. */
import { randomBytes } from 'node:crypto'
import type { Database } from '../db/index.ts'
import { newId } from '../ids.ts'

const PUBLIC_LINK_SALT = 'PublicLinkSalt'

function newSalt(): string {
  return randomBytes(32).toString('base64url')
}

export function createSystemStore(db: Database) {
  return {
    /** The server's stable DiagnosticId, created on first use. */
    async diagnosticId(): Promise<string> {
      await db.prisma.systemValue.upsert({ where: { name: 'DiagnosticId' }, create: { name: 'DiagnosticId', value: newId() }, update: {} })
      return (await db.prisma.systemValue.findUniqueOrThrow({ where: { name: 'DiagnosticId' } })).value
    },
    /** The key public file links are signed with, created on first use (Mattermost's FileSettings.PublicLinkSalt). */
    async publicLinkSalt(): Promise<string> {
      const found = await db.prisma.systemValue.findUnique({ where: { name: PUBLIC_LINK_SALT } })
      if (found) return found.value
      // Two first requests at once: the upsert keeps whichever salt was written first.
      await db.prisma.systemValue.upsert({ where: { name: PUBLIC_LINK_SALT }, create: { name: PUBLIC_LINK_SALT, value: newSalt() }, update: {} })
      return (await db.prisma.systemValue.findUniqueOrThrow({ where: { name: PUBLIC_LINK_SALT } })).value
    },
    /** Replaces the public link salt, which invalidates every public link handed out so far. */
    async regeneratePublicLinkSalt(): Promise<void> {
      const value = newSalt()
      await db.prisma.systemValue.upsert({ where: { name: PUBLIC_LINK_SALT }, create: { name: PUBLIC_LINK_SALT, value }, update: { value } })
    },
    async hasNoAccounts(): Promise<boolean> {
      return (await db.prisma.user.count()) === 0
    },
  }
}
