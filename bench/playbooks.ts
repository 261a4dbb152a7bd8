/**
 * `npm run bench:playbooks`: playbook engine figures, on PGlite and PostgreSQL (BENCH_DB picks one).
 *
 * 1. Events/s from trigger to first action: BENCH_EVENTS connector events (`integration.event`
 *    on the bus, as a connector publishes them) each start a run of a playbook whose first step
 *    calls `bench.first@v1`; the figure is events divided by the time from the first publish to
 *    the last first action, plus the latency of each event to its first action and the CPU each
 *    event cost (this process's, and the whole machine's: on PostgreSQL, the server's too). As a
 *    burst (every event published at once: what the server can do): first cold, right after the
 *    server started (V8 has not yet optimised its hot code, which takes a few thousand events), then
 *    BENCH_BURSTS (3) times warm, as a server that has been up meets a storm, with the median and
 *    range (this machine's speed drifts by a third from minute to minute); then BENCH_PUBLISHERS (16)
 *    at a time (a closed loop: each publisher waits for its run to start, so latency bounds the rate).
 * 1b. The same from the webhook: BENCH_WEBHOOKS PagerDuty deliveries, signed as PagerDuty signs them,
 *    POSTed to a connection's webhook URL, BENCH_SENDERS (32) at a time. Each is verified, queued
 *    as a delivery job, published on the bus and posted by the PagerDuty bot in the connection's
 *    channel, then starts its run as in 1.
 * 2. Timer accuracy with 10,000 pending reminders: 100 runs of a playbook with 100 hourly
 *    reminders leave 10,000 reminder jobs pending; meanwhile BENCH_SAMPLE_RUNS runs of a playbook
 *    reminding every 2 s fire for BENCH_SAMPLE_SECONDS. Lateness is each fired reminder job's
 *    start time minus its due time (jobs.start_at - jobs.run_at).
 *
 * The server runs in this process (startServer, as `npm start` does), with the default job poll
 * interval; figures are printed, not asserted. BENCH_SQL_TRACE=1 adds, on PGlite, where its time
 * went during the warm bursts, by statement (bench/lib/pglite-statements.ts); BENCH_PROFILE=1, where
 * this process's CPU went during them, by area and by function (bench/lib/profile.ts). Both slow
 * the bursts they explain.
 */
import { createHmac } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { startServer, type BridgeheadServer } from '../core/main.ts'
import { query } from '../core/db/index.ts'
import { loadConfig } from '../core/config/index.ts'
import { wasmOptimisationOf } from '../core/db/open-database.ts'
import { machineBusySec } from './lib/proc.ts'
import { createPgDatabase, envInt, parseBackends, runBench, tempDir, versionOf, type Backend } from './lib/harness.ts'
import { fmt, fmtSpread, spread } from './lib/stats.ts'
import { traceStatements, type StatementTrace } from './lib/pglite-statements.ts'
import { startProfile, stopProfile } from './lib/profile.ts'

const EVENTS = envInt('BENCH_EVENTS', 2000, 10, 100_000)
const PENDING_RUNS = envInt('BENCH_PENDING_RUNS', 100, 1, 1000)
const SAMPLE_RUNS = envInt('BENCH_SAMPLE_RUNS', 20, 1, 1000)
const SAMPLE_SECONDS = envInt('BENCH_SAMPLE_SECONDS', 30, 5, 3600)
const PUBLISHERS = envInt('BENCH_PUBLISHERS', 16, 1, 1000)
const BURSTS = envInt('BENCH_BURSTS', 3, 1, 20)
const WEBHOOKS = envInt('BENCH_WEBHOOKS', 1000, 0, 100_000)
const SENDERS = envInt('BENCH_SENDERS', 32, 1, 1000)
const WEBHOOK_SECRET = 'bench-webhook-secret'
const PROFILE = process.env.BENCH_PROFILE === '1'
let statementTrace: StatementTrace | undefined

/** A PagerDuty V3 webhook body for one new incident (the fields the connector reads). */
function incidentWebhook(i: number): string {
  return JSON.stringify({
    event: {
      id: `BENCHEVT${i}`, event_type: 'incident.triggered', resource_type: 'incident', occurred_at: new Date().toISOString(),
      agent: { id: 'PBENCH', summary: 'Bench', type: 'service_reference' },
      data: {
        id: `PB${i}`, type: 'incident', self: `https://api.pagerduty.com/incidents/PB${i}`, html_url: `https://acme.pagerduty.com/incidents/PB${i}`, number: i, status: 'triggered',
        title: `Bench incident ${i}`, urgency: 'low', service: { id: 'PSVC', summary: 'Bench service', type: 'service_reference' }, assignees: [],
      },
    },
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Calls `fn(i)` for i = 0…n-1, `width` calls at a time. */
async function inFlight(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await fn(i)
  }
  await Promise.all(Array.from({ length: width }, worker))
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

async function api(server: BridgeheadServer, route: string, token: string | null, body?: unknown): Promise<Record<string, any>> {
  const res = await fetch(`${server.url}${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (res.status >= 400) throw new Error(`${route}: ${res.status} ${text}`)
  return { ...JSON.parse(text || '{}'), token: res.headers.get('token') }
}

async function waitForPlaybook(server: BridgeheadServer, token: string, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const list = await api(server, '/plugins/playbooks/api/v0/playbooks', token)
    if ((list.items as { id: string }[]).some((e) => e.id === name)) return
    await sleep(50)
  }
  throw new Error(`playbook ${name} did not load`)
}

const EVENT_PLAYBOOK = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: bench-events, version: 1 }
on:
  pagerduty: { events: [incident.triggered] }
channel:
  name: "bench-\${{ run.number }}"
steps:
  - id: first
    uses: bench.first@v1
    with: { event: "\${{ trigger.id }}" }
`

const hourly = Array.from({ length: 100 }, (_, i) => `  - { id: r${i}, every: 1h, text: "pending {{run.number}}" }`).join('\n')
const PENDING_PLAYBOOK = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: bench-pending, version: 1 }
on:
  manual: {}
channel:
  name: "pending-\${{ run.number }}"
reminders:
${hourly}
steps:
  - id: hold
    wait: { until: "\${{ run.status == 'resolved' }}", timeout: 1d }
`

const SAMPLE_PLAYBOOK = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: bench-sample, version: 1 }
on:
  manual: {}
channel:
  name: "sample-\${{ run.number }}"
reminders:
  - { id: tick, every: 2s, text: "tick {{run.number}}" }
steps:
  - id: hold
    wait: { until: "\${{ run.status == 'resolved' }}", timeout: 1d }
`

async function benchBackend(backend: Backend): Promise<void> {
  // startServer reads the environment as npm start does, and the npm script sets MALLOC_ARENA_MAX as npm start
  // does, so an unset PGLITE_OPTIMIZE measures npm start's tier; PGLITE_OPTIMIZE=true or false picks one.
  const tier = () => (wasmOptimisationOf({ ...loadConfig(process.env), databaseUrl: undefined }) ? 'on' : 'off')
  console.log(`\n## ${backend}${backend === 'pglite' ? ` (PGLITE_OPTIMIZE=${process.env.PGLITE_OPTIMIZE || 'unset'}: V8's optimising tier ${tier()}; MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? 'unset'})` : ''}`)
  const dataDir = tempDir('bh-bench-pb-')
  const playbooksDir = tempDir('bh-bench-pb-dir-')
  const databaseUrl = backend === 'postgres' ? await createPgDatabase(`bh_bench_pb_${Date.now()}`) : undefined
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, playbooksDir, logLevel: 'silent', ...(databaseUrl ? { databaseUrl } : {}) })
  try {
    const firstAt = new Map<string, number>()
    server.actions.registry.register({
      id: 'bench.first@v1', source: 'bench', description: 'Records when a run reached its first action', input: z.object({ event: z.string() }), outputs: [],
      // Counted as an outbound action (a vendor call), so its idempotency record is part of the figure.
      sideEffect: true,
      async run(input) {
        firstAt.set(input.event, performance.now())
        return {}
      },
    })
    fs.writeFileSync(path.join(playbooksDir, 'events.yaml'), EVENT_PLAYBOOK)
    fs.writeFileSync(path.join(playbooksDir, 'pending.yaml'), PENDING_PLAYBOOK)
    fs.writeFileSync(path.join(playbooksDir, 'sample.yaml'), SAMPLE_PLAYBOOK)
    const admin = await api(server, '/api/v4/users', null, { username: 'benchadmin', email: 'bench@example.com', password: 'a-long-bench-password' })
    const login = await api(server, '/api/v4/users/login', null, { login_id: 'benchadmin', password: 'a-long-bench-password' })
    const token = login.token as string
    const team = await api(server, '/api/v4/teams', token, { name: 'bench', display_name: 'Bench', type: 'O' })
    for (const name of ['bench-events', 'bench-pending', 'bench-sample']) await waitForPlaybook(server, token, name)
    void admin

    /** Waits (30 min at most) for the first action of each id in `sent` (id → when it was sent): how many came, the last one's time, the latencies sorted. */
    const awaitFirsts = async (sent: Map<string, number>) => {
      const deadline = Date.now() + 30 * 60_000
      const ids = [...sent.keys()]
      while (ids.some((id) => !firstAt.has(id)) && Date.now() < deadline) await sleep(100)
      const firsts = ids.filter((id) => firstAt.has(id)).map((id) => ({ at: firstAt.get(id)!, latency: firstAt.get(id)! - sent.get(id)! }))
      return { count: firsts.length, last: Math.max(...firsts.map((f) => f.at)), latencies: firsts.map((f) => f.latency).sort((a, b) => a - b) }
    }
    /** Starts measuring CPU; the function it returns gives this process's and the whole machine's (null without /proc/stat) per one of `n`, in ms. */
    const cpuMeter = () => {
      const own = process.cpuUsage()
      const machine = machineBusySec()
      return (n: number) => {
        const used = process.cpuUsage(own)
        const machineNow = machineBusySec()
        return { ownMs: (used.user + used.system) / 1000 / n, machineMs: machine !== null && machineNow !== null ? ((machineNow - machine) * 1000) / n : null }
      }
    }
    /** "this process X ms, the whole machine Y ms (so the others …: Z ms)". The server runs in this process: its CPU per event bounds the rate on 2 cores whatever the load around it. */
    const cpuLine = ({ ownMs, machineMs }: { ownMs: number; machineMs: number | null }) =>
      `this process ${fmt(ownMs, 2)} ms${backend === 'pglite' ? ' (PGlite runs inside it)' : ''}` +
      (machineMs === null ? '' : `, the whole machine ${fmt(machineMs, 2)} ms (so the others, ${backend === 'postgres' ? 'the PostgreSQL server' : 'idle noise'} among them: ${fmt(Math.max(0, machineMs - ownMs), 2)} ms)`)

    // 1. Events to first action: a burst (every event published at once, as a storm of deliveries
    // reaches the bus), then a closed loop of PUBLISHERS events in flight, whose rate is bound by
    // each event's latency rather than by what the server can do.
    const eventsToFirstAction = async (label: string, prefix: string, width: number) => {
      const publishedAt = new Map<string, number>()
      const cpu = cpuMeter()
      const start = performance.now()
      await inFlight(EVENTS, width, async (i) => {
        const id = `${prefix}-${i}`
        publishedAt.set(id, performance.now())
        await server.bus.publish({
          type: 'integration.event',
          payload: {
            teamId: team.id,
            event: { source: 'pagerduty', type: 'pagerduty.incident.triggered', vendorEvent: 'incident.triggered', id, correlationKey: `${prefix}-inc-${i}`, occurredAt: Date.now(), title: `Incident ${i}`, data: { id: `P${i}` } },
          },
        })
      })
      const publishMs = performance.now() - start
      const { count, last, latencies } = await awaitFirsts(publishedAt)
      const used = cpu(EVENTS)
      const rate = count / ((last - start) / 1000)
      console.log(`events → first action, ${label}: ${count} of ${EVENTS} events in ${fmt((last - start) / 1000, 1)} s = **${fmt(rate, 0)} events/s** (publishing took ${fmt(publishMs / 1000, 1)} s)`)
      console.log(`  CPU per event: ${cpuLine(used)}`)
      console.log(`  latency event → first action: p50 ${fmt(percentile(latencies, 50) / 1000, 2)} s, p99 ${fmt(percentile(latencies, 99) / 1000, 2)} s`)
      return { rate, ...used }
    }
    await eventsToFirstAction('a first burst, cold (all published at once, right after the server started)', 'bench-cold', EVENTS)
    const trace = backend === 'pglite' && process.env.BENCH_SQL_TRACE === '1' ? (statementTrace ??= traceStatements()) : undefined
    trace?.reset()
    if (PROFILE) await startProfile()
    const bursts = []
    for (let b = 1; b <= BURSTS; b++) bursts.push(await eventsToFirstAction(`burst ${b} of ${BURSTS}, warm (all published at once)`, `bench-burst${b}`, EVENTS))
    const median = (values: number[]) => spread(values).median
    console.log(
      `events → first action, a warm burst of ${fmt(EVENTS)}: **${fmtSpread(spread(bursts.map((b) => b.rate)), 0)} events/s** (median of ${BURSTS} and range); ` +
        `CPU per event (medians): this process ${fmt(median(bursts.map((b) => b.ownMs)), 2)} ms, the whole machine ${fmt(median(bursts.map((b) => b.machineMs ?? NaN)), 2)} ms`,
    )
    if (trace) for (const line of trace.report(15)) console.log(`  ${line}`)
    if (PROFILE) {
      const { byArea, byFunction } = await stopProfile(25)
      console.log(`  CPU profile of the warm bursts, by area: ${byArea.map((a) => `${a.area} ${fmt(a.pct, 1)}%`).join(', ')}`)
      console.log('  by function (self time):')
      for (const f of byFunction) console.log(`    ${fmt(f.pct, 1)}%  ${f.fn}`)
    }
    await eventsToFirstAction(`${PUBLISHERS} in flight`, 'bench-event', PUBLISHERS)

    // 1b. Webhooks to first action.
    if (WEBHOOKS > 0) {
      const channel = await api(server, '/api/v4/channels', token, { team_id: team.id, name: 'pagerduty-alerts', display_name: 'PagerDuty alerts', type: 'O' })
      const connection = await api(server, '/api/v4/integrations/pagerduty/connections', token, {
        name: 'bench-pagerduty', team_id: team.id, channel_id: channel.id, webhook_secret: WEBHOOK_SECRET, credentials: { api_token: 'bench-token' },
      })
      const route = new URL(connection.webhook_url as string).pathname
      const sentAt = new Map<string, number>()
      const cpu = cpuMeter()
      const hooksStart = performance.now()
      await inFlight(WEBHOOKS, SENDERS, async (i) => {
        const id = `bench-hook-${i}`
        const body = incidentWebhook(i)
        sentAt.set(id, performance.now())
        const res = await fetch(`${server.url}${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-webhook-id': id, 'x-pagerduty-signature': `v1=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}` },
          body,
        })
        if (res.status !== 200) throw new Error(`webhook ${i}: ${res.status} ${await res.text()}`)
        await res.arrayBuffer()
      })
      const sendMs = performance.now() - hooksStart
      const { count, last, latencies } = await awaitFirsts(sentAt)
      const used = cpu(WEBHOOKS)
      console.log(`webhooks → first action: ${count} of ${WEBHOOKS} PagerDuty deliveries in ${fmt((last - hooksStart) / 1000, 1)} s = **${fmt(count / ((last - hooksStart) / 1000), 0)} events/s** (sending took ${fmt(sendMs / 1000, 1)} s, ${SENDERS} senders)`)
      console.log(`  CPU per delivery (the HTTP client in this process too): ${cpuLine(used)}`)
      console.log(`  latency webhook → first action: p50 ${fmt(percentile(latencies, 50) / 1000, 2)} s, p99 ${fmt(percentile(latencies, 99) / 1000, 2)} s`)
    }

    // The deliveries' bot posts can trail their runs' first actions: phase 2 starts once they are done.
    for (;;) {
      const [busy] = await query<{ n: number }>(server.db, `SELECT count(*)::int AS n FROM jobs WHERE type = 'integrations.webhook.process' AND status IN ('pending', 'running')`)
      if (busy!.n === 0) break
      await sleep(200)
    }

    // 2. Timer accuracy under 10,000 pending reminders.
    const pendingStart = performance.now()
    for (let i = 0; i < PENDING_RUNS; i++) await api(server, '/plugins/playbooks/api/v0/runs', token, { playbook_id: 'bench-pending', team_id: team.id, name: `pending ${i}` })
    for (;;) {
      const [row] = await query<{ n: number }>(server.db, `SELECT count(*)::int AS n FROM jobs WHERE type = 'playbooks.remind' AND status = 'pending'`)
      if (row!.n >= PENDING_RUNS * 100) break
      if (performance.now() - pendingStart > 30 * 60_000) throw new Error(`only ${row!.n} reminders pending after 30 min`)
      await sleep(200)
    }
    console.log(`pending reminders: ${PENDING_RUNS * 100} (${PENDING_RUNS} runs × 100 hourly reminders) scheduled in ${fmt((performance.now() - pendingStart) / 1000, 1)} s`)
    const sampleFrom = Date.now()
    for (let i = 0; i < SAMPLE_RUNS; i++) await api(server, '/plugins/playbooks/api/v0/runs', token, { playbook_id: 'bench-sample', team_id: team.id, name: `sample ${i}` })
    await sleep(SAMPLE_SECONDS * 1000)
    const fired = await query<{ late: number }>(
      server.db,
      `SELECT (start_at - run_at)::int AS late FROM jobs WHERE type = 'playbooks.remind' AND start_at > 0 AND run_at >= $1::bigint ORDER BY 1`,
      [sampleFrom],
    )
    const lateness = fired.map((r) => r.late).sort((a, b) => a - b)
    const [still] = await query<{ n: number }>(server.db, `SELECT count(*)::int AS n FROM jobs WHERE type = 'playbooks.remind' AND status = 'pending'`)
    console.log(`timer lateness over ${SAMPLE_SECONDS} s (${lateness.length} reminders fired, every 2 s in ${SAMPLE_RUNS} runs, ${still!.n} pending): p50 ${fmt(percentile(lateness, 50), 0)} ms, p99 **${fmt(percentile(lateness, 99), 0)} ms**, max ${fmt(lateness.at(-1) ?? NaN, 0)} ms`)
  } finally {
    await server.close()
  }
}

await runBench(async () => {
  const backends = parseBackends(process.env.BENCH_DB)
  console.log(`# bench:playbooks — node ${process.version}, pglite ${versionOf('@electric-sql/pglite')}, ${EVENTS} events, ${WEBHOOKS} webhooks, ${PENDING_RUNS * 100} pending reminders`)
  for (const backend of backends) await benchBackend(backend)
})
