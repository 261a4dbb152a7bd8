/**
 * Steps that join a run after it started, pure: a hook's steps each time the hook fires, a failed
 * step's `onError` steps, and the graph and expression context they run in. The planner (plan.ts)
 * runs them like any other step, so they are durable, keyed per firing and seen by the dry run.
 */
import type { EvalContext, HookEvent, Playbook } from '../dsl/index.ts'
import { addList, type StepGraph, type StepNode } from './graph.ts'
import { TERMINAL, type RunState, type StepList } from './state.ts'
import type { IntegrationEventLike } from './trigger.ts'

/** A hook that fires more often than this in one run is a loop (a `property.changed` hook changing a property): later firings are dropped. */
export const HOOK_FIRINGS_MAX = 100

export interface HookFiring {
  /** A `trigger.correlated` event: the hook's steps see it as `trigger`. */
  trigger?: IntegrationEventLike
  /** What fired it, for the timeline: `{property, from, to}`, `{role, from, to}`, `{stepId}`, `{from, to}`. */
  details?: Record<string, unknown>
  at?: number
}

/**
 * Fires hook `name` on the run: its steps join the run at the next `advance` (which drops the
 * firing when the playbook has no steps for it). Call it inside `store.mutate` and queue an
 * advance of the run in the same transaction. `checklist.completed` fires once per checklist
 * step (`details.stepId`); the planner fires it itself when a checklist's last item closes.
 * @returns false when the firing was a duplicate (that checklist already completed).
 */
export function fireHook(state: RunState, name: HookEvent, ctx: HookFiring = {}): boolean {
  const lists = (state.lists ??= [])
  const stepId = ctx.details?.stepId
  if (name === 'checklist.completed' && stepId !== undefined && lists.some((l) => l.kind === 'hook' && l.name === name && l.details?.stepId === stepId)) return false
  const n = lists.filter((l) => l.kind === 'hook' && l.name === name).length + 1
  lists.push({ key: `hooks.${name}#${n}`, kind: 'hook', name, at: ctx.at ?? 0, ...(ctx.trigger ? { trigger: ctx.trigger } : {}), ...(ctx.details ? { details: ctx.details } : {}) })
  return true
}

/** Adds a failed step's `onError` steps to the run, once. @returns whether it had any. */
export function spawnOnError(state: RunState, node: StepNode, now: number): boolean {
  if (!node.step.onError?.length) return false
  const key = `${node.id}/onError`
  const lists = (state.lists ??= [])
  if (lists.some((l) => l.key === key)) return false
  lists.push({ key, kind: 'onError', name: node.id, at: now, open: true })
  return true
}

/**
 * Opens the hook firings not yet open: a firing of a hook without steps (or past the limit) is
 * dropped, the others are announced on the timeline and their steps join the run.
 * @returns whether any opened.
 */
export function openHookFirings(playbook: Playbook, state: RunState, timeline: (type: string, summary: string, details?: Record<string, unknown>) => void): boolean {
  if (!state.lists?.some((l) => !l.open)) return false
  let opened = false
  state.lists = state.lists.filter((l) => {
    if (l.open) return true
    const steps = playbook.hooks?.[l.name as HookEvent] ?? []
    if (steps.length === 0) return false
    const n = Number(l.key.split('#').pop())
    if (n > HOOK_FIRINGS_MAX) {
      timeline('hook_skipped', `hook ${l.name} fired more than ${HOOK_FIRINGS_MAX} times: not run again`, { hook: l.name })
      return false
    }
    l.open = true
    opened = true
    const why = describe(l)
    timeline('hook_fired', `hook ${l.name}${why ? ` (${why})` : ''}`, { hook: l.name, key: l.key, ...(l.details ?? {}) })
    return true
  })
  return opened
}

function describe(l: StepList): string {
  const d = l.details ?? {}
  if (l.trigger) return `${l.trigger.source}: ${l.trigger.title || l.trigger.type}`
  if (typeof d.property === 'string') return `${d.property}: ${String(d.from)} → ${String(d.to)}`
  if (typeof d.role === 'string') return `${d.role}`
  if (typeof d.stepId === 'string') return `${d.stepId}`
  if (d.from !== undefined && d.to !== undefined) return `${String(d.from)} → ${String(d.to)}`
  return ''
}

const merged = new WeakMap<StepGraph, Map<string, StepGraph>>()

/** The playbook's graph plus the open lists of `state` (cached by the lists' keys). */
export function withLists(base: StepGraph, playbook: Playbook, state: RunState): StepGraph {
  const open = (state.lists ?? []).filter((l) => l.open)
  if (open.length === 0) return base
  const signature = open.map((l) => l.key).join('|')
  let byKey = merged.get(base)
  if (!byKey) merged.set(base, (byKey = new Map()))
  const cached = byKey.get(signature)
  if (cached) return cached
  const nodes = new Map(base.nodes)
  const extra: StepGraph['extra'] = []
  for (const l of open) {
    if (l.kind === 'hook') {
      const steps = playbook.hooks?.[l.name as HookEvent] ?? []
      extra.push({ key: l.key, list: 'hook', ids: addList(nodes, steps, l.key, `hooks.${l.name}`, 'hook') })
    } else {
      const owner = nodes.get(l.name)
      if (!owner?.step.onError) continue
      extra.push({ key: l.key, list: owner.list, ids: addList(nodes, owner.step.onError, l.key, `${owner.path}.onError`, owner.list) })
    }
  }
  const graph: StepGraph = { nodes, main: base.main, finally: base.finally, extra }
  // A run's lists only grow; keep the last few signatures of a playbook object.
  if (byKey.size > 16) byKey.clear()
  byKey.set(signature, graph)
  return graph
}

/** Whether every top-level step of `list` (main or finally), with the compensation lists run in it, is over. */
export function listDone(graph: StepGraph, state: RunState, list: 'main' | 'finally'): boolean {
  const over = (id: string) => TERMINAL.has(state.steps[id]?.status ?? 'pending')
  return (list === 'main' ? graph.main : graph.finally).every(over) && graph.extra.every((e) => e.list !== list || e.ids.every(over))
}

/**
 * The context a step sees: a step that joined later sees its hook's event as `trigger`, what fired
 * the hook as `hook` (`name`, `key` of the firing, `property`, `role`, `stepId`, `from`, `to`), and its own list's steps
 * by the ids they declare (`steps.notify`, not `steps['hooks.x#1/notify']`).
 */
export function nodeContext(state: RunState, node: StepNode, base: EvalContext): EvalContext {
  if (!node.instance) return base
  const list = state.lists?.find((l) => l.key === node.instance)
  const prefix = `${node.instance}/`
  const steps = { ...(base.values.steps as Record<string, unknown> | undefined) }
  for (const id of Object.keys(steps)) if (id.startsWith(prefix)) steps[id.slice(prefix.length)] = steps[id]
  const hook = list?.kind === 'hook' ? { name: list.name, key: list.key, property: null, role: null, stepId: null, from: null, to: null, ...(list.details ?? {}) } : base.values.hook ?? null
  return { ...base, values: { ...base.values, steps, hook, ...(list?.trigger ? { trigger: list.trigger } : {}) } }
}

/** Fires `checklist.completed` for each checklist whose visible items are all closed or skipped, once each. */
export function completeChecklists(playbook: Playbook, state: RunState, now: number): void {
  if (!playbook.hooks?.['checklist.completed']?.length) return
  const byStep = new Map<string, boolean>()
  for (const item of state.items) byStep.set(item.stepId, (byStep.get(item.stepId) ?? true) && (item.hidden || item.state !== 'open'))
  for (const [stepId, done] of byStep) if (done) fireHook(state, 'checklist.completed', { details: { stepId }, at: now })
}

/** How a called run ended, as its parent's `call` step sees it. */
export interface ChildOutcome {
  done: boolean
  failed: boolean
  status: string
  outputs: Record<string, unknown>
}

/**
 * A called run is over when it finished or was canceled, or when all its steps are done; it
 * failed when it was canceled or a step failed it. Its outputs: id, number, status, properties,
 * metrics and each step's outputs.
 */
export function childOutcome(child: RunState): ChildOutcome {
  const done = child.status === 'finished' || child.status === 'canceled' || child.phase === 'done'
  const steps = Object.fromEntries(Object.entries(child.steps).map(([id, s]) => [id, s.outputs]))
  return {
    done, failed: child.status === 'canceled' || child.failed, status: child.status,
    outputs: { runId: child.id, number: child.number, status: child.status, properties: child.props, metrics: child.metrics, steps },
  }
}
