/**
 * The steps of a playbook as a graph: each step's id (the one it declares, else its position),
 * what it waits for (`needs`, else the step before it), and the parallel branches it holds.
 */
import type { Playbook, Step } from '../dsl/index.ts'
import { STEP_KINDS, type StepKind } from '../dsl/index.ts'

export interface StepNode {
  id: string
  step: Step
  kind: StepKind
  /** Where it is in the file, for messages: `steps[2]`, `steps[4].parallel[1]`, `finally[0]`. */
  path: string
  deps: string[]
  /** The parallel step holding it. */
  parent?: string
  children: string[]
  /** A compensation list runs in the list of the step it compensates; a hook's steps in `hook`. */
  list: 'main' | 'finally' | 'hook'
  /** The key of the StepList (state.ts) it came with, for steps that joined the run later. */
  instance?: string
}

export interface StepGraph {
  nodes: Map<string, StepNode>
  /** Top-level ids of `steps`, in file order. */
  main: string[]
  finally: string[]
  /** Lists that joined the run later (hook firings, compensation), with their top-level ids. */
  extra: { key: string; list: StepNode['list']; ids: string[] }[]
}

export function kindOf(step: Step): StepKind {
  const kind = STEP_KINDS.find((k) => (step as Record<string, unknown>)[k] !== undefined)
  if (!kind) throw new Error(`step ${step.id ?? '?'} has no kind`)
  return kind
}

function addStep(nodes: Map<string, StepNode>, step: Step, id: string, path: string, deps: string[], list: StepNode['list'], parent?: string, instance?: string): void {
  const node: StepNode = { id, step, kind: kindOf(step), path, deps, parent, children: [], list, ...(instance ? { instance } : {}) }
  nodes.set(id, node)
  const prefix = instance ? `${instance}/` : ''
  for (const [i, child] of (step.parallel ?? []).entries()) {
    const childId = child.id ? `${prefix}${child.id}` : `${id}.${i + 1}`
    node.children.push(childId)
    addStep(nodes, child, childId, `${path}.parallel[${i}]`, [], list, id, instance)
  }
}

/**
 * Adds a list of steps that joins a run later (a hook firing, a compensation list) under `key`:
 * ids `<key>/<id or position>`, each step after the previous one unless its `needs` says otherwise.
 * @returns the top-level ids.
 */
export function addList(nodes: Map<string, StepNode>, steps: readonly Step[], key: string, path: string, list: StepNode['list']): string[] {
  const ids = steps.map((step, i) => `${key}/${step.id ?? i + 1}`)
  steps.forEach((step, i) => {
    const deps = step.needs ? step.needs.map((d) => `${key}/${d}`) : i > 0 ? [ids[i - 1]!] : []
    addStep(nodes, step, ids[i]!, `${path}[${i}]`, deps, list, undefined, key)
  })
  return ids
}

export function buildGraph(playbook: Playbook): StepGraph {
  const nodes = new Map<string, StepNode>()
  const add = (step: Step, id: string, path: string, deps: string[], list: 'main' | 'finally') => addStep(nodes, step, id, path, deps, list)
  const main: string[] = []
  for (const [i, step] of playbook.steps.entries()) {
    const id = step.id ?? `step-${i + 1}`
    add(step, id, `steps[${i}]`, step.needs ?? (i > 0 ? [main[i - 1]!] : []), 'main')
    main.push(id)
  }
  const fin: string[] = []
  for (const [i, step] of (playbook.finally ?? []).entries()) {
    const id = step.id ?? `finally-${i + 1}`
    add(step, id, `finally[${i}]`, i > 0 ? [fin[i - 1]!] : [], 'finally')
    fin.push(id)
  }
  return { nodes, main, finally: fin, extra: [] }
}
