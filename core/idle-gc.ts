/**
 * Returns memory to the system when the server falls idle. V8 does not run a major collection in
 * an idle Node process, so after a burst of traffic the heap keeps ~100 MB of garbage resident
 * until the next burst (measured by bench/core.ts, B5 at rest). One full collection a few seconds
 * after the last request brings RSS back to its at-start level; it runs at most once per idle spell.
 */
import v8 from 'node:v8'
import vm from 'node:vm'
import type { Logger } from './log.ts'

export interface IdleCollector {
  /** Marks activity (a request); the next collection waits for `idleMs` of quiet after it. */
  touch(): void
  stop(): void
}

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

export function startIdleCollector(options: { idleMs: number; log: Logger; collect?: () => void }): IdleCollector {
  const gc = options.collect ?? exposeGc()
  let lastActivity = Date.now()
  let collectedSince = true
  const timer = setInterval(() => {
    if (!gc || collectedSince || Date.now() - lastActivity < options.idleMs) return
    collectedSince = true
    const before = process.memoryUsage().rss
    const started = performance.now()
    gc()
    options.log.debug({ ms: Math.round(performance.now() - started), rssBeforeMb: Math.round(before / 1048576), rssAfterMb: Math.round(process.memoryUsage().rss / 1048576) }, 'idle collection')
  }, Math.max(250, Math.floor(options.idleMs / 3)))
  timer.unref()
  if (!gc) options.log.warn('idle collection unavailable: cannot expose gc')
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
