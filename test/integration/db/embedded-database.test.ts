/** Specifies the embedded (PGlite) database: persistence, the data dir lock, its own housekeeping, and clean shutdown. */
import { execFile, spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { expect } from 'chai'
import { DataDirLockedError, migrate, openDatabase, query, withTransaction } from '../../../core/db/index.ts'
import { createLogger } from '../../../core/log.ts'
import { createPgliteDataDir, createTestDatabase } from '../../helpers/database.ts'
import { BACKENDS } from '../../helpers/server.ts'
import { eventually } from '../../helpers/eventually.ts'

const log = createLogger({ level: 'silent', destination: process.stderr })

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  )
}

if (BACKENDS.includes('pglite')) describe('embedded database', function () {
  this.timeout(60_000)
  let dataDir: string

  beforeEach(async () => {
    dataDir = await createPgliteDataDir()
  })

  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true })
  })

  it('initialises a new data dir on first open, and keeps data across close and reopen', async () => {
    const fresh = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-embedded-'))
    try {
      const first = await openDatabase({ dataDir: fresh, sharedBuffers: '32MB', log })
      expect(first.kind).to.equal('pglite')
      expect(await exists(path.join(fresh, 'db', 'PG_VERSION'))).to.equal(true)
      await migrate(first, log)
      await first.prisma.systemValue.create({ data: { name: 'DiagnosticId', value: 'abc123' } })
      await first.close()

      const second = await openDatabase({ dataDir: fresh, sharedBuffers: '32MB', log })
      try {
        expect((await migrate(second, log)).applied).to.deep.equal([])
        const row = await second.prisma.systemValue.findUnique({ where: { name: 'DiagnosticId' } })
        expect(row?.value).to.equal('abc123')
      } finally {
        await second.close()
      }
    } finally {
      await fs.rm(fresh, { recursive: true, force: true })
    }
  })

  it('checkpoints and vacuums itself while open, as a PostgreSQL server would', async () => {
    const db = await openDatabase({
      dataDir, sharedBuffers: '32MB', log,
      upkeep: { autovacuumIntervalMs: 200, checkpoints: { intervalMs: 200, maxWalBytes: 2 * 1024 * 1024, maxAgeMs: 3_600_000 } },
    })
    try {
      const walSinceCheckpoint = async () => (await query<{ v: number }>(db, `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::float8 AS v FROM pg_control_checkpoint()`))[0]!.v
      await query(db, `CREATE TABLE filler (id int PRIMARY KEY, body text)`)
      await query(db, `INSERT INTO filler SELECT i, repeat(md5(i::text), 30) FROM generate_series(1, 4000) i`)
      expect(await walSinceCheckpoint()).to.be.above(2 * 1024 * 1024)
      await query(db, `UPDATE filler SET body = body || 'x'`)
      await eventually('a checkpoint and a vacuum of filler', async () => {
        const [vacuumed] = await query<{ at: Date | null }>(db, `SELECT last_vacuum AS at FROM pg_stat_user_tables WHERE relname = 'filler'`)
        return (await walSinceCheckpoint()) < 2 * 1024 * 1024 && vacuumed?.at ? true : undefined
      })
    } finally {
      await db.close()
    }
  })

  it('refuses a second open of the same data dir in this process while the first is open', async () => {
    const first = await openDatabase({ dataDir, sharedBuffers: '32MB', log })
    try {
      let caught: unknown
      await openDatabase({ dataDir, sharedBuffers: '32MB', log }).then(
        (second) => second.close(),
        (err: unknown) => {
          caught = err
        },
      )
      expect(caught).to.be.instanceOf(DataDirLockedError)
      expect((caught as Error).message).to.contain(path.join(dataDir, 'db.lock')).and.contain('this process')
      // The refused open must not have disturbed the first.
      expect(await query(first, 'SELECT 1 AS one')).to.deep.equal([{ one: 1 }])
    } finally {
      await first.close()
    }
  })

  it('refuses an open from another process while the first is open, naming the holder', async () => {
    const first = await openDatabase({ dataDir, sharedBuffers: '32MB', log })
    try {
      const { code, stderr } = await openInChildProcess(dataDir)
      expect(code).to.not.equal(0)
      expect(stderr).to.contain('DataDirLockedError').and.contain(`process ${process.pid}`)
    } finally {
      await first.close()
    }
  })

  it('takes over a stale lock left by a dead process', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!
    const lockPath = path.join(dataDir, 'db.lock')
    await fs.writeFile(lockPath, JSON.stringify({ pid: dead, host: os.hostname(), startedAt: Date.now() - 60_000 }))

    const db = await openDatabase({ dataDir, sharedBuffers: '32MB', log })
    try {
      const owner = JSON.parse(await fs.readFile(lockPath, 'utf8')) as { pid: number }
      expect(owner.pid).to.equal(process.pid)
    } finally {
      await db.close()
    }
  })

  it('fails, rather than hangs, when code inside a transaction uses db.prisma instead of tx', async () => {
    const { db, cleanup } = await createTestDatabase('pglite')
    try {
      const started = Date.now()
      let caught: unknown
      await withTransaction(
        db,
        async (tx) => {
          await tx.systemValue.create({ data: { name: 'trap', value: '1' } })
          // The one connection belongs to tx, so this waits until the transaction expires.
          return db.prisma.systemValue.count()
        },
        { timeoutMs: 1000 },
      ).catch((err: unknown) => {
        caught = err
      })
      expect((caught as { code?: string })?.code).to.equal('P2028')
      expect(Date.now() - started).to.be.below(10_000)
      expect(await db.prisma.systemValue.count({ where: { name: 'trap' } })).to.equal(0)
    } finally {
      await cleanup()
    }
  })

  it('removes its lock on close, and tolerates a second close', async () => {
    const db = await openDatabase({ dataDir, sharedBuffers: '32MB', log })
    expect(await exists(path.join(dataDir, 'db.lock'))).to.equal(true)
    await db.close()
    await db.close()
    expect(await exists(path.join(dataDir, 'db.lock'))).to.equal(false)
  })
})

/** Runs openDatabase on `dataDir` in a separate Node process; resolves with its exit code and stderr. */
function openInChildProcess(dataDir: string): Promise<{ code: number; stderr: string }> {
  const dbModule = pathToFileURL(path.resolve('core/db/index.ts')).href
  const logModule = pathToFileURL(path.resolve('core/log.ts')).href
  const script = `
    const { openDatabase } = await import(${JSON.stringify(dbModule)})
    const { createLogger } = await import(${JSON.stringify(logModule)})
    const db = await openDatabase({ dataDir: process.argv.at(-1), sharedBuffers: '32MB', log: createLogger({ level: 'silent' }) })
    await db.close()
  `
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', tsx, '--input-type=module', '-e', script, '--', dataDir], { timeout: 60_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr })
    })
  })
}
