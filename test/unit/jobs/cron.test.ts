/** When a cron schedule fires next, in a time zone. */
import { expect } from 'chai'
import { CronError, nextCronRun, NEVER } from '../../../core/jobs/cron.ts'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()

describe('nextCronRun', () => {
  it('reads the fields as wall-clock time in the given zone (09:30 in New York in winter is 14:30 UTC)', () => {
    expect(iso(nextCronRun('30 9 * * *', 'America/New_York', at('2026-01-15T12:00:00Z')))).to.equal('2026-01-15T14:30:00.000Z')
  })

  it('follows daylight saving time (09:30 in Berlin is 08:30 UTC in winter, 07:30 UTC in summer)', () => {
    expect(iso(nextCronRun('30 9 * * *', 'Europe/Berlin', at('2026-03-28T12:00:00Z')))).to.equal('2026-03-29T07:30:00.000Z')
    expect(iso(nextCronRun('30 9 * * *', 'Europe/Berlin', at('2026-03-27T12:00:00Z')))).to.equal('2026-03-28T08:30:00.000Z')
  })

  it('skips days the expression excludes (weekdays only: Friday evening -> Monday)', () => {
    expect(iso(nextCronRun('0 9 * * 1-5', 'UTC', at('2026-01-16T18:00:00Z')))).to.equal('2026-01-19T09:00:00.000Z')
  })

  it('is strictly after the given instant, so a tick never repeats', () => {
    expect(iso(nextCronRun('0 9 * * *', 'UTC', at('2026-01-15T09:00:00Z')))).to.equal('2026-01-16T09:00:00.000Z')
  })

  it('accepts a leading seconds field', () => {
    expect(iso(nextCronRun('*/5 * * * * *', 'UTC', at('2026-01-15T09:00:01.500Z')))).to.equal('2026-01-15T09:00:05.000Z')
  })

  it('answers NEVER for an expression with no tick left', () => {
    expect(nextCronRun('0 0 0 1 1 * 2020', 'UTC', at('2026-01-01T00:00:00Z'))).to.equal(NEVER)
  })

  it('rejects a bad expression and a bad time zone with a CronError naming the field', () => {
    expect(() => nextCronRun('61 * * * *', 'UTC', 0)).to.throw(CronError, /Invalid cron expression "61 \* \* \* \*"/).with.property('field', 'cron')
    expect(() => nextCronRun('* * * * *', 'Mars/Olympus', 0)).to.throw(CronError, /Unknown time zone "Mars\/Olympus"/).with.property('field', 'time_zone')
  })
})
