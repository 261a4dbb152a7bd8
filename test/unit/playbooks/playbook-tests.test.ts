// A playbook's tests: section, run on the engine's planner with answers, later events and a virtual clock.
import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { compilePlaybook, loadPlaybook } from '../../../playbooks/dsl/index.ts'
import { runPlaybookTests } from '../../../playbooks/engine/playbook-tests.ts'

const ROOT = path.resolve(import.meta.dirname, '../../..')
const plan = (file: string) => compilePlaybook(loadPlaybook(file, fs.readFileSync(path.join(ROOT, file), 'utf8')).playbook!)
const readFrom = (dir: string) => (p: string) => JSON.parse(fs.readFileSync(path.join(ROOT, dir, p), 'utf8')) as unknown
const summary = (file: string, dir = path.dirname(file)) => runPlaybookTests(plan(file), readFrom(dir)).map((r) => ({ name: r.name, failures: r.failures }))

describe('playbook tests: section', () => {
  it('passes the tests of the built-in incident response', () => {
    expect(summary('playbooks/builtin/incident-response.yaml')).to.deep.equal([
      { name: 'PagerDuty trigger acknowledges instead of paging and opens a ticket', failures: [] },
      { name: 'A Grafana resolve closes everything', failures: [] },
    ])
  })

  // On the engine's planner, unlike the simulator it replaced, a continue-on-error step forgives its
  // own cancellation (so `failed` runs after a rejection) and the steps after run.fail@v1 go on:
  // two of the built-in release's tests show it. These lines change when the engine does.
  it('runs the built-in release on the engine: it ships on the deploy event, stops after a rejection, and run.fail stops it', () => {
    expect(summary('playbooks/builtin/release.yaml').map((r) => [r.name, r.failures])).to.deep.equal([
      ['An approved release ships and announces', []],
      ['A rejected release stops and lifts the freeze', []],
      ['A deploy that never reports back fails the release after two hours', []],
    ])
  })

  it('runs hooks, compensation, call steps and an escalating approval as the server does', () => {
    expect(summary('test/fixtures/playbooks/tested/hooks.yaml')).to.deep.equal([
      { name: 'a signed-off hotfix resolves and announces', failures: [] },
      { name: 'a failed deploy rolls back and stops', failures: [] },
      { name: 'nobody signs off, the commander is asked, then it times out', failures: [] },
    ])
  })

  it('reads event files relative to the playbook and checks messages and calls', () => {
    expect(summary('test/fixtures/playbooks/tested/failing.yaml')[0]).to.deep.equal({ name: 'posts and labels a new issue', failures: [] })
  })

  it('names every unmet expectation (its timeline: [run_started] is met)', () => {
    expect(summary('test/fixtures/playbooks/tested/failing.yaml')[1]).to.deep.equal({
      name: 'expects what does not happen',
      failures: [
        'steps.label: expected skipped, got succeeded',
        'calls[0]: no call of github.issue.comment@v1 (calls: github.issue.update@v1)',
        'messages[0]: no message to #general matching /never/',
        'status: expected resolved, got active',
      ],
    })
  })

  it('cancels only the dependants of a failed step, and runs a failure() step after it', () => {
    const text = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: f, version: 1 }
on: { manual: {} }
steps:
  - { id: ask, approval: { approvers: [user:a], timeout: 1h } }
  - { id: after, uses: timeline.add@v1 }
  - { id: rescue, needs: [ask], if: "failure()", uses: timeline.add@v1 }
  - { id: aside, needs: [], uses: timeline.add@v1 }
tests:
  - name: rejected
    event: { source: manual }
    answers: { ask: { decision: rejected, by: [user:a] } }
    expect: { steps: { ask: failed, after: cancelled, rescue: succeeded, aside: succeeded } }
`
    const [result] = runPlaybookTests(compilePlaybook(loadPlaybook('f.yaml', text).playbook!))
    expect(result!.failures).to.deep.equal([])
    expect(result!.simulation.runFailed).to.equal(true)
  })

  it('checks timeline: expectations in order against the engine timeline, and fails a step the answers fail', () => {
    const text = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: t, version: 1 }
on: { manual: {} }
steps:
  - { id: call, uses: timeline.add@v1, with: { summary: noted } }
  - { id: next, uses: timeline.add@v1 }
tests:
  - name: in order
    event: { source: manual }
    answers: { next: { fail: vendor down } }
    expect: { steps: { call: succeeded, next: failed }, timeline: [run_started, timeline_note, step_failed] }
  - name: out of order
    event: { source: manual }
    expect: { timeline: [step_succeeded, run_started] }
`
    const [inOrder, outOfOrder] = runPlaybookTests(compilePlaybook(loadPlaybook('t.yaml', text).playbook!))
    expect(inOrder!.failures).to.deep.equal([])
    expect(inOrder!.simulation.messages!.map((m) => m.text)).to.deep.equal([':warning: Step **next** failed: vendor down'])
    expect(outOfOrder!.failures).to.deep.equal([
      'timeline: no run_started event in that order (timeline: trigger_received, run_started, participants_changed, step_started, timeline_note, step_succeeded)',
    ])
  })

  // As on the server: a cancelled continue-on-error wait lets the steps after it run (see above).
  it('settles a wait for an event from a later event, and cancels what follows a cancelled step even when it continues on error', () => {
    const [approved, rejected] = runPlaybookTests(plan('playbooks/builtin/release.yaml'))
    const states = (r: typeof approved) => Object.fromEntries((r!.simulation.steps ?? []).map((s) => [s.id, s.state]))
    expect(states(approved)).to.deep.include({ deployed: 'succeeded', failed: 'skipped', done: 'succeeded' })
    expect(approved!.simulation.runStatus).to.equal('finished')
    // A cancelled step never ran, so its continue-on-error cannot forgive it: what needs it is cancelled too.
    expect(states(rejected)).to.deep.include({ approve: 'failed', ship: 'cancelled', deployed: 'cancelled', failed: 'cancelled', 'pd-change': 'cancelled' })
    expect(rejected!.simulation.calls!.map((c) => c.uses)).to.not.include('pagerduty.change_event@v1')
    expect(rejected!.simulation.runFailed).to.equal(true)
  })
})

describe('playbook tests: people', () => {
  it('resolves group: and oncall: references from a test\'s people, and notes them in a test without', () => {
    const [withPeople, without] = runPlaybookTests(plan('test/fixtures/playbooks/people/on-call.yaml'))
    expect(withPeople!.failures).to.deep.equal([])
    expect(withPeople!.simulation.roles?.commander).to.deep.equal({ holder: 'user:dave', how: 'from' })
    expect(without!.failures).to.deep.equal(['messages[0]: no message to @alice matching /Paging/'])
    expect(without!.simulation.notes).to.include('steps[0].message.to: group:sre is resolved by the server; give the test people: to simulate it')
  })

  it('lints a people: that is not references mapped to lists of usernames', () => {
    const text = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: t, version: 1 }
on: { manual: {} }
steps:
  - { id: hi, message: { to: group:sre, text: hi } }
tests:
  - name: bad people
    event: { source: manual }
    people: { sre: [alice], "group:sre": alice }
    expect: { steps: { hi: succeeded } }
`
    expect(loadPlaybook('t.yaml', text).diagnostics.map((d) => d.message)).to.deep.equal([
      'tests[0].people.sre: unknown key; expected a group:, team: or oncall: reference (e.g. group:sre) mapped to the usernames or emails it names in this test',
      'tests[0].people["group:sre"]: expected array',
    ])
  })

  it('fails a test whose people have the wrong shape when the playbook was not linted', () => {
    const loaded = loadPlaybook('t.yaml', fs.readFileSync(path.join(ROOT, 'test/fixtures/playbooks/people/on-call.yaml'), 'utf8')).playbook!
    const broken = { ...loaded, tests: [{ ...loaded.tests![0]!, people: { 'group:sre': 'alice' } as never }] }
    expect(runPlaybookTests(compilePlaybook(broken))[0]!.failures).to.deep.equal(['tests[0].people: "group:sre" must be a list of usernames or emails (e.g. ["alice", "bob@example.com"])'])
  })
})
