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
    /** Soft-deletes the live files of these posts. */
    async softDeleteForPosts(client: DbClient, postIds: string[], at: number): Promise<void> {
      if (postIds.length === 0) return
      await client.fileInfo.updateMany({ where: { postId: { in: postIds }, deleteAt: 0 }, data: { deleteAt: BigInt(at), updateAt: BigInt(at) } })
    },
  }
}

export type FileStore = ReturnType<typeof createFileStore>
