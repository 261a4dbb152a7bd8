/**
 * The file cleanup job on each backend, over local disk and an S3-compatible server (s3rver):
 * orphaned uploads and expired deleted files lose their rows and bytes, nothing else does, and a
 * run that fails half-way is finished by the next.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { newId } from '../../../core/ids.ts'
import { createLogger } from '../../../core/log.ts'
import { createFileStore, type FileInfoRecord, type FileStore } from '../../../core/files/store.ts'
import { createLocalStorage, createS3Storage, type FileStorage } from '../../../core/files/storage/index.ts'
import { createFileCleanupJob, type FileCleanupOptions } from '../../../core/files/cleanup-job.ts'
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts'
import { startS3Server } from '../../helpers/s3-server.ts'
import { BACKENDS, type Backend } from '../../helpers/server.ts'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
const NOW = Date.UTC(2026, 0, 15)
const log = createLogger({ level: 'silent' })

interface OpenedStorage {
  storage: FileStorage
  cleanup(): Promise<void>
}

async function openLocal(): Promise<OpenedStorage> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-cleanup-'))
  return { storage: createLocalStorage(dir), cleanup: () => fs.rm(dir, { recursive: true, force: true }) }
}

async function openS3(): Promise<OpenedStorage> {
  const server = await startS3Server('cleanup')
  return { storage: createS3Storage(server.options), cleanup: () => server.close() }
}

function cleanupSuite(backend: Backend, storageKind: string, openStorage: () => Promise<OpenedStorage>): void {
  describe(`file cleanup job on ${backend} with ${storageKind} storage`, function () {
    this.timeout(30_000)
    let database: TestDatabase
    let opened: OpenedStorage
    let store: FileStore
    let storage: FileStorage

    before(async function () {
      this.timeout(120_000)
      database = await createTestDatabase(backend)
      opened = await openStorage()
      store = createFileStore(database.db)
      storage = opened.storage
    })
    after(async () => {
      await database?.cleanup()
      await opened?.cleanup()
    })

    function job(overrides: Partial<FileCleanupOptions> = {}) {
      return createFileCleanupJob({ store, storage, log, intervalMinutes: 0, orphanedUploadHours: 24, deletedFileRetentionDays: 0, ...overrides })
    }

    /** A stored file with a thumbnail and a preview, its row inserted as given. */
    async function storedFile(fields: Partial<FileInfoRecord>): Promise<FileInfoRecord> {
      const id = newId()
      const dir = `data/20260101/teams/noteam/channels/${newId()}/users/${newId()}/${id}`
      const file: FileInfoRecord = {
        id, userId: newId(), postId: '', channelId: newId(), createAt: NOW - 48 * HOUR, updateAt: NOW - 48 * HOUR, deleteAt: 0,
        path: `${dir}/photo.png`, thumbnailPath: `${dir}/photo_thumb.jpg`, previewPath: `${dir}/photo_preview.jpg`,
        name: 'photo.png', extension: 'png', size: 3, mimeType: 'image/png', width: 1, height: 1, hasPreviewImage: true, miniPreview: null, content: null,
        ...fields,
      }
      for (const key of [file.path, file.thumbnailPath, file.previewPath]) await storage.put(key, Buffer.from('abc'))
      await store.insert(file)
      return file
    }

    async function keysOf(file: FileInfoRecord): Promise<string[]> {
      const keys: string[] = []
      for (const key of [file.path, file.thumbnailPath, file.previewPath]) if (await storage.stat(key)) keys.push(key)
      return keys
    }

    async function expectGone(file: FileInfoRecord): Promise<void> {
      expect(await store.getById(file.id), `row of ${file.name}`).to.equal(null)
      expect(await keysOf(file), `bytes of ${file.name}`).to.deep.equal([])
    }

    async function expectKept(file: FileInfoRecord): Promise<void> {
      expect(await store.getById(file.id), `row of ${file.name}`).to.not.equal(null)
      expect(await keysOf(file), `bytes of ${file.name}`).to.have.length(3)
    }

    it('deletes the row, file, thumbnail and preview of an upload never attached once ORPHANED_UPLOAD_HOURS old', async () => {
      const old = await storedFile({ name: 'old.png', createAt: NOW - 25 * HOUR })
      const young = await storedFile({ name: 'young.png', createAt: NOW - 23 * HOUR })
      const report = await job().runOnce(NOW)
      expect(report.orphans).to.be.at.least(1)
      expect(report.failed).to.equal(0)
      await expectGone(old)
      await expectKept(young)
    })

    it('leaves files attached to a post alone, however old', async () => {
      const attached = await storedFile({ name: 'attached.png', postId: newId(), createAt: NOW - 400 * DAY })
      await job({ deletedFileRetentionDays: 1 }).runOnce(NOW)
      await expectKept(attached)
    })

    it('keeps the files of deleted posts when DELETED_FILE_RETENTION_DAYS is 0 (the default)', async () => {
      const deleted = await storedFile({ name: 'kept.png', postId: newId(), deleteAt: NOW - 400 * DAY })
      expect((await job().runOnce(NOW)).purged).to.equal(0)
      await expectKept(deleted)
    })

    it('purges the files of posts deleted longer ago than DELETED_FILE_RETENTION_DAYS, and only those', async () => {
      const expired = await storedFile({ name: 'expired.png', postId: newId(), deleteAt: NOW - 31 * DAY })
      const recent = await storedFile({ name: 'recent.png', postId: newId(), deleteAt: NOW - 29 * DAY })
      expect((await job({ deletedFileRetentionDays: 30 }).runOnce(NOW)).purged).to.be.at.least(1)
      await expectGone(expired)
      await expectKept(recent)
    })

    it('deletes every orphan when there are more than one page of them', async () => {
      const orphans = []
      for (let i = 0; i < 5; i++) orphans.push(await storedFile({ name: `page-${i}.png`, createAt: NOW - 30 * HOUR }))
      await job({ batchSize: 2 }).runOnce(NOW)
      for (const orphan of orphans) await expectGone(orphan)
    })

    it('keeps the row when removing the bytes fails, and the next run removes what is left', async () => {
      const file = await storedFile({ name: 'flaky.png', createAt: NOW - 30 * HOUR })
      let failures = 1
      const flaky: FileStorage = {
        ...storage,
        async delete(key) {
          if (key === file.thumbnailPath && failures-- > 0) throw new Error('storage unavailable')
          await storage.delete(key)
        },
      }
      const first = await createFileCleanupJob({ store, storage: flaky, log, intervalMinutes: 0, orphanedUploadHours: 24, deletedFileRetentionDays: 0 }).runOnce(NOW)
      expect(first.failed).to.equal(1)
      const row = await store.getById(file.id)
      expect(row, 'the row stays as the retry handle').to.not.equal(null)
      expect(row!.deleteAt, 'marked, so no post can claim it').to.equal(NOW)
      expect(await keysOf(file)).to.deep.equal([file.thumbnailPath, file.previewPath])
      await job().runOnce(NOW + HOUR)
      await expectGone(file)
    })

    it('leaves an upload that a post claimed after it was listed', async () => {
      const file = await storedFile({ name: 'claimed.png', createAt: NOW - 30 * HOUR })
      const postId = newId()
      // The post claims the file between the job's listing and its marking.
      const racing: FileStore = {
        ...store,
        async markUnattachedDeleted(id, at) {
          if (id === file.id) await store.attachToPost(database.db.prisma, [id], { postId, userId: file.userId, channelId: file.channelId, at })
          return store.markUnattachedDeleted(id, at)
        },
      }
      await createFileCleanupJob({ store: racing, storage, log, intervalMinutes: 0, orphanedUploadHours: 24, deletedFileRetentionDays: 0 }).runOnce(NOW)
      expect((await store.getById(file.id))!.postId).to.equal(postId)
      await expectKept(file)
    })
  })
}

for (const backend of BACKENDS) cleanupSuite(backend, 'local', openLocal)
cleanupSuite(BACKENDS[0]!, 'S3', openS3)
