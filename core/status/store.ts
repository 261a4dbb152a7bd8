/** Data access for user statuses (online, away, offline, dnd). */
import type { Database } from '../db/index.ts'
import type { Status as StatusRow } from '../db/generated/client.ts'
import { toNumbers, type Numeric } from '../records.ts'

export type StatusRecord = Numeric<StatusRow>

export function createStatusStore(db: Database) {
  return {
    async get(userId: string): Promise<StatusRecord | null> {
      const row = await db.prisma.status.findUnique({ where: { userId } })
      return row ? toNumbers(row) : null
    },
    async getByIds(userIds: string[]): Promise<StatusRecord[]> {
      if (userIds.length === 0) return []
      return (await db.prisma.status.findMany({ where: { userId: { in: userIds } } })).map((r) => toNumbers(r))
    },
    async upsert(status: StatusRecord): Promise<StatusRecord> {
      const { userId, ...rest } = status
      return toNumbers(await db.prisma.status.upsert({ where: { userId }, create: status, update: rest }))
    },
    /** Everyone not offline (the WebSocket `get_statuses` answer). */
    async listNotOffline(limit: number): Promise<StatusRecord[]> {
      const rows = await db.prisma.status.findMany({ where: { status: { not: 'offline' } }, orderBy: { lastActivityAt: 'desc' }, take: limit })
      return rows.map((r) => toNumbers(r))
    },
    /** Sets every automatic (non-manual) status that is not offline to offline; returns how many. */
    async resetAutomatic(): Promise<number> {
      const result = await db.prisma.status.updateMany({ where: { manual: false, status: { not: 'offline' } }, data: { status: 'offline' } })
      return result.count
    },
  }
}

export type StatusStore = ReturnType<typeof createStatusStore>
