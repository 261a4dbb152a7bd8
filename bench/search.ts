/**
 * Search benchmark (`npm run bench:search`): post search over 1,000,000 posts through the HTTP API,
 * on embedded PGlite and on PostgreSQL, beside the same SQL run raw on the same database.
 *
 * Data: a seeded generator (same seed, same data) makes a vocabulary of 30,000 pronounceable words
 * drawn with a Zipf distribution (s = 1), 500 public channels and 100 authors; the searching user
 * belongs to 50 of the channels. Accounts, the team, channels and memberships are made through the
 * public API like a client would; the posts are bulk-loaded by multi-row INSERTs (unnest of arrays,
 * 5,000 rows per statement) on the server's own connection, with the full-text GIN index dropped first
 * and built afterwards, so the index build is timed on its own. Loading 1 M posts through
 * `POST /posts` would take over half an hour and measure B1, not search.
 *
 * Queries: 200, 25 per class — a rare term, a common term, two terms (AND), a phrase, a prefix
 * (`abc*`), `from:user`, `in:channel term`, a term that matches nothing — as the web app sends them
 * (`POST /api/v4/teams/{id}/posts/search`, per_page 20). One warm-up pass, then RUNS measured passes;
 * each query runs once through the API (latency from request to the last byte, measured here) and
 * once raw (the store's own two statements with the same parameters, timed inside the server process,
 * so neither HTTP nor IPC is counted). One query at a time: this is the latency a person waits for.
 *
 * Environment: BENCH_DB=pglite|postgres (default both), BENCH_POSTS (default 1000000),
 * BENCH_QUICK=1 (one measured pass), BENCH_PROFILE=1 (an extra, unscored pass through the API with a
 * CPU profile and the SQL statements of the server), BENCH_PG_ADMIN_URL.
 */
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { postSearchScopeSql, postSearchSql, type PostSearchQuery } from '../core/search/store.ts'
import { parseSearchTerms } from '../core/search/parse-terms.ts'
import { buildChildren, type ChildScripts } from './lib/build.ts'
import { createPgDatabase, envInt, onCleanup, parseBackends, runBench, tempDir, track, versionOf, type Backend } from './lib/harness.ts'
import { Histogram } from './lib/histogram.ts'
import { Child } from './lib/proc.ts'
import type { ProfileSummary } from './lib/profile.ts'
import { note, section, table, type Verdict } from './lib/report.ts'
import { intBetween, seeded, type Rng } from './lib/rng.ts'
import { api, closeSetupAgent, must, pool } from './lib/setup.ts'
import { fmt, round } from './lib/stats.ts'

const BACKENDS = parseBackends(process.env.BENCH_DB)
const POSTS = envInt('BENCH_POSTS', 1_000_000, 10_000, 5_000_000)
const QUICK = process.env.BENCH_QUICK === '1'
const PROFILE = process.env.BENCH_PROFILE === '1'
const RUNS = QUICK ? 1 : 3
const VOCABULARY = 30_000
const CHANNELS = 500
const SEARCHER_CHANNELS = 50
const AUTHORS = 100
const QUERIES_PER_CLASS = 25
const BATCH = 5_000
const PER_PAGE = 20
const TARGET = { p50: 30, p99: 250 }
const PASSWORD = 'bench-Password-1'

const CLASSES = ['rare term', 'common term', 'two terms', 'phrase', 'prefix', 'from:', 'in:', 'no match'] as const
type QueryClass = (typeof CLASSES)[number]

interface BenchQuery {
  cls: QueryClass
  terms: string
}

let scripts: ChildScripts | undefined

// ---------------------------------------------------------------- data

/** Distinct lower-case words of 2–4 syllables; `simple` text search keeps them as they are. */
function makeVocabulary(rng: Rng, size: number): string[] {
  const consonants = 'bcdfghjklmnprstvz'
  const vowels = 'aeiou'
  const words = new Set<string>()
  while (words.size < size) {
    let word = ''
    const syllables = intBetween(rng, 2, 4)
    for (let i = 0; i < syllables; i++) word += consonants[Math.floor(rng() * consonants.length)]! + vowels[Math.floor(rng() * vowels.length)]!
    if (rng() < 0.3) word += consonants[Math.floor(rng() * consonants.length)]!
    words.add(word)
  }
  return [...words]
}

/** Draws word ranks (0 = most frequent) with P(rank r) ∝ 1 / (r + 1). */
function zipfSampler(rng: Rng, size: number): () => number {
  const cumulative = new Float64Array(size)
  let total = 0
  for (let r = 0; r < size; r++) cumulative[r] = total += 1 / (r + 1)
  return () => {
    const x = rng() * total
    let lo = 0
    let hi = size - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

interface World {
  teamId: string
  searcherId: string
  searcherToken: string
  channelIds: string[]
  channelNames: string[]
  /** Indexes into channelIds of the searcher's channels. */
  searcherChannels: number[]
  authorIds: string[]
  authorNames: string[]
  setupMs: number
}

/** Accounts, team, channels and memberships through the public API. */
async function createWorld(url: string): Promise<World> {
  const started = performance.now()
  await must(url, 'POST', '/users', undefined, { username: 'bench-admin', email: 'bench-admin@bench.test', password: PASSWORD }, [201])
  const login = await api(url, 'POST', '/users/login', undefined, { login_id: 'bench-admin', password: PASSWORD })
  const admin = login.headers.token as string
  const teamId = (await must(url, 'POST', '/teams', admin, { name: 'bench', display_name: 'Bench', type: 'O' }, [201])).body.id as string
  const searcher = (await must(url, 'POST', '/users', admin, { username: 'searcher', email: 'searcher@bench.test', password: PASSWORD }, [201])).body.id as string
  const searcherToken = (await must(url, 'POST', `/users/${searcher}/tokens`, admin, { description: 'bench' }, [200])).body.token as string
  await must(url, 'POST', `/teams/${teamId}/members`, admin, { team_id: teamId, user_id: searcher }, [201])

  const authorIds: string[] = new Array(AUTHORS)
  const authorNames = Array.from({ length: AUTHORS }, (_, i) => `author${String(i).padStart(3, '0')}`)
  await pool(AUTHORS, 8, async (i) => {
    const name = authorNames[i]!
    authorIds[i] = (await must(url, 'POST', '/users', admin, { username: name, email: `${name}@bench.test`, password: PASSWORD }, [201])).body.id as string
    await must(url, 'POST', `/teams/${teamId}/members`, admin, { team_id: teamId, user_id: authorIds[i] }, [201])
  })

  const channelNames = Array.from({ length: CHANNELS }, (_, i) => `channel-${String(i).padStart(3, '0')}`)
  const channelIds: string[] = new Array(CHANNELS)
  await pool(CHANNELS, 8, async (i) => {
    channelIds[i] = (await must(url, 'POST', '/channels', admin, { team_id: teamId, name: channelNames[i], display_name: `Channel ${i}`, type: 'O' }, [201])).body.id as string
  })
  // Every tenth channel: the searcher's posts are spread through the whole history like everyone's.
  const searcherChannels = Array.from({ length: SEARCHER_CHANNELS }, (_, i) => i * (CHANNELS / SEARCHER_CHANNELS))
  await pool(searcherChannels.length, 8, async (i) => {
    await must(url, 'POST', `/channels/${channelIds[searcherChannels[i]!]}/members`, admin, { user_id: searcher }, [201])
  })
  return { teamId, searcherId: searcher, searcherToken, channelIds, channelNames, searcherChannels, authorIds, authorNames, setupMs: performance.now() - started }
}

interface Corpus {
  /** Two consecutive words from posts in the searcher's channels, for the phrase queries. */
  phrases: string[]
  words: string[]
}

interface LoadResult {
  loadMs: number
  indexMs: number
  analyzeMs: number
  indexBytes: number
  tableBytes: number
  corpus: Corpus
}

/**
 * Bulk-loads the posts. The GIN index is dropped first and rebuilt after (its definition read back from
 * pg_indexes, so it is exactly the migration's), then ANALYZE runs, as autovacuum would on PostgreSQL.
 */
async function loadPosts(server: Child, world: World, onProgress: (done: number) => void): Promise<LoadResult> {
  const rng = seeded(20261125)
  const words = makeVocabulary(rng, VOCABULARY)
  const rank = zipfSampler(rng, VOCABULARY)
  const indexDef = (await server.call<{ rows: { indexdef: string }[] }>('sql', { text: `SELECT indexdef FROM pg_indexes WHERE indexname = 'posts_message_tsv_idx'` })).rows[0]?.indexdef
  if (!indexDef) throw new Error('posts_message_tsv_idx is missing: has migration 0002 run?')
  await server.call('sql', { text: 'DROP INDEX posts_message_tsv_idx' })

  const phrases: string[] = []
  const searcherChannel = new Set(world.searcherChannels)
  const start = Date.now() - 365 * 86_400_000
  const step = Math.floor((365 * 86_400_000) / POSTS)
  const loadStarted = performance.now()
  let inFlight: Promise<unknown> | undefined
  for (let done = 0; done < POSTS; done += BATCH) {
    const n = Math.min(BATCH, POSTS - done)
    const ids: string[] = new Array(n)
    const times: number[] = new Array(n)
    const users: string[] = new Array(n)
    const channels: string[] = new Array(n)
    const messages: string[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const seq = done + i
      ids[i] = `bench${seq.toString(36).padStart(21, '0')}`
      times[i] = start + seq * step
      users[i] = world.authorIds[Math.floor(rng() * AUTHORS)]!
      const channel = Math.floor(rng() * CHANNELS)
      channels[i] = world.channelIds[channel]!
      const length = intBetween(rng, 4, 24)
      const message: string[] = new Array(length)
      for (let w = 0; w < length; w++) message[w] = words[rank()]!
      messages[i] = message.join(' ')
      if (searcherChannel.has(channel) && seq % 997 === 0 && phrases.length < 100) {
        const at = intBetween(rng, 0, length - 2)
        phrases.push(`${message[at]} ${message[at + 1]}`)
      }
    }
    await inFlight
    onProgress(done)
    inFlight = server.call('sql', {
      text: `INSERT INTO posts (id, create_at, update_at, user_id, channel_id, message)
             SELECT * FROM unnest($1::varchar[], $2::bigint[], $2::bigint[], $3::varchar[], $4::varchar[], $5::varchar[])`,
      params: [ids, times, users, channels, messages],
    }, 300_000)
  }
  await inFlight
  const loadMs = performance.now() - loadStarted

  const index = await server.call<{ ms: number }>('sql', { text: indexDef }, 3_600_000)
  const analyze = await server.call<{ ms: number }>('sql', { text: 'ANALYZE' }, 3_600_000)
  const sizes = (await server.call<{ rows: { index: number; table: number }[] }>('sql', {
    text: `SELECT pg_relation_size('posts_message_tsv_idx') AS index, pg_table_size('posts') AS table`,
  })).rows[0]!
  return { loadMs, indexMs: index.ms, analyzeMs: analyze.ms, indexBytes: Number(sizes.index), tableBytes: Number(sizes.table), corpus: { phrases, words } }
}

// ---------------------------------------------------------------- queries

function makeQueries(world: World, corpus: Corpus): BenchQuery[] {
  const rng = seeded(7)
  const { words } = corpus
  const word = (min: number, max: number) => words[intBetween(rng, min, max)]!
  const out: BenchQuery[] = []
  for (let i = 0; i < QUERIES_PER_CLASS; i++) {
    out.push({ cls: 'rare term', terms: word(3_000, VOCABULARY - 1) })
    out.push({ cls: 'common term', terms: word(0, 49) })
    out.push({ cls: 'two terms', terms: `${word(0, 199)} ${word(200, 2_999)}` })
    out.push({ cls: 'phrase', terms: `"${corpus.phrases[i % corpus.phrases.length]}"` })
    // A four-letter stem of a mid-frequency word: matches it and every other word sharing the stem.
    out.push({ cls: 'prefix', terms: `${word(50, 2_000).slice(0, 4)}*` })
    out.push({ cls: 'from:', terms: `from:${world.authorNames[intBetween(rng, 0, AUTHORS - 1)]}` })
    const channel = world.channelNames[world.searcherChannels[intBetween(rng, 0, SEARCHER_CHANNELS - 1)]!]
    out.push({ cls: 'in:', terms: `in:${channel} ${word(10, 500)}` })
    out.push({ cls: 'no match', terms: `zzq${i}x${intBetween(rng, 100, 999)}` })
  }
  return out
}

/** The store's query for these terms, as the service would build it (channel names and usernames as typed). */
function rawQuery(world: World, terms: string): PostSearchQuery {
  const parsed = parseSearchTerms(terms)
  return {
    userId: world.searcherId, teamId: world.teamId, includeDeletedChannels: false, orTerms: false,
    terms: parsed.terms, hashtags: parsed.hashtags, excludedTerms: parsed.excludedTerms, excludedHashtags: parsed.excludedHashtags,
    fromUsers: parsed.fromUsers, excludedUsers: parsed.excludedUsers, inChannels: parsed.inChannels, excludedChannels: parsed.excludedChannels,
    offset: 0, limit: PER_PAGE,
  }
}

/** The store's two statements, each timed inside the server process. */
async function rawSearch(server: Child, q: PostSearchQuery): Promise<{ ms: number; rows: unknown[] }> {
  type ScopeRow = { channel_ids: string[]; from_user_ids: string[]; excluded_user_ids: string[] }
  const scope = await server.call<{ ms: number; rows: ScopeRow[] }>('sql', postSearchScopeSql(q))
  const row = scope.rows[0]!
  const sql = postSearchSql(q, { channelIds: row.channel_ids, fromUserIds: row.from_user_ids, excludedUserIds: row.excluded_user_ids })
  if (!sql) return { ms: scope.ms, rows: [] }
  const search = await server.call<{ ms: number; rows: unknown[] }>('sql', sql)
  return { ms: scope.ms + search.ms, rows: search.rows }
}

interface Timings {
  api: Map<QueryClass, Histogram>
  raw: Map<QueryClass, Histogram>
  apiAll: Histogram
  rawAll: Histogram
  /** Results per query class (first page), to show the classes do what they say. */
  results: Map<QueryClass, number[]>
}

async function timeApi(url: string, token: string, teamId: string, terms: string): Promise<{ ms: number; count: number }> {
  const started = performance.now()
  const reply = await api(url, 'POST', `/teams/${teamId}/posts/search`, token, { terms, is_or_search: false, time_zone_offset: 0, page: 0, per_page: PER_PAGE, include_deleted_channels: false })
  const ms = performance.now() - started
  if (reply.status !== 200) throw new Error(`search "${terms}" answered ${reply.status}: ${JSON.stringify(reply.body)}`)
  return { ms, count: (reply.body.order as string[]).length }
}

async function runQueries(server: Child, url: string, world: World, queries: BenchQuery[]): Promise<Timings> {
  for (const q of queries) await timeApi(url, world.searcherToken, world.teamId, q.terms)
  const t: Timings = { api: new Map(), raw: new Map(), apiAll: new Histogram(), rawAll: new Histogram(), results: new Map() }
  for (const cls of CLASSES) {
    t.api.set(cls, new Histogram())
    t.raw.set(cls, new Histogram())
    t.results.set(cls, [])
  }
  for (let run = 0; run < RUNS; run++) {
    for (const q of queries) {
      const viaApi = await timeApi(url, world.searcherToken, world.teamId, q.terms)
      const raw = await rawSearch(server, rawQuery(world, q.terms))
      if (raw.rows.length !== viaApi.count) throw new Error(`search "${q.terms}": the API found ${viaApi.count} posts, the raw SQL ${raw.rows.length}`)
      t.api.get(q.cls)!.record(viaApi.ms * 1000)
      t.raw.get(q.cls)!.record(raw.ms * 1000)
      t.apiAll.record(viaApi.ms * 1000)
      t.rawAll.record(raw.ms * 1000)
      if (run === 0) t.results.get(q.cls)!.push(viaApi.count)
    }
  }
  return t
}

/** BENCH_PROFILE: one more pass through the API, with the server's CPU profile and SQL statements. */
async function profiledPass(server: Child, url: string, world: World, queries: BenchQuery[]): Promise<void> {
  section('profile (unscored): one pass of the queries through the API')
  await server.call('profileStart')
  await server.call('queriesStart')
  for (const q of queries) await timeApi(url, world.searcherToken, world.teamId, q.terms)
  const sql = await server.call<{ total: number; totalMs: number; statements: { sql: string; count: number; ms: number }[] }>('queriesStop', { top: 12 })
  const profile = await server.call<ProfileSummary>('profileStop', { top: 15 })
  note(`${fmt(sql.total / queries.length, 1)} SQL statements per search, ${fmt(sql.totalMs / queries.length, 1)} ms of round trips per search`)
  console.log(table(['statement', 'count', 'ms'], sql.statements.map((st) => [st.sql.replace(/\s+/g, ' ').slice(0, 110), fmt(st.count), fmt(st.ms, 1)])))
  console.log(table(['area', 'ms', '%'], profile.byArea.map((a) => [a.area, fmt(a.ms, 0), fmt(a.pct, 1)])))
  console.log(table(['function (self time)', 'ms', '%'], profile.byFunction.map((f) => [f.fn, fmt(f.ms, 0), fmt(f.pct, 1)])))
}

// ---------------------------------------------------------------- report

/** Percentile in milliseconds (the histograms hold microseconds). */
const pct = (h: Histogram, p: number) => h.percentile(p) / 1000

function printTimings(backend: Backend, t: Timings): Verdict[] {
  const q = (h: Histogram, p: number) => fmt(pct(h, p), 1)
  const rows = CLASSES.map((cls) => {
    const a = t.api.get(cls)!
    const r = t.raw.get(cls)!
    const found = t.results.get(cls)!
    return [cls, q(a, 50), q(a, 95), q(a, 99), q(r, 50), q(r, 95), q(r, 99), fmt(pct(a, 50) / pct(r, 50), 2), `${Math.min(...found)}–${Math.max(...found)}`]
  })
  rows.push(['all 200', q(t.apiAll, 50), q(t.apiAll, 95), q(t.apiAll, 99), q(t.rawAll, 50), q(t.rawAll, 95), q(t.rawAll, 99), fmt(pct(t.apiAll, 50) / pct(t.rawAll, 50), 2), ''])
  console.log(table(['class (25 queries each)', 'API p50', 'p95', 'p99 ms', 'raw SQL p50', 'p95', 'p99 ms', 'p50 ratio', `hits (of ${PER_PAGE})`], rows))
  const worstP99 = Math.max(...CLASSES.map((cls) => pct(t.api.get(cls)!, 99)))
  return [
    { scenario: 'search', backend, metric: 'API p50, 200 queries', unit: 'ms', measured: round(pct(t.apiAll, 50), 2), limit: round(pct(t.rawAll, 50), 2), ratio: round(pct(t.apiAll, 50) / pct(t.rawAll, 50), 2), target: `≤ ${TARGET.p50} ms`, met: pct(t.apiAll, 50) <= TARGET.p50 },
    { scenario: 'search', backend, metric: 'API p99, 200 queries', unit: 'ms', measured: round(pct(t.apiAll, 99), 2), limit: round(pct(t.rawAll, 99), 2), ratio: round(pct(t.apiAll, 99) / pct(t.rawAll, 99), 2), target: `≤ ${TARGET.p99} ms`, met: pct(t.apiAll, 99) <= TARGET.p99 },
    // Not a target of the issue (which is over all 200): shown so a slow class cannot hide in the mix.
    { scenario: 'search', backend, metric: 'API p99, slowest class', unit: 'ms', measured: round(worstP99, 2), limit: NaN, ratio: NaN, target: '(shown)', met: null },
  ]
}

// ---------------------------------------------------------------- main

async function benchBackend(backend: Backend): Promise<Verdict[]> {
  section(`${backend}: set-up through the API (not measured)`)
  const dataDir = tempDir(`bh-bench-search-${backend}-`)
  const databaseUrl = backend === 'postgres' ? await createPgDatabase(`bh_bench_search_${randomBytes(4).toString('hex')}`) : undefined
  const server = track(new Child(`server-${backend}`, scripts!.script('server-child'), { execArgv: scripts!.execArgv(['--expose-gc']) }))
  const { url } = await server.call<{ url: string }>('start', { dataDir, databaseUrl }, 180_000)
  const world = await createWorld(url)
  note(`server pid ${server.pid} at ${url}; ${AUTHORS + 2} accounts, ${CHANNELS} channels, searcher in ${SEARCHER_CHANNELS}, in ${fmt(world.setupMs / 1000, 1)} s`)

  section(`${backend}: bulk load of ${fmt(POSTS)} posts, then the full-text index`)
  let lastNote = performance.now()
  const load = await loadPosts(server, world, (done) => {
    if (performance.now() - lastNote > 15_000) {
      lastNote = performance.now()
      note(`${fmt(done)} posts…`)
    }
  })
  const afterLoad = server.sample()
  console.log(table(['step', 'time', 'rate / size'], [
    ['INSERT (unnest, 5,000 rows per statement; tsvector computed, GIN index absent)', `${fmt(load.loadMs / 1000, 1)} s`, `${fmt(POSTS / (load.loadMs / 1000))} posts/s`],
    ['CREATE INDEX posts_message_tsv_idx (GIN on message_tsv)', `${fmt(load.indexMs / 1000, 1)} s`, `${fmt(load.indexBytes / 2 ** 20, 1)} MiB index`],
    ['ANALYZE', `${fmt(load.analyzeMs / 1000, 1)} s`, `${fmt(load.tableBytes / 2 ** 20, 1)} MiB posts table (heap + TOAST)`],
  ]))
  note(`server after the load: CPU ${fmt(afterLoad.cpuSec, 0)} s, RSS ${fmt(afterLoad.rssMB, 0)} MB (peak ${fmt(afterLoad.hwmMB, 0)} MB)`)

  section(`${backend}: ${CLASSES.length * QUERIES_PER_CLASS} queries, 1 warm-up + ${RUNS} measured passes, API and raw SQL`)
  const before = server.sample()
  const timings = await runQueries(server, url, world, makeQueries(world, load.corpus))
  const after = server.sample()
  const verdicts = printTimings(backend, timings)
  note(`server during the queries: CPU ${fmt(after.cpuSec - before.cpuSec, 1)} s, RSS ${fmt(after.rssMB, 0)} MB (peak ${fmt(after.hwmMB, 0)} MB)`)
  if (PROFILE) await profiledPass(server, url, world, makeQueries(world, load.corpus))
  await server.call('close', {}, 60_000)
  await server.stop()
  return verdicts
}

async function main(): Promise<void> {
  const t0 = performance.now()
  console.log('Bridgehead search benchmark (bench/search.ts)')
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? '?'}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n` +
      `node ${process.version}; pglite ${versionOf('@electric-sql/pglite')}, pg ${versionOf('pg')}; backends: ${BACKENDS.join(', ')}; ${fmt(POSTS)} posts; ${RUNS} measured pass(es)`,
  )
  scripts = await buildChildren(!PROFILE)
  const built = scripts
  onCleanup(async () => built.remove())
  const verdicts: Verdict[] = []
  for (const backend of BACKENDS) verdicts.push(...(await benchBackend(backend)))
  closeSetupAgent()

  section('summary')
  console.log(table(
    ['scenario', 'backend', 'metric', 'measured', 'raw SQL', 'ratio', 'target', 'met'],
    verdicts.map((v) => [v.scenario, v.backend, v.metric, `${fmt(v.measured, 1)} ${v.unit}`, Number.isFinite(v.limit) ? `${fmt(v.limit, 1)} ${v.unit}` : '-', Number.isFinite(v.ratio) ? fmt(v.ratio, 2) : '-', v.target, v.met === null ? '-' : v.met ? 'yes' : 'NO']),
  ))
  const elapsed = (performance.now() - t0) / 1000
  note(`total ${fmt(elapsed, 0)} s`)
  console.log(`BENCH_SEARCH_RESULT ${JSON.stringify({ bench: 'search', posts: POSTS, runs: RUNS, backends: BACKENDS, elapsedS: round(elapsed, 1), results: verdicts })}`)
}

await runBench(main)
