/** Data access for uploaded files' metadata (file_infos). */
import type { Database } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import type { FileInfo as FileInfoRow } from '../db/generated/client.ts'
import { toNumbers, type Numeric } from '../records.ts'

export type FileInfoRecord = Numeric<FileInfoRow>

const toFileInfo = (row: FileInfoRow): FileInfoRecord => toNumbers(row)

export function createFileStore(db: Database) {
  return {
    async insert(file: FileInfoRecord, client: DbClient = db.prisma): Promise<FileInfoRecord> {
      return toFileInfo(await client.fileInfo.create({ data: { ...file, size: BigInt(file.size), createAt: BigInt(file.createAt), updateAt: BigInt(file.updateAt), deleteAt: BigInt(file.deleteAt) } }))
    },
    async getById(id: string): Promise<FileInfoRecord | null> {
      const row = await db.prisma.fileInfo.findUnique({ where: { id } })
      return row ? toFileInfo(row) : null
    },
    async getByIds(ids: string[], client: DbClient = db.prisma): Promise<FileInfoRecord[]> {
      if (ids.length === 0) return []
      return (await client.fileInfo.findMany({ where: { id: { in: ids } } })).map(toFileInfo)
    },
    /** Live files of these posts, oldest first, by post id. */
    async forPosts(postIds: string[]): Promise<Map<string, FileInfoRecord[]>> {
      const map = new Map<string, FileInfoRecord[]>()
      if (postIds.length === 0) return map
      const rows = await db.prisma.fileInfo.findMany({ where: { postId: { in: postIds }, deleteAt: 0 }, orderBy: [{ createAt: 'asc' }, { id: 'asc' }] })
      for (const row of rows) {
        const list = map.get(row.postId) ?? []
        list.push(toFileInfo(row))
        map.set(row.postId, list)
      }
      return map
    },
    /**
     * Sets `post_id` on files still unattached, live, uploaded by `userId` in `channelId`.
     * @returns how many were claimed; fewer than `ids.length` means some did not qualify.
     */
    async attachToPost(client: DbClient, ids: string[], target: { postId: string; userId: string; channelId: string; at: number }): Promise<number> {
      const result = await client.fileInfo.updateMany({
        where: { id: { in: ids }, postId: '', deleteAt: 0, userId: target.userId, channelId: target.channelId },
        data: { postId: target.postId, updateAt: BigInt(target.at) },
      })
      return result.count
    },
    /** Uploads never attached to a post and created before `before` (live or already claimed for deletion), oldest first. */
    async listUnattached(before: number, limit: number): Promise<FileInfoRecord[]> {
      const rows = await db.prisma.fileInfo.findMany({ where: { postId: '', createAt: { lt: BigInt(before) } }, orderBy: [{ createAt: 'asc' }, { id: 'asc' }], take: limit })
      return rows.map(toFileInfo)
    },
    /** Files deleted with their post before `before`, oldest deletion first. */
    async listDeletedWithPost(before: number, limit: number): Promise<FileInfoRecord[]> {
      const rows = await db.prisma.fileInfo.findMany({ where: { postId: { not: '' }, deleteAt: { gt: 0, lt: BigInt(before) } }, orderBy: [{ deleteAt: 'asc' }, { id: 'asc' }], take: limit })
      return rows.map(toFileInfo)
    },
    /**
     * Marks a live, unattached upload deleted, so no post can claim it any more (attachToPost
     * takes live files only).
     * @returns false when the file was attached, or marked, in the meantime.
     */
    async markUnattachedDeleted(id: string, at: number): Promise<boolean> {
      const result = await db.prisma.fileInfo.updateMany({ where: { id, postId: '', deleteAt: 0 }, data: { deleteAt: BigInt(at), updateAt: BigInt(at) } })
      return result.count === 1
    },
    /** Removes the row of a deleted file for good; a live file is never removed. */
    async purgeDeleted(id: string): Promise<void> {
      await db.prisma.fileInfo.deleteMany({ where: { id, deleteAt: { gt: 0 } } })
    },
    /** Soft-deletes the live files of these posts. */
    async softDeleteForPosts(client: DbClient, postIds: string[], at: number): Promise<void> {
      if (postIds.length === 0) return
      await client.fileInfo.updateMany({ where: { postId: { in: postIds }, deleteAt: 0 }, data: { deleteAt: BigInt(at), updateAt: BigInt(at) } })
    },
  }
}

export type FileStore = ReturnType<typeof createFileStore>
