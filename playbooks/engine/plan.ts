/**
 * The run engine's decisions, pure: given the playbook, the run's state and the time, which steps
 * start, skip, finish or are cancelled, and which side effects the executor must carry out. The
 * server applies these under the run's row lock; `playbook test` applies them on a virtual clock.
 * Nothing here does I/O, so both see the same semantics.
 */
import type { HookEvent, Playbook, Step } from '../dsl/index.ts'
import { callsStatusFunction, evaluateCondition, evaluateInterpolated, isTruthy, parseCondition, parseDuration, parseInterpolated, ExprError, type EvalContext } from '../dsl/index.ts'
import { buildGraph, type StepGraph, type StepNode } from './graph.ts'
import { TERMINAL, type ChecklistItemState, type RunState, type StepState, type StepStatus } from './state.ts'
import { completeChecklists, fireHook, listDone, nodeContext, openHookFirings, spawnOnError, withLists, type ChildOutcome } from './lists.ts'

export { fireHook } from './lists.ts'

/** A side effect for the executor: run a step's external part, or wake the run at a time. */
export type Effect =
  | { kind: 'execute'; stepId: string; part?: 'escalate' }
  | { kind: 'timer'; stepId: string; at: number }
  | { kind: 'timeline'; type: string; summary: string; stepId?: string; details?: Record<string, unknown> }

export interface PlanInput {
  playbook: Playbook
  state: RunState
  now: number
  ctx: (state: RunState) => EvalContext
  /** How the runs started by waiting `call` steps stand, by run id (the executor reads them). */
  children?: Record<string, ChildOutcome>
}

/** How deep `call` steps may nest: a run with this many callers above it may call no further. */
export const CALL_DEPTH_MAX = 5

/** Kinds whose work happens outside the run (posts, vendor calls): the executor runs them. */
const EXTERNAL = new Set(['uses', 'message', 'status_update'])

const graphs = new WeakMap<Playbook, StepGraph>()
/** The playbook's steps; with a run's state, also the hook and compensation steps that joined it. */
export function graphOf(playbook: Playbook, state?: RunState): StepGraph {
  let graph = graphs.get(playbook)
  if (!graph) {
    graph = buildGraph(playbook)
    graphs.set(playbook, graph)
  }
  return state ? withLists(graph, playbook, state) : graph
}

function stepState(state: RunState, id: string): StepState {
  return (state.steps[id] ??= { status: 'pending', outputs: {}, attempts: 0, startedAt: 0, finishedAt: 0 })
}

/** `continue-on-error`: a boolean, or an expression evaluated now. */
function continuesOnError(step: Step, ctx: EvalContext): boolean {
  const flag = step['continue-on-error']
  if (flag === undefined) return false
  if (typeof flag === 'boolean') return flag
  try {
    return isTruthy(evaluateInterpolated(parseInterpolated(flag), ctx))
  } catch {
    return false
  }
}

function durationOf(text: string | undefined, ctx: EvalContext, field: string): number | undefined {
  if (text === undefined) return undefined
  const value = String(evaluateInterpolated(parseInterpolated(text), ctx))
  if (value === 'never') return undefined
  const ms = parseDuration(value)
  if (ms === undefined) throw new ExprError(`${field}: "${value}" is not a duration such as 30s, 15m, 2h or 1d`, 0)
  return ms
}

export function isFailure(status: StepStatus): boolean {
  return status === 'failed' || status === 'timed_out' || status === 'cancelled'
}

/**
 * Advances the run as far as it can go without outside work: returns the effects to carry out.
 * Mutates `input.state`; call it on a copy when the caller may discard the result.
 */
export function advance(input: PlanInput): Effect[] {
  const { playbook, state, now } = input
  let graph = graphOf(playbook, state)
  const effects: Effect[] = []
  const timeline = (type: string, summary: string, stepId?: string, details?: Record<string, unknown>) => effects.push({ kind: 'timeline', type, summary, ...(stepId ? { stepId } : {}), ...(details ? { details } : {}) })
  const ctxOf = (node: StepNode) => nodeContext(state, node, input.ctx(state))

  const finish = (node: StepNode, status: StepStatus, reason?: string, outputs?: Record<string, unknown>) => {
    const s = stepState(state, node.id)
    s.status = status
    s.finishedAt = now
    if (reason) s.reason = reason
    if (outputs) s.outputs = { ...s.outputs, ...outputs }
    if (state.eventWaits) state.eventWaits = state.eventWaits.filter((w) => w.stepId !== node.id)
    if (isFailure(status) && status !== 'cancelled' && !continuesOnError(node.step, ctxOf(node))) state.failed = true
    const type = status === 'succeeded' ? 'step_succeeded' : status === 'skipped' ? 'step_skipped' : 'step_failed'
    timeline(type, `${node.step.name ?? node.id}: ${status}${reason ? ` (${reason})` : ''}`, node.id)
    if (isFailure(status) && status !== 'cancelled') compensate(state, node, now, timeline)
  }

  const start = (node: StepNode) => {
    const s = stepState(state, node.id)
    s.status = 'running'
    s.startedAt = now
    const ctx = ctxOf(node)
    timeline('step_started', `${node.step.name ?? node.id} started`, node.id)
    const step = node.step
    try {
      if (EXTERNAL.has(node.kind)) {
        effects.push({ kind: 'execute', stepId: node.id })
      } else if (node.kind === 'call') {
        const target = step.call!.playbook.split('@')[0]!
        const chain = [...(state.ancestors ?? []), playbook.metadata.name]
        if (chain.includes(target)) finish(node, 'failed', `calling ${target} would make a cycle (${[...chain, target].join(' → ')})`)
        else if (chain.length > CALL_DEPTH_MAX) finish(node, 'failed', `calls nest at most ${CALL_DEPTH_MAX} deep (${[...chain, target].join(' → ')})`)
        else {
          // The executor starts the child run; the step waits until that run is over.
          s.status = 'waiting'
          effects.push({ kind: 'execute', stepId: node.id })
        }
      } else if (node.kind === 'set') {
        applySet(state, step.set!, ctx, now, timeline)
        finish(node, 'succeeded')
      } else if (node.kind === 'parallel') {
        // Its branches become ready now; it ends when they all have.
      } else if (node.kind === 'checklist') {
        for (const [i, item] of step.checklist!.items.entries()) {
          let hidden = false
          if (item.if !== undefined) hidden = !evaluateCondition(parseCondition(item.if), ctx)
          const dueMs = item.due && !/^\d{4}-/.test(item.due) ? durationOf(item.due, ctx, `${node.path}.checklist.items[${i}].due`) : undefined
          const dueAt = dueMs !== undefined ? now + dueMs : item.due ? Date.parse(item.due) || 0 : 0
          const assignee = item.assignee?.startsWith('role:') ? state.roles[item.assignee.slice(5)]?.id ?? '' : ''
          const entry: ChecklistItemState = {
            id: item.id ?? `${node.id}-${i + 1}`, stepId: node.id, title: item.title, state: 'open', assigneeId: assignee, dueAt, hidden, command: item.command ?? '',
          }
          state.items.push(entry)
        }
        effects.push({ kind: 'execute', stepId: node.id })
        if (step.checklist!.blocking) s.status = 'waiting'
        else finish(node, 'succeeded')
      } else if (node.kind === 'approval') {
        s.status = 'waiting'
        const timeout = durationOf(step.approval!.timeout, ctx, `${node.path}.approval.timeout`)
        if (timeout !== undefined) {
          s.deadlineAt = now + timeout
          effects.push({ kind: 'timer', stepId: node.id, at: s.deadlineAt })
        }
        state.votes[node.id] ??= []
        effects.push({ kind: 'execute', stepId: node.id })
        timeline('approval_requested', `${node.step.name ?? node.id}: approval requested`, node.id)
      } else if (node.kind === 'wait') {
        s.status = 'waiting'
        const wait = step.wait!
        const ms = durationOf(wait.for ?? wait.timeout, ctx, `${node.path}.wait.${wait.for !== undefined ? 'for' : 'timeout'}`)
        if (ms !== undefined) {
          s.deadlineAt = now + ms
          effects.push({ kind: 'timer', stepId: node.id, at: s.deadlineAt })
        }
        // Listed in the state, so an incoming event finds the runs waiting for its source with one query.
        if (wait.event) (state.eventWaits ??= []).push({ stepId: node.id, source: wait.event.source, type: wait.event.type })
      }
    } catch (err) {
      finish(node, 'failed', (err as Error).message)
    }
  }

  /** Settles waiting steps whose condition, votes, items or deadline decide them now. */
  const settleWaiting = (node: StepNode) => {
    const s = stepState(state, node.id)
    const ctx = ctxOf(node)
    if (node.kind === 'call') {
      const child = input.children?.[String(s.outputs.runId ?? '')]
      if (!child?.done) return
      const outputs = { ...child.outputs, runId: s.outputs.runId }
      if (child.failed) return finish(node, 'failed', `the called run ${child.status === 'canceled' ? 'was canceled' : 'failed'}`, outputs)
      return finish(node, 'succeeded', undefined, outputs)
    }
    if (node.kind === 'wait') {
      const wait = node.step.wait!
      if (wait.until !== undefined) {
        let met = false
        try {
          met = evaluateCondition(parseCondition(wait.until), ctx)
        } catch (err) {
          return finish(node, 'failed', (err as Error).message)
        }
        if (met) return finish(node, 'succeeded', undefined, { timedOut: false })
        if (s.deadlineAt && now >= s.deadlineAt) return finish(node, 'timed_out', `not met within ${wait.timeout}`, { timedOut: true })
        return
      }
      if (wait.event !== undefined) {
        if (s.deadlineAt && now >= s.deadlineAt) return finish(node, 'timed_out', `no ${wait.event.source} ${wait.event.type} event within ${wait.timeout}`, { timedOut: true })
        return
      }
      if (s.deadlineAt && now >= s.deadlineAt) finish(node, 'succeeded', undefined, { timedOut: false })
      return
    }
    if (node.kind === 'checklist') {
      const open = state.items.filter((i) => i.stepId === node.id && !i.hidden && i.state === 'open')
      if (open.length === 0) {
        const mine = state.items.filter((i) => i.stepId === node.id)
        finish(node, 'succeeded', undefined, { closed: mine.filter((i) => i.state === 'closed').length, skipped: mine.filter((i) => i.state === 'skipped' || i.hidden).length, open: 0 })
      }
      return
    }
    if (node.kind === 'approval') {
      const approval = node.step.approval!
      const votes = state.votes[node.id] ?? []
      const rejected = votes.find((v) => v.decision === 'rejected')
      if (rejected) return finish(node, 'failed', `rejected by a vote`, { decision: 'rejected', by: [rejected.userId], comment: rejected.comment })
      const approvals = votes.filter((v) => v.decision === 'approved')
      if (approvals.length >= (approval.quorum ?? 1)) return finish(node, 'succeeded', undefined, { decision: 'approved', by: approvals.map((v) => v.userId), comment: approvals.at(-1)?.comment ?? '' })
      if (s.deadlineAt && now >= s.deadlineAt) {
        const onTimeout = approval.onTimeout ?? 'fail'
        if (onTimeout === 'escalate' && approval.escalateTo && !s.escalated) {
          // Once: escalateTo joins the approvers, gets the request, and the timeout starts again.
          s.escalated = true
          let timeout: number | undefined
          try {
            timeout = durationOf(approval.timeout, ctx, `${node.path}.approval.timeout`)
          } catch (err) {
            return finish(node, 'failed', (err as Error).message)
          }
          if (timeout !== undefined) {
            s.deadlineAt = now + timeout
            effects.push({ kind: 'timer', stepId: node.id, at: s.deadlineAt })
          }
          effects.push({ kind: 'execute', stepId: node.id, part: 'escalate' })
          timeline('approval_escalated', `${node.step.name ?? node.id}: no decision within ${approval.timeout}; escalated to ${approval.escalateTo}`, node.id, { escalateTo: approval.escalateTo })
          return
        }
        if (onTimeout === 'approve') return finish(node, 'succeeded', 'approved on timeout', { decision: 'approved', by: [], comment: '' })
        if (onTimeout === 'skip') return finish(node, 'skipped', 'no decision before the timeout')
        return finish(node, 'timed_out', `no decision before the timeout${s.escalated ? ', also after the escalation' : ''}`, { decision: 'timed_out', by: [], comment: '' })
      }
    }
    if (node.kind === 'parallel') {
      const children = node.children.map((id) => stepState(state, id))
      if (children.every((c) => TERMINAL.has(c.status))) {
        const failedChild = node.children.find((id) => {
          const c = stepState(state, id)
          return isFailure(c.status) && !continuesOnError(graph.nodes.get(id)!.step, ctx)
        })
        finish(node, failedChild ? 'failed' : 'succeeded', failedChild ? `branch ${failedChild} ${stepState(state, failedChild).status}` : undefined)
      }
    }
  }

  /** Whether `node` may be decided now: its dependencies (or its parallel parent) allow it. */
  const ready = (node: StepNode): boolean => {
    // A canceled run runs only its hooks (run.canceled, run.status_changed).
    if (state.status === 'canceled' && node.list !== 'hook') return false
    if (node.list === 'finally' && state.phase !== 'finally') return false
    if (node.parent) return stepState(state, node.parent).status === 'running' || TERMINAL.has(stepState(state, node.parent).status)
    return node.deps.every((d) => TERMINAL.has(stepState(state, d).status))
  }

  /** A branch of a parallel step that ended without running (skipped, cancelled, failed) ends with it. */
  const endedWithParent = (node: StepNode): boolean => {
    if (!node.parent) return false
    const parent = stepState(state, node.parent)
    if (!TERMINAL.has(parent.status)) return false
    finish(node, parent.status === 'skipped' ? 'skipped' : 'cancelled', `its parallel step ${node.parent} is ${parent.status}`)
    return true
  }

  const decide = (node: StepNode): void => {
    const step = node.step
    const depsFailed = node.deps.some((d) => {
      const dep = graph.nodes.get(d)
      const s = stepState(state, d)
      // A cancelled step never ran: its continue-on-error cannot forgive that.
      if (s.status === 'cancelled') return true
      return isFailure(s.status) && !(dep && continuesOnError(dep.step, ctxOf(dep)))
    })
    const condition = step.if !== undefined ? parseCondition(step.if) : undefined
    const asksForStatus = condition ? callsStatusFunction(condition.expr) : false
    // `finally` steps run whatever happened before them; hook and compensation steps whatever the run did.
    if (!asksForStatus) {
      if (node.list === 'main' && !node.instance && state.halted) return finish(node, 'cancelled', 'the run failed (run.fail)')
      if (node.list !== 'finally' && depsFailed) return finish(node, 'cancelled', 'a step it needs did not succeed')
    }
    if (condition) {
      let holds: boolean
      try {
        holds = evaluateCondition(condition, ctxOf(node))
      } catch (err) {
        return finish(node, 'failed', `${node.path}.if: ${(err as Error).message}`)
      }
      if (!holds) return finish(node, 'skipped', 'its if is false')
    }
    start(node)
  }

  // Decide until nothing changes: a skip or an inline step can make the next one ready.
  for (let round = 0; round < 10_000; round++) {
    let changed = false
    completeChecklists(playbook, state, now)
    if (openHookFirings(playbook, state, (type, summary, details) => timeline(type, summary, undefined, details))) changed = true
    graph = graphOf(playbook, state)
    for (const node of graph.nodes.values()) {
      const s = stepState(state, node.id)
      if (s.status === 'pending' && ready(node)) {
        if (!endedWithParent(node)) decide(node)
        changed = true
      } else if ((s.status === 'waiting' || (s.status === 'running' && node.kind === 'parallel')) && (state.status !== 'canceled' || node.list === 'hook')) {
        const before = s.status
        settleWaiting(node)
        if (stepState(state, node.id).status !== before) changed = true
      }
    }
    // A compensation list belongs to the list of the step it compensates: `finally` waits for it.
    graph = graphOf(playbook, state)
    if (state.phase === 'main' && listDone(graph, state, 'main')) {
      state.phase = graph.finally.length > 0 ? 'finally' : 'done'
      changed = true
    } else if (state.phase === 'finally' && listDone(graph, state, 'finally')) {
      state.phase = 'done'
      changed = true
    }
    if (!changed) break
  }
  return effects
}

const STATUS_MARKS = { mitigated: 'mitigated', resolved: 'resolved', finished: 'finished' } as const

/** The `set` step: properties, run status, metrics (roles change through the API and commands). */
function applySet(state: RunState, set: NonNullable<Step['set']>, ctx: EvalContext, now: number, timeline: (type: string, summary: string) => void): void {
  for (const [key, raw] of Object.entries(set.properties ?? {})) {
    const value = typeof raw === 'string' ? evaluateInterpolated(parseInterpolated(raw), ctx) : raw
    if (state.props[key] !== value) {
      const from = state.props[key]
      state.props[key] = value
      timeline('property_changed', `${key} set to ${String(value)}`)
      fireHook(state, 'property.changed', { details: { property: key, from: from ?? null, to: value ?? null }, at: now })
    }
  }
  for (const [key, raw] of Object.entries(set.metrics ?? {})) {
    state.metrics[key] = typeof raw === 'string' ? evaluateInterpolated(parseInterpolated(raw), ctx) : raw
  }
  if (set.status && set.status !== state.status) setRunStatus(state, set.status as RunState['status'], now, timeline)
}

export function setRunStatus(state: RunState, status: RunState['status'], now: number, timeline: (type: string, summary: string) => void): void {
  const previous = state.status
  state.status = status
  const mark = STATUS_MARKS[status as keyof typeof STATUS_MARKS]
  if (mark && state.marks[mark] === 0) state.marks[mark] = now
  if (status === 'resolved' && state.marks.mitigated === 0) state.marks.mitigated = now
  timeline('run_status_changed', `status ${previous} → ${status}`)
  if (previous === status) return
  fireHook(state, 'run.status_changed', { details: { from: previous, to: status }, at: now })
  if (status !== 'active') fireHook(state, `run.${status}` as HookEvent, { details: { from: previous, to: status }, at: now })
}

/** A failed step's `onError` steps join the run (its own list), with a line on the timeline. */
function compensate(state: RunState, node: StepNode, now: number, timeline: (type: string, summary: string, stepId?: string) => void): void {
  if (spawnOnError(state, node, now)) timeline('compensation_started', `${node.step.name ?? node.id} failed: running its onError steps`, node.id)
}

/** Whether a connector event is the one a `wait: { event }` step waits for (its `if` sees the event as `trigger`). */
export function eventSatisfies(wait: { source: string; type: string; if?: string | boolean }, event: { source: string; type: string; vendorEvent?: string }, ctx: EvalContext): boolean {
  if (wait.source !== event.source) return false
  if (wait.type !== event.type && wait.type !== event.vendorEvent && `${wait.source}.${wait.type}` !== event.type) return false
  if (wait.if === undefined) return true
  return evaluateCondition(parseCondition(wait.if), { ...ctx, values: { ...ctx.values, trigger: event } })
}

/** What an executed step's external part came back with. */
export type StepResult = { outputs: Record<string, unknown> } | { failure: string }

/**
 * Records an executed step's result in the run's state, as the server's executor and the dry run
 * both do: a failure (which fails the run unless the step continues on error), a posted checklist
 * or approval (which go on waiting for people), or a success (run.finish@v1 finishes the run,
 * run.fail@v1 fails it and cancels the main steps not yet started).
 * @returns false when the step was already over (nothing recorded).
 */
export function recordStepResult(input: PlanInput, stepId: string, result: StepResult, attempt: number, timeline: (type: string, summary: string) => void): boolean {
  const { state, now } = input
  const node = graphOf(input.playbook, state).nodes.get(stepId)
  const s = state.steps[stepId]
  if (!node || !s) return false
  const name = node.step.name ?? stepId
  if ('outputs' in result && (node.kind === 'checklist' || node.kind === 'approval')) {
    // Posted; the step waits for people (or, a non-blocking checklist, is already done).
    s.outputs = { ...s.outputs, postId: result.outputs.postId }
    return true
  }
  if ('outputs' in result && node.kind === 'call') {
    // The child run started; the step waits until it is over.
    if (TERMINAL.has(s.status) || s.outputs.runId) return false
    s.outputs = { ...s.outputs, runId: result.outputs.runId }
    timeline('call_started', `${name}: started run ${String(result.outputs.number ?? result.outputs.runId)} of ${node.step.call!.playbook}`)
    return true
  }
  if (TERMINAL.has(s.status)) return false
  s.attempts = attempt
  s.finishedAt = now
  if ('failure' in result) {
    s.status = 'failed'
    s.reason = result.failure
    if (!continuesOnError(node.step, nodeContext(state, node, input.ctx(state)))) state.failed = true
    timeline('step_failed', `${name}: failed (${result.failure})`)
    compensate(state, node, now, timeline)
    return true
  }
  const outputs = result.outputs
  s.status = 'succeeded'
  s.outputs = outputs
  if (outputs.finish === 'finished') setRunStatus(state, 'finished', now, timeline)
  if (outputs.finish === 'failed') {
    state.failed = true
    state.halted = true
    timeline('run_failed', `run failed${outputs.message ? `: ${String(outputs.message)}` : ''}`)
  }
  if (typeof outputs.timeline === 'string' && outputs.timeline) timeline('timeline_note', outputs.timeline)
  if (node.kind === 'status_update') timeline('status_updated', 'status update posted')
  timeline('step_succeeded', `${name}: succeeded`)
  return true
}
