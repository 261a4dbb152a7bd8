/** The pure rules behind what a run's people do: metric values, item `requires` and `autoComplete`. */
import { expect } from 'chai'
import { loadPlaybook, type Playbook } from '../../../playbooks/dsl/index.ts'
import { applyMetricValues, parseMetricValues, presentMetrics } from '../../../playbooks/engine/metrics.ts'
import { itemsCompletedBy, requiredValues } from '../../../playbooks/engine/item-rules.ts'
import type { ChecklistItemState, RunState } from '../../../playbooks/engine/state.ts'

const PLAYBOOK = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: rules, version: 1 }
on:
  manual: {}
roles:
  commander: {}
  scribe: {}
channel:
  name: rules
steps:
  - id: work
    checklist:
      items:
        - { id: graphs, title: Attach graphs, autoComplete: { keywords: ["Graphs Attached"], by: [role:scribe] } }
        - { id: anyone, title: Say done, autoComplete: { keywords: [done] } }
        - { id: rollback, title: Roll back, requires: [{ name: reason, type: text }, { name: url, type: url, required: false }, { name: count, type: number, required: false }] }
        - { id: gated, title: Gated, requires: [{ name: why, type: text }], autoComplete: { keywords: [done] } }
metrics:
  - { id: customers, type: integer }
  - { id: cost, type: currency }
  - { id: detect, type: duration, target: 5m }
`

function setUp(): { playbook: Playbook; state: RunState } {
  const loaded = loadPlaybook('rules.yaml', PLAYBOOK)
  if (!loaded.playbook) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'))
  const item = (id: string, title: string): ChecklistItemState => ({ id, stepId: 'work', title, state: 'open', assigneeId: '', dueAt: 0, hidden: false, command: '' })
  const state = {
    roles: { commander: null, scribe: { id: 'u-scribe', username: 'sam', email: '', displayName: '' } },
    items: [item('graphs', 'Attach graphs'), item('anyone', 'Say done'), item('rollback', 'Roll back'), item('gated', 'Gated')],
    metrics: {}, marks: { detected: 1_000, acknowledged: 0, mitigated: 0, resolved: 0, finished: 0 },
  } as unknown as RunState
  return { playbook: loaded.playbook, state }
}

describe('run metrics', () => {
  it('takes durations as text or milliseconds, amounts with cents and whole counts', () => {
    const { playbook } = setUp()
    expect(parseMetricValues(playbook, [{ id: 'detect', value: '1h30m' }, { id: 'cost', value: '12.5' }, { id: 'customers', value: 3 }, { id: 'detect', value: 4000 }], 'metrics'))
      .to.deep.equal([{ id: 'detect', value: 5_400_000 }, { id: 'cost', value: 12.5 }, { id: 'customers', value: 3 }, { id: 'detect', value: 4000 }])
  })

  it('refuses a negative or fractional count and an unknown metric, naming the field', () => {
    const { playbook } = setUp()
    expect(() => parseMetricValues(playbook, [{ id: 'customers', value: -1 }], 'metrics')).to.throw('Invalid metrics.customers: expected a whole number, 0 or more.')
    expect(() => parseMetricValues(playbook, [{ id: 'customers', value: '2.5' }], 'metrics')).to.throw('metrics.customers')
    expect(() => parseMetricValues(playbook, [{ id: 'uptime', value: 1 }], 'metrics')).to.throw('this playbook has no metric "uptime" (it has time_to_acknowledge, time_to_mitigate, time_to_resolve, customers, cost, detect)')
  })

  it('moves a built-in time\'s mark and clears a metric with null', () => {
    const { playbook, state } = setUp()
    applyMetricValues(playbook, state, [{ id: 'time_to_resolve', value: 60_000 }, { id: 'cost', value: 5 }])
    expect(state.marks.resolved).to.equal(61_000)
    expect(applyMetricValues(playbook, state, [{ id: 'cost', value: null }])).to.deep.equal(['cost set to (none)'])
    expect(presentMetrics(playbook, state)).to.deep.include({ built_in_metrics: { time_to_acknowledge: null, time_to_mitigate: null, time_to_resolve: 60_000 } })
  })
})

describe('checklist item rules', () => {
  it('needs the required values to close an item, types them, and lets optional ones out', () => {
    const { playbook, state } = setUp()
    const rollback = state.items[2]!
    expect(() => requiredValues(playbook, rollback, {})).to.throw('Invalid values.reason: closing "Roll back" needs reason (a text).')
    expect(() => requiredValues(playbook, rollback, { reason: 'x', url: 'javascript:alert(1)' })).to.throw('Invalid values.url: expected an http(s) URL.')
    expect(requiredValues(playbook, rollback, { reason: 'bad deploy', count: '3' })).to.deep.equal({ reason: 'bad deploy', count: 3 })
    expect(requiredValues(playbook, state.items[0]!, {})).to.deep.equal({})
  })

  it('completes an item from a message with its keyword, in any case, by someone its by names, unless it needs values', () => {
    const { playbook, state } = setUp()
    const ids = (message: string, author: { id: string; username: string }) => itemsCompletedBy(playbook, state, message, author).map((i) => i.id)
    expect(ids('graphs attached, all done', { id: 'u-scribe', username: 'sam' })).to.deep.equal(['graphs', 'anyone'])
    expect(ids('graphs attached', { id: 'u-other', username: 'olga' })).to.deep.equal([])
    state.items[1]!.state = 'closed'
    expect(ids('done', { id: 'u-other', username: 'olga' })).to.deep.equal([])
  })
})
