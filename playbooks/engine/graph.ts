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
  list: 'main' | 'finally'
}

export interface StepGraph {
  nodes: Map<string, StepNode>
  /** Top-level ids of `steps`, in file order. */
  main: string[]
  finally: string[]
}

export function kindOf(step: Step): StepKind {
  const kind = STEP_KINDS.find((k) => (step as Record<string, unknown>)[k] !== undefined)
  if (!kind) throw new Error(`step ${step.id ?? '?'} has no kind`)
  return kind
}

export function buildGraph(playbook: Playbook): StepGraph {
  const nodes = new Map<string, StepNode>()
  function add(step: Step, id: string, path: string, deps: string[], list: 'main' | 'finally', parent?: string): void {
    const node: StepNode = { id, step, kind: kindOf(step), path, deps, parent, children: [], list }
    nodes.set(id, node)
    for (const [i, child] of (step.parallel ?? []).entries()) {
      const childId = child.id ?? `${id}.${i + 1}`
      node.children.push(childId)
      add(child, childId, `${path}.parallel[${i}]`, [], list, id)
    }
  }
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
  return { nodes, main, finally: fin }
}
