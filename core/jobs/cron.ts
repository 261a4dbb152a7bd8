/**
 * Cron arithmetic for recurring job schedules: when does an expression next fire, in a time zone.
 *
 * croner rather than node-cron: node-cron 4 only runs timers in this process and tells the next run
 * of a started task relative to the wall clock; it cannot answer "the next tick after instant T" for
 * an arbitrary T, which the durable scheduler needs (schedules live in the database and their next
 * run is computed from the tick just fired, on whichever node fired it).
 */
import { Cron } from 'croner'

/** A cron expression or time zone croner cannot use; `field` names which. */
export class CronError extends Error {
  constructor(
    readonly field: 'cron' | 'time_zone',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'CronError'
  }
}

/** Never: what a schedule whose expression has no further tick stores as its next run. */
export const NEVER = Number.MAX_SAFE_INTEGER

function parse(cron: string, timeZone: string): Cron {
  if (!isTimeZone(timeZone)) throw new CronError('time_zone', `Unknown time zone "${timeZone}" (expected an IANA name such as Europe/Berlin or UTC)`)
  try {
    // paused, no function: croner only parses; it starts no timer.
    return new Cron(cron, { timezone: timeZone, paused: true })
  } catch (err) {
    throw new CronError('cron', `Invalid cron expression "${cron}": ${(err as Error).message}`, { cause: err })
  }
}

/** Whether `timeZone` is an IANA time zone this runtime knows (e.g. `Europe/Berlin`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return true
  } catch {
    return false
  }
}

/**
 * The first tick of `cron` (5 fields, or 6 with seconds first) strictly after `after` (ms since
 * the epoch), reading the fields as wall-clock time in `timeZone`; `NEVER` when none is left.
 * @throws CronError for a bad expression or time zone.
 */
export function nextCronRun(cron: string, timeZone: string, after: number): number {
  const next = parse(cron, timeZone).nextRun(new Date(after))
  return next ? next.getTime() : NEVER
}

/**
 * Checks an expression and a time zone.
 * @throws CronError naming the bad one.
 */
export function validateCron(cron: string, timeZone: string): void {
  nextCronRun(cron, timeZone, Date.now())
}
