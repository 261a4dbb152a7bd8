/** Data access for user preferences (key/value settings per user, category and name). */
import type { Database } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import type { Preference as PreferenceRow } from '../db/generated/client.ts'

export type PreferenceRecord = PreferenceRow

export function createPreferenceStore(db: Database) {
  return {
    async getAll(userId: string): Promise<PreferenceRecord[]> {
      return db.prisma.preference.findMany({ where: { userId }, orderBy: [{ category: 'asc' }, { name: 'asc' }] })
    },
    async getCategory(userId: string, category: string): Promise<PreferenceRecord[]> {
      return db.prisma.preference.findMany({ where: { userId, category }, orderBy: { name: 'asc' } })
    },
    async get(userId: string, category: string, name: string): Promise<PreferenceRecord | null> {
      return db.prisma.preference.findUnique({ where: { userId_category_name: { userId, category, name } } })
    },
    /** Inserts or replaces each preference (same user, category and name = same row). */
    async save(client: DbClient, preferences: PreferenceRecord[]): Promise<void> {
      for (const p of preferences) {
        await client.preference.upsert({
          where: { userId_category_name: { userId: p.userId, category: p.category, name: p.name } },
          create: p,
          update: { value: p.value },
        })
      }
    },
    async delete(client: DbClient, userId: string, keys: { category: string; name: string }[]): Promise<void> {
      for (const key of keys) await client.preference.deleteMany({ where: { userId, category: key.category, name: key.name } })
    },
  }
}

export type PreferenceStore = ReturnType<typeof createPreferenceStore>
