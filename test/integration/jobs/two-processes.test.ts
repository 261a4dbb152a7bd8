/** Two server processes on one PostgreSQL database run each job exactly once between them. */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { openDatabase, query, type Database } from '../../../core/db/index.ts'
import { createLogger } from '../../../core/log.ts'
import { createJobService } from '../../../core/jobs/index.ts'
import { BACKENDS, createPostgresDatabase } from '../../helpers/server.ts'

const SCRIPT = path.join(import.meta.dirname, 'worker-process.ts')
const JOBS = 200
const log = createLogger({ level: 'silent' })

/** Starts the worker script and resolves once it printed `ready`. */
function startWorker(databaseUrl: string, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, databaseUrl, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker process not ready after 60 s: ${stderr}`)), 60_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer)
        resolve(child)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`worker process exited with ${code} before it was ready: ${stderr}`))
    })
  })
}

function stopWorker(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.kill('SIGTERM')
  })
}

;(BACKENDS.includes('postgres') ? describe : describe.skip)('jobs with two server processes on one PostgreSQL database', function () {
  this.timeout(120_000)
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>
  let db: Database
  let dataDir: string
  const workers: ChildProcess[] = []

  before(async () => {
    database = await createPostgresDatabase()
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-two-'))
    // The first process migrates; the second waits on the migration lock and finds nothing to do.
    workers.push(...(await Promise.all([startWorker(database.url, dataDir), startWorker(database.url, dataDir)])))
    db = await openDatabase({ databaseUrl: database.url, dataDir, sharedBuffers: '32MB', log })
    await query(db, 'CREATE TABLE test_job_runs (job_id varchar(26) NOT NULL, pid integer NOT NULL)')
  })

  after(async () => {
    const codes = await Promise.all(workers.map(stopWorker))
    await db?.close()
    await database?.drop()
    await fs.rm(dataDir, { recursive: true, force: true })
    expect(codes, 'exit codes of the worker processes after SIGTERM').to.deep.equal([0, 0])
  })

  it(`runs each of ${JOBS} jobs exactly once, and both processes take part`, async () => {
    // This process only enqueues: its service is never started.
    const jobs = createJobService({ db, log })
    jobs.register({ id: 'test.exactly-once', handler: async () => undefined })
    const ids: string[] = []
    for (let i = 0; i < JOBS; i++) ids.push((await jobs.enqueue({ type: 'test.exactly-once', data: { i } })).id)

    const deadline = Date.now() + 60_000
    for (;;) {
      const [row] = await query<{ done: number }>(db, `SELECT count(*)::int AS done FROM jobs WHERE type = 'test.exactly-once' AND status = 'success'`)
      if (row!.done === JOBS) break
      if (Date.now() > deadline) throw new Error(`only ${row!.done} of ${JOBS} jobs succeeded in 60 s`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    // Give a wrongly repeated run the time to show.
    await new Promise((resolve) => setTimeout(resolve, 500))

    const runs = await query<{ job_id: string; pid: number }>(db, 'SELECT job_id, pid FROM test_job_runs')
    const perJob = new Map<string, number>()
    for (const run of runs) perJob.set(run.job_id, (perJob.get(run.job_id) ?? 0) + 1)
    expect([...perJob.entries()].filter(([, count]) => count !== 1), 'jobs run more than once').to.deep.equal([])
    expect([...perJob.keys()].sort()).to.deep.equal([...ids].sort())
    const pids = new Set(runs.map((r) => r.pid))
    expect([...pids].sort()).to.deep.equal(workers.map((w) => w.pid).sort())
  })
})
