/** DSL durations: `30s`, `15m`, `2h`, `1d`, or combined (`1h30m`); `ms` for completeness. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }
const DURATION = /^(?:(\d+)(ms|s|m|h|d|w))+$/

/** Milliseconds of `text`, or `undefined` when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim()
  if (!DURATION.test(trimmed)) return undefined
  let total = 0
  for (const m of trimmed.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!
  return total
}

/** `1h 30m`, `45s`, `2d 3h`: the inverse of parseDuration for people (drops what is below a second). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms)
  if (ms < 1000) return `${Math.round(ms)}ms`
  const parts: string[] = []
  let rest = Math.floor(ms / 1000)
  for (const [unit, seconds] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`)
      rest %= seconds
    }
  }
  return parts.join(' ')
}
