// Compiling a linted playbook into the plan the engine runs: ids, dependencies, defaults.
import { expect } from 'chai'
import { compilePlaybook, loadPlaybook, type PlanStep } from '../../../playbooks/dsl/index.ts'

const plan = (steps: string, extra = '') => {
  const { playbook, diagnostics } = loadPlaybook('p.yaml', `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: p, version: 3, title: Plan }
on: { manual: {} }
${extra}steps:
${steps}`)
  expect(diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([])
  return compilePlaybook(playbook!)
}
const ids = (list: PlanStep[]) => list.map((s) => [s.id, s.needs])

describe('playbook compile', () => {
  it('makes each step wait for the previous one unless needs says otherwise', () => {
    const p = plan(`  - { id: a, set: { status: mitigated } }
  - { id: b, set: { status: resolved } }
  - { id: c, needs: [a], set: { status: active } }
`)
    expect(ids(p.steps)).to.deep.equal([['a', []], ['b', ['a']], ['c', ['a']]])
  })

  it('names steps without an id by their path, and starts parallel branches together', () => {
    const p = plan(`  - parallel:
      - { uses: timeline.add@v1 }
      - { uses: run.finish@v1 }
`)
    expect(p.steps[0]!.id).to.equal('steps[0]')
    expect(ids(p.steps[0]!.parallel)).to.deep.equal([['steps[0].parallel[0]', []], ['steps[0].parallel[1]', []]])
  })

  it('fills in the default timeout, retry policy and idempotency key of an action step', () => {
    const [s] = plan(`  - id: call
    uses: http.request@v1
    idempotencyKey: "k-\${{ run.id }}"
    retry: { max: 3, on: [429] }
`).steps
    expect({ timeout: s!.timeout, retry: s!.retry, key: s!.idempotencyKey, sideEffects: s!.sideEffects }).to.deep.equal({
      timeout: { ms: 300_000 },
      retry: { max: 3, backoff: 'exponential', initialMs: 10_000, maxDelayMs: 600_000, on: ['429'] },
      key: 'k-${{ run.id }}',
      sideEffects: true,
    })
    const [t] = plan('  - { id: note, uses: timeline.add@v1 }\n').steps
    expect([t!.idempotencyKey, t!.sideEffects]).to.deep.equal(['${{ run.id }}:note', false])
  })

  it('gives human steps no timeout unless one is written', () => {
    const [a] = plan('  - { id: ok, approval: { approvers: [user:a], timeout: 1d } }\n').steps
    const [m] = plan('  - { id: hi, message: { text: hi } }\n').steps
    expect([a!.timeout, m!.timeout]).to.deep.equal([undefined, undefined])
  })

  it('keeps a ${{ }} duration as an expression for run time', () => {
    const p = plan('  - { id: a, set: { status: resolved } }\n', `reminders:
  - { id: r, every: "\${{ 'x' && '15m' }}", until: "\${{ run.status == 'resolved' }}", text: hi }
`)
    expect(p.reminders[0]!.every).to.deep.equal({ expression: "${{ 'x' && '15m' }}" })
  })

  it('marks a step whose condition asks for failure() as status-aware', () => {
    const p = plan('  - { id: a, set: { status: resolved } }\n  - { id: b, if: "failure()", set: { status: active } }\n')
    expect(p.steps.map((s) => s.statusAware)).to.deep.equal([false, true])
  })
})
