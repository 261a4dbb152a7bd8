/** Specifies how migrate() applies, records and refuses SQL migrations, on both backends and across processes. */
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { expect } from 'chai'
import pg from 'pg'
import { migrate, MigrationError, query, type Database } from '../../../core/db/index.ts'
import { createLogger } from '../../../core/log.ts'
import { createTestDatabase, POSTGRES_ADMIN_URL, type TestDatabase } from '../../helpers/database.ts'
import { BACKENDS } from '../../helpers/server.ts'

const log = createLogger({ level: 'silent', destination: process.stderr })

async function migrationDir(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-migrations-'))
  for (const [name, sql] of Object.entries(files)) await fs.writeFile(path.join(dir, name), sql)
  return dir
}

async function tableNames(db: Database): Promise<string[]> {
  const rows = await query<{ name: string }>(db, `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
  return rows.map((r) => r.name)
}

async function captureError(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (err) {
    return err as Error
  }
  throw new Error('expected the operation to fail, but it succeeded')
}

const twoMigrations = {
  '0001_create_notes.sql': 'CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL);',
  '0002_seed_notes.sql': `ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false;\nINSERT INTO notes (id, body) VALUES (1, 'first');`,
}

for (const kind of BACKENDS) {
  describe(`migrations on ${kind === 'pglite' ? 'PGlite' : 'PostgreSQL'}`, function () {
    this.timeout(60_000)
    let test: TestDatabase
    let dir: string

    beforeEach(async () => {
      test = await createTestDatabase(kind, { migrated: false })
      dir = await migrationDir(twoMigrations)
    })

    afterEach(async () => {
      await test?.cleanup()
      await fs.rm(dir, { recursive: true, force: true })
    })

    it('applies pending files in order and records version, name, checksum and time', async () => {
      const before = Date.now()
      const result = await migrate(test.db, log, dir)
      expect(result.applied).to.deep.equal(['0001_create_notes.sql', '0002_seed_notes.sql'])
      expect(await query(test.db, 'SELECT id, body, pinned FROM notes')).to.deep.equal([{ id: 1, body: 'first', pinned: false }])

      const recorded = await query<{ version: number; name: string; checksum: string; applied_at: number }>(
        test.db,
        'SELECT version, name, checksum, applied_at FROM bridgehead_migrations ORDER BY version',
      )
      expect(recorded.map((r) => [r.version, r.name])).to.deep.equal([
        [1, 'create_notes'],
        [2, 'seed_notes'],
      ])
      for (const row of recorded) {
        expect(row.checksum).to.match(/^[0-9a-f]{64}$/)
        expect(row.applied_at).to.be.within(before, Date.now())
      }
    })

    it('applies nothing when run again', async () => {
      await migrate(test.db, log, dir)
      const again = await migrate(test.db, log, dir)
      expect(again.applied).to.deep.equal([])
      expect(await query(test.db, 'SELECT count(*) AS n FROM notes')).to.deep.equal([{ n: 1 }])
    })

    it('applies only the files added since the last run', async () => {
      await migrate(test.db, log, dir)
      await fs.writeFile(path.join(dir, '0003_more_notes.sql'), `INSERT INTO notes (id, body) VALUES (2, 'second');`)
      expect((await migrate(test.db, log, dir)).applied).to.deep.equal(['0003_more_notes.sql'])
      expect(await query(test.db, 'SELECT count(*) AS n FROM notes')).to.deep.equal([{ n: 2 }])
    })

    it('refuses a file changed after it was applied, naming it', async () => {
      await migrate(test.db, log, dir)
      await fs.writeFile(path.join(dir, '0001_create_notes.sql'), 'CREATE TABLE notes (id bigint PRIMARY KEY);')
      const err = await captureError(migrate(test.db, log, dir))
      expect(err).to.be.instanceOf(MigrationError)
      expect((err as MigrationError).file).to.equal('0001_create_notes.sql')
      expect(err.message).to.contain('0001_create_notes.sql').and.contain('changed after it was applied')
    })

    it('rolls back a failing migration entirely and names the file and the SQL error', async () => {
      await fs.writeFile(
        path.join(dir, '0003_broken.sql'),
        `CREATE TABLE half_done (id integer);\nINSERT INTO notes (id, body) VALUES (3, 'third');\nINSERT INTO no_such_table VALUES (1);`,
      )
      const err = await captureError(migrate(test.db, log, dir))
      expect(err).to.be.instanceOf(MigrationError)
      expect(err.message).to.contain('0003_broken.sql').and.contain('no_such_table').and.contain('line 3')

      expect(await tableNames(test.db)).to.not.include('half_done')
      expect(await query(test.db, 'SELECT count(*) AS n FROM notes')).to.deep.equal([{ n: 1 }])
      const versions = await query<{ version: number }>(test.db, 'SELECT version FROM bridgehead_migrations ORDER BY version')
      expect(versions.map((v) => v.version)).to.deep.equal([1, 2])
    })

    it('keeps the migrations before a failing one applied', async () => {
      await fs.writeFile(path.join(dir, '0003_broken.sql'), 'SELECT 1/0;')
      await captureError(migrate(test.db, log, dir))
      expect(await tableNames(test.db)).to.include('notes')
      await fs.writeFile(path.join(dir, '0003_broken.sql'), 'SELECT 1;')
      expect((await migrate(test.db, log, dir)).applied).to.deep.equal(['0003_broken.sql'])
    })

    it('refuses to run when the database has a migration this build does not know', async () => {
      await migrate(test.db, log, dir)
      await fs.rm(path.join(dir, '0002_seed_notes.sql'))
      const err = await captureError(migrate(test.db, log, dir))
      expect(err.message).to.contain('0002_seed_notes.sql').and.contain('older than the database')
    })

    it('refuses a new file numbered below an applied one', async () => {
      await fs.rm(path.join(dir, '0001_create_notes.sql'))
      await fs.writeFile(path.join(dir, '0002_seed_notes.sql'), 'CREATE TABLE notes (id integer, body text);')
      await migrate(test.db, log, dir)
      await fs.writeFile(path.join(dir, '0001_late.sql'), 'SELECT 1;')
      const err = await captureError(migrate(test.db, log, dir))
      expect(err.message).to.contain('0001_late.sql').and.contain('renumber')
    })

    it('refuses a misnamed .sql file instead of skipping it', async () => {
      await fs.writeFile(path.join(dir, '3_add_index.sql'), 'SELECT 1;')
      const err = await captureError(migrate(test.db, log, dir))
      expect(err.message).to.contain('3_add_index.sql').and.contain('NNNN_')
      expect(await tableNames(test.db)).to.not.include('notes')
    })
  })
}

// Needs a server that two processes can reach; an embedded data dir admits only one process.
if (BACKENDS.includes('postgres')) describe('migrations across processes', function () {
  this.timeout(120_000)
  let dbName: string
  let dir: string

  before(async () => {
    dbName = `bh_test_race_${process.pid}_${Date.now()}`
    await withAdmin((admin) => admin.query(`CREATE DATABASE ${dbName}`))
    // The first migration sleeps so the second process surely arrives while it runs.
    dir = await migrationDir({
      '0001_create_runs.sql': `CREATE TABLE runs (migration text NOT NULL, backend_pid integer NOT NULL);\nSELECT pg_sleep(1);\nINSERT INTO runs VALUES ('0001', pg_backend_pid());`,
      '0002_second.sql': `INSERT INTO runs VALUES ('0002', pg_backend_pid());`,
      '0003_third.sql': `INSERT INTO runs VALUES ('0003', pg_backend_pid());`,
    })
  })

  after(async () => {
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`))
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('applies each migration once when two processes start at once', async () => {
    const url = new URL(POSTGRES_ADMIN_URL)
    url.pathname = `/${dbName}`
    const barrier = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-barrier-'))
    try {
      const results = await Promise.all([runMigrateProcess(url.toString(), dir, barrier), runMigrateProcess(url.toString(), dir, barrier)])

      const appliedByEach = results.map((r) => r.applied)
      expect([...appliedByEach[0]!, ...appliedByEach[1]!].sort()).to.deep.equal(['0001_create_runs.sql', '0002_second.sql', '0003_third.sql'])
      // The loser really waited on the lock rather than starting after the winner had finished.
      expect(results.filter((r) => r.waited)).to.have.length(1)

      const client = new pg.Client({ connectionString: url.toString() })
      await client.connect()
      const runs = await client.query('SELECT migration, count(*) AS n FROM runs GROUP BY 1 ORDER BY 1').finally(() => client.end())
      expect(runs.rows).to.deep.equal([
        { migration: '0001', n: '1' },
        { migration: '0002', n: '1' },
        { migration: '0003', n: '1' },
      ])
    } finally {
      await fs.rm(barrier, { recursive: true, force: true })
    }
  })
})

/** Starts `node` running migrate() against `databaseUrl`, after both processes reach a file barrier. */
function runMigrateProcess(databaseUrl: string, dir: string, barrier: string): Promise<{ applied: string[]; waited: boolean }> {
  const dbModule = pathToFileURL(path.resolve('core/db/index.ts')).href
  const logModule = pathToFileURL(path.resolve('core/log.ts')).href
  const script = `
    import fs from 'node:fs'
    import path from 'node:path'
    import { Writable } from 'node:stream'
    const { openDatabase, migrate } = await import(${JSON.stringify(dbModule)})
    const { createLogger } = await import(${JSON.stringify(logModule)})
    const [url, dir, barrier] = process.argv.slice(-3)
    let waited = false
    const sink = new Writable({ write(chunk, _enc, done) { if (String(chunk).includes('waiting for another node')) waited = true; done() } })
    const log = createLogger({ level: 'info', destination: sink })
    const db = await openDatabase({ databaseUrl: url, dataDir: dir, sharedBuffers: '32MB', log })
    fs.writeFileSync(path.join(barrier, String(process.pid)), '')
    while (fs.readdirSync(barrier).length < 2) await new Promise((r) => setTimeout(r, 5))
    const result = await migrate(db, log, dir)
    await db.close()
    process.stdout.write(JSON.stringify({ applied: result.applied, waited }))
  `
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', tsx, '--input-type=module', '-e', script, '--', databaseUrl, dir, barrier],
      { timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`migrate process failed: ${err.message}\n${stderr}`))
        try {
          resolve(JSON.parse(stdout) as { applied: string[]; waited: boolean })
        } catch {
          reject(new Error(`migrate process printed no result: ${stdout}\n${stderr}`))
        }
      },
    )
  })
}

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await admin.connect()
  try {
    return await fn(admin)
  } finally {
    await admin.end()
  }
}
