/**
 * An event for a run that is already going, pure: the `wait: { event }` steps it settles (as
 * service.ts's `settleEventWaits`), and for a correlated event the acknowledged mark and a firing
 * of the `trigger.correlated` hook (as its `correlate`). `playbook simulate` and `playbook test`
 * deliver their later events through these.
 */
import type { EvalContext, Playbook } from '../dsl/index.ts'
import { eventSatisfies, fireHook, graphOf } from './plan.ts'
import { nodeContext } from './lists.ts'
import type { RunState } from './state.ts'
import type { IntegrationEventLike } from './trigger.ts'

/**
 * Applies `event` to `state` (the playbook and `ctx`, the expression context of a state, serve
 * the hook's steps later, in the planner). Reports each timeline line to `timeline`.
 */
export function applyCorrelatedEvent(_playbook: Playbook, state: RunState, event: IntegrationEventLike, now: number, _ctx: (state: RunState) => EvalContext, timeline: (type: string, summary: string) => void): void {
  timeline('trigger_correlated', `${event.source}: ${event.title || event.type}${event.status ? ` (${event.status})` : ''}`)
  if (event.status === 'acknowledged' && state.marks.acknowledged === 0) state.marks.acknowledged = event.occurredAt || now
  // Its steps join the run at the next advance and see the event as `trigger`.
  fireHook(state, 'trigger.correlated', { trigger: event, at: now })
}

/**
 * Settles the run's waiting `wait: { event }` steps that `event` satisfies: they succeed with the
 * event in their outputs. A condition that cannot be evaluated does not match.
 * @returns whether a step took the event.
 */
export function settleEventWaits(playbook: Playbook, state: RunState, event: IntegrationEventLike, now: number, ctx: (state: RunState) => EvalContext, timeline: (type: string, summary: string, stepId: string) => void): boolean {
  const graph = graphOf(playbook, state)
  let taken = false
  for (const wait of [...(state.eventWaits ?? [])]) {
    const node = graph.nodes.get(wait.stepId)
    const s = state.steps[wait.stepId]
    if (!node?.step.wait?.event || s?.status !== 'waiting') continue
    let matches = false
    try {
      matches = eventSatisfies(node.step.wait.event, event, nodeContext(state, node, ctx(state)))
    } catch {
      matches = false
    }
    if (!matches) continue
    s.status = 'succeeded'
    s.finishedAt = now
    s.outputs = { ...s.outputs, event, timedOut: false }
    state.eventWaits = (state.eventWaits ?? []).filter((w) => w.stepId !== wait.stepId)
    timeline('step_succeeded', `${node.step.name ?? wait.stepId}: ${event.source} ${event.vendorEvent ?? event.type} arrived`, wait.stepId)
    taken = true
  }
  return taken
}
