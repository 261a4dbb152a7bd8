// Who is on call (core/oncall/sources.ts): the first source that knows a schedule answers; a failing source names nobody.
import { Writable } from 'node:stream'
import { expect } from 'chai'
import { createLogger } from '../../core/log.ts'
import { OnCallRegistry, onCallEmails } from '../../core/oncall/sources.ts'

function recordingLog(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = []
  const destination = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done() } })
  return { log: createLogger({ level: 'warn', destination }), lines }
}

describe('on-call sources', () => {
  it('asks each source in turn and takes the first that knows the schedule', async () => {
    const registry = new OnCallRegistry()
    registry.register({ id: 'a', onCallEmails: async () => null })
    registry.register({ id: 'b', onCallEmails: async (teamId, schedule) => [`${teamId}-${schedule}@example.com`] })
    expect(await onCallEmails(registry, recordingLog().log, 't1', 'primary')).to.deep.equal(['t1-primary@example.com'])
  })

  it('names nobody when no source knows the schedule', async () => {
    const registry = new OnCallRegistry()
    registry.register({ id: 'a', onCallEmails: async () => null })
    expect(await onCallEmails(registry, recordingLog().log, 't1', 'primary')).to.deep.equal([])
  })

  it('logs a failing source and goes on, so a vendor outage does not stop a run', async () => {
    const registry = new OnCallRegistry()
    registry.register({ id: 'down', onCallEmails: async () => { throw new Error('pagerduty GET /oncalls answered 503') } })
    registry.register({ id: 'up', onCallEmails: async () => ['amy@example.com'] })
    const { log, lines } = recordingLog()
    expect(await onCallEmails(registry, log, 't1', 'primary')).to.deep.equal(['amy@example.com'])
    expect(lines.join('')).to.include('could not read who is on call').and.include('503')
  })

  it('refuses a second source with the same id', () => {
    const registry = new OnCallRegistry()
    registry.register({ id: 'pagerduty', source: 'one', onCallEmails: async () => null })
    expect(() => registry.register({ id: 'pagerduty', source: 'two', onCallEmails: async () => null })).to.throw(/already registered/)
  })
})
