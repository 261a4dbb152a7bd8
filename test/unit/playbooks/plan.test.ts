/** The engine's step decisions (plan.ts) through the dry run: the cases that once went wrong. */
import { expect } from 'chai'
import { compilePlaybook, loadPlaybook } from '../../../playbooks/dsl/index.ts'
import { simulateRun } from '../../../playbooks/engine/simulate.ts'

const at = new Date('2026-03-02T10:00:00Z')

function run(steps: string, script: Parameters<typeof simulateRun>[3] = {}) {
  const text = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: plan-case, version: 1 }
on:
  manual: {}
channel:
  name: "case-\${{ run.number }}"
steps:
${steps}`
  const loaded = loadPlaybook('case.yaml', text)
  if (!loaded.playbook) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'))
  const sim = simulateRun(compilePlaybook(loaded.playbook), { source: 'manual' }, at, script)
  return { states: Object.fromEntries((sim.steps ?? []).map((s) => [s.id, s.state])), sim }
}

describe('playbook step decisions', () => {
  it('cancels what needs a cancelled step, even when that step continues on error', () => {
    const { states } = run(`  - { id: gate, approval: { approvers: [user:alice], timeout: 1h } }
  - { id: ship, uses: http.request@v1, with: { url: "https://example.com" } }
  - { id: soft, wait: { for: 1m }, continue-on-error: true }
  - { id: after, message: { text: after } }
`, { answers: { gate: { decision: 'rejected', by: 'user:alice' } } } as never)
    expect(states).to.deep.include({ gate: 'failed', ship: 'cancelled', soft: 'cancelled', after: 'cancelled' })
  })

  it('stops the main steps after run.fail@v1, but runs those that ask for always()', () => {
    const { states, sim } = run(`  - { id: stop, if: "\${{ trigger.source == 'manual' }}", uses: run.fail@v1, with: { message: enough } }
  - { id: next, message: { text: next } }
  - { id: cleanup, if: "\${{ always() }}", message: { text: cleanup } }
`)
    expect(states).to.deep.include({ stop: 'succeeded', next: 'cancelled', cleanup: 'succeeded' })
    expect(sim.runFailed).to.equal(true)
  })

  it('ends the branches of a parallel step that was skipped, instead of leaving them pending', () => {
    const { states } = run(`  - id: both
    if: "\${{ trigger.source == 'pagerduty' }}"
    parallel:
      - { id: left, message: { text: left } }
      - { id: right, message: { text: right } }
  - { id: after, message: { text: after } }
`)
    expect(states).to.deep.include({ both: 'skipped', left: 'skipped', right: 'skipped', after: 'succeeded' })
  })

  it('posts a non-blocking checklist, which is done as it starts', () => {
    const { states, sim } = run(`  - id: list
    checklist:
      items:
        - { title: Look around }
  - { id: after, message: { text: after } }
`)
    expect(states).to.deep.include({ list: 'succeeded', after: 'succeeded' })
    expect(JSON.stringify(sim)).to.contain('Look around')
  })
})
