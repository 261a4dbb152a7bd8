// `playbook simulate`: the plan of a run for an event, on the engine's planner, without side effects.
import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { compilePlaybook, loadPlaybook } from '../../../playbooks/dsl/index.ts'
import { formatSimulation, simulateRun, type SimulatedEvent } from '../../../playbooks/engine/simulate.ts'

const ROOT = path.resolve(import.meta.dirname, '../../..')
const load = (file: string) => compilePlaybook(loadPlaybook(file, fs.readFileSync(path.join(ROOT, file), 'utf8')).playbook!)
const event = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/playbooks/events/pagerduty-high.json'), 'utf8')) as SimulatedEvent
const at = new Date('2026-03-02T10:00:00Z')
const state = (sim: ReturnType<typeof simulateRun>) => Object.fromEntries((sim.steps ?? []).map((s) => [s.id, s.state]))

describe('playbook simulate', () => {
  const incident = load('playbooks/builtin/incident-response.yaml')

  it('acknowledges a PagerDuty incident instead of paging, and waits for mitigation', () => {
    expect(state(simulateRun(incident, event, at))).to.deep.equal({
      declare: 'succeeded', page: 'skipped', ack: 'succeeded', ticket: 'succeeded', mark: 'succeeded', triage: 'succeeded',
      mitigated: 'waiting', resolved: 'pending', 'close-out': 'pending',
      'pd-resolve': 'pending', 'jira-done': 'pending', 'mark-resolved': 'pending', 'announce-resolved': 'pending',
    })
  })

  it('pages when the incident is declared by command', () => {
    const sim = simulateRun(incident, { source: 'command', actor: 'user:bob', inputs: { title: 'Checkout broken', sev: 1 } }, at)
    expect(state(sim).page).to.equal('succeeded')
    expect(sim.channel?.name).to.equal('inc-1-checkout-broken')
    expect(sim.properties?.severity).to.equal('SEV1')
  })

  it('names the channel and its members from the roles', () => {
    const sim = simulateRun(incident, event, at)
    expect(sim.channel).to.deep.include({ mode: 'create', name: 'inc-1-api-latency-above-2s', members: ['user:alice (commander)', 'group:sre'] })
  })

  it('hides checklist items whose if is false and times the due ones', () => {
    const sim = simulateRun(incident, event, at)
    expect(sim.checklist?.map((c) => [c.title, c.visible, c.due?.toISOString()])).to.deep.equal([
      ['Confirm the severity', true, '2026-03-02T10:10:00.000Z'],
      ['Confirm customer impact', true, '2026-03-02T10:15:00.000Z'],
      ['Post on the status page', false, undefined],
      ['Identify the triggering change', true, undefined],
      ['Attach dashboards', true, undefined],
    ])
  })

  it('lists the timers in the order they fire, with the reminder interval from the severity', () => {
    const sim = simulateRun(incident, { ...event, source: 'command', inputs: { title: 'x', sev: 1 } }, at)
    expect(sim.timers?.map((t) => `${t.at.toISOString()} ${t.what}`)).to.deep.equal([
      '2026-03-02T10:10:00.000Z checklist item "Confirm the severity" is due (role:commander)',
      '2026-03-02T10:15:00.000Z checklist item "Confirm customer impact" is due (role:commander)',
      '2026-03-02T10:15:00.000Z reminder status to role:commander, then every 15m (quiet 22:00-07:00 UTC)',
      '2026-03-02T11:00:00.000Z reminder overdue to the run channel, then every 1h',
      '2026-03-09T10:00:00.000Z wait mitigated times out',
    ])
  })

  it('says why a playbook would not start', () => {
    const sim = simulateRun(incident, { ...event, data: { urgency: 'low' } }, at)
    expect(sim.notStarted).to.equal('on.pagerduty.if is false')
    expect(simulateRun(incident, { source: 'jira' }, at).notStarted).to.equal('no trigger for source "jira" (on: pagerduty, grafana, alertmanager, command)')
  })

  it('renders the template files it is given, as a run renders its pinned ones', () => {
    const readTemplate = (p: string) => fs.readFileSync(path.join(ROOT, 'playbooks/builtin', p), 'utf8')
    const ticket = simulateRun(incident, event, at, {}, { readTemplate }).calls?.find((c) => c.step === 'ticket')
    expect((ticket?.with as { description?: string }).description).to.match(/^Incident 1: API latency above 2s\n\nSeverity: SEV2\n/)
    expect((simulateRun(incident, event, at).calls?.find((c) => c.step === 'ticket')?.with as { description?: string }).description).to.equal('(template templates/incident-ticket.hbs)')
  })

  it('waits at a human approval and keeps what follows pending', () => {
    const release = load('playbooks/builtin/release.yaml')
    const sim = simulateRun(release, { source: 'command', actor: 'user:cap', inputs: { version: '2.4.0' } }, at)
    expect(state(sim)).to.deep.include({ freeze: 'succeeded', checks: 'waiting', approve: 'pending', ship: 'pending' })
    expect(formatSimulation(sim)).to.include('Channel: create public ~release-2-4-0')
  })
})
