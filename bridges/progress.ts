/** Import progress on a terminal (one redrawn bar: counts, rate, ETA) or as plain lines in a log. */
import type { ImportProgress } from './bridge.ts'

const LINE_INTERVAL_MS = 5_000
const BAR_INTERVAL_MS = 200
const BAR_WIDTH = 30

export interface ProgressPrinter {
  update(progress: ImportProgress): void
  /** Ends the bar's line so what follows starts on its own. */
  done(): void
}

/** A printer for `stream`: a bar when it is a TTY, else a line every few seconds. */
export function createProgressPrinter(stream: NodeJS.WriteStream, now: () => number = Date.now): ProgressPrinter {
  const started = now()
  let last = 0
  let drawn = false
  return {
    update(p) {
      const t = now()
      const tty = stream.isTTY === true
      if (t - last < (tty ? BAR_INTERVAL_MS : LINE_INTERVAL_MS)) return
      last = t
      const text = describeProgress(p, t - started)
      if (tty) {
        const fraction = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 0
        const filled = Math.round(fraction * BAR_WIDTH)
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${text}\x1b[K`)
        drawn = true
      } else {
        stream.write(`${text}\n`)
      }
    },
    done() {
      if (drawn) stream.write('\n')
    },
  }
}

/** `42% 120,000 messages, 9,800/s, ETA 1m 30s` */
export function describeProgress(p: ImportProgress, elapsedMs: number): string {
  const fraction = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 0
  const rate = elapsedMs > 0 ? (p.messages * 1000) / elapsedMs : 0
  const etaMs = fraction > 0 ? (elapsedMs / fraction) * (1 - fraction) : NaN
  const eta = Number.isFinite(etaMs) ? formatDuration(etaMs) : '?'
  return `${Math.floor(fraction * 100)}% ${p.messages.toLocaleString('en-US')} messages, ${Math.round(rate).toLocaleString('en-US')}/s, ETA ${eta}`
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`
}
