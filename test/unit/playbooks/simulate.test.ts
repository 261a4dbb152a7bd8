// `playbook simulate`: the plan of a run for an event, on the engine's planner, without side effects.
import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { compilePlaybook, loadPlaybook } from '../../../playbooks/dsl/index.ts'
import { formatSimulation, simulateRun, type SimulatedEvent } from '../../../playbooks/engine/simulate.ts'
import { parsePeopleMap, PeopleFileError } from '../../../playbooks/engine/dry-run-people.ts'

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

describe('playbook simulate with a people file (group:, team:, oncall:)', () => {
  const plan = load('test/fixtures/playbooks/people/on-call.yaml')
  const start: SimulatedEvent = { source: 'manual', actor: 'user:starter' }
  const people = {
    'oncall:primary': ['dave@example.com', 'erin'],
    'group:sre': ['bob', 'alice@example.com'],
    'team:ops': ['carol', 'zed'],
    'group:release-managers': ['rm2', 'rm1'],
  }

  it('gives a role from oncall: to the first person on call, as the server does', () => {
    const sim = simulateRun(plan, start, at, { people })
    expect(sim.roles?.commander).to.deep.equal({ holder: 'user:dave', how: 'from' })
  })

  it('gives a role from group: to its first member by username, and falls back when the group names nobody', () => {
    const sim = simulateRun(plan, start, at, { people })
    expect(sim.roles?.scribe).to.deep.equal({ holder: 'user:alice', how: 'from' })
    const without = simulateRun(plan, start, at, { people: { ...people, 'group:sre': [] } })
    expect(without.roles?.scribe).to.deep.equal({ holder: 'user:dave', how: 'fallback' })
  })

  it('sends a message to group: as one direct message to each member', () => {
    const sim = simulateRun(plan, start, at, { people })
    expect(sim.messages?.filter((m) => m.step === 'page').map((m) => m.to)).to.deep.equal(['@alice', '@bob'])
    expect(sim.steps?.find((s) => s.id === 'page')?.detail).to.deep.equal(['posts to @alice, @bob: "Paging the SRE group"'])
  })

  it('fails a message to a group the people file leaves empty, as the server does', () => {
    const sim = simulateRun(plan, start, at, { people: { ...people, 'group:sre': [] } })
    expect(sim.steps?.find((s) => s.id === 'page')?.state).to.equal('failed')
  })

  it('invites each member of a team: reference to the run channel', () => {
    const sim = simulateRun(plan, start, at, { people })
    expect(sim.channel?.members).to.deep.equal(['user:dave (commander)', 'user:carol (team:ops)', 'user:zed (team:ops)'])
  })

  it('asks each member of a group: approver and lets them decide', () => {
    const sim = simulateRun(plan, start, at, { people, answers: { ship: { decision: 'approved', by: ['user:rm1', 'rm2@example.com'] } } })
    expect(sim.messages?.filter((m) => m.step === 'ship').map((m) => m.to)).to.deep.equal(['the run channel', '@rm1', '@rm2'])
    expect(state(sim).ship).to.equal('succeeded')
  })

  it('refuses a vote by someone the approvers do not name, so the approval keeps waiting', () => {
    const sim = simulateRun(plan, start, at, { people, answers: { ship: { decision: 'approved', by: ['user:rm1', 'user:mallory'] } } })
    expect(state(sim).ship).to.equal('waiting')
    expect(sim.steps?.find((s) => s.id === 'ship')?.detail).to.include('vote by user:mallory refused: only group:release-managers may decide this approval')
  })

  it('counts a known voter once however the answer writes them', () => {
    const sim = simulateRun(plan, start, at, { people, answers: { ship: { decision: 'approved', by: ['rm1', 'user:rm1', 'rm1@example.com'] } } })
    expect(state(sim).ship).to.equal('waiting')
  })

  it('lets the first approvers vote when the answer names no voters', () => {
    const sim = simulateRun(plan, start, at, { people, answers: { ship: { decision: 'approved' } } })
    expect(sim.steps?.find((s) => s.id === 'ship')?.detail).to.include('approved by user:rm1, user:rm2')
    expect(state(sim).ship).to.equal('succeeded')
  })

  it('without a people file, finds nobody and says, once per reference, that it needs --people', () => {
    const sim = simulateRun(plan, start, at)
    expect(sim.roles?.commander).to.deep.equal({ holder: 'user:starter', how: 'starter' })
    expect(sim.channel?.members).to.deep.equal(['user:starter (commander)', 'team:ops'])
    expect(sim.notes).to.deep.equal([
      'roles.commander.from: oncall:primary is resolved by the server; pass --people to simulate it',
      'roles.scribe.from: group:sre is resolved by the server; pass --people to simulate it',
      'roles.scribe.fallback: oncall:primary is resolved by the server; pass --people to simulate it',
      'channel.invite[1]: team:ops is resolved by the server; pass --people to simulate it',
      'steps[0].message.to: group:sre is resolved by the server; pass --people to simulate it',
      'steps[1].approval.approvers: group:release-managers is resolved by the server; pass --people to simulate it',
    ])
    expect(formatSimulation(sim)).to.include('Note: steps[0].message.to: group:sre is resolved by the server; pass --people to simulate it')
  })

  it('notes a reference the people file does not list', () => {
    const sim = simulateRun(plan, start, at, { people: { 'group:sre': ['alice'] } })
    expect(sim.notes).to.include('roles.commander.from: oncall:primary is not in the people file, so it names nobody here')
  })
})

describe('people files (parsePeopleMap)', () => {
  it('accepts references mapped to usernames and emails', () => {
    expect(parsePeopleMap({ 'group:sre': ['alice', 'bob@example.com'], 'oncall:primary': [] }, 'people.json')).to.deep.equal({ 'group:sre': ['alice', 'bob@example.com'], 'oncall:primary': [] })
  })

  it('names the file and the bad key', () => {
    expect(() => parsePeopleMap({ sre: ['alice'] }, 'people.json')).to.throw(PeopleFileError, 'people.json: "sre" is not a group:, team: or oncall: reference')
    expect(() => parsePeopleMap({ 'team:ops': 'carol' }, 'people.json')).to.throw(PeopleFileError, 'people.json: "team:ops" must be a list of usernames or emails')
    expect(() => parsePeopleMap({ 'team:ops': ['group:sre'] }, 'people.json')).to.throw(PeopleFileError, '"team:ops" must be a list')
    expect(() => parsePeopleMap(['alice'], 'people.json')).to.throw(PeopleFileError, 'people.json: expected an object')
  })
})
