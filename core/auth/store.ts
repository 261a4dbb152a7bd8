/** Data access for sessions and personal access tokens. */
import type { Database } from '../db/index.ts'
import type { Session as SessionRow, UserAccessToken as TokenRow } from '../db/generated/client.ts'
import { toNumbers, type Numeric } from '../records.ts'

export type SessionRecord = Omit<Numeric<SessionRow>, 'props'> & { props: Record<string, string> }
export type AccessTokenRecord = Numeric<TokenRow>

const toSession = (row: SessionRow) => toNumbers(row) as unknown as SessionRecord

export function createAuthStore(db: Database) {
  return {
    async insertSession(session: SessionRecord): Promise<SessionRecord> {
      return toSession(await db.prisma.session.create({ data: session }))
    },
    async sessionByToken(token: string): Promise<SessionRecord | null> {
      const row = await db.prisma.session.findUnique({ where: { token } })
      return row ? toSession(row) : null
    },
    async deleteSession(id: string): Promise<void> {
      await db.prisma.session.deleteMany({ where: { id } })
    },
    async sessionIdsOfUser(userId: string): Promise<string[]> {
      return (await db.prisma.session.findMany({ where: { userId }, select: { id: true } })).map((s) => s.id)
    },
    /** @param keepId a session to leave alone ('' for none). */
    async deleteSessionsOfUser(userId: string, keepId = ''): Promise<void> {
      await db.prisma.session.deleteMany({ where: { userId, ...(keepId ? { id: { not: keepId } } : {}) } })
    },
    async touchSession(id: string, at: number): Promise<void> {
      await db.prisma.session.updateMany({ where: { id }, data: { lastActivityAt: at } })
    },

    async insertToken(token: AccessTokenRecord): Promise<AccessTokenRecord> {
      return toNumbers(await db.prisma.userAccessToken.create({ data: token }))
    },
    async tokenByToken(token: string): Promise<AccessTokenRecord | null> {
      const row = await db.prisma.userAccessToken.findUnique({ where: { token } })
      return row ? toNumbers(row) : null
    },
    async tokenById(id: string): Promise<AccessTokenRecord | null> {
      const row = await db.prisma.userAccessToken.findUnique({ where: { id } })
      return row ? toNumbers(row) : null
    },
    async tokensOfUser(userId: string, offset: number, limit: number): Promise<AccessTokenRecord[]> {
      const rows = await db.prisma.userAccessToken.findMany({ where: { userId }, orderBy: { createAt: 'asc' }, skip: offset, take: limit })
      return rows.map((r) => toNumbers(r))
    },
    async setTokenActive(id: string, isActive: boolean): Promise<void> {
      await db.prisma.userAccessToken.update({ where: { id }, data: { isActive } })
    },
    async deleteToken(id: string): Promise<void> {
      await db.prisma.userAccessToken.deleteMany({ where: { id } })
    },
  }
}

export type AuthStore = ReturnType<typeof createAuthStore>
