/**
 * Starts the real server for black-box suites: on an ephemeral port, over embedded PGlite in a
 * temporary data dir or over a fresh PostgreSQL database, and picks the backends from TEST_DB.
 */
import type { ActionService } from '../../core/actions/index.ts'
import type { EventBus } from '../../core/realtime/index.ts'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Config } from '../../core/config/index.ts'
import { startServer, type BridgeheadServer } from '../../core/main.ts'
import { query } from '../../core/db/index.ts'
import type { FileCleanupJob } from '../../core/files/cleanup-job.ts'
import type { JobService } from '../../core/jobs/index.ts'
import { createPgliteDataDir, POSTGRES_ADMIN_URL } from './database.ts'

export type Backend = 'pglite' | 'postgres'

export interface TestServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string
  port: number
  backend: Backend
  /** The server's file cleanup job, to run it at a chosen time (`runOnce(now)`). */
  fileCleanup: FileCleanupJob
  /** The server's durable jobs, to register test job types and enqueue. */
  jobs: JobService
  /** The server's action service, to call actions by id as a playbook step would. */
  actions: ActionService
  /** The server's channel and post services, to call their bulk methods as the playbook engine does. */
  channels: BridgeheadServer['channels']
  posts: BridgeheadServer['posts']
  /** The server's event bus, to watch domain events (e.g. `integration.event`). */
  bus: EventBus
  /** Runs SQL on the server's own database, for a state the API cannot make (e.g. a row made older). */
  sql<T extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>
  /** Stops the server and removes its data dir or drops its database. Safe to call twice. */
  close(): Promise<void>
}

export interface StartTestServerOptions {
  db: Backend
  /** Settings for this server, e.g. `{ enableOpenServer: false }`. */
  config?: Partial<Config>
}

/**
 * Which backends the suites run on: `TEST_DB=pglite`, `TEST_DB=postgres`, or both (default;
 * `TEST_DB=pglite,postgres` is the same).
 * @throws Error naming the bad value when TEST_DB names something else.
 */
export const BACKENDS: readonly Backend[] = parseBackends(process.env.TEST_DB)

function parseBackends(raw: string | undefined): Backend[] {
  if (raw === undefined || raw.trim() === '') return ['pglite', 'postgres']
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean)
  for (const name of names) {
    if (name !== 'pglite' && name !== 'postgres') {
      throw new Error(`TEST_DB must list pglite and/or postgres, got "${raw}"`)
    }
  }
  return [...new Set(names)] as Backend[]
}

/**
 * Starts one server with test settings (port 0, silent logs) on the given backend.
 * A PGlite server holds ~100 MB: start one per backend per suite file, in `before`.
 * @throws Error when the server or its database cannot be started.
 */
export async function startTestServer(options: StartTestServerOptions): Promise<TestServer> {
  // PGlite: a copy of the per-process migrated template (~0.3 s) instead of a fresh initdb (~3 s).
  const dataDir = options.db === 'pglite' ? await createPgliteDataDir() : await fs.mkdtemp(path.join(os.tmpdir(), 'bh-test-'))
  const cleanups: (() => Promise<unknown>)[] = [() => fs.rm(dataDir, { recursive: true, force: true })]
  let databaseUrl: string | undefined
  if (options.db === 'postgres') {
    const fresh = await createPostgresDatabase()
    databaseUrl = fresh.url
    cleanups.unshift(fresh.drop)
  }
  let server: Awaited<ReturnType<typeof startServer>>
  try {
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl,
      logLevel: 'silent',
      ...options.config,
    })
  } catch (err) {
    await runCleanups(cleanups)
    throw new Error(`starting the test server on ${options.db} failed: ${(err as Error).message}`, { cause: err })
  }
  cleanups.unshift(() => server.close())
  let closing: Promise<void> | undefined
  return {
    url: server.url.replace(/\/+$/, ''),
    port: server.port,
    backend: options.db,
    fileCleanup: server.fileCleanup,
    jobs: server.jobs,
    actions: server.actions,
    bus: server.bus,
    channels: server.channels,
    posts: server.posts,
    sql: (text, params) => query(server.db, text, params),
    close: () => (closing ??= runCleanups(cleanups)),
  }
}

/**
 * Registers `before`/`after` hooks that start one server for the enclosing `describe` and stop it,
 * and returns a handle whose `server` is set once `before` has run.
 */
export function useTestServer(backend: Backend, config?: Partial<Config>): { readonly server: TestServer } {
  let current: TestServer | undefined
  before(async function () {
    this.timeout(120_000)
    current = await startTestServer({ db: backend, config })
  })
  after(async function () {
    this.timeout(60_000)
    await current?.close()
  })
  return {
    get server(): TestServer {
      if (!current) throw new Error('the test server is not running (used outside a test or hook?)')
      return current
    },
  }
}

/** Runs `body` once per backend, inside `describe('on pglite')` / `describe('on postgres')`. */
export function forEachBackend(body: (backend: Backend) => void): void {
  for (const backend of BACKENDS) {
    describe(`on ${backend}`, () => body(backend))
  }
}

/** Creates `bh_test_<random>` on the local PostgreSQL server; `drop()` removes it again. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `bh_test_${randomBytes(6).toString('hex')}`
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`))
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  }
}

async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  try {
    await client.connect()
  } catch (err) {
    throw new Error(`cannot reach PostgreSQL at 127.0.0.1:5432 for the postgres backend (set TEST_DB=pglite to skip it): ${(err as Error).message}`, { cause: err })
  }
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Server data that outlives one server process: a PGlite data dir or a PostgreSQL database. */
export interface ServerStorage {
  dataDir: string
  databaseUrl?: string
  remove(): Promise<void>
}

/** Storage for servers a test starts and restarts itself with `startServer({ dataDir, databaseUrl })`. */
export async function createServerStorage(backend: Backend): Promise<ServerStorage> {
  if (backend === 'pglite') {
    const dataDir = await createPgliteDataDir()
    return { dataDir, remove: () => fs.rm(dataDir, { recursive: true, force: true }) }
  }
  const database = await createPostgresDatabase()
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-test-'))
  return {
    dataDir,
    databaseUrl: database.url,
    remove: async () => {
      await database.drop()
      await fs.rm(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * Registers `before`/`after` hooks for a suite that starts, stops and restarts servers itself on one
 * storage of its own (to test what survives a restart); `start()` starts a server on it with test
 * settings plus `config`. Every server started is closed after the suite, then the storage removed.
 */
export function useServerStorage(backend: Backend, config: Partial<Config> = {}): { start(): Promise<BridgeheadServer> } {
  let storage: ServerStorage | undefined
  const servers: BridgeheadServer[] = []
  before(async () => {
    storage = await createServerStorage(backend)
  })
  after(async function () {
    this.timeout(60_000)
    for (const server of servers) await server.close()
    await storage?.remove()
  })
  return {
    async start(): Promise<BridgeheadServer> {
      if (!storage) throw new Error('the server storage is not ready (used outside a test or hook?)')
      const server = await startServer({ port: 0, host: '127.0.0.1', dataDir: storage.dataDir, databaseUrl: storage.databaseUrl, logLevel: 'silent', ...config })
      servers.push(server)
      return server
    },
  }
}

/** Runs every cleanup even when one fails, then reports the failures together. */
async function runCleanups(steps: (() => Promise<unknown>)[]): Promise<void> {
  const errors: unknown[] = []
  for (const step of steps) {
    try {
      await step()
    } catch (err) {
      errors.push(err)
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, `stopping the test server failed in ${errors.length} step(s)`)
}
