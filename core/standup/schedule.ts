/** /standup's words for time: simple schedules ("weekdays 09:30") as cron, deadlines ("60", "2h"), local dates. */

/** Days words a simple schedule may start with, as cron's day-of-week field. */
const DAY_WORDS: Record<string, string> = {
  weekdays: '1-5',
  daily: '*',
  everyday: '*',
  mon: '1', tue: '2', wed: '3', thu: '4', fri: '5', sat: '6', sun: '0',
}

/**
 * `weekdays 09:30`, `daily 9:00`, `mon,wed,fri 10:15` → the cron expression (`30 9 * * 1-5`);
 * null when `text` is not in that form (the caller then reads it as cron).
 */
export function simpleScheduleToCron(text: string): string | null {
  const match = /^([a-z,]+)\s+(\d{1,2}):(\d{2})$/i.exec(text.trim())
  if (!match) return null
  const days = match[1]!.toLowerCase().split(',').map((word) => DAY_WORDS[word])
  const hour = Number(match[2])
  const minute = Number(match[3])
  if (days.some((d) => d === undefined) || hour > 23 || minute > 59) return null
  const field = days.includes('*') ? '*' : days.join(',')
  return `${minute} ${hour} * * ${field}`
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 }

/** `60` (minutes), `90m`, `2h`, `30s` → milliseconds; null when unreadable, zero or over a day. */
export function parseDeadline(text: string): number | null {
  const match = /^(\d+)\s*([smh]?)$/i.exec(text.trim())
  if (!match) return null
  const ms = Number(match[1]) * UNIT_MS[(match[2] || 'm').toLowerCase()]!
  return ms > 0 && ms <= 24 * UNIT_MS.h! ? ms : null
}

/** A deadline in words: `1 h 30 min`, `45 s`. */
export function describeDuration(ms: number): string {
  const h = Math.floor(ms / UNIT_MS.h!)
  const m = Math.floor((ms % UNIT_MS.h!) / UNIT_MS.m!)
  const s = Math.round((ms % UNIT_MS.m!) / 1000)
  return [h ? `${h} h` : '', m ? `${m} min` : '', s ? `${s} s` : ''].filter(Boolean).join(' ') || '0 s'
}

/** The local date of `at` in `timeZone`, YYYY-MM-DD. */
export function localDay(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at))
}

/** `at` as a local date and time in `timeZone`, e.g. `Wed, 25 Nov 2026, 09:30 (Europe/Berlin)`. */
export function localDateTime(at: number, timeZone: string): string {
  const text = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(at))
  return `${text} (${timeZone})`
}
