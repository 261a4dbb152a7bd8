/**
 * Admin API for imports, shaped after Mattermost's (upload, then a job whose status is polled):
 * `POST /api/v4/bridges/{bridge}/import?team=NAME` takes the archive as the request body (and an
 * optional `X-Import-Token` for the platform's file URLs), stores it
 * under the data dir and answers 201 with a job; `GET /api/v4/jobs/{id}` shows its progress and,
 * when done, the report in `data.report`.
 */
import fs from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Router } from 'express'
import { AppError, forbidden, invalidParam, invalidUrlParam } from '../core/errors.ts'
import { newId } from '../core/ids.ts'
import { presentJob } from '../core/present/job.ts'
import { requireSession } from '../core/http/context.ts'
import { sendJson } from '../core/http/respond.ts'
import type { ApiDeps } from '../core/http/api4/deps.ts'
import { PermanentJobError, type JobService } from '../core/jobs/index.ts'
import type { Registry } from '../core/registry.ts'
import { UnusableArchiveError, type Bridge, type ImportContext } from './bridge.ts'

export const IMPORT_JOB = 'bridges.import'

interface ImportJobData {
  bridge: string
  team: string
  admin_id: string
  file: string
  /** The platform token lives in `<file>.token` (mode 600), not here: job data is readable through `GET /jobs`. */
  has_token?: boolean
}

const tokenFile = (archive: string) => `${archive}.token`

async function removeUpload(archive: string): Promise<void> {
  await rm(archive, { force: true })
  await rm(tokenFile(archive), { force: true })
}

const TEAM_NAME = /^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$/
// PUT-style upload of one archive; exports of large workspaces run to gigabytes.
const MAX_ARCHIVE_BYTES = 20 * 1024 ** 3

/** Registers the import job type: runs the bridge's importer, then removes the uploaded archive. */
export function registerImportJob(jobs: JobService, registry: Registry<Bridge>, context: ImportContext): void {
  jobs.register<ImportJobData>({
    id: IMPORT_JOB,
    description: 'Imports an uploaded export archive through a bridge',
    // Imports are idempotent, so a retry after a crash resumes; a broken archive fails at once.
    maxAttempts: 3,
    handler: async (job, ctx) => {
      const bridge = registry.get(job.data.bridge)
      if (!bridge?.import) throw new Error(`bridge ${job.data.bridge} cannot import`)
      let lastSaved = 0
      const token = job.data.has_token ? (await readFile(tokenFile(job.data.file), 'utf8').catch(() => '')) || undefined : undefined
      const outcome = await bridge.import(context, {
        file: job.data.file, team: job.data.team, adminId: job.data.admin_id, token, signal: ctx.signal,
        onProgress: (p) => {
          if (Date.now() - lastSaved < 2000) return
          lastSaved = Date.now()
          void ctx.saveData({ progress: p }).catch((err: unknown) => ctx.log.warn({ err }, 'could not save import progress'))
        },
      }).catch(async (err: unknown) => {
        if (!(err instanceof UnusableArchiveError)) throw err
        await removeUpload(job.data.file)
        throw new PermanentJobError(err.message)
      })
      await ctx.saveData({ report: outcome.toJSON() })
      await removeUpload(job.data.file)
    },
  })
}

/** The routes; `uploadDir` holds archives until their job has run. */
export function importRoutes(registry: Registry<Bridge>, uploadDir: string) {
  return (router: Router, deps: ApiDeps): void => {
    router.post('/bridges/:bridge/import', async (req, res) => {
      const session = requireSession(req)
      if (!session.isSystemAdmin) throw forbidden('only a system admin may import')
      const bridgeId = req.params.bridge
      const bridge = typeof bridgeId === 'string' ? registry.get(bridgeId) : undefined
      if (!bridge?.import) throw invalidUrlParam('bridge')
      const team = typeof req.query.team === 'string' ? req.query.team : ''
      if (!TEAM_NAME.test(team)) throw invalidParam('team', 'team must be a team name: 2–64 lowercase letters, digits and hyphens')
      // A header, not the query: URLs end up in logs, and this is a credential for the platform's files.
      const header = req.headers['x-import-token']
      const token = typeof header === 'string' && header ? header : undefined
      await mkdir(uploadDir, { recursive: true })
      const file = path.join(uploadDir, `${newId()}.zip`)
      let size = 0
      try {
        await pipeline(req, async function* (source) {
          for await (const chunk of source) {
            size += (chunk as Buffer).length
            if (size > MAX_ARCHIVE_BYTES) throw new AppError('api.import.upload.too_large.app_error', 'The archive is too large.', 413)
            yield chunk as Buffer
          }
        }, fs.createWriteStream(file))
      } catch (err) {
        await rm(file, { force: true })
        if (err instanceof AppError) throw err
        throw new AppError('api.import.upload.read.app_error', 'Unable to read the uploaded archive.', 400, { detailed: (err as Error).message, cause: err })
      }
      if (size === 0) {
        await rm(file, { force: true })
        throw invalidParam('file', 'the request body must be the export archive (Content-Type: application/zip)')
      }
      if (token) await writeFile(tokenFile(file), token, { mode: 0o600 })
      const job = await deps.jobs.enqueue<ImportJobData>({ type: IMPORT_JOB, data: { bridge: bridge.id, team, admin_id: session.userId, file, ...(token ? { has_token: true } : {}) } })
      sendJson(res, 201, presentJob(job))
    })
  }
}
