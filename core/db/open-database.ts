/** Opens the database: a PostgreSQL server when a URL is given, else embedded PGlite in this process, both reached through pg + Prisma. */
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import v8 from 'node:v8'
import { PGlite } from '@electric-sql/pglite'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import type { Config } from '../config/index.ts'
import type { Logger } from '../log.ts'
import { PrismaClient } from './generated/client.ts'
import { acquireDataDirLock, dataDirLockPath } from './data-dir-lock.ts'
import { embeddedConnections } from './embedded-connection.ts'
import { optimiseWasmByDefault } from '../malloc-trim.ts'
import { keepEmbeddedAutovacuum } from './embedded-autovacuum.ts'
import { DEFAULT_CHECKPOINT_POLICY, keepEmbeddedCheckpoints, type CheckpointPolicy } from './embedded-checkpoints.ts'

export interface Database {
  kind: 'pglite' | 'postgres'
  prisma: PrismaClient
  /** Raw SQL goes through `query()` in `sql.ts`. Embedded: one connection, shared with Prisma. */
  pool: pg.Pool
  /** Ends Prisma, the pool and (embedded) PGlite, then frees the lock; safe to call twice. */
  close(): Promise<void>
}

export interface OpenDatabaseOptions {
  /** postgres://… of a server; unset opens the embedded database in `dataDir/db`. */
  databaseUrl?: string
  dataDir: string
  /** PGlite `shared_buffers`, e.g. '32MB'. */
  sharedBuffers: string
  /** Let V8 optimise PGlite's hot WebAssembly (faster, more memory); the first embedded open in a process decides. */
  optimizeWasm?: boolean
  log: Logger
  /** Server pool size (default 10). The embedded database always uses one connection. */
  poolSize?: number
  /** Embedded only: how often it vacuums and checkpoints itself while open (tests shorten them). */
  upkeep?: { autovacuumIntervalMs?: number; checkpoints?: CheckpointPolicy }
}

// Waiting longer than this for a pooled connection is treated as a deadlock, not load: with one
// embedded connection, code that calls db.prisma inside withTransaction would otherwise hang.
const CONNECTION_TIMEOUT_MS = 30_000
const INITDB_TIMEOUT_MS = 120_000
// From the sources the initdb script is TypeScript run through tsx; from the bundle `npm start`
// runs (build/server/), it is the bundled JavaScript beside it.
const FROM_SOURCE = import.meta.url.endsWith('.ts')
const INITDB_SCRIPT = fileURLToPath(new URL(FROM_SOURCE ? './pglite-initdb.ts' : './pglite-initdb.mjs', import.meta.url))
// createRequire rather than import.meta.resolve: under mocha, tsx may load this file as CommonJS.
const INITDB_LOADER_ARGS = FROM_SOURCE ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : []

/** Whether V8 optimises PGlite's WebAssembly in this process, once the first embedded open has chosen. */
let wasmOptimised: boolean | undefined

/** The database the server's settings name, as `openDatabase` takes it. */
export function databaseOptionsOf(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'pgliteSharedBuffers' | 'pgliteOptimize' | 'mallocArenaMax'>, log: Logger): OpenDatabaseOptions {
  return { databaseUrl: config.databaseUrl, dataDir: config.dataDir, sharedBuffers: config.pgliteSharedBuffers, optimizeWasm: wasmOptimisationOf(config), log }
}

/**
 * Whether the settings let V8 optimise the embedded database's WebAssembly: PGLITE_OPTIMIZE when set,
 * else `optimiseWasmByDefault`. Always false on PostgreSQL, where there is no WebAssembly and so no
 * reason to load malloc_trim's native binding.
 */
export function wasmOptimisationOf(config: Pick<Config, 'databaseUrl' | 'pgliteOptimize' | 'mallocArenaMax'>): boolean {
  if (config.databaseUrl !== undefined) return false
  return config.pgliteOptimize ?? optimiseWasmByDefault(config.mallocArenaMax)
}

/**
 * Opens the database named by the options and checks it answers.
 * @throws DataDirLockedError when another process has the embedded data dir open.
 * @throws Error naming the server (without credentials) or the data dir when it cannot be opened.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.databaseUrl === undefined ? openEmbedded(options) : openServer(options.databaseUrl, options)
}

async function openServer(databaseUrl: string, options: OpenDatabaseOptions): Promise<Database> {
  const where = describeUrl(databaseUrl)
  const log = options.log.child({ database: 'postgres', server: where })
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
  })
  // An idle client losing its server emits here; unhandled, it would crash the process.
  pool.on('error', (err) => log.error({ err }, 'idle database connection failed'))
  try {
    await pool.query('SELECT 1')
  } catch (err) {
    await pool.end()
    throw new Error(`Cannot connect to PostgreSQL at ${where}: ${(err as Error).message}`, { cause: err })
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) })
  log.info('database opened')
  return {
    kind: 'postgres',
    prisma,
    pool,
    close: once(async () => {
      await runAll(`closing PostgreSQL ${where}`, [() => prisma.$disconnect(), () => pool.end()])
      log.info('database closed')
    }),
  }
}

async function openEmbedded(options: OpenDatabaseOptions): Promise<Database> {
  const dbDir = path.join(options.dataDir, 'db')
  const log = options.log.child({ database: 'pglite', dataDir: dbDir })
  await fs.mkdir(options.dataDir, { recursive: true })
  const lock = await acquireDataDirLock(dataDirLockPath(options.dataDir))
  // Each step registers its undo, so a failure half-way leaves no lock or engine behind.
  const undo: (() => Promise<unknown>)[] = [() => lock.release()]
  const teardown = () => runAll(`closing the embedded database ${dbDir}`, [...undo].reverse())
  try {
    if (!(await exists(path.join(dbDir, 'PG_VERSION')))) await initDataDir(dbDir, options.sharedBuffers, log)

    if (wasmOptimised === undefined) {
      // V8's flags are per process, so the first open decides for the later ones. Liftoff only keeps
      // V8's optimising tier off PGlite's Wasm: a fifth less speed, but none of the 60-140 MB of
      // compiler memory (shared/notes/pglite.md) that a process without malloc_trim and an arena
      // limit keeps for good (PGLITE_OPTIMIZE in the README).
      wasmOptimised = options.optimizeWasm === true
      if (!wasmOptimised) v8.setFlagsFromString('--liftoff-only')
    }
    const pglite = await PGlite.create(dbDir, {
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers}`],
    }).catch((err: unknown) => {
      throw new Error(`Cannot open the embedded database in ${dbDir}: ${(err as Error).message}`, { cause: err })
    })
    undo.push(() => pglite.close())

    // PGlite is one backend: a second connection would only queue behind the first (embedded-connection.ts), and a
    // transaction open on one stalls every other. One connection makes that queue visible in pg's pool (and its
    // connection timeout) instead. Idle, it stays open. pg's Pool drops its connection after any query error (even
    // a unique violation) and makes a new one at once; the old one's transaction, if any, is rolled back.
    const pool = new pg.Pool({
      stream: embeddedConnections(pglite),
      user: 'postgres',
      database: 'postgres',
      max: 1,
      idleTimeoutMillis: 0,
      connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    })
    pool.on('error', (err) => log.error({ err }, 'embedded database connection failed'))
    undo.push(() => pool.end())
    await pool.query('SELECT 1')

    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) })
    undo.push(() => prisma.$disconnect())

    // PGlite runs PostgreSQL in single-user mode, without its checkpointer and autovacuum: the database
    // does their work itself for as long as it is open (the server, an import from the command line).
    const upkeep = [
      keepEmbeddedAutovacuum({ pool }, log.child({ component: 'autovacuum' }), options.upkeep?.autovacuumIntervalMs),
      keepEmbeddedCheckpoints({ pool }, log.child({ component: 'checkpoints' }), options.upkeep?.checkpoints ?? DEFAULT_CHECKPOINT_POLICY),
    ]
    undo.push(() => Promise.all(upkeep.map((task) => task.stop())))
    log.info({ sharedBuffers: options.sharedBuffers, wasmOptimised }, 'database opened')
    return {
      kind: 'pglite',
      prisma,
      pool,
      close: once(async () => {
        await teardown()
        log.info('database closed')
      }),
    }
  } catch (err) {
    await teardown().catch((closeErr: unknown) => log.error({ err: closeErr }, 'cleanup after a failed open failed'))
    throw err
  }
}

/** Runs initdb in a child process into a sibling dir, then renames it, so a crash never leaves a half-made `db`. */
async function initDataDir(dbDir: string, sharedBuffers: string, log: Logger): Promise<void> {
  const leftovers = await fs.readdir(dbDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw new Error(`Cannot read ${dbDir}`, { cause: err })
  })
  if (leftovers.length > 0) {
    throw new Error(`${dbDir} is not empty but holds no database (no PG_VERSION); move it away or point DATA_DIR elsewhere`)
  }
  const draft = `${dbDir}.init-${process.pid}`
  await fs.rm(draft, { recursive: true, force: true })
  const started = Date.now()
  log.info('initialising the embedded database')
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [...INITDB_LOADER_ARGS, INITDB_SCRIPT, draft, sharedBuffers],
        { timeout: INITDB_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 },
        (err, _stdout, stderr) => {
          if (!err) return resolve()
          const tail = stderr.trim().split('\n').slice(-5).join('\n')
          reject(new Error(`initdb of the embedded database in ${dbDir} failed: ${err.message}${tail ? `\n${tail}` : ''}`, { cause: err }))
        },
      )
    })
    await fs.rm(dbDir, { recursive: true, force: true })
    await fs.rename(draft, dbDir)
  } catch (err) {
    await fs.rm(draft, { recursive: true, force: true })
    throw err
  }
  log.info({ ms: Date.now() - started }, 'embedded database initialised')
}

/** Runs every step even when one fails, then reports all failures together. */
async function runAll(what: string, steps: (() => Promise<unknown>)[]): Promise<void> {
  const errors: unknown[] = []
  for (const step of steps) {
    try {
      await step()
    } catch (err) {
      errors.push(err)
    }
  }
  if (errors.length === 1) throw new Error(`${what} failed: ${(errors[0] as Error).message}`, { cause: errors[0] })
  if (errors.length > 1) throw new AggregateError(errors, `${what} failed in ${errors.length} steps`)
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined
  return () => (running ??= fn())
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw new Error(`Cannot read ${file}`, { cause: err })
  }
}

/** host:port/db of a URL, never its credentials, for error messages and logs. */
function describeUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl)
    return `${url.hostname}:${url.port || 5432}${url.pathname}`
  } catch {
    return '(unparseable DATABASE_URL)'
  }
}
