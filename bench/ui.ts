/**
 * Web app benchmark (`npm run bench:ui`): what a browser downloads before the first channel shows,
 * and how long from navigation until the message list is on screen, in Debian's Chromium on
 * localhost.
 *
 * Sizes: every script and stylesheet the page loads before the first message list renders, gzip -9
 * of each body as served (the server sends them uncompressed; a proxy in front would gzip), and apart
 * from them the lazy chunks in ui/dist/static that the page did not load. The limit is the budget
 * of issue 8 (150 KB of JavaScript); ratio = measured / budget.
 *
 * Time: a channel seeded with BENCH_POSTS messages (deterministic text with some Markdown, code and
 * mentions) by two users through the API. Each run opens a fresh browser context (empty cache,
 * logged in by cookie) and navigates to the channel; an init script records performance.now() (ms
 * since navigation start) when the first post of the list is in the DOM, read after the next frame
 * is painted. The limit is the raw floor for the same data: navigating the same browser to the
 * channel's posts JSON (GET /api/v4/channels/{id}/posts, what the app fetches), until its load event.
 * One warm-up run, then BENCH_RUNS measured runs (default 7); median and min–max.
 *
 * Processes: the server runs inside this process on embedded PGlite in a temporary data dir (the
 * orchestrator is idle while Chromium loads); Chromium runs as its own processes. CPU seconds and
 * RSS of this process are printed beside the timing.
 *
 * Environment: BENCH_POSTS (default 200), BENCH_RUNS (default 7), BENCH_QUICK=1 (3 runs).
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { Browser } from 'playwright-core'
import { startServer } from '../core/main.ts'
import { launchChromium } from '../test/helpers/chromium.ts'
import { envInt, onCleanup, runBench, tempDir, versionOf } from './lib/harness.ts'
import { procSample } from './lib/proc.ts'
import { note, section, table, type Verdict } from './lib/report.ts'
import { intBetween, pick, seeded, sentence } from './lib/rng.ts'
import { fmt, fmtSpread, round, spread } from './lib/stats.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const DIST = path.join(ROOT, 'ui', 'dist')
const POSTS = envInt('BENCH_POSTS', 200, 10, 5000)
const RUNS = process.env.BENCH_QUICK === '1' ? 3 : envInt('BENCH_RUNS', 7, 1, 50)
const TARGET = { jsKB: 150, firstChannelMs: 1000 }
const PASSWORD = 'bench-Password-1'

interface Asset {
  url: string
  kind: 'js' | 'css'
  bytes: number
  gzip: number
}

async function json<T>(base: string, method: string, urlPath: string, token: string | undefined, body?: unknown): Promise<T> {
  const res = await fetch(base + urlPath, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

async function loginToken(base: string, username: string): Promise<string> {
  const res = await fetch(`${base}/api/v4/users/login`, { method: 'POST', body: JSON.stringify({ login_id: username, password: PASSWORD }) })
  const token = res.headers.get('token')
  if (!res.ok || !token) throw new Error(`login of ${username} failed: ${res.status}`)
  return token
}

/** Two users, a team and a channel with POSTS messages in it; returns the reader's path to it. */
async function seed(base: string): Promise<{ path: string; channelId: string; token: string }> {
  const rng = seeded(8)
  await json(base, 'POST', '/api/v4/users', undefined, { username: 'reader', email: 'reader@example.com', password: PASSWORD })
  const reader = await loginToken(base, 'reader')
  await json(base, 'POST', '/api/v4/users', reader, { username: 'writer', email: 'writer@example.com', password: PASSWORD })
  const writer = await loginToken(base, 'writer')
  const team = await json<{ id: string; name: string }>(base, 'POST', '/api/v4/teams', reader, { name: 'bench', display_name: 'Bench', type: 'O' })
  const users = await json<{ id: string }[]>(base, 'POST', '/api/v4/users/usernames', reader, ['writer'])
  await json(base, 'POST', `/api/v4/teams/${team.id}/members`, reader, { team_id: team.id, user_id: users[0]!.id })
  const channel = await json<{ id: string; name: string }>(base, 'POST', '/api/v4/channels', reader, { team_id: team.id, name: 'general-talk', display_name: 'General talk', type: 'O' })
  await json(base, 'POST', `/api/v4/channels/${channel.id}/members`, reader, { user_id: users[0]!.id })
  const shapes = [
    () => sentence(rng, 4, 30),
    () => `**${sentence(rng, 2, 4)}** ${sentence(rng, 5, 20)}`,
    () => `@reader ${sentence(rng, 3, 12)} :+1:`,
    () => `${sentence(rng, 3, 8)}\n\`\`\`ts\nconst x = ${intBetween(rng, 1, 999)}\nfunction f(a: number) { return a * 2 }\n\`\`\``,
    () => `- ${sentence(rng, 2, 6)}\n- ${sentence(rng, 2, 6)}\n- [link](https://example.com/${intBetween(rng, 1, 99)})`,
  ]
  for (let i = 0; i < POSTS; i++) {
    const token = i % 3 === 0 ? reader : writer
    await json(base, 'POST', '/api/v4/posts', token, { channel_id: channel.id, message: pick(rng, shapes)() })
  }
  return { path: `/${team.name}/channels/${channel.name}`, channelId: channel.id, token: reader }
}

// Runs in the page before its scripts: the time the first post of the list exists, then after a paint.
const FIRST_LIST_PROBE = `(() => {
  const done = () => requestAnimationFrame(() => setTimeout(() => { window.__firstListPainted = performance.now() }, 0))
  const check = () => {
    if (window.__firstList === undefined && document.querySelector('.post-list article.post')) {
      window.__firstList = performance.now()
      done()
      return true
    }
    return false
  }
  new MutationObserver((_, observer) => { if (check()) observer.disconnect() }).observe(document, { childList: true, subtree: true })
})()`

async function loadChannel(browser: Browser, base: string, urlPath: string, token: string): Promise<{ ms: number; painted: number; assets: Asset[]; requests: number }> {
  const context = await browser.newContext({ baseURL: base })
  try {
    await context.addCookies([{ name: 'MMAUTHTOKEN', value: token, url: base, httpOnly: true }])
    await context.addInitScript(FIRST_LIST_PROBE)
    const page = await context.newPage()
    const assets: Promise<Asset | undefined>[] = []
    let requests = 0
    let rendered = false
    page.on('response', (res) => {
      requests += 1
      const type = res.request().resourceType()
      if (rendered || (type !== 'script' && type !== 'stylesheet')) return
      assets.push(res.body().then((body) => ({ url: new URL(res.url()).pathname, kind: type === 'script' ? 'js' : 'css', bytes: body.length, gzip: gzipSync(body, { level: 9 }).length }), () => undefined))
    })
    await page.goto(urlPath)
    await page.waitForFunction(() => (globalThis as { __firstListPainted?: number }).__firstListPainted !== undefined, undefined, { timeout: 30_000 })
    rendered = true
    const [ms, painted] = (await page.evaluate('[window.__firstList, window.__firstListPainted]')) as [number, number]
    return { ms, painted, assets: (await Promise.all(assets)).filter((a): a is Asset => a !== undefined), requests }
  } finally {
    await context.close()
  }
}

async function loadFloor(browser: Browser, base: string, channelId: string, token: string): Promise<number> {
  const context = await browser.newContext({ baseURL: base })
  try {
    await context.addCookies([{ name: 'MMAUTHTOKEN', value: token, url: base, httpOnly: true }])
    const page = await context.newPage()
    await page.goto(`/api/v4/channels/${channelId}/posts?per_page=60&collapsedThreads=true`)
    return (await page.evaluate('performance.getEntriesByType("navigation")[0].loadEventEnd')) as number
  } finally {
    await context.close()
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('ui/dist is not built: run "npm run build" first')
  section(`web app: initial download and first channel (${POSTS} posts, ${RUNS} runs)`)
  note(`node ${process.version}, playwright-core ${versionOf('playwright-core')}, preact ${versionOf('preact')}, chromium at /usr/bin/chromium`)
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir: tempDir('bh-bench-ui-'), logLevel: 'silent', uiDir: DIST })
  onCleanup(() => server.close())
  const base = server.url.replace(/\/+$/, '')
  const seeded = await seed(base)
  const browser = await launchChromium()
  onCleanup(() => browser.close())

  await loadChannel(browser, base, seeded.path, seeded.token)
  await loadFloor(browser, base, seeded.channelId, seeded.token)
  const times: number[] = []
  const painted: number[] = []
  const floors: number[] = []
  let assets: Asset[] = []
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < RUNS; i++) {
    const run = await loadChannel(browser, base, seeded.path, seeded.token)
    times.push(run.ms)
    painted.push(run.painted)
    assets = run.assets
    floors.push(await loadFloor(browser, base, seeded.channelId, seeded.token))
  }
  const cpu = process.cpuUsage(cpu0)
  const rss = procSample(process.pid)?.rssMB ?? NaN

  const initial = new Set(assets.map((a) => a.url))
  const lazy = fs.readdirSync(path.join(DIST, 'static'))
    .map((name) => `/static/${name}`)
    .filter((url) => !initial.has(url))
    .map((url) => {
      const body = fs.readFileSync(path.join(DIST, url))
      return { url, kind: url.endsWith('.css') ? 'css' : 'js', bytes: body.length, gzip: gzipSync(body, { level: 9 }).length } as Asset
    })
  const kb = (n: number) => fmt(n / 1024, 1)
  note('\nLoaded before the first message list rendered:')
  console.log(table(['file', 'kind', 'KB', 'KB gzip'], assets.map((a) => [a.url, a.kind, kb(a.bytes), kb(a.gzip)])))
  note('\nLazy chunks (loaded on demand, not before the first channel):')
  console.log(table(['file', 'kind', 'KB', 'KB gzip'], lazy.sort((a, b) => b.gzip - a.gzip).map((a) => [a.url, a.kind, kb(a.bytes), kb(a.gzip)])))

  const jsGzip = assets.filter((a) => a.kind === 'js').reduce((s, a) => s + a.gzip, 0)
  const cssGzip = assets.filter((a) => a.kind === 'css').reduce((s, a) => s + a.gzip, 0)
  const t = spread(times)
  const p = spread(painted)
  const f = spread(floors)
  const verdicts: Verdict[] = [
    { scenario: 'initial JS', backend: 'pglite', metric: 'gzip', unit: 'KB', measured: round(jsGzip / 1024, 1), limit: TARGET.jsKB, ratio: round(jsGzip / 1024 / TARGET.jsKB, 3), target: `≤ ${TARGET.jsKB} KB`, met: jsGzip / 1024 <= TARGET.jsKB },
    { scenario: 'initial CSS', backend: 'pglite', metric: 'gzip', unit: 'KB', measured: round(cssGzip / 1024, 1), limit: NaN, ratio: NaN, target: 'report', met: null },
    { scenario: 'first channel', backend: 'pglite', metric: 'median ms', unit: 'ms', measured: round(t.median, 0), limit: round(f.median, 0), ratio: round(t.median / f.median, 2), target: `≤ ${TARGET.firstChannelMs} ms`, met: t.median <= TARGET.firstChannelMs },
  ]
  note('')
  console.log(table(['figure', 'measured', 'limit', 'ratio', 'target', 'met'], [
    ['initial JS, KB gzip', fmt(jsGzip / 1024, 1), `${TARGET.jsKB} (budget)`, fmt(jsGzip / 1024 / TARGET.jsKB, 2), `≤ ${TARGET.jsKB} KB`, jsGzip / 1024 <= TARGET.jsKB ? 'yes' : 'NO'],
    ['initial CSS, KB gzip', fmt(cssGzip / 1024, 1), '', '', '', ''],
    ['lazy chunks, KB gzip', fmt(lazy.reduce((s, a) => s + a.gzip, 0) / 1024, 1), '', '', '', ''],
    ['first message list, ms', fmtSpread(t, 0), `${fmtSpread(f, 0)} (posts JSON)`, fmt(t.median / f.median, 2), `≤ ${TARGET.firstChannelMs} ms`, t.median <= TARGET.firstChannelMs ? 'yes' : 'NO'],
    ['… painted, ms', fmtSpread(p, 0), '', '', '', ''],
  ]))
  note(`\nserver + orchestrator process over the measured runs: ${fmt(cpu.user / 1e6 + cpu.system / 1e6, 2)} CPU s, RSS ${fmt(rss, 0)} MiB; ${assets.length} scripts/stylesheets before first render`)
  note(`VERDICTS ${JSON.stringify(verdicts)}`)
}

await runBench(main)
