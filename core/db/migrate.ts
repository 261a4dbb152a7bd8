/** Applies the plain-SQL migrations in prisma/migrations at start-up, once each, even when several nodes start together. */
import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'
import type { Logger } from '../log.ts'
import type { Database } from './open-database.ts'

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url))

/** Every Bridgehead node takes this advisory lock before touching `bridgehead_migrations`. */
const MIGRATION_LOCK_KEY = 7_270_114_009_511

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/

interface MigrationFile {
  version: number
  name: string
  file: string
  sql: string
  checksum: string
}

interface AppliedMigration {
  version: number
  name: string
  checksum: string
}

/** A migration that failed, was changed after being applied, or does not fit the recorded history. */
export class MigrationError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'MigrationError'
  }
}

/**
 * Applies pending `NNNN_name.sql` files from `dir` in order, each in its own transaction, and
 * records them in `bridgehead_migrations`. Runs under a PostgreSQL advisory lock held for the
 * whole run, so concurrent starters wait and then find nothing left to do.
 * @throws MigrationError naming the file: SQL failure (rolled back), a changed applied file,
 *   an applied version missing from `dir` (database newer than this build), or a new file
 *   numbered below an applied one.
 */
export async function migrate(db: Pick<Database, 'pool' | 'kind'>, log: Logger, dir = DEFAULT_MIGRATIONS_DIR): Promise<{ applied: string[] }> {
  const files = await readMigrationFiles(dir)
  const client = await db.pool.connect()
  try {
    const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [MIGRATION_LOCK_KEY])
    if (!locked.rows[0]?.ok) {
      log.info('waiting for another node to finish migrating')
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    }
  } catch (err) {
    client.release(err as Error)
    throw new Error(`Cannot take the migration lock on the ${db.kind} database: ${(err as Error).message}`, { cause: err })
  }
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS bridgehead_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at bigint NOT NULL
    )`)
    const recorded = await client.query<AppliedMigration>('SELECT version, name, checksum FROM bridgehead_migrations ORDER BY version')
    const pending = planPending(files, recorded.rows, dir)
    const applied: string[] = []
    for (const migration of pending) {
      const started = Date.now()
      await applyOne(client, migration)
      log.info({ migration: migration.file, ms: Date.now() - started }, 'migration applied')
      applied.push(migration.file)
    }
    log.info({ database: db.kind, applied: applied.length, known: files.length }, 'database schema up to date')
    return { applied }
  } finally {
    try {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      client.release()
    } catch (err) {
      // Dropping the connection ends its session, which frees the lock on a PostgreSQL server.
      log.warn({ err, database: db.kind }, 'could not release the migration lock; dropping the connection')
      client.release(err as Error)
    }
  }
}

async function applyOne(client: pg.PoolClient, migration: MigrationFile): Promise<void> {
  await client.query('BEGIN')
  try {
    await client.query(migration.sql)
    await client.query('INSERT INTO bridgehead_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)', [
      migration.version,
      migration.name,
      migration.checksum,
      Date.now(),
    ])
    await client.query('COMMIT')
  } catch (err) {
    try {
      await client.query('ROLLBACK')
    } catch (rollbackErr) {
      throw new MigrationError(
        migration.file,
        `Migration ${migration.file} failed (${describeSqlError(err, migration.sql)}) and its rollback failed too: ${(rollbackErr as Error).message}`,
        { cause: err },
      )
    }
    throw new MigrationError(migration.file, `Migration ${migration.file} failed and was rolled back: ${describeSqlError(err, migration.sql)}`, {
      cause: err,
    })
  }
}

function planPending(files: MigrationFile[], recorded: AppliedMigration[], dir: string): MigrationFile[] {
  const byVersion = new Map(files.map((f) => [f.version, f]))
  for (const row of recorded) {
    const file = byVersion.get(row.version)
    const recordedFile = `${String(row.version).padStart(4, '0')}_${row.name}.sql`
    if (!file) {
      throw new MigrationError(
        recordedFile,
        `The database has migration ${recordedFile} applied, but ${dir} does not have it: this build is older than the database`,
      )
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        file.file,
        `Migration ${file.file} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… recorded, ${file.checksum.slice(0, 12)}… on disk): ` +
          'never edit an applied migration, add a new one',
      )
    }
  }
  const latest = recorded.at(-1)?.version ?? 0
  const applied = new Set(recorded.map((r) => r.version))
  const pending = files.filter((f) => !applied.has(f.version))
  const early = pending.find((f) => f.version < latest)
  if (early) {
    throw new MigrationError(early.file, `Migration ${early.file} is new but numbered below the applied migration ${latest}: renumber it after ${latest}`)
  }
  return pending
}

async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  let names: string[]
  try {
    names = await fs.readdir(dir)
  } catch (err) {
    throw new MigrationError(dir, `Cannot read the migrations directory ${dir}: ${(err as Error).message}`, { cause: err })
  }
  const files: MigrationFile[] = []
  const seen = new Map<number, string>()
  for (const file of names.filter((n) => n.endsWith('.sql')).sort()) {
    const match = FILE_NAME.exec(file)
    // A misnamed file would otherwise be skipped without a word.
    if (!match) throw new MigrationError(file, `Migration file ${path.join(dir, file)} is not named NNNN_lower_snake_name.sql`)
    const version = Number(match[1])
    const clash = seen.get(version)
    if (clash) throw new MigrationError(file, `Migrations ${clash} and ${file} have the same number`)
    seen.set(version, file)
    const sql = await fs.readFile(path.join(dir, file), 'utf8')
    files.push({ version, name: match[2]!, file, sql, checksum: createHash('sha256').update(sql).digest('hex') })
  }
  return files
}

/** The SQL error with its code and line, e.g. `relation "x" does not exist (42P01, line 12)`. */
function describeSqlError(err: unknown, sql: string): string {
  const e = err as { message?: string; code?: string; position?: string }
  const where: string[] = []
  if (e.code) where.push(e.code)
  const position = Number(e.position)
  if (Number.isInteger(position) && position > 0) where.push(`line ${sql.slice(0, position).split('\n').length}`)
  return `${e.message ?? String(err)}${where.length ? ` (${where.join(', ')})` : ''}`
}
