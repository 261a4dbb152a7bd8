/** Throwaway databases for tests: PGlite copied from a per-process template, or a fresh database on the local PostgreSQL server. */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { migrate, openDatabase, type Database, type OpenDatabaseOptions } from '../../core/db/index.ts'
import { createLogger, type Logger } from '../../core/log.ts'

/** Superuser URL of the local test server; CREATE/DROP DATABASE go through it. */
export const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  db: Database
  /** Closes the database and deletes it (its directory or the server database). */
  cleanup(): Promise<void>
}

export interface TestDatabaseOptions {
  /** Apply prisma/migrations (default true); false gives an empty database for migration tests. */
  migrated?: boolean
  /** PGlite only: its own vacuum and checkpoint timers (openDatabase's defaults unless given). */
  upkeep?: OpenDatabaseOptions['upkeep']
}

const execFileAsync = promisify(execFile)
const SHARED_BUFFERS = '32MB'
const log: Logger = createLogger({ level: 'silent', destination: process.stderr })

// initdb costs ~3 s and a memory peak, so each test process makes one template per flavour
// and copies it (~0.3 s).
const templates = new Map<boolean, Promise<string>>()
let tempRoot: string | undefined

function testTempRoot(): string {
  if (!tempRoot) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-testdb-'))
    tempRoot = root
    process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }))
  }
  return tempRoot
}

/**
 * A migrated (or, with `migrated: false`, empty) database of the given kind, owned by the caller.
 * @throws when the PostgreSQL server at 127.0.0.1:5432 is unreachable, naming it.
 */
export async function createTestDatabase(kind: 'pglite' | 'postgres', options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const migrated = options.migrated ?? true
  return kind === 'pglite' ? createPgliteDatabase(migrated, options.upkeep) : createPostgresDatabase(migrated)
}

/**
 * A new DATA_DIR holding a copy of the migrated PGlite template, not yet opened; for tests of
 * opening itself. The caller deletes it.
 */
export async function createPgliteDataDir(): Promise<string> {
  const template = await pgliteTemplate(true)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-embedded-'))
  await copyDir(template, path.join(dataDir, 'db'))
  return dataDir
}

async function createPgliteDatabase(migrated: boolean, upkeep: TestDatabaseOptions['upkeep']): Promise<TestDatabase> {
  const template = await pgliteTemplate(migrated)
  const dataDir = fs.mkdtempSync(path.join(testTempRoot(), 'pglite-'))
  await copyDir(template, path.join(dataDir, 'db'))
  const db = await openDatabase({ dataDir, sharedBuffers: SHARED_BUFFERS, log, upkeep })
  return {
    db,
    async cleanup() {
      await db.close()
      await fs.promises.rm(dataDir, { recursive: true, force: true })
    },
  }
}

function pgliteTemplate(migrated: boolean): Promise<string> {
  let template = templates.get(migrated)
  if (!template) {
    template = buildPgliteTemplate(migrated)
    templates.set(migrated, template)
  }
  return template
}

async function buildPgliteTemplate(migrated: boolean): Promise<string> {
  const dataDir = path.join(testTempRoot(), migrated ? 'template-migrated' : 'template-empty')
  if (migrated) {
    await fs.promises.mkdir(dataDir, { recursive: true })
    await copyDir(await pgliteTemplate(false), path.join(dataDir, 'db'))
  }
  const db = await openDatabase({ dataDir, sharedBuffers: SHARED_BUFFERS, log })
  try {
    if (migrated) await migrate(db, log)
  } finally {
    await db.close()
  }
  return path.join(dataDir, 'db')
}

// cp(1) copies PGlite's ~2,300 small files in ~0.15 s; fs.cp takes ~1.4 s.
async function copyDir(from: string, to: string): Promise<void> {
  await execFileAsync('cp', ['-R', from, to])
}

let counter = 0

async function createPostgresDatabase(migrated: boolean): Promise<TestDatabase> {
  const name = `bh_test_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`))
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  let db: Database
  try {
    db = await openDatabase({ databaseUrl: url.toString(), dataDir: os.tmpdir(), sharedBuffers: SHARED_BUFFERS, log })
    if (migrated) await migrate(db, log)
  } catch (err) {
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    throw err
  }
  return {
    db,
    async cleanup() {
      await db.close()
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    },
  }
}

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  try {
    await admin.connect()
  } catch (err) {
    throw new Error(`Test PostgreSQL server ${POSTGRES_ADMIN_URL} is unreachable: ${(err as Error).message}`, { cause: err })
  }
  try {
    return await fn(admin)
  } finally {
    await admin.end()
  }
}
