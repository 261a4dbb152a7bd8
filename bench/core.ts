/**
 * Core benchmark of Bridgehead (`npm run bench:core`): B1 post throughput, B2 fan-out latency to
 * 1,000 members, B5 memory per idle WebSocket and RSS at rest, on embedded PGlite and on PostgreSQL.
 *
 * Conventions (shared/ARCHITECTURE.md, "Bench conventions"): every figure is printed as `measured`,
 * `limit` (a raw floor for the same work, measured in this run with the same tooling) and
 * `ratio = measured / limit`; data is seeded and built through the public API; warm-up first; several
 * runs with median and min–max; open-loop load where latency is reported; latency from a histogram;
 * CPU seconds and RSS of each process beside each figure; loopback only; every loop and wait bounded.
 *
 * Processes: this orchestrator only coordinates. The server under test, each floor and the load
 * generator (HTTP clients and every WebSocket) run in separate child processes, bundled with esbuild
 * and run on plain node; /proc gives their CPU and RSS, IPC their heap after GC. Server and floor runs
 * alternate, so load from elsewhere on the machine hits both alike.
 *
 * Time: most of a run is the unmeasured set-up — 1,000 sign-ups per backend through the API, one
 * scrypt hash each (both backends are built at once). The PostgreSQL databases (bh_bench_<random>)
 * and data dirs are removed at the end, on failure and on Ctrl-C.
 *
 * Environment: BENCH_DB=pglite|postgres (default both), BENCH_QUICK=1 (one shorter run per figure),
 * BENCH_PROFILE=1 (an extra, unscored run of B1, B2 and the B5 connects with a CPU profile and SQL
 * statement counts; the children then run from sources through tsx so profiles name source files),
 * BENCH_USERS (default 1000), BENCH_SOCKETS (default 5000), BENCH_PG_ADMIN_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { Histogram, type HistogramData } from './lib/histogram.ts'
import { buildChildren, type ChildName, type ChildScripts } from './lib/build.ts'
import { Child, procSample, rssBreakdown, sleep, type ProcSample, type RssBreakdown } from './lib/proc.ts'
import type { ProfileSummary } from './lib/profile.ts'
import { note, section, table, type Verdict } from './lib/report.ts'
import { closeSetupAgent, createDataset, type Dataset } from './lib/setup.ts'
import { fmt, fmtSpread, round, spread, type Spread } from './lib/stats.ts'
import { createPgDatabase, envInt, onCleanup, openFileLimit, parseBackends, PG_ADMIN_URL, runBench, tempDir, track, versionOf, type Backend } from './lib/harness.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const QUICK = process.env.BENCH_QUICK === '1'
const PROFILE = process.env.BENCH_PROFILE === '1'
const BACKENDS = parseBackends(process.env.BENCH_DB)
const USERS = envInt('BENCH_USERS', 1000, 20, 5000)
const SOCKETS = envInt('BENCH_SOCKETS', 5000, 100, 9000)
const RUNS = QUICK ? 1 : 3
const B1 = { concurrency: 16, warmupMs: 1500, runMs: QUICK ? 2000 : 3000, drainMs: 3000 }
const B2 = { rate: 5, warmupMs: 1600, runMs: QUICK ? 4000 : 5000, drainMs: 5000 }
const SETUP_CONCURRENCY = 8
let scripts: ChildScripts | undefined

/** Starts a bench child (bundled, plain node; --expose-gc unless `gc` is false) and registers its cleanup. */
function child(label: string, name: ChildName, gc = true): Child {
  const s = scripts!
  return track(new Child(label, s.script(name), { execArgv: s.execArgv(gc ? ['--expose-gc'] : []) }))
}

/** CPU seconds so far of the PostgreSQL backends serving `dbName` (they run outside our processes). */
async function pgBackendCpu(dbName: string | undefined): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  if (!dbName) return out
  const client = new pg.Client({ connectionString: PG_ADMIN_URL })
  await client.connect()
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName])
    for (const { pid } of rows) {
      const s = procSample(pid)
      if (s) out.set(pid, s.cpuSec)
    }
  } finally {
    await client.end()
  }
  return out
}

function pgCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0
  for (const [pid, cpu] of after) sum += cpu - (before.get(pid) ?? 0)
  return sum
}

// ---------------------------------------------------------------- measurement plumbing

interface Usage {
  cpuSec: number
  rssMB: number
}

class Meter {
  private before = new Map<Child, ProcSample>()
  private pgBefore = new Map<number, number>()
  constructor(
    private readonly children: Child[],
    private readonly dbName?: string,
  ) {}

  async start(): Promise<void> {
    for (const c of this.children) this.before.set(c, c.sample())
    this.pgBefore = await pgBackendCpu(this.dbName)
  }

  async stop(): Promise<{ per: Usage[]; pgCpuSec: number }> {
    const per = this.children.map((c) => {
      const after = c.sample()
      return { cpuSec: after.cpuSec - (this.before.get(c)?.cpuSec ?? NaN), rssMB: after.rssMB }
    })
    const pgCpuSec = this.dbName ? pgCpuDelta(this.pgBefore, await pgBackendCpu(this.dbName)) : NaN
    return { per, pgCpuSec }
  }
}

interface Target {
  /** 'bridgehead' or the floor's name. */
  name: string
  proc: Child
  baseUrl: string
  wsUrl: string
  dbName?: string
}

function wsUrlOf(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}/api/v4/websocket`
}

// ---------------------------------------------------------------- B1

interface B1Run {
  postsPerSec: number
  posts: number
  elapsedMs: number
  statuses: Record<string, number>
  delivered: number
  expectedDeliveries: number
  sockets: number
  avgFrameBytes: number
  serverCpuSec: number
  serverRssMB: number
  clientsCpuSec: number
  clientsRssMB: number
  pgCpuSec: number
}

interface B1Result {
  target: string
  runs: B1Run[]
  throughput: Spread
  profile?: Diagnostics
}

interface Diagnostics {
  profile: ProfileSummary
  queries?: QueryCount
  /** What the SQL counts are divided by: posts, or connections. */
  units?: number
  unit?: string
}

interface QueryCount {
  total: number
  totalMs: number
  statements: { sql: string; count: number; ms: number }[]
}

type MeteredFields = 'serverCpuSec' | 'serverRssMB' | 'clientsCpuSec' | 'clientsRssMB' | 'pgCpuSec'

/** RUNS measured runs of a client scenario per target, targets alternating, each with CPU and RSS of server and clients. */
async function meteredRuns<R extends Record<MeteredFields, number>>(
  scenario: 'b1' | 'b2', targets: Target[], clients: Child, argsOf: (i: number) => Record<string, unknown>, durationMs: number, label: string, timeoutMs: number,
): Promise<R[][]> {
  const runs: R[][] = targets.map(() => [])
  for (let r = 0; r < RUNS; r++) {
    for (let i = 0; i < targets.length; i++) {
      const meter = new Meter([targets[i]!.proc, clients], targets[i]!.dbName)
      await meter.start()
      const res = await clients.call<Omit<R, MeteredFields>>(scenario, { ...argsOf(i), durationMs, run: `${label}${i}r${r}`, seed: r + 1 }, timeoutMs)
      const { per, pgCpuSec } = await meter.stop()
      runs[i]!.push({ ...res, serverCpuSec: per[0]!.cpuSec, serverRssMB: per[0]!.rssMB, clientsCpuSec: per[1]!.cpuSec, clientsRssMB: per[1]!.rssMB, pgCpuSec } as R)
    }
  }
  return runs
}

/** One extra, unscored run with a CPU profile and SQL statement counts of the server (BENCH_PROFILE). */
async function profiledRun(scenario: 'b1' | 'b2', target: Target, clients: Child, args: Record<string, unknown>, durationMs: number, label: string, timeoutMs: number) {
  await target.proc.call('profileStart')
  await target.proc.call('queriesStart')
  const res = await clients.call<{ posts: number }>(scenario, { ...args, durationMs, run: `${label}p`, seed: 7 }, timeoutMs)
  const queries = await target.proc.call<QueryCount>('queriesStop', { top: 25 })
  return { profile: await target.proc.call<ProfileSummary>('profileStop', { top: 25 }), queries, units: res.posts, unit: 'post' as const }
}

/**
 * B1 on several targets (the server, then its floor) with their runs interleaved — server run 1,
 * floor run 1, server run 2, … — so that load from elsewhere on the machine hits both alike.
 * The profiled run (BENCH_PROFILE) is an extra run of the first target.
 */
async function runB1(targets: Target[], clients: Child, ds: Dataset, label: string, profile: boolean): Promise<B1Result[]> {
  const tokens = ds.posters.map((p) => p.sessionToken)
  const usernames = ds.posters.map((p) => p.username)
  const groups = targets.map((_, i) => `b1-${label}-${i}`)
  const argsOf = (i: number) => ({ baseUrl: targets[i]!.baseUrl, tokens, usernames, channelId: ds.b1ChannelId, group: groups[i]!, drainMs: B1.drainMs })
  for (let i = 0; i < targets.length; i++) {
    const conn = await clients.call<{ opened: number; failed: number; firstError: string }>('connect', { group: groups[i], wsUrl: targets[i]!.wsUrl, tokens, concurrency: 16, timeoutMs: 15_000 })
    if (conn.failed) throw new Error(`B1 ${label} ${targets[i]!.name}: ${conn.failed} sockets failed to connect: ${conn.firstError}`)
    await clients.call('b1', { ...argsOf(i), durationMs: B1.warmupMs, run: `${label}${i}w`, seed: 99 }, 60_000)
  }
  const runs = await meteredRuns<B1Run>('b1', targets, clients, argsOf, B1.runMs, label, 60_000)
  const prof = profile ? await profiledRun('b1', targets[0]!, clients, argsOf(0), B1.runMs, label, 60_000) : undefined
  for (const group of groups) await clients.call('close', { group })
  return targets.map((t, i) => ({ target: t.name, runs: runs[i]!, throughput: spread(runs[i]!.map((r) => r.postsPerSec)), profile: i === 0 ? prof : undefined }))
}

function printB1(backend: Backend, server: B1Result, floor: B1Result, pids: { server: number; floor: number; clients: number }): Verdict {
  section(`B1 · posts/s through POST /api/v4/posts · ${backend}`)
  note(
    `load: ${B1.concurrency} keep-alive HTTP clients, one user (login session, Bearer) each, closed loop, ${RUNS} run(s) × ${B1.runMs / 1000} s after ${B1.warmupMs / 1000} s warm-up;\n` +
      `channel of ${B1.concurrency + 1} members, ${B1.concurrency} connected by WebSocket (every post fans out to all ${B1.concurrency}); seeded text, ~50% of posts @mention 1–2 members.\n` +
      `floor: bare express handler → one raw INSERT into the same \`posts\` table through ${backend === 'pglite' ? 'PGlite behind its socket + pg Pool max 1 (openDatabase, own data dir)' : 'a pg Pool to the same PostgreSQL server (own database)'} → ws broadcast of a posted frame to ${B1.concurrency} sockets.\n` +
      `processes: server pid ${pids.server} and floor pid ${pids.floor} are separate children, their runs alternate; clients (HTTP + sockets) pid ${pids.clients}; CPU s and RSS per run from /proc.`,
  )
  const row = (label: string, res: B1Result): string[] => {
    const cpu = spread(res.runs.map((r) => r.serverCpuSec))
    const cpuPerPost = spread(res.runs.map((r) => (1000 * r.serverCpuSec) / r.posts))
    const pgCpu = spread(res.runs.map((r) => r.pgCpuSec))
    const delivered = res.runs.reduce((a, r) => a + r.delivered, 0)
    const expected = res.runs.reduce((a, r) => a + r.expectedDeliveries, 0)
    const errors = res.runs.reduce((a, r) => a + Object.entries(r.statuses).filter(([s]) => s !== '201').reduce((x, [, n]) => x + n, 0), 0)
    return [
      label,
      fmtSpread(res.throughput, 0),
      fmtSpread(cpu, 2),
      fmtSpread(cpuPerPost, 2),
      backend === 'postgres' ? fmtSpread(pgCpu, 2) : '(in-process)',
      fmt(Math.max(...res.runs.map((r) => r.serverRssMB)), 0),
      fmt(spread(res.runs.map((r) => r.clientsCpuSec)).median, 2),
      fmt(Math.max(...res.runs.map((r) => r.clientsRssMB)), 0),
      `${delivered}/${expected}`,
      String(errors),
      fmt(spread(res.runs.map((r) => r.avgFrameBytes)).median, 0),
    ]
  }
  console.log(
    table(
      ['', 'posts/s median (min–max)', 'server CPU s/run', 'CPU ms/post', 'postgres CPU s/run', 'server RSS MB', 'clients CPU s', 'clients RSS MB', 'fan-out frames', 'errors', 'frame B'],
      [row('measured  bridgehead', server), row('limit     raw floor', floor)],
    ),
  )
  const ratio = server.throughput.median / floor.throughput.median
  const met = ratio >= 0.3
  note(`ratio = ${fmt(ratio, 3)} (measured/limit)   target ≥ 0.30   ${met ? 'MET' : 'NOT MET'}`)
  return {
    scenario: 'B1', backend, metric: 'posts/s', unit: 'posts/s', measured: round(server.throughput.median, 1), limit: round(floor.throughput.median, 1), ratio: round(ratio),
    target: 'ratio >= 0.3', met,
    extra: {
      measuredMinMax: [round(server.throughput.min, 1), round(server.throughput.max, 1)], limitMinMax: [round(floor.throughput.min, 1), round(floor.throughput.max, 1)],
      serverCpuMsPerPost: round(spread(server.runs.map((r) => (1000 * r.serverCpuSec) / r.posts)).median, 2),
      floorCpuMsPerPost: round(spread(floor.runs.map((r) => (1000 * r.serverCpuSec) / r.posts)).median, 2),
    },
  }
}

// ---------------------------------------------------------------- B2

interface B2Run {
  posts: number
  sockets: number
  expected: number
  received: number
  missed: number
  duplicates: number
  statuses: Record<string, number>
  histogram: HistogramData
  maxSendLagMs: number
  avgFrameBytes: number
  serverCpuSec: number
  serverRssMB: number
  clientsCpuSec: number
  clientsRssMB: number
  pgCpuSec: number
}

interface B2Result {
  target: string
  runs: B2Run[]
  p50: Spread
  p95: Spread
  p99: Spread
  max: Spread
  missed: number
  profile?: Diagnostics
}

/** B2 on several targets with interleaved runs, like `runB1`; each target gets its own 1,000 sockets. */
async function runB2(targets: Target[], clients: Child, ds: Dataset, label: string, profile: boolean): Promise<B2Result[]> {
  const tokens = ds.users.map((u) => u.token)
  const groups = targets.map((_, i) => `b2-${label}-${i}`)
  // Every user but the sender can be @mentioned; the sender (users[0]) is connected too and receives its own post.
  const argsOf = (i: number) => ({ baseUrl: targets[i]!.baseUrl, token: ds.users[0]!.token, channelId: ds.b2ChannelId, mentionable: ds.users.slice(1, 200).map((u) => u.username), rate: B2.rate, group: groups[i]!, drainMs: B2.drainMs })
  for (let i = 0; i < targets.length; i++) {
    const conn = await clients.call<{ opened: number; failed: number; firstError: string; ms: number }>(
      'connect', { group: groups[i], wsUrl: targets[i]!.wsUrl, tokens, concurrency: 50, timeoutMs: 30_000 }, 180_000,
    )
    if (conn.failed) throw new Error(`B2 ${label} ${targets[i]!.name}: ${conn.failed} of ${tokens.length} sockets failed to connect: ${conn.firstError}`)
    await clients.call('b2', { ...argsOf(i), durationMs: B2.warmupMs, run: `${label}${i}w`, seed: 99 }, 60_000)
  }
  const runs = await meteredRuns<B2Run>('b2', targets, clients, argsOf, B2.runMs, label, 120_000)
  const prof = profile ? await profiledRun('b2', targets[0]!, clients, argsOf(0), B2.runMs, label, 120_000) : undefined
  for (const group of groups) await clients.call('close', { group }, 60_000)
  return targets.map((t, i) => {
    const hists = runs[i]!.map((r) => Histogram.fromJSON(r.histogram))
    const ms = (p: number) => spread(hists.map((h) => h.percentile(p) / 1000))
    return {
      target: t.name, runs: runs[i]!, p50: ms(50), p95: ms(95), p99: ms(99), max: spread(hists.map((h) => h.maxUs / 1000)),
      missed: runs[i]!.reduce((a, r) => a + r.missed, 0), profile: i === 0 ? prof : undefined,
    }
  })
}

function printB2(backend: Backend, server: B2Result, floor: B2Result, pids: { server: number; floor: number; clients: number }): Verdict[] {
  const n = server.runs[0]?.sockets ?? 0
  section(`B2 · fan-out latency to ${fmt(n, 0)} WebSocket members of one channel · ${backend}`)
  note(
    `load: open loop, ${B2.rate} posts/s for ${B2.runMs / 1000} s (${(B2.runMs / 1000) * B2.rate} posts) per run, ${RUNS} run(s) after ${B2.warmupMs / 1000} s warm-up; each post must reach all ${fmt(n, 0)} sockets\n` +
      `(${fmt(n, 0)} users created through the API, one personal access token and one authenticated socket each; the sender is one of them).\n` +
      `latency = time a socket receives the \`posted\` event − time the post was due to be sent (same process, monotonic clock): a late send or a stalled server is charged in full.\n` +
      `floor: bare node:http POST handler → ws broadcast of a posted frame to ${fmt(n, 0)} other sockets, same rate, same client process; server and floor runs alternate.\n` +
      `processes: server pid ${pids.server}, floor pid ${pids.floor}; the ${fmt(n, 0)} client sockets and the poster live in the clients process pid ${pids.clients}.`,
  )
  const row = (label: string, res: B2Result): string[] => [
    label,
    fmtSpread(res.p50, 1),
    fmtSpread(res.p95, 1),
    fmtSpread(res.p99, 1),
    fmt(res.max.max, 1),
    `${res.missed}/${res.runs.reduce((a, r) => a + r.expected, 0)}`,
    String(res.runs.reduce((a, r) => a + Object.entries(r.statuses).filter(([s]) => s !== '201').reduce((x, [, c]) => x + c, 0), 0)),
    fmtSpread(spread(res.runs.map((r) => r.serverCpuSec)), 2),
    backend === 'postgres' && res.target === 'bridgehead' ? fmtSpread(spread(res.runs.map((r) => r.pgCpuSec)), 2) : '-',
    fmt(Math.max(...res.runs.map((r) => r.serverRssMB)), 0),
    fmt(spread(res.runs.map((r) => r.clientsCpuSec)).median, 2),
    fmt(Math.max(...res.runs.map((r) => r.clientsRssMB)), 0),
    fmt(spread(res.runs.map((r) => r.avgFrameBytes)).median, 0),
  ]
  console.log(
    table(
      ['', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'missed', 'errors', 'server CPU s/run', 'postgres CPU s', 'server RSS MB', 'clients CPU s', 'clients RSS MB', 'frame B'],
      [row('measured  bridgehead', server), row('limit     raw ws', floor)],
    ),
  )
  const ratio = server.p99.median / floor.p99.median
  const met = ratio <= 2
  note(`ratio (p99) = ${fmt(ratio, 2)} (measured/limit)   target ≤ 2.0   ${met ? 'MET' : 'NOT MET'}`)
  note(`missed events = ${server.missed} (floor ${floor.missed})   target 0   ${server.missed === 0 ? 'MET' : 'NOT MET'}`)
  return [
    {
      scenario: 'B2', backend, metric: 'fan-out p99 latency', unit: 'ms', measured: round(server.p99.median, 2), limit: round(floor.p99.median, 2), ratio: round(ratio), target: 'ratio <= 2', met,
      extra: { p50: round(server.p50.median, 2), p95: round(server.p95.median, 2), limitP50: round(floor.p50.median, 2), limitP95: round(floor.p95.median, 2), p99MinMax: [round(server.p99.min, 2), round(server.p99.max, 2)], sockets: n },
    },
    { scenario: 'B2', backend, metric: 'missed posted events', unit: 'events', measured: server.missed, limit: floor.missed, ratio: floor.missed ? round(server.missed / floor.missed) : NaN, target: 'measured = 0', met: server.missed === 0 },
  ]
}

// ---------------------------------------------------------------- B5

interface Mem {
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
  arrayBuffers: number
  gcForced: boolean
}

interface B5Result {
  target: string
  /** Sockets open at the first and the second reading. */
  mid: number
  sockets: number
  failed: number
  connectMs: number
  base: Mem
  atMid: Mem
  after: Mem
  /** Slope between the two readings: the cost of one more idle socket. */
  rssKB: number
  heapKB: number
  externalKB: number
  /** (after − base) / sockets: the same from zero (noisier: start-up garbage and allocator slack move it). */
  rssKBFromZero: number
  serverCpuSec: number
  clientsCpuSec: number
  clientsRssMB: number
  profile?: Diagnostics
}

/**
 * Memory per idle socket as a slope: read the server's memory (after forced GC) with `SOCKETS/5`
 * sockets open, open the rest, read again; (second − first) / (sockets added). Reading from zero is
 * also shown, but the first thousand sockets land partly in memory the process had already freed.
 */
async function runB5(target: Target, clients: Child, tokens: string[], label: string, profile: boolean): Promise<B5Result> {
  const group = `b5-${label}`
  // Warm-up: the connect, authenticate and close paths run (and get compiled) before the baseline.
  const warm = Math.min(200, tokens.length)
  await clients.call('connect', { group: `${group}-warm`, wsUrl: target.wsUrl, tokens: tokens.slice(0, warm), concurrency: 50, timeoutMs: 30_000 }, 120_000)
  await clients.call('close', { group: `${group}-warm` }, 60_000)
  await sleep(500)
  const base = await target.proc.call<Mem>('mem')
  const meter = new Meter([target.proc, clients])
  await meter.start()
  const first = Math.min(tokens.length, Math.floor(SOCKETS / 5))
  const a = await clients.call<{ opened: number; failed: number; firstError: string; ms: number }>(
    'connect', { group: `${group}-a`, wsUrl: target.wsUrl, tokens, count: first, concurrency: 100, timeoutMs: 60_000 }, 300_000,
  )
  await sleep(1000)
  const mid = await target.proc.call<number>('connections')
  const atMid = await target.proc.call<Mem>('mem')
  if (profile) {
    await target.proc.call('profileStart')
    await target.proc.call('queriesStart')
  }
  const b = await clients.call<{ opened: number; failed: number; firstError: string; ms: number }>(
    'connect', { group: `${group}-b`, wsUrl: target.wsUrl, tokens, count: SOCKETS - first, concurrency: 100, timeoutMs: 60_000 }, 300_000,
  )
  let prof: Diagnostics | undefined
  if (profile) {
    const queries = await target.proc.call<QueryCount>('queriesStop', { top: 25 })
    prof = { profile: await target.proc.call<ProfileSummary>('profileStop', { top: 25 }), queries, units: b.opened, unit: 'connection' }
  }
  await sleep(1000)
  const open = await target.proc.call<number>('connections')
  const after = await target.proc.call<Mem>('mem')
  const { per } = await meter.stop()
  await clients.call('close', { group: `${group}-a` }, 120_000)
  await clients.call('close', { group: `${group}-b` }, 120_000)
  const failed = a.failed + b.failed
  if (failed) console.error(`  B5 ${label}: ${failed} sockets failed: ${a.firstError || b.firstError}`)
  const added = Math.max(1, open - mid)
  const k = (bytes: number) => bytes / 1024 / added
  return {
    target: target.name, mid, sockets: open, failed, connectMs: a.ms + b.ms, base, atMid, after,
    rssKB: k(after.rss - atMid.rss), heapKB: k(after.heapUsed - atMid.heapUsed), externalKB: k(after.external - atMid.external),
    rssKBFromZero: (after.rss - base.rss) / 1024 / Math.max(1, open),
    serverCpuSec: per[0]!.cpuSec, clientsCpuSec: per[1]!.cpuSec, clientsRssMB: per[1]!.rssMB, profile: prof,
  }
}

function printB5(backend: Backend, server: B5Result, floor: B5Result, pids: { server: number; floor: number; clients: number }, floorShared: boolean): Verdict[] {
  section(`B5 · memory per idle authenticated WebSocket at ${fmt(server.sockets, 0)} connections · ${backend}`)
  note(
    `${fmt(server.sockets, 0)} sockets of ${USERS} users (personal access token in the upgrade's Authorization header, ${fmt(server.sockets / USERS, 0)} sockets per user), each waits for \`hello\`.\n` +
      `figure = (memory with ${fmt(server.sockets, 0)} sockets − memory with ${fmt(server.mid, 0)}) / ${fmt(server.sockets - server.mid, 0)}, each read 1 s after the sockets opened, after forced GC (--expose-gc),\n` +
      `in a freshly started server process pid ${pids.server} (same data; 200 sockets opened and closed first as warm-up).\n` +
      `floor: bare \`ws\` server (perMessageDeflate off, sends a hello) in pid ${pids.floor}${floorShared ? ', measured once' : ''}, same procedure; all client sockets live in the clients process pid ${pids.clients}.`,
  )
  const mb = (m: Mem, key: 'rss' | 'heapUsed' | 'heapTotal') => fmt(m[key] / 2 ** 20, key === 'rss' ? 0 : 1)
  const row = (label: string, r: B5Result): string[] => [
    label,
    fmt(r.heapKB, 2),
    fmt(r.rssKB, 2),
    fmt(r.externalKB, 2),
    fmt(r.rssKBFromZero, 2),
    `${mb(r.base, 'rss')} / ${mb(r.atMid, 'rss')} / ${mb(r.after, 'rss')}`,
    `${mb(r.base, 'heapUsed')} / ${mb(r.atMid, 'heapUsed')} / ${mb(r.after, 'heapUsed')}`,
    `${mb(r.base, 'heapTotal')} / ${mb(r.atMid, 'heapTotal')} / ${mb(r.after, 'heapTotal')}`,
    `${fmt(r.sockets, 0)}${r.failed ? ` (${r.failed} failed)` : ''}`,
    fmt(r.connectMs / 1000, 1),
    fmt(r.serverCpuSec, 2),
    fmt(r.clientsCpuSec, 2),
    fmt(r.clientsRssMB, 0),
  ]
  console.log(
    table(
      ['', 'heap KB/conn', 'RSS KB/conn', 'external KB/conn', 'RSS KB/conn from 0', `server RSS MB at 0 / ${fmt(server.mid, 0)} / ${fmt(server.sockets, 0)}`, 'heap used MB', 'heap total MB', 'open sockets', 'connect s', 'server CPU s', 'clients CPU s', 'clients RSS MB'],
      [row('measured  bridgehead', server), row('limit     raw ws', floor)],
    ),
  )
  const heapRatio = server.heapKB / floor.heapKB
  const rssRatio = server.rssKB / floor.rssKB
  const all = server.sockets >= SOCKETS * 0.99
  const heapMet = server.heapKB <= 20 && all
  const rssMet = server.rssKB <= 20 && all
  note(
    `heap: ratio = ${fmt(heapRatio, 2)} (measured/limit)   target ≤ 20 KB per connection   ${heapMet ? 'MET' : 'NOT MET'}\n` +
      `RSS:  ratio = ${fmt(rssRatio, 2)} (measured/limit)   target ≤ 20 KB per connection   ${rssMet ? 'MET' : 'NOT MET'}\n` +
      'heap (V8 live bytes after GC) is the exact figure; an RSS slope is only as good as the allocator lets it be: a large process\n' +
      'places new sockets partly in memory it had already freed, a small one (the floor) maps fresh pages, and V8 resizes its heap on its own timers.',
  )
  const extra = { sockets: server.sockets, connectS: round(server.connectMs / 1000, 1), serverCpuSecConnect: round(server.serverCpuSec, 2), rssKBFromZero: round(server.rssKBFromZero, 2) }
  return [
    { scenario: 'B5', backend, metric: 'heap per idle authenticated WebSocket', unit: 'KB/conn', measured: round(server.heapKB, 2), limit: round(floor.heapKB, 2), ratio: round(heapRatio), target: 'measured <= 20 KB', met: heapMet, extra },
    { scenario: 'B5', backend, metric: 'RSS per idle authenticated WebSocket', unit: 'KB/conn', measured: round(server.rssKB, 2), limit: round(floor.rssKB, 2), ratio: round(rssRatio), target: 'measured <= 20 KB', met: rssMet },
  ]
}

// ---------------------------------------------------------------- B5 at rest

interface RestResult {
  afterStartMB: number
  idleMB: number
  peakMB: number
  startMs: number
  workloadCpuSec: number
  floorMB: number
  floorPeakMB: number
  breakdown: { start: RssBreakdown | null; idle: RssBreakdown | null; floor: RssBreakdown | null }
  entry: string
  /** npm start's environment and node flags, as run. */
  runtime: string
}

async function waitForListening(child: ChildProcess, timeoutMs: number): Promise<string> {
  let err = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${err}`)), timeoutMs)
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString()
      const m = /listening on (http:\/\/\S+)/.exec(err)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code}) before listening:\n${err}`))
    })
  })
}

/** The server started as `npm start` starts it, on the data the scenarios left, then a mixed workload, then idle. */
/** What `npm start` runs before the server: the build step, when package.json has one. */
/** The environment and node flags `npm start` runs the server with (package.json is their one definition). */
function npmStartRuntime(): { env: Record<string, string>; nodeFlags: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }
  const command = (pkg.scripts?.start ?? '').split('&&').map((part) => part.trim()).find((part) => /\bbuild\/server\/cli\.mjs\b/.test(part)) ?? ''
  const words = command.split(/\s+/)
  const nodeAt = words.indexOf('node')
  const env = Object.fromEntries(words.slice(0, Math.max(nodeAt, 0)).map((w) => w.split('=') as [string, string]))
  const nodeFlags = nodeAt < 0 ? [] : words.slice(nodeAt + 1).filter((w) => w.startsWith('--'))
  return { env, nodeFlags }
}

async function buildLikeNpmStart(): Promise<string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }
  if (pkg.scripts?.build && /npm run build/.test(pkg.scripts.start ?? '')) {
    await new Promise<void>((resolve, reject) =>
      execFile('npm', ['run', 'build', '--silent'], { cwd: ROOT, timeout: 120_000 }, (err, _out, stderr) => (err ? reject(new Error(`npm run build failed: ${stderr}`)) : resolve())),
    )
  }
  return fs.existsSync(path.join(ROOT, 'build', 'server', 'cli.mjs')) ? 'the esbuild bundle build/server/cli.mjs' : 'the TypeScript sources through tsx'
}

async function runRest(dataDir: string, clients: Child, ds: Dataset): Promise<RestResult> {
  const entry = await buildLikeNpmStart()
  const runtime = npmStartRuntime()
  const env: NodeJS.ProcessEnv = { ...process.env, ...runtime.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' }
  for (const key of ['DATABASE_URL', 'HOST', 'SITE_URL', 'PGLITE_SHARED_BUFFERS', 'PGLITE_OPTIMIZE']) delete env[key]
  const started = performance.now()
  const serverProc = spawn(process.execPath, [...runtime.nodeFlags, path.join(ROOT, 'bin/bridgehead.js'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] })
  const exited = new Promise<void>((resolve) => serverProc.once('exit', () => resolve()))
  const kill = async () => {
    if (serverProc.exitCode !== null || serverProc.signalCode !== null) return
    serverProc.kill('SIGTERM')
    const timer = setTimeout(() => serverProc.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  onCleanup(kill)
  const baseUrl = await waitForListening(serverProc, 90_000)
  const startMs = performance.now() - started
  const pid = serverProc.pid!
  await sleep(3000)
  const atStart = procSample(pid)!
  const startBreakdown = rssBreakdown(pid)
  // Workload: a burst of B1 posting, 1,000 sockets with a few fanned-out posts, channel reads.
  const group = 'rest'
  await clients.call('connect', { group, wsUrl: wsUrlOf(baseUrl), tokens: ds.users.map((u) => u.token), concurrency: 50, timeoutMs: 30_000 }, 180_000)
  await clients.call('b1', { baseUrl, tokens: ds.posters.map((p) => p.sessionToken), usernames: ds.posters.map((p) => p.username), channelId: ds.b1ChannelId, group: 'none', drainMs: 0, durationMs: 2000, run: 'rest', seed: 5 }, 60_000)
  await clients.call('b2', { baseUrl, token: ds.users[0]!.token, channelId: ds.b2ChannelId, mentionable: [], rate: B2.rate, group, drainMs: 3000, durationMs: 2000, run: 'rest', seed: 5 }, 60_000)
  const paths = [`/api/v4/users/me`, `/api/v4/users/me/teams`, ...Array.from({ length: 5 }, (_, i) => `/api/v4/channels/${ds.b2ChannelId}/posts?page=${i}&per_page=60`), `/api/v4/channels/${ds.b1ChannelId}/posts?per_page=200`]
  await clients.call('gets', { baseUrl, token: ds.users[0]!.token, paths }, 60_000)
  await clients.call('close', { group }, 60_000)
  await sleep(5000)
  const idle = procSample(pid)!
  const idleBreakdown = rssBreakdown(pid)
  await kill()

  const floor = child('floor-rest', 'floor-child', false)
  await floor.call('start', { mode: 'rest', dataDir }, 120_000)
  await sleep(3000)
  const f = floor.sample()
  const floorBreakdown = rssBreakdown(floor.pid)
  await floor.call('close')
  await floor.stop()
  return { afterStartMB: atStart.rssMB, idleMB: idle.rssMB, peakMB: idle.hwmMB, startMs, workloadCpuSec: idle.cpuSec - atStart.cpuSec, floorMB: f.rssMB, floorPeakMB: f.hwmMB, breakdown: { start: startBreakdown, idle: idleBreakdown, floor: floorBreakdown }, entry, runtime: [...Object.entries(runtime.env).map(([k, v]) => `${k}=${v}`), 'node', ...runtime.nodeFlags].join(' ') }
}

function printRest(r: RestResult): Verdict {
  section('B5 · process RSS at rest, started like `npm start` · pglite')
  note(
    `server: \`npm run build\` as \`npm start\` does, then \`${r.runtime} bin/bridgehead.js serve\` (runs ${r.entry}) with PORT=0, DATA_DIR=<the data dir B1–B5 filled>;\n` +
      'no GC forced, readings after 3 s (start) and 5 s (idle) settle; VmRSS from /proc/<pid>/status;\n' +
      `workload between the two readings: ${USERS} authenticated sockets, 2 s of B1 posting by 16 users, 2 s of B2 fan-out at ${B2.rate}/s, channel reads, sockets closed.\n` +
      'floor: a process that opens the same data dir with openDatabase (PGlite + socket + pg Pool, same settings), runs migrate, serves an express app; read after 3 s.',
  )
  console.log(
    table(
      ['', 'RSS after start MB', 'RSS after workload, idle MB', 'peak (VmHWM) MB', 'start s', 'workload CPU s'],
      [
        ['measured  bridgehead', fmt(r.afterStartMB, 0), fmt(r.idleMB, 0), fmt(r.peakMB, 0), fmt(r.startMs / 1000, 1), fmt(r.workloadCpuSec, 2)],
        ['limit     db + express', fmt(r.floorMB, 0), '-', fmt(r.floorPeakMB, 0), '-', '-'],
      ],
    ),
  )
  const b = (x: RssBreakdown | null): string[] => (x ? [x.wasmMB, x.anonMB, x.brkMB, x.codeMB, x.filesMB, x.totalMB].map((v) => fmt(v, 0)) : ['?', '?', '?', '?', '?', '?'])
  note('where the RSS is (/proc/<pid>/smaps, MB):')
  console.log(
    table(
      ['', 'PGlite Wasm memory', 'anon (V8 heap, malloc arenas)', 'malloc brk heap', 'JIT code', 'node binary + libs', 'total'],
      [['bridgehead after start', ...b(r.breakdown.start)], ['bridgehead after workload, idle', ...b(r.breakdown.idle)], ['floor (db + express)', ...b(r.breakdown.floor)]],
    ),
  )
  const ratio = r.idleMB / r.floorMB
  const met = r.idleMB <= 300 && r.afterStartMB <= 300
  note(`ratio = ${fmt(ratio, 2)} (idle after workload / floor)   target ≤ 300 MB   ${met ? 'MET' : 'NOT MET'}`)
  return {
    scenario: 'B5-rest', backend: 'pglite', metric: 'RSS at rest after workload', unit: 'MB', measured: round(r.idleMB, 1), limit: round(r.floorMB, 1), ratio: round(ratio), target: 'measured <= 300 MB', met,
    extra: { afterStartMB: round(r.afterStartMB, 1), peakMB: round(r.peakMB, 1), idleWasmMB: round(r.breakdown.idle?.wasmMB ?? NaN, 1), floorWasmMB: round(r.breakdown.floor?.wasmMB ?? NaN, 1) },
  }
}

// ---------------------------------------------------------------- diagnostics (BENCH_PROFILE=1)

function printProfile(title: string, p: Diagnostics, serverCpuMsPerPost?: number): void {
  section(`diagnostics · ${title}`)
  const units = p.units ?? 0
  if (p.queries && units) {
    note(`${units} ${p.unit}s profiled (extra run, not scored); ${fmt(p.queries.total / units, 2)} SQL statements per ${p.unit}, ${fmt(p.queries.totalMs / units, 2)} ms of round trips per ${p.unit}${serverCpuMsPerPost ? `; server CPU ${fmt(serverCpuMsPerPost, 2)} ms/post in the scored runs` : ''}`)
  }
  note(`profile: ${fmt(p.profile.totalMs / 1000, 1)} s of the server's main thread (self time; "(idle)" = waiting for I/O; writev = socket writes)`)
  console.log(table(['self time by area', 'ms', '%'], p.profile.byArea.slice(0, 12).map((a) => [a.area, fmt(a.ms, 0), fmt(a.pct, 1)])))
  console.log(table(['self time by function', 'ms', '%'], p.profile.byFunction.slice(0, 12).map((f) => [f.fn, fmt(f.ms, 0), fmt(f.pct, 1)])))
  if (p.queries && units) {
    console.log(table([`SQL statement (normalised)`, `per ${p.unit}`, 'ms total'], p.queries.statements.slice(0, 12).map((s) => [s.sql.slice(0, 110), fmt(s.count / units, 2), fmt(s.ms, 0)])))
  }
}

// ---------------------------------------------------------------- main

interface Prepared {
  backend: Backend
  dataDir: string
  databaseUrl?: string
  dbName?: string
  server: Child
  url: string
  floorPost: Child
  floorPostUrl: string
  floorDbName?: string
  dataset?: Dataset
}

async function prepare(backend: Backend): Promise<Prepared> {
  const tag = randomBytes(4).toString('hex')
  const dataDir = tempDir(`bh-bench-${backend}-`)
  let databaseUrl: string | undefined
  let dbName: string | undefined
  let floorDatabaseUrl: string | undefined
  let floorDbName: string | undefined
  if (backend === 'postgres') {
    dbName = `bh_bench_${tag}`
    floorDbName = `bh_bench_${tag}_floor`
    databaseUrl = await createPgDatabase(dbName)
    floorDatabaseUrl = await createPgDatabase(floorDbName)
  }
  const server = child(`server-${backend}`, 'server-child')
  const floorPost = child(`floor-post-${backend}`, 'floor-child')
  const [started, floorStarted] = await Promise.all([
    server.call<{ url: string }>('start', { dataDir, databaseUrl }, 180_000),
    floorPost.call<{ url: string }>('start', { mode: 'post', dataDir: tempDir(`bh-bench-floor-${backend}-`), databaseUrl: floorDatabaseUrl }, 180_000),
  ])
  return { backend, dataDir, databaseUrl, dbName, server, url: started.url, floorPost, floorPostUrl: floorStarted.url, floorDbName }
}

async function main(): Promise<void> {
  const t0 = performance.now()
  console.log('Bridgehead core benchmark (bench/core.ts)')
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? '?'}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, open files per process ${openFileLimit()}\n` +
      `node ${process.version}; pglite ${versionOf('@electric-sql/pglite')}, pg ${versionOf('pg')}, ws ${versionOf('ws')}, express ${versionOf('express')}\n` +
      `backends: ${BACKENDS.join(', ')}; ${QUICK ? 'QUICK: 1 run per figure, shorter runs' : `${RUNS} runs per figure`}; ${USERS} users, ${SOCKETS} sockets for B5${PROFILE ? '; BENCH_PROFILE: extra profiled runs' : ''}\n` +
      `processes: orchestrator pid ${process.pid} (coordination only); server, floors and clients are child processes (pids below); everything on 127.0.0.1.`,
  )
  const verdicts: Verdict[] = []
  scripts = await buildChildren(!PROFILE)
  const built = scripts
  onCleanup(async () => built.remove())
  note(`child processes: ${scripts.bundled ? 'bundled with esbuild (like `npm run build`), run on plain node' : `TypeScript sources through tsx (${PROFILE ? 'BENCH_PROFILE: profiles name source files' : 'esbuild unavailable'}; tsx adds a loader thread, figures differ a little)`}`)

  section('setup (not measured): servers, floors and the data set, through the public API')
  const prepared = await Promise.all(BACKENDS.map(prepare))
  for (const p of prepared) note(`${p.backend}: server pid ${p.server.pid} at ${p.url} (${p.dbName ? `database ${p.dbName}` : `data dir ${p.dataDir}`}); B1 floor pid ${p.floorPost.pid}`)
  // Both data sets are built at once: user sign-up is scrypt-bound (~1 hash per user) and the two
  // servers' work overlaps on two cores. Nothing is measured meanwhile.
  const setupStart = performance.now()
  await Promise.all(
    prepared.map(async (p) => {
      p.dataset = await createDataset(p.url, {
        users: USERS, posters: B1.concurrency, concurrency: SETUP_CONCURRENCY,
        onProgress: (done) => {
          if (done % 250 === 0 || done === USERS) note(`${p.backend}: ${done}/${USERS} users (${fmt((performance.now() - setupStart) / 1000, 0)} s)`)
        },
      })
      const s = p.server.sample()
      note(`${p.backend}: data set ready in ${fmt(p.dataset.setupMs / 1000, 1)} s, ${p.dataset.requests} API requests; server CPU ${fmt(s.cpuSec, 1)} s, RSS ${fmt(s.rssMB, 0)} MB (peak ${fmt(s.hwmMB, 0)} MB, scrypt buffers included)`)
    }),
  )
  closeSetupAgent()

  let sharedB5Floor: B5Result | undefined
  let b5FloorPid = 0
  for (const p of prepared) {
    const ds = p.dataset!
    const clients = child(`clients-${p.backend}`, 'clients-child', false)
    const server: Target = { name: 'bridgehead', proc: p.server, baseUrl: p.url, wsUrl: wsUrlOf(p.url), dbName: p.dbName }

    // B1
    const floorPost: Target = { name: 'floor', proc: p.floorPost, baseUrl: p.floorPostUrl, wsUrl: wsUrlOf(p.floorPostUrl), dbName: p.floorDbName }
    const [b1Server, b1Floor] = await runB1([server, floorPost], clients, ds, p.backend, PROFILE)
    await p.floorPost.call('close')
    await p.floorPost.stop()
    const b1 = printB1(p.backend, b1Server!, b1Floor!, { server: p.server.pid, floor: p.floorPost.pid, clients: clients.pid })
    verdicts.push(b1)
    if (b1Server!.profile) printProfile(`B1 ${p.backend}: server CPU profile and SQL per post`, b1Server!.profile, b1.extra?.serverCpuMsPerPost as number)

    // B2: the floor has no database, but is measured again for each backend so that its runs
    // interleave with the server's (the machine's load moves between minutes).
    const b2FloorProc = child(`floor-broadcast-${p.backend}`, 'floor-child')
    const b2FloorUrl = (await b2FloorProc.call<{ url: string }>('start', { mode: 'broadcast', dataDir: '' })).url
    const [b2Server, b2Floor] = await runB2([server, { name: 'floor', proc: b2FloorProc, baseUrl: b2FloorUrl, wsUrl: wsUrlOf(b2FloorUrl) }], clients, ds, p.backend, PROFILE)
    await b2FloorProc.call('close')
    await b2FloorProc.stop()
    verdicts.push(...printB2(p.backend, b2Server!, b2Floor!, { server: p.server.pid, floor: b2FloorProc.pid, clients: clients.pid }))
    if (b2Server!.profile) printProfile(`B2 ${p.backend}: server CPU profile and SQL per post (${fmt(USERS, 0)} recipients)`, b2Server!.profile)

    // B5 per connection, in a freshly started server on the same data: after the set-up (scrypt
    // buffers, thousands of requests) the old process has free heap and malloc slack that would
    // absorb new sockets without RSS growing, and the per-connection figure would read too low.
    await p.server.call('close', {}, 60_000)
    await p.server.stop()
    p.server = child(`server-${p.backend}-b5`, 'server-child')
    const restarted = await p.server.call<{ url: string }>('start', { dataDir: p.dataDir, databaseUrl: p.databaseUrl }, 180_000)
    const tokens = ds.users.map((u) => u.token)
    const b5Server = await runB5({ ...server, proc: p.server, baseUrl: restarted.url, wsUrl: wsUrlOf(restarted.url) }, clients, tokens, `${p.backend}-s`, PROFILE)
    if (!sharedB5Floor) {
      const floor = child('floor-idle', 'floor-child')
      const started = await floor.call<{ url: string }>('start', { mode: 'idle', dataDir: '' })
      sharedB5Floor = await runB5({ name: 'floor', proc: floor, baseUrl: started.url, wsUrl: wsUrlOf(started.url) }, clients, tokens, 'floor', false)
      b5FloorPid = floor.pid
      await floor.call('close')
      await floor.stop()
    }
    verdicts.push(...printB5(p.backend, b5Server, sharedB5Floor, { server: p.server.pid, floor: b5FloorPid, clients: clients.pid }, BACKENDS.length > 1))
    if (b5Server.profile) printProfile(`B5 ${p.backend}: server CPU profile and SQL while ${fmt(b5Server.sockets - b5Server.mid, 0)} sockets connect`, b5Server.profile)

    await p.server.call('close', {}, 60_000)
    await p.server.stop()

    // B5 at rest (PGlite: the embedded default is what the 300 MB target is about)
    if (p.backend === 'pglite') verdicts.push(printRest(await runRest(p.dataDir, clients, ds)))
    await clients.stop()
  }

  section('summary')
  console.log(
    table(
      ['scenario', 'backend', 'metric', 'measured', 'limit', 'ratio', 'target', 'met'],
      verdicts.map((v) => [v.scenario, v.backend, v.metric, `${fmt(v.measured)} ${v.unit}`, `${fmt(v.limit)} ${v.unit}`, Number.isFinite(v.ratio) ? fmt(v.ratio, 3) : '-', v.target, v.met === null ? '-' : v.met ? 'yes' : 'NO']),
    ),
  )
  const elapsed = (performance.now() - t0) / 1000
  note(`total ${fmt(elapsed, 0)} s`)
  console.log(`BENCH_CORE_RESULT ${JSON.stringify({ bench: 'core', quick: QUICK, runs: RUNS, backends: BACKENDS, users: USERS, sockets: SOCKETS, elapsedS: round(elapsed, 1), loadavg: os.loadavg().map((l) => round(l, 2)), results: verdicts })}`)
}

await runBench(main)
