/**
 * An event for a run that is already going, pure: the `wait: { event }` steps it settles (as
 * service.ts's `settleEventWaits`), and for a correlated event the acknowledged mark and the
 * `trigger.correlated` hooks' `set` parts (as its `correlate`). `playbook simulate` and
 * `playbook test` deliver their later events through these.
 */
import type { EvalContext, Playbook } from '../dsl/index.ts'
import { evaluateCondition, evaluateInterpolated, parseCondition, parseInterpolated } from '../dsl/index.ts'
import { eventSatisfies, graphOf, setRunStatus } from './plan.ts'
import type { RunState, RunStatus } from './state.ts'
import type { IntegrationEventLike } from './trigger.ts'

/**
 * Applies `event` to `state`; `ctx` builds the expression context of a state (its `trigger` is
 * replaced by the event for the hooks' conditions). Reports each timeline line to `timeline`.
 */
export function applyCorrelatedEvent(playbook: Playbook, state: RunState, event: IntegrationEventLike, now: number, ctx: (state: RunState) => EvalContext, timeline: (type: string, summary: string) => void): void {
  timeline('trigger_correlated', `${event.source}: ${event.title || event.type}${event.status ? ` (${event.status})` : ''}`)
  if (event.status === 'acknowledged' && state.marks.acknowledged === 0) state.marks.acknowledged = event.occurredAt || now
  for (const hook of playbook.hooks?.['trigger.correlated'] ?? []) {
    // Other step kinds in hooks arrive with hooks support in the engine.
    if (!hook.set) continue
    const hookCtx = ctx({ ...state, trigger: event })
    if (hook.if !== undefined) {
      let holds = false
      try {
        holds = evaluateCondition(parseCondition(hook.if), hookCtx)
      } catch {
        holds = false
      }
      if (!holds) continue
    }
    if (hook.set.status && hook.set.status !== state.status) setRunStatus(state, hook.set.status as RunStatus, now, timeline)
    for (const [k, v] of Object.entries(hook.set.properties ?? {})) state.props[k] = typeof v === 'string' ? evaluateInterpolated(parseInterpolated(v), hookCtx) : v
  }
}

/**
 * Settles the run's waiting `wait: { event }` steps that `event` satisfies: they succeed with the
 * event in their outputs. A condition that cannot be evaluated does not match.
 * @returns whether a step took the event.
 */
export function settleEventWaits(playbook: Playbook, state: RunState, event: IntegrationEventLike, now: number, ctx: (state: RunState) => EvalContext, timeline: (type: string, summary: string, stepId: string) => void): boolean {
  const graph = graphOf(playbook)
  let taken = false
  for (const wait of [...(state.eventWaits ?? [])]) {
    const node = graph.nodes.get(wait.stepId)
    const s = state.steps[wait.stepId]
    if (!node?.step.wait?.event || s?.status !== 'waiting') continue
    let matches = false
    try {
      matches = eventSatisfies(node.step.wait.event, event, ctx(state))
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
