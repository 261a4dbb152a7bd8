/**
 * Returns memory to the system when the server falls idle. V8 does not run a major collection in
 * an idle Node process, so after a burst of traffic the heap keeps ~100 MB of garbage resident
 * until the next burst (measured by bench/core.ts, B5 at rest); and glibc keeps the pages freed
 * inside its heaps, among them the scratch memory V8 used to optimise PGlite's WebAssembly
 * (malloc-trim.ts). One full, compacting collection and a malloc_trim after a quiet spell bring RSS
 * back to its at-start level; they run at most once per idle spell, and only when the process has
 * grown since.
 *
 * Quiet means no request or socket (`touch`) and an event loop busy less than half the time: work
 * the server gives itself (its start, a burst of jobs or playbook runs on PGlite, which runs on this
 * thread) counts as activity as much as a request does.
 */
import v8 from 'node:v8'
import vm from 'node:vm'
import type { Logger } from './log.ts'
import { loadMallocTrim } from './malloc-trim.ts'

export interface IdleCollector {
  /** Marks activity (a request); the next collection waits for `idleMs` of quiet after it. */
  touch(): void
  stop(): void
}

export interface IdleCollectorOptions {
  idleMs: number
  log: Logger
  /** Replaces the collection (a full GC, then malloc_trim where glibc has it); tests count calls. */
  collect?: () => void
  /** The process's size now (RSS by default); tests pass their own. */
  measure?: () => number
  /** Bytes the process must have grown by since the last collection for another to be worth it (default 8 MB; 0: always). */
  minGrowthBytes?: number
}

// An event loop busier than this over a tick is working through a burst. The idle server's timers
// (job polls, housekeeping) keep it near 1-2%; the tail of a burst on a loaded machine can stay
// above 5% for many seconds, and memory should go back before that tail has ended.
const BUSY_UTILIZATION = 0.5

function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc
  if (existing) return existing
  try {
    v8.setFlagsFromString('--expose-gc')
    // Only a new context sees the function the flag exposes; the flag is not allowed in NODE_OPTIONS.
    return vm.runInNewContext('gc') as () => void
  } catch {
    return undefined
  }
}

/**
 * A full collection that also compacts the old generation. A plain full GC frees the garbage but moves
 * only the pages V8 picks as worth it, so a heap a burst left fragmented keeps its pages: after
 * bench:core's workload, old space held 70-112 MB for 36 MB of live objects. Compacting every page
 * once, while the server is idle, gives those pages back (the flag is V8's own; it is on only for
 * this one collection). It takes about twice as long as a plain one: 115 against 57 ms with 85 MB
 * live, once per idle spell.
 */
function compactingCollection(gc: () => void): () => void {
  return () => {
    v8.setFlagsFromString('--compact-on-every-full-gc')
    try {
      gc()
    } finally {
      v8.setFlagsFromString('--no-compact-on-every-full-gc')
    }
  }
}

/** What the collector runs by default: a compacting full GC, then malloc_trim where glibc has it. */
export function idleCollection(log: Logger): (() => void) | undefined {
  const gc = exposeGc()
  if (!gc) {
    log.warn('idle collection unavailable: cannot expose gc')
    return undefined
  }
  const compact = compactingCollection(gc)
  const trim = loadMallocTrim()
  return () => {
    compact()
    trim?.()
  }
}

export function startIdleCollector(options: IdleCollectorOptions): IdleCollector {
  const collect = options.collect ?? idleCollection(options.log)
  const measure = options.measure ?? (() => process.memoryUsage().rss)
  const minGrowth = options.minGrowthBytes ?? 8 * 1024 * 1024
  let lastActivity = Date.now()
  // The start itself is activity: a collection follows it once the server is quiet.
  let collectedSince = false
  let sizeAfterLast = 0
  let elu = performance.eventLoopUtilization()
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization()
    if (performance.eventLoopUtilization(now, elu).utilization > BUSY_UTILIZATION) {
      lastActivity = Date.now()
      collectedSince = false
    }
    elu = now
    if (!collect || collectedSince || Date.now() - lastActivity < options.idleMs) return
    collectedSince = true
    const before = measure()
    if (minGrowth > 0 && before - sizeAfterLast < minGrowth) return
    const started = performance.now()
    collect()
    sizeAfterLast = measure()
    // The collection's own time must not count as activity at the next tick.
    elu = performance.eventLoopUtilization()
    options.log.debug({ ms: Math.round(performance.now() - started), rssBeforeMb: Math.round(before / 1048576), rssAfterMb: Math.round(sizeAfterLast / 1048576) }, 'idle collection')
  }, Math.max(100, Math.floor(options.idleMs / 4)))
  timer.unref()
  return {
    touch() {
      lastActivity = Date.now()
      collectedSince = false
    },
    stop() {
      clearInterval(timer)
    },
  }
}

let shared: { collector: IdleCollector; users: number } | undefined

/**
 * The process's one idle collector, shared by every server in it (tests run many at once): a busy
 * event loop is the whole process's, and each collector would collect the whole heap at every
 * quiet spell. The first caller's options hold until the last one stops.
 */
export function shareIdleCollector(options: IdleCollectorOptions): IdleCollector {
  if (!shared) shared = { collector: startIdleCollector(options), users: 0 }
  const entry = shared
  entry.users++
  let stopped = false
  return {
    touch: () => entry.collector.touch(),
    stop() {
      if (stopped) return
      stopped = true
      if (--entry.users > 0) return
      entry.collector.stop()
      if (shared === entry) shared = undefined
    },
  }
}
