/** Reminder timing rules: intervals (also as expressions), `never`, and quiet hours in a time zone. */
import { expect } from 'chai'
import { afterQuietHours, intervalOf } from '../../../playbooks/engine/reminders.ts'

const ctx = (props: Record<string, unknown> = {}) => ({ values: { props, run: { status: 'active' } } })
const at = (iso: string) => Date.parse(iso)

describe('playbook reminders', () => {
  it('reads the interval, also from an expression, and never as none', () => {
    expect(intervalOf({ id: 'r', every: '15m' }, ctx())).to.equal(15 * 60_000)
    expect(intervalOf({ id: 'r', every: "${{ props.severity == 'SEV1' && '5m' || '30m' }}" }, ctx({ severity: 'SEV1' }))).to.equal(5 * 60_000)
    expect(intervalOf({ id: 'r', every: 'never' }, ctx())).to.equal(null)
    expect(() => intervalOf({ id: 'r', every: 'soon' }, ctx())).to.throw('reminders.r.every: "soon" is not a duration')
  })

  it('moves a reminder due in quiet hours that span midnight to their end, in their time zone', () => {
    const reminder = { id: 'r', every: '30m', quietHours: { from: '22:00', to: '07:00', timezone: 'Europe/Berlin' } }
    // 23:30 in Berlin (UTC+1 in January) is 22:30 UTC; the quiet hours end at 07:00 Berlin, 06:00 UTC.
    expect(afterQuietHours(reminder, at('2026-01-15T22:30:00Z'), ctx())).to.equal(at('2026-01-16T06:00:00Z'))
    expect(afterQuietHours(reminder, at('2026-01-16T05:59:00Z'), ctx())).to.equal(at('2026-01-16T06:00:00Z'))
    expect(afterQuietHours(reminder, at('2026-01-16T12:00:00Z'), ctx())).to.equal(at('2026-01-16T12:00:00Z'))
  })

  it('ignores quiet hours when their unless holds', () => {
    const reminder = { id: 'r', every: '30m', quietHours: { from: '22:00', to: '07:00', timezone: 'UTC', unless: "${{ props.severity == 'SEV1' }}" } }
    expect(afterQuietHours(reminder, at('2026-01-15T23:00:00Z'), ctx({ severity: 'SEV1' }))).to.equal(at('2026-01-15T23:00:00Z'))
    expect(afterQuietHours(reminder, at('2026-01-15T23:00:00Z'), ctx({ severity: 'SEV2' }))).to.equal(at('2026-01-16T07:00:00Z'))
  })
})
