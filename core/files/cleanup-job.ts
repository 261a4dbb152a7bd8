/**
 * The file cleanup job: deletes uploads never attached to a post (rows and bytes) once they are
 * ORPHANED_UPLOAD_HOURS old, and purges files deleted with their post once they have been deleted
 * for DELETED_FILE_RETENTION_DAYS (0, the default, keeps them: Mattermost keeps the bytes of deleted
 * posts' files too, and removes them only through its enterprise data retention policies).
 *
 * Never half-deleted: the row is the job's to-do list, so it goes last. Bytes are removed first
 * (file, thumbnail, preview; removing a missing object is not an error), then the row; a run that
 * fails half-way leaves the row, and the next run finds it and removes whatever is left. Removing
 * the row first would make a failure leave bytes no row points to, which nothing would ever find.
 * An orphan is first marked deleted, so a post created while its bytes go cannot claim it (posts
 * claim live files only); a marked orphan left by a failed run still matches the next run's query.
 * Every step is idempotent, so two servers running the job at once do no harm.
 */
import { nowMillis } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { FileStorage } from './storage/index.ts'
import type { FileInfoRecord, FileStore } from './store.ts'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

export interface FileCleanupOptions {
  store: FileStore
  storage: FileStorage
  log: Logger
  /** Minutes between runs; 0 means `start()` schedules nothing. */
  intervalMinutes: number
  orphanedUploadHours: number
  /** 0 keeps files deleted with their post forever. */
  deletedFileRetentionDays: number
  /** Rows read per query. */
  batchSize?: number
}

/** What one run removed. */
export interface FileCleanupReport {
  orphans: number
  purged: number
  /** Files whose removal failed this run (logged; retried by the next run). */
  failed: number
}

export function createFileCleanupJob(options: FileCleanupOptions) {
  const { store, storage, log, batchSize = 200 } = options
  let timer: NodeJS.Timeout | undefined
  let running: Promise<FileCleanupReport> | undefined

  async function removeBytes(file: FileInfoRecord): Promise<void> {
    for (const key of [file.path, file.thumbnailPath, file.previewPath]) {
      if (key) await storage.delete(key)
    }
  }

  /** @returns false when the upload was attached to a post after it was listed (it is left alone). */
  async function removeOrphan(file: FileInfoRecord, now: number): Promise<boolean> {
    if (file.deleteAt === 0 && !(await store.markUnattachedDeleted(file.id, now))) {
      const current = await store.getById(file.id)
      // Attached to a post in the meantime; or gone, removed by another server.
      if (!current || current.postId !== '' || current.deleteAt === 0) return false
    }
    await removeBytes(file)
    await store.purgeDeleted(file.id)
    return true
  }

  async function removeDeleted(file: FileInfoRecord): Promise<boolean> {
    await removeBytes(file)
    await store.purgeDeleted(file.id)
    return true
  }

  /** Runs `remove` over every listed file, page by page, until a page removes nothing. */
  async function drain(kind: string, list: () => Promise<FileInfoRecord[]>, remove: (file: FileInfoRecord) => Promise<boolean>, report: FileCleanupReport): Promise<number> {
    let removed = 0
    for (;;) {
      const page = await list()
      let progress = 0
      for (const file of page) {
        try {
          if (await remove(file)) progress += 1
        } catch (err) {
          report.failed += 1
          log.warn({ job: 'file-cleanup', kind, fileId: file.id, err }, 'could not remove a file; the next run retries')
        }
      }
      removed += progress
      // A short page is the last; a page of failures only would come back the same.
      if (page.length < batchSize || progress === 0) return removed
    }
  }

  async function run(now: number): Promise<FileCleanupReport> {
    const report: FileCleanupReport = { orphans: 0, purged: 0, failed: 0 }
    const orphanedBefore = now - options.orphanedUploadHours * HOUR
    report.orphans = await drain('orphan', () => store.listUnattached(orphanedBefore, batchSize), (file) => removeOrphan(file, now), report)
    if (options.deletedFileRetentionDays > 0) {
      const deletedBefore = now - options.deletedFileRetentionDays * DAY
      report.purged = await drain('deleted', () => store.listDeletedWithPost(deletedBefore, batchSize), removeDeleted, report)
    }
    if (report.orphans + report.purged + report.failed > 0) log.info({ job: 'file-cleanup', ...report }, 'file cleanup run')
    return report
  }

  function runOnce(now: number = nowMillis()): Promise<FileCleanupReport> {
    running ??= run(now).finally(() => {
      running = undefined
    })
    return running
  }

  return {
    /**
     * One run, as if the time were `now` (tests pass a later clock instead of waiting). A run
     * already under way is joined rather than doubled.
     * @throws Error when the database cannot be read (a failing file is logged, not thrown).
     */
    runOnce,

    /** Schedules a run every `intervalMinutes` (none when 0). */
    start(): void {
      if (options.intervalMinutes <= 0 || timer) return
      timer = setInterval(() => {
        runOnce().catch((err: unknown) => log.error({ job: 'file-cleanup', err }, 'file cleanup run failed'))
      }, options.intervalMinutes * 60 * 1000)
      timer.unref()
    },

    /** Stops scheduling and waits for a run under way, so the database can close after. */
    async stop(): Promise<void> {
      clearInterval(timer)
      timer = undefined
      // Its failure, if any, is reported to whoever started it (the timer logs it).
      await running?.catch(() => undefined)
    },
  }
}

export type FileCleanupJob = ReturnType<typeof createFileCleanupJob>
