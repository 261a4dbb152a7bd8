// A playbook's tests: section, run on the simulator with answers, later events and a virtual clock.
import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { compilePlaybook, loadPlaybook, runPlaybookTests } from '../../../playbooks/dsl/index.ts'

const ROOT = path.resolve(import.meta.dirname, '../../..')
const plan = (file: string) => compilePlaybook(loadPlaybook(file, fs.readFileSync(path.join(ROOT, file), 'utf8')).playbook!)
const readFrom = (dir: string) => (p: string) => JSON.parse(fs.readFileSync(path.join(ROOT, dir, p), 'utf8')) as unknown
const summary = (file: string, dir = path.dirname(file)) => runPlaybookTests(plan(file), readFrom(dir)).map((r) => ({ name: r.name, failures: r.failures, unchecked: r.unchecked }))

describe('playbook tests: section', () => {
  it('passes the tests of the built-in incident response', () => {
    expect(summary('playbooks/builtin/incident-response.yaml')).to.deep.equal([
      { name: 'PagerDuty trigger acknowledges instead of paging and opens a ticket', failures: [], unchecked: [] },
      { name: 'A Grafana resolve closes everything', failures: [], unchecked: [] },
    ])
  })

  it('passes the tests of the built-in release: approved, rejected, deploy timing out', () => {
    expect(summary('playbooks/builtin/release.yaml').map((r) => [r.name, r.failures])).to.deep.equal([
      ['An approved release ships and announces', []],
      ['A rejected release stops and lifts the freeze', []],
      ['A deploy that never reports back fails the release after two hours', []],
    ])
  })

  it('reads event files relative to the playbook and checks messages and calls', () => {
    expect(summary('test/fixtures/playbooks/tested/failing.yaml')[0]).to.deep.equal({ name: 'posts and labels a new issue', failures: [], unchecked: [] })
  })

  it('names every unmet expectation, and what it cannot check', () => {
    expect(summary('test/fixtures/playbooks/tested/failing.yaml')[1]).to.deep.equal({
      name: 'expects what does not happen',
      failures: [
        'steps.label: expected skipped, got succeeded',
        'calls[0]: no call of github.issue.comment@v1 (calls: github.issue.update@v1)',
        'messages[0]: no message to #general matching /never/',
        'status: expected resolved, got active',
      ],
      unchecked: ['timeline: the simulator keeps no timeline; the run engine checks it'],
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

  it('settles a wait for an event from a later event, and cancels what follows a failed approval', () => {
    const [approved, rejected] = runPlaybookTests(plan('playbooks/builtin/release.yaml'))
    const states = (r: typeof approved) => Object.fromEntries((r!.simulation.steps ?? []).map((s) => [s.id, s.state]))
    expect(states(approved)).to.deep.include({ deployed: 'succeeded', failed: 'skipped', done: 'succeeded' })
    expect(approved!.simulation.runStatus).to.equal('finished')
    expect(states(rejected)).to.deep.include({ approve: 'failed', ship: 'cancelled', deployed: 'cancelled', failed: 'cancelled', 'pd-change': 'cancelled', done: 'cancelled' })
    expect(rejected!.simulation.calls!.map((c) => c.uses)).to.deep.equal(['grafana.annotation.create@v1', 'run.finish@v1'])
    expect(rejected!.simulation.runFailed).to.equal(true)
  })
})
