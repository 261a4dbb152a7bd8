/**
 * Hooks, compensation (`onError`), `call` steps and approval timeouts, decided by the engine's
 * planner (plan.ts) on the dry run's virtual clock: what `playbook simulate` and `playbook test`
 * show is what the server does.
 */
import { expect } from 'chai'
import { compilePlaybook, loadPlaybook } from '../../../playbooks/dsl/index.ts'
import { formatSimulation, simulateRun, type Script } from '../../../playbooks/engine/simulate.ts'
import { runPlaybookTests } from '../../../playbooks/engine/playbook-tests.ts'
import { advance, fireHook, setRunStatus } from '../../../playbooks/engine/plan.ts'
import { evalContext } from '../../../playbooks/engine/context.ts'
import type { RunState } from '../../../playbooks/engine/state.ts'

const at = new Date('2026-03-02T10:00:00Z')
const MIN = 60_000

function load(body: string, name = 'semantics') {
  const text = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: ${name}, version: 1 }
on:
  manual: {}
roles:
  commander: { from: user:alice }
  deputy: {}
channel:
  name: "case-\${{ run.number }}"
${body}`
  const loaded = loadPlaybook('case.yaml', text)
  if (!loaded.playbook) throw new Error(loaded.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'))
  return compilePlaybook(loaded.playbook)
}

function blankState(): RunState {
  return {
    id: 'r1', number: 1, title: 't', status: 'active', teamId: 'team', channelId: 'c', ownerId: 'u', channelPhase: 'ready',
    trigger: { source: 'manual', type: '', id: '', correlationKey: '', occurredAt: 0, title: '', data: null },
    inputs: {}, props: {}, vars: {}, roles: {}, steps: {}, items: [], votes: {}, metrics: {},
    marks: { detected: 0, acknowledged: 0, mitigated: 0, resolved: 0, finished: 0 }, phase: 'main', failed: false, startedAt: 0, seq: 0,
  }
}
const ctx = (s: RunState) => evalContext(s, { playbook: { name: 'semantics', version: 1 }, siteUrl: '', teamName: '', now: 0 })

function run(body: string, script: Script = {}) {
  const sim = simulateRun(load(body), { source: 'manual' }, at, script)
  const all = [...(sim.steps ?? []), ...(sim.finally ?? []), ...(sim.hooks ?? [])]
  return { states: Object.fromEntries(all.map((s) => [s.id, s.state])), sim, types: (sim.timeline ?? []).map((e) => e.type) }
}

describe('playbook hooks', () => {
  it('runs a hook\'s steps of any kind when the run status changes, each firing once', () => {
    const { states, sim, types } = run(`properties:
  severity: { type: string, default: SEV3 }
steps:
  - { id: mitigate, set: { status: mitigated } }
  - { id: resolve, set: { status: resolved } }
hooks:
  run.status_changed:
    - { id: say, message: { text: "{{hook.from}} → {{hook.to}}" } }
    - { id: call, uses: http.request@v1, idempotencyKey: "\${{ run.id }}-\${{ hook.key }}", with: { url: "https://example.com/\${{ hook.key }}" } }
  run.resolved:
    - { id: upgrade, set: { properties: { severity: SEV1 } } }
    - { id: tell, if: "\${{ steps.upgrade.status == 'succeeded' }}", message: { to: "#ops", text: "resolved as {{props.severity}}" } }
`)
    expect(states).to.deep.include({
      'hooks.run.status_changed#1/say': 'succeeded', 'hooks.run.status_changed#2/say': 'succeeded',
      'hooks.run.resolved#1/upgrade': 'succeeded', 'hooks.run.resolved#1/tell': 'succeeded',
    })
    expect(sim.messages!.map((m) => [m.to, m.text])).to.deep.include.members([
      ['the run channel', 'active → mitigated'], ['the run channel', 'mitigated → resolved'], ['#ops', 'resolved as SEV1'],
    ])
    expect(types.filter((t) => t === 'hook_fired')).to.have.length(3)
    expect(sim.calls!.map((c) => (c.with as { url: string }).url)).to.deep.equal(['https://example.com/hooks.run.status_changed#1', 'https://example.com/hooks.run.status_changed#2'])
  })

  it('skips a hook step whose if is false, and fires property.changed for each change', () => {
    const { states } = run(`properties:
  severity: { type: string, default: SEV3 }
steps:
  - { id: raise, set: { properties: { severity: SEV1 } } }
  - { id: lower, set: { properties: { severity: SEV2 } } }
hooks:
  property.changed:
    - { id: page, if: "\${{ hook.property == 'severity' && hook.to == 'SEV1' }}", uses: http.request@v1, with: { url: "https://example.com/page" } }
`)
    expect(states).to.deep.include({ 'hooks.property.changed#1/page': 'succeeded', 'hooks.property.changed#2/page': 'skipped' })
  })

  it('runs trigger.correlated hooks for a later event, which its steps see as trigger', () => {
    const { states, sim } = run(`steps:
  - { id: hold, wait: { for: 2h } }
hooks:
  trigger.correlated:
    - { id: note, message: { text: "{{trigger.source}} says {{trigger.status}}" } }
    - { id: close, if: "\${{ trigger.status == 'resolved' }}", set: { status: resolved } }
`, { events: [{ atMs: 10 * MIN, event: { source: 'pagerduty', type: 'incident.resolved', status: 'resolved' } }], clockMs: 30 * MIN })
    expect(states).to.deep.include({ 'hooks.trigger.correlated#1/note': 'succeeded', 'hooks.trigger.correlated#1/close': 'succeeded' })
    expect(sim.messages!.map((m) => m.text)).to.include('pagerduty says resolved')
    expect(sim.runStatus).to.equal('resolved')
  })

  it('fires checklist.completed once, when the last visible item is checked', () => {
    const { states, types } = run(`steps:
  - id: tasks
    checklist:
      blocking: true
      items:
        - { id: one, title: One }
        - { id: hidden, title: Hidden, if: false }
hooks:
  checklist.completed:
    - { id: thanks, message: { text: "all done" } }
`, { answers: { tasks: 'all-closed' } })
    expect(states).to.deep.include({ tasks: 'succeeded', 'hooks.checklist.completed#1/thanks': 'succeeded' })
    expect(types.filter((t) => t === 'hook_fired')).to.have.length(1)
  })

  it('runs only its hooks once the run is canceled', () => {
    const plan = load(`steps:
  - { id: gate, approval: { approvers: [user:alice] } }
  - { id: after, message: { text: after } }
hooks:
  run.canceled:
    - { id: bye, message: { text: "canceled" } }
`)
    const state = blankState()
    advance({ playbook: plan.playbook, state, now: 0, ctx })
    expect(state.steps.gate!.status).to.equal('waiting')
    // As the server's setStatus, then the next advance.
    setRunStatus(state, 'canceled', 1, () => {})
    state.votes.gate = [{ userId: 'alice', decision: 'approved', at: 1, comment: '' }]
    const effects = advance({ playbook: plan.playbook, state, now: 2, ctx })
    expect(effects.filter((e) => e.kind === 'execute').map((e) => (e as { stepId: string }).stepId)).to.deep.equal(['hooks.run.canceled#1/bye'])
    expect(state.steps.gate!.status).to.equal('waiting')
    expect(state.steps.after?.status ?? 'pending').to.equal('pending')
  })

  it('exposes fireHook for the API: a role change fires role.changed, a duplicate checklist completion does not fire twice', () => {
    const plan = load(`steps:
  - { id: hold, wait: { for: 1h } }
hooks:
  role.changed:
    - { id: welcome, message: { text: "new holder" } }
`)
    const state = blankState()
    advance({ playbook: plan.playbook, state, now: 0, ctx })
    fireHook(state, 'role.changed', { details: { role: 'commander', from: 'a', to: 'b' } })
    fireHook(state, 'role.changed', { details: { role: 'commander', from: 'b', to: 'c' } })
    expect(fireHook(state, 'checklist.completed', { details: { stepId: 'x' } })).to.equal(true)
    expect(fireHook(state, 'checklist.completed', { details: { stepId: 'x' } })).to.equal(false)
    const effects = advance({ playbook: plan.playbook, state, now: 1, ctx })
    expect(effects.filter((e) => e.kind === 'execute').map((e) => (e as { stepId: string }).stepId)).to.deep.equal(['hooks.role.changed#1/welcome', 'hooks.role.changed#2/welcome'])
    // A firing of a hook the playbook does not have leaves nothing behind.
    expect(state.lists!.map((l) => l.key)).to.deep.equal(['hooks.role.changed#1', 'hooks.role.changed#2'])
  })

  it('keys a hook\'s parallel branches and needs by its firing', () => {
    const { states } = run(`steps:
  - { id: resolve, set: { status: resolved } }
hooks:
  run.resolved:
    - id: fanout
      parallel:
        - { id: left, message: { text: left } }
        - { message: { text: right } }
    - { id: first, message: { text: first } }
    - { id: last, needs: [fanout], message: { text: "after {{steps.fanout.status}}" } }
`)
    expect(states).to.deep.include({
      'hooks.run.resolved#1/fanout': 'succeeded', 'hooks.run.resolved#1/left': 'succeeded', 'hooks.run.resolved#1/fanout.2': 'succeeded',
      'hooks.run.resolved#1/first': 'succeeded', 'hooks.run.resolved#1/last': 'succeeded',
    })
  })

  it('stops a hook that keeps firing itself', () => {
    const { types } = run(`properties:
  n: { type: string, default: "" }
steps:
  - { id: bump, set: { properties: { n: "1" } } }
hooks:
  property.changed:
    - { set: { properties: { n: "\${{ format('{0}1', props.n) }}" } } }
`)
    expect(types).to.include('hook_skipped')
  })
})

describe('playbook compensation (onError)', () => {
  it('runs a failed step\'s onError steps, then cancels its dependants without continue-on-error', () => {
    const { states, sim, types } = run(`steps:
  - id: deploy
    uses: http.request@v1
    with: { url: "https://example.com/deploy" }
    onError:
      - { id: rollback, uses: http.request@v1, with: { url: "https://example.com/rollback", body: { failed: "\${{ steps.deploy.status }}" } } }
      - { id: tell, message: { text: "rolled back" } }
  - { id: announce, message: { text: "deployed" } }
finally:
  - { id: last, message: { text: "finally" } }
`, { answers: { deploy: { fail: 'HTTP 500' } } })
    expect(states).to.deep.include({ deploy: 'failed', 'deploy/onError/rollback': 'succeeded', 'deploy/onError/tell': 'succeeded', announce: 'cancelled', last: 'succeeded' })
    expect(sim.calls!.find((c) => c.step === 'deploy/onError/rollback')!.with).to.deep.equal({ url: 'https://example.com/rollback', body: { failed: 'failed' } })
    expect(types).to.include('compensation_started')
    // finally waits for the compensation.
    const order = sim.timeline!.map((e) => `${e.type}:${e.stepId}`)
    expect(order.indexOf('step_succeeded:deploy/onError/tell')).to.be.lessThan(order.indexOf('step_started:last'))
    expect(sim.runFailed).to.equal(true)
  })

  it('goes on after the compensation with continue-on-error', () => {
    const { states } = run(`steps:
  - id: deploy
    uses: http.request@v1
    with: { url: "https://example.com/deploy" }
    continue-on-error: true
    onError:
      - { id: rollback, message: { text: "rolling back" } }
  - { id: announce, message: { text: "went on" } }
`, { answers: { deploy: 'failed' } })
    expect(states).to.deep.include({ deploy: 'failed', 'deploy/onError/rollback': 'succeeded', announce: 'succeeded' })
  })

  it('compensates an approval that timed out, and never a step that succeeded', () => {
    const { states } = run(`steps:
  - id: gate
    approval: { approvers: [user:alice], timeout: 30m }
    onError:
      - { id: undo, message: { text: "nobody approved" } }
  - id: fine
    message: { text: ok }
    if: \${{ always() }}
    onError:
      - { id: never, message: { text: "never" } }
`, { clockMs: 60 * MIN })
    expect(states).to.deep.include({ gate: 'timed_out', 'gate/onError/undo': 'succeeded', fine: 'succeeded' })
    expect(Object.keys(states)).not.to.include('fine/onError/never')
  })
})

describe('playbook call steps', () => {
  it('starts the called playbook with its with, waits for it, and succeeds with its outputs', () => {
    const { states, sim } = run(`steps:
  - { id: sub, call: { playbook: comms@1 }, with: { audience: customers } }
  - { id: after, message: { text: "child run {{steps.sub.outputs.runId}} {{steps.sub.outputs.status}}" } }
`)
    expect(states).to.deep.include({ sub: 'succeeded', after: 'succeeded' })
    expect(sim.calls).to.deep.include({ step: 'sub', uses: 'call comms@1', with: { audience: 'customers' }, at: at.getTime() })
    expect(sim.messages!.map((m) => m.text)).to.include('child run simulated-child-1 finished')
  })

  it('fails when the called run fails, and runs its onError', () => {
    const { states } = run(`steps:
  - id: sub
    call: { playbook: comms }
    onError: [{ id: fallback, message: { text: "do it by hand" } }]
`, { answers: { sub: 'failed' } })
    expect(states).to.deep.include({ sub: 'failed', 'sub/onError/fallback': 'succeeded' })
  })

  it('refuses to call a playbook of its own call chain, and lint refuses a playbook calling itself', () => {
    const plan = load(`steps:
  - { id: back, call: { playbook: outer } }
`)
    const state = { ...blankState(), ancestors: ['outer'] }
    advance({ playbook: plan.playbook, state, now: 0, ctx })
    expect(state.steps.back).to.include({ status: 'failed', reason: 'calling outer would make a cycle (outer → semantics → outer)' })
    expect(() => load(`steps:
  - { id: again, call: { playbook: loop } }
`, 'loop')).to.throw('steps[0].call.playbook: a playbook may not call itself')
  })

  it('refuses calls nested deeper than the limit', () => {
    const plan = load(`steps:
  - { id: deeper, call: { playbook: leaf } }
`)
    const state = { ...blankState(), ancestors: ['a1', 'a2', 'a3', 'a4', 'a5'] }
    advance({ playbook: plan.playbook, state, now: 0, ctx })
    expect(state.steps.deeper!.status).to.equal('failed')
    expect(state.steps.deeper!.reason).to.match(/^calls nest at most 5 deep \(a1 → a2 → a3 → a4 → a5 → semantics → leaf\)/)
  })
})

describe('approval timeouts', () => {
  const approval = (onTimeout: string, extra = '') => `steps:
  - id: gate
    approval: { approvers: [role:commander, group:qa, role:deputy], timeout: 1h, onTimeout: ${onTimeout}${extra} }
  - { id: after, if: "\${{ always() }}", message: { text: "{{steps.gate.status}}" } }
`

  it('asks each named approver in a direct message, not roles nobody holds or groups', () => {
    const { sim } = run(approval('fail'))
    expect(sim.messages!.filter((m) => m.step === 'gate').map((m) => m.to)).to.deep.equal(['the run channel', '@alice'])
  })

  it('fails, approves or skips on the timeout as onTimeout says', () => {
    expect(run(approval('fail'), { clockMs: 2 * 60 * MIN }).states.gate).to.equal('timed_out')
    expect(run(approval('approve'), { clockMs: 2 * 60 * MIN }).states.gate).to.equal('succeeded')
    expect(run(approval('skip'), { clockMs: 2 * 60 * MIN }).states.gate).to.equal('skipped')
  })

  it('escalates once: escalateTo is asked, the timeout starts again, then the step times out', () => {
    const { states, sim, types } = run(approval('escalate', ', escalateTo: "user:bob"'), { clockMs: 3 * 60 * MIN })
    expect(types).to.include('approval_escalated')
    expect(sim.messages!.filter((m) => m.to === '@bob')).to.have.length(1)
    expect(sim.timers!.map((t) => t.at.getTime() - at.getTime())).to.include.members([60 * MIN, 120 * MIN])
    expect(states.gate).to.equal('timed_out')
    expect(run(approval('escalate', ', escalateTo: "user:bob"'), { clockMs: 90 * MIN }).states.gate).to.equal('waiting')
  })
})

describe('playbook test expectations for hooks, compensation and calls', () => {
  it('passes expectations on hook and compensation steps by the ids they declare', () => {
    const plan = load(`steps:
  - id: deploy
    uses: http.request@v1
    with: { url: "https://example.com/deploy" }
    onError: [{ id: rollback, message: { text: "rolled back" } }]
  - { id: sub, call: { playbook: comms }, if: "\${{ always() }}" }
hooks:
  run.finished:
    - { id: bye, message: { to: "#ops", text: "finished" } }
finally:
  - { id: done, uses: run.finish@v1 }
tests:
  - name: a failed deploy rolls back and the run still finishes
    event: { source: manual }
    answers: { deploy: failed }
    expect:
      steps: { deploy: failed, rollback: succeeded, sub: succeeded, bye: succeeded }
      messages: [{ to: "#ops", matches: finished }]
      timeline: [step_failed, compensation_started, call_started, run_status_changed, hook_fired]
`)
    const [result] = runPlaybookTests(plan)
    expect(result!.failures).to.deep.equal([])
    expect(result!.passed).to.equal(true)
  })
})

describe('playbook simulate output for hooks and compensation', () => {
  it('prints the hook firings\' steps in their own section and the compensation under the failed step\'s list', () => {
    const { sim } = run(`steps:
  - id: deploy
    uses: http.request@v1
    with: { url: "https://example.com/deploy" }
    onError: [{ id: rollback, message: { text: "rolled back" } }]
  - { id: resolve, if: "\${{ always() }}", set: { status: resolved } }
hooks:
  run.resolved:
    - { id: bye, message: { text: "resolved" } }
`, { answers: { deploy: 'failed' } })
    const lines = formatSimulation(sim)
    const hooks = lines.indexOf('Hooks:')
    expect(hooks).to.be.greaterThan(0)
    expect(lines[hooks + 1]).to.match(/^ {2}succeeded +hooks\.run\.resolved#1\/bye \[message\]$/)
    expect(lines.some((l) => /^ {2}succeeded +deploy\/onError\/rollback \[message\]$/.test(l))).to.equal(true)
    expect(lines.some((l) => /hook_fired +hook run\.resolved \(active → resolved\)/.test(l))).to.equal(true)
  })
})
