/**
 * `npm run bench:import`: Slack import throughput, on PGlite and PostgreSQL (BENCH_DB picks one).
 *
 * A seeded export of BENCH_IMPORT_USERS users (500), BENCH_IMPORT_CHANNELS channels (200) and
 * BENCH_IMPORT_MESSAGES messages (1,000,000; 18% thread replies, reactions, mentions) is written
 * once to a temp dir. Per database: an empty server is migrated and given its admin, then
 * `bridgehead import slack` runs in this process (runImportCommand, as the CLI does) and again on
 * the same export (it must add 0 rows). Printed: messages/s, peak RSS growth over the RSS before the
 * import (sampled every 50 ms; PGlite runs in this process, so its memory counts), database size;
 * the limit is a raw multi-row INSERT (unnest, 5,000 rows a statement, one transaction each) of
 * the same post rows into an empty copy of the posts table with the same indexes and generated
 * search column, in the same run. Figures are printed, not asserted.
 */
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { startServer, runImportCommand } from '../core/main.ts'
import { openDatabase, query, withSqlTransaction } from '../core/db/index.ts'
import { createLogger } from '../core/log.ts'
import { insertPosts, type PostRow } from '../bridges/slack/import/writer.ts'
import { generateSlackExport } from './lib/slack-export.ts'
import { createPgDatabase, envInt, parseBackends, runBench, tempDir, versionOf, type Backend } from './lib/harness.ts'
import { note, section, table } from './lib/report.ts'
import { fmt } from './lib/stats.ts'

const USERS = envInt('BENCH_IMPORT_USERS', 500, 2, 100_000)
const CHANNELS = envInt('BENCH_IMPORT_CHANNELS', 200, 1, 10_000)
const MESSAGES = envInt('BENCH_IMPORT_MESSAGES', 1_000_000, 100, 20_000_000)
const FLOOR_BATCH = 5000

interface Run {
  seconds: number
  posts: number
  reactions: number
  peakRssGrowthMb: number
}

async function main(): Promise<void> {
  const backends = parseBackends(process.env.BENCH_DB)
  section(`Slack import: ${fmt(USERS)} users, ${fmt(CHANNELS)} channels, ${fmt(MESSAGES)} messages`)
  note(`node ${process.version}, pglite ${versionOf('@electric-sql/pglite')}, pg ${versionOf('pg')}, yauzl ${versionOf('yauzl')}; importer and database in this process (PGlite) or PostgreSQL on 127.0.0.1`)
  const dir = tempDir('bh-bench-import-')
  const file = path.join(dir, 'export.zip')
  const started = performance.now()
  const generated = await generateSlackExport(file, { users: USERS, channels: CHANNELS, messages: MESSAGES })
  note(`export: ${fmt(generated.messages)} messages (${fmt(generated.replies)} replies, ${fmt(generated.reactions)} reactions), ${(generated.bytes / 1e6).toFixed(0)} MB of JSON, ${(fs.statSync(file).size / 1e6).toFixed(0)} MB zipped, written in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  const rows: string[][] = []
  for (const backend of backends) rows.push(await benchBackend(backend, file, generated.messages))
  section('Summary')
  console.log(table(['database', 'measured msg/s', 'limit msg/s', 'ratio', 'target', 're-import rows', 'peak RSS growth', 'db size'], rows))
}

async function benchBackend(backend: Backend, file: string, messages: number): Promise<string[]> {
  section(`${backend}`)
  const dataDir = tempDir(`bh-bench-import-${backend}-`)
  const databaseUrl = backend === 'postgres' ? await createPgDatabase(`bh_bench_import_${process.pid}`) : undefined
  await createAdmin(dataDir, databaseUrl)
  process.env.DATA_DIR = dataDir
  if (databaseUrl) process.env.DATABASE_URL = databaseUrl
  else delete process.env.DATABASE_URL
  process.env.LOG_LEVEL = 'silent'
  const first = await timedImport(file, path.join(dataDir, 'report-1.json'))
  const rate = messages / first.seconds
  note(`import: ${first.seconds.toFixed(1)} s, ${fmt(Math.round(rate))} messages/s, ${fmt(first.posts)} posts and ${fmt(first.reactions)} reactions written, peak RSS growth ${first.peakRssGrowthMb.toFixed(0)} MB`)
  const second = await timedImport(file, path.join(dataDir, 'report-2.json'))
  note(`re-import: ${second.seconds.toFixed(1)} s, ${fmt(second.posts)} posts and ${fmt(second.reactions)} reactions added, peak RSS growth ${second.peakRssGrowthMb.toFixed(0)} MB`)
  const db = await openDatabase({ databaseUrl, dataDir, sharedBuffers: '128MB', log: createLogger({ level: 'silent' }) })
  let floor: number
  let size: number
  try {
    size = Number((await query<{ size: string }>(db, 'SELECT pg_database_size(current_database())::text AS size'))[0]!.size)
    floor = await rawInsertFloor(db.pool)
    const plain = await rawInsertFloor(db.pool, false)
    note(`search column: the same INSERT without the generated tsvector and its GIN index takes ${plain.toFixed(1)} s (${((1 - plain / floor) * 100).toFixed(0)}% of the floor is search)`)
  } finally {
    await db.close()
  }
  const floorRate = first.posts / floor
  note(`limit: raw multi-row INSERT of the same ${fmt(first.posts)} post rows in ${floor.toFixed(1)} s = ${fmt(Math.round(floorRate))} rows/s; database ${(size / 1e6).toFixed(0)} MB`)
  const target = backend === 'postgres' ? 10_000 : 5_000
  return [backend, fmt(Math.round(rate)), fmt(Math.round(floorRate)), (rate / floorRate).toFixed(2), `≥ ${fmt(target)} ${rate >= target ? 'met' : 'NOT met'}`, fmt(second.posts + second.reactions),
    `${first.peakRssGrowthMb.toFixed(0)} MB`, `${(size / 1e6).toFixed(0)} MB`]
}

async function createAdmin(dataDir: string, databaseUrl: string | undefined): Promise<void> {
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', ...(databaseUrl ? { databaseUrl } : {}) })
  try {
    const res = await fetch(`${server.url}/api/v4/users`, { method: 'POST', body: JSON.stringify({ username: 'bench-admin', email: 'bench-admin@bench.example', password: 'bench-Passw0rd!' }) })
    if (res.status !== 201) throw new Error(`creating the admin answered ${res.status}: ${await res.text()}`)
  } finally {
    await server.close()
  }
}

async function timedImport(file: string, reportFile: string): Promise<Run> {
  const before = process.memoryUsage.rss()
  let peak = before
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50)
  const t0 = performance.now()
  const code = await runImportCommand(['slack', file, '--team', 'bench', '--report', reportFile])
  const seconds = (performance.now() - t0) / 1000
  clearInterval(sampler)
  if (code !== 0) throw new Error(`the import exited with ${code}`)
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { counts: Record<string, number> }
  return { seconds, posts: report.counts.posts ?? 0, reactions: report.counts.reactions ?? 0, peakRssGrowthMb: (peak - before) / 1e6 }
}

/**
 * Seconds to INSERT the imported post rows again into an empty copy of `posts` (reading them is not
 * timed). `withSearch: false` copies the table without its generated search column, to show what
 * computing and indexing the tsvector costs per insert.
 */
async function rawInsertFloor(pool: pg.Pool, withSearch = true): Promise<number> {
  await pool.query('DROP TABLE IF EXISTS posts_floor')
  await pool.query(withSearch ? 'CREATE TABLE posts_floor (LIKE posts INCLUDING ALL)' : 'CREATE TABLE posts_floor (LIKE posts INCLUDING ALL EXCLUDING GENERATED)')
  if (!withSearch) await pool.query('ALTER TABLE posts_floor DROP COLUMN message_tsv')
  let after = ''
  let spent = 0
  for (;;) {
    const { rows } = await pool.query(
      `SELECT id, create_at::float8 AS create_at, edit_at::float8 AS edit_at, is_pinned, user_id, channel_id, root_id, message, type, props, hashtags, file_ids, has_reactions
       FROM posts WHERE id > $1 ORDER BY id LIMIT ${FLOOR_BATCH}`, [after])
    if (rows.length === 0) break
    after = rows.at(-1)!.id as string
    const batch: PostRow[] = rows.map((r) => ({
      id: r.id, createAt: r.create_at, editAt: r.edit_at, isPinned: r.is_pinned, userId: r.user_id, channelId: r.channel_id, rootId: r.root_id, message: r.message,
      type: r.type, props: r.props, hashtags: r.hashtags, fileIds: r.file_ids, hasReactions: r.has_reactions,
    }))
    const t0 = performance.now()
    // The importer's own INSERT, aimed at the floor table, in a transaction as the importer runs it.
    await withSqlTransaction({ pool }, (tx) => insertPosts({ ...tx, $executeRawUnsafe: (text, ...values) => tx.$executeRawUnsafe(text.replace('INSERT INTO posts ', 'INSERT INTO posts_floor '), ...values) }, batch))
    spent += performance.now() - t0
  }
  await pool.query('DROP TABLE posts_floor')
  return spent / 1000
}

await runBench(main)
