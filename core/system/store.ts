/** Data access for server-wide values (diagnostic id, …) and counts the system routes need. */
import type { Database } from '../db/index.ts'
import { newId } from '../ids.ts'

export function createSystemStore(db: Database) {
  return {
    /** The server's stable DiagnosticId, created on first use. */
    async diagnosticId(): Promise<string> {
      await db.prisma.systemValue.upsert({ where: { name: 'DiagnosticId' }, create: { name: 'DiagnosticId', value: newId() }, update: {} })
      return (await db.prisma.systemValue.findUniqueOrThrow({ where: { name: 'DiagnosticId' } })).value
    },
    async hasNoAccounts(): Promise<boolean> {
      return (await db.prisma.user.count()) === 0
    },
  }
}
