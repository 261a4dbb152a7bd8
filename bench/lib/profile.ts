/**
 * Evidence for "where the time goes" inside a child process: a V8 CPU profile summarised by area and
 * by function (self time), and a count of SQL statements sent through `pg` with their round-trip time.
 * Both are opt-in (BENCH_PROFILE=1): they perturb the figures they explain.
 */
import { Session } from 'node:inspector/promises'
import pg from 'pg'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

export interface ProfileSummary {
  totalMs: number
  byArea: { area: string; ms: number; pct: number }[]
  byFunction: { fn: string; ms: number; pct: number }[]
}

let session: Session | undefined

export async function startProfile(): Promise<void> {
  session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 500 })
  await session.post('Profiler.start')
}

function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/builtin)'
  if (url.startsWith('wasm://')) return 'pglite (wasm)'
  if (url.startsWith('node:')) return 'node internals'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
    return pkg === '@electric-sql' ? 'pglite (js)' : pkg
  }
  const core = /\/(core|bench|playbooks|integrations|bridges)\/(.*)$/.exec(url)
  if (core) {
    const parts = core[2]!.split('/')
    return `${core[1]}/${parts.length > 1 ? parts[0] : parts[0]!.replace(/\.ts$/, '')}`
  }
  return url.replace(/^file:\/\//, '')
}

export async function stopProfile(top = 20): Promise<ProfileSummary> {
  if (!session) throw new Error('profiler not started')
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] } }
  session.disconnect()
  session = undefined
  const totalMs = (profile.endTime - profile.startTime) / 1000
  const samples = profile.samples.length || 1
  const msPerSample = totalMs / samples
  const areas = new Map<string, number>()
  const fns = new Map<string, number>()
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0
    if (!hits) continue
    const { functionName, url, lineNumber } = node.callFrame
    const ms = hits * msPerSample
    const area = areaOf(url, functionName)
    areas.set(area, (areas.get(area) ?? 0) + ms)
    const short = url ? url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(core|bench|playbooks|integrations|bridges)\//, '$1/') : ''
    const key = `${functionName || '(anonymous)'}${short ? ` ${short.length > 60 ? '…' + short.slice(-59) : short}:${lineNumber + 1}` : ''}`
    fns.set(key, (fns.get(key) ?? 0) + ms)
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1])
  return {
    totalMs,
    byArea: sorted(areas).slice(0, top).map(([area, ms]) => ({ area, ms, pct: (100 * ms) / totalMs })),
    byFunction: sorted(fns).slice(0, top).map(([fn, ms]) => ({ fn, ms, pct: (100 * ms) / totalMs })),
  }
}

// ---- SQL statement counting ----

interface Stat {
  count: number
  ms: number
}

const stats = new Map<string, Stat>()
let counting = false
let patched = false

function normalise(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/SELECT (?:(?!\bFROM\b).)+ FROM/g, 'SELECT … FROM')
    .replace(/"public"\./g, '')
    .replace(/\$\d+(, ?\$\d+)*/g, '$n')
    .replace(/RETURNING .*$/, 'RETURNING …')
    .slice(0, 150)
}

function note(text: string, startedAt: number): void {
  const key = normalise(text)
  const s = stats.get(key) ?? { count: 0, ms: 0 }
  s.count++
  s.ms += performance.now() - startedAt
  stats.set(key, s)
}

/** Wraps pg.Client#query (which both Prisma's adapter and the raw pool use) to count statements. */
export function startQueryCount(): void {
  stats.clear()
  counting = true
  if (patched) return
  patched = true
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
  const original = proto.query
  proto.query = function (this: unknown, ...args: unknown[]) {
    if (!counting) return original.apply(this, args)
    const first = args[0] as string | { text?: string }
    const text = typeof first === 'string' ? first : (first?.text ?? '')
    const startedAt = performance.now()
    const last = args[args.length - 1]
    if (typeof last === 'function') {
      args[args.length - 1] = (...cbArgs: unknown[]) => {
        note(text, startedAt)
        return (last as (...a: unknown[]) => unknown)(...cbArgs)
      }
      return original.apply(this, args)
    }
    const result = original.apply(this, args)
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      return (result as Promise<unknown>).finally(() => note(text, startedAt))
    }
    return result
  }
}

export function stopQueryCount(top = 15): { total: number; totalMs: number; statements: { sql: string; count: number; ms: number }[] } {
  counting = false
  let total = 0
  let totalMs = 0
  for (const s of stats.values()) {
    total += s.count
    totalMs += s.ms
  }
  const statements = [...stats.entries()]
    .sort((a, b) => b[1].count - a[1].count)
    .slice(0, top)
    .map(([sql, s]) => ({ sql, count: s.count, ms: s.ms }))
  return { total, totalMs, statements }
}
