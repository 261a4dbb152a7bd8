/**
 * Reminders (spec §8): each is a durable job keyed by run, reminder id and a sequence number, so
 * deleted posts, several runs per channel, restarts and extra servers cannot lose or double one.
 * A reminder fires at its interval until its `until` holds or the run ends; quiet hours move it to
 * their end; a status update resets the `status` reminder (a new sequence number makes the pending
 * job stale).
 */
import type { Reminder } from '../dsl/index.ts'
import { evaluateCondition, evaluateInterpolated, parseCondition, parseDuration, parseInterpolated, type EvalContext } from '../dsl/index.ts'
import type { RunState } from './state.ts'

export const REMIND_JOB = 'playbooks.remind'

export interface ReminderState {
  seq: number
  nextAt: number
  fired: number
}

/** The interval of a reminder now (its `every` may be an expression), or null for `never`. */
export function intervalOf(reminder: Reminder, ctx: EvalContext): number | null {
  const value = String(evaluateInterpolated(parseInterpolated(reminder.every), ctx))
  if (value === 'never') return null
  const ms = parseDuration(value)
  if (ms === undefined) throw new Error(`reminders.${reminder.id}.every: "${value}" is not a duration such as 15m or 1h`)
  return ms
}

export function untilHolds(reminder: Reminder, ctx: EvalContext): boolean {
  if (reminder.until === undefined) return false
  return evaluateCondition(parseCondition(reminder.until), ctx)
}

/** Minutes since midnight of `at` in `timeZone`. */
function minutesIn(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at))
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0)
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0)
  return hour * 60 + minute
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/**
 * When a reminder due at `at` may fire: `at` itself, or the end of its quiet hours when `at`
 * falls inside them (and their `unless` does not hold).
 */
export function afterQuietHours(reminder: Reminder, at: number, ctx: EvalContext): number {
  const quiet = reminder.quietHours
  if (!quiet) return at
  if (quiet.unless !== undefined && evaluateCondition(parseCondition(quiet.unless), ctx)) return at
  const from = toMinutes(quiet.from)
  const to = toMinutes(quiet.to)
  const now = minutesIn(at, quiet.timezone)
  const inside = from <= to ? now >= from && now < to : now >= from || now < to
  if (!inside) return at
  const wait = (to - now + 24 * 60) % (24 * 60)
  // To the start of the minute the quiet hours end in.
  return at + wait * 60_000 - (at % 60_000)
}

/** The state of each reminder, created on first use. */
export function reminderState(state: RunState, id: string): ReminderState {
  const all = (state.reminders ??= {})
  return (all[id] ??= { seq: 0, nextAt: 0, fired: 0 })
}
