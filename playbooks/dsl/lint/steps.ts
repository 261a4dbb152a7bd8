/**
 * Rules about steps: one kind per step, unique ids, keys that fit the kind, known actions,
 * `needs` that name siblings without cycles, steps that can never run, and the warnings of spec
 * §15 (side effects without an idempotency key, human waits without a timeout).
 */
import { STEP_KINDS, type Step, type StepKind } from '../../schema/playbook.ts'
import { splitActionId } from '../catalog.ts'
import { callsStatusFunction, constantValue, ExprError, isTruthy, parseCondition, type Expr } from '../expr/index.ts'
import type { LintContext, StepAt } from './context.ts'
import type { Path } from '../path.ts'
import { closest } from '../suggest.ts'

/** Actions after which the run is over: a step that waits for them never starts. */
const RUN_ENDERS = new Set(['run.finish@v1', 'run.fail@v1'])

/** The kind key of a step, when it has exactly one. */
export function stepKind(step: Step): StepKind | undefined {
  const kinds = STEP_KINDS.filter((k) => step[k] !== undefined)
  return kinds.length === 1 ? kinds[0] : undefined
}

export function lintSteps(ctx: LintContext): void {
  const firstById = new Map<string, StepAt>()
  for (const at of ctx.steps) {
    lintShape(ctx, at)
    const id = at.step.id
    if (id === undefined) continue
    const first = firstById.get(id)
    if (first) ctx.report([...at.path, 'id'], `duplicate step id "${id}" (first at ${describeAt(ctx, first.path)})`)
    else firstById.set(id, at)
  }
  const lists = new Map<string, StepAt[]>()
  for (const at of ctx.steps) {
    const key = JSON.stringify(at.list)
    lists.set(key, [...(lists.get(key) ?? []), at])
  }
  for (const siblings of lists.values()) lintDependencies(ctx, siblings)
}

function describeAt(ctx: LintContext, path: Path): string {
  const { line, column } = ctx.source.locate(path)
  return `${line}:${column}`
}

function lintShape(ctx: LintContext, at: StepAt): void {
  const { step, path } = at
  const kinds = STEP_KINDS.filter((k) => step[k] !== undefined)
  if (kinds.length === 0) ctx.report(path, `a step needs one of ${STEP_KINDS.join(', ')}`)
  if (kinds.length > 1) ctx.report([...path, kinds[1]!], `a step has exactly one kind, but this one has ${kinds.join(' and ')}`, { at: 'key' })
  const kind = kinds[0]
  if (step.with !== undefined && kind !== 'uses' && kind !== 'call') ctx.report([...path, 'with'], 'with: is only for uses and call steps', { at: 'key' })
  if (step.retry !== undefined && kind !== 'uses' && kind !== 'call') ctx.report([...path, 'retry'], 'retry: is only for uses and call steps', { at: 'key' })
  if (step.idempotencyKey !== undefined && kind !== 'uses') ctx.report([...path, 'idempotencyKey'], 'idempotencyKey: is only for uses steps', { at: 'key' })
  if (at.parent?.step.parallel && step.needs) ctx.report([...path, 'needs'], 'steps of a parallel start together; needs: does not apply', { at: 'key' })

  if (step.uses !== undefined) lintAction(ctx, step.uses, [...path, 'uses'], step.idempotencyKey === undefined)
  if (step.uses !== undefined) lintActionInputs(ctx, step.uses, step.with, path)
  for (const k of ['message', 'status_update', 'approval'] as const) {
    const body = step[k]
    if (!body) continue
    if (body.text !== undefined && body.template !== undefined) ctx.report([...path, k, 'template'], 'give text or template, not both', { at: 'key' })
    if (body.text === undefined && body.template === undefined && k !== 'approval') ctx.report([...path, k], 'needs text or template')
  }
  if (step.approval) {
    if (step.approval.timeout === undefined) ctx.report([...path, 'approval'], 'approval without a timeout waits forever', { severity: 'warning', at: 'key' })
    if (step.approval.onTimeout === 'escalate' && !step.approval.escalateTo) ctx.report([...path, 'approval', 'onTimeout'], 'onTimeout: escalate needs escalateTo')
  }
  // Longer cycles (a calls b calls a) only show at run time, where the engine refuses them.
  if (step.call && step.call.playbook.split('@')[0] === ctx.playbook.metadata.name) ctx.report([...path, 'call', 'playbook'], 'a playbook may not call itself')
  if (step.wait) {
    const modes = (['for', 'until', 'event'] as const).filter((m) => step.wait![m] !== undefined)
    if (modes.length !== 1) ctx.report([...path, 'wait'], `a wait has exactly one of for, until, event${modes.length ? ` (this one has ${modes.join(' and ')})` : ''}`)
    if (modes[0] !== 'for' && step.wait.timeout === undefined) ctx.report([...path, 'wait'], 'wait without a timeout may wait forever', { severity: 'warning', at: 'key' })
  }
  if (step.set) {
    for (const name of Object.keys(step.set.properties ?? {})) if (!ctx.scope.props.has(name)) ctx.report([...path, 'set', 'properties', name], `unknown property "${name}"`, { at: 'key' })
    for (const name of Object.keys(step.set.roles ?? {})) if (!ctx.scope.roles.has(name)) ctx.report([...path, 'set', 'roles', name], `unknown role "${name}"`, { at: 'key' })
    const metrics = new Set((ctx.playbook.metrics ?? []).map((m) => m.id))
    for (const name of Object.keys(step.set.metrics ?? {})) if (!metrics.has(name)) ctx.report([...path, 'set', 'metrics', name], `unknown metric "${name}"`, { at: 'key' })
  }
  step.checklist?.items.forEach((item, i) => {
    const itemPath = [...path, 'checklist', 'items', i]
    if (item.command !== undefined && item.uses !== undefined) ctx.report([...itemPath, 'uses'], 'an item runs a command or an action, not both', { at: 'key' })
    if (item.with !== undefined && item.uses === undefined) ctx.report([...itemPath, 'with'], 'with: needs uses:', { at: 'key' })
    // An item's action runs when a person closes it: its idempotency comes from the item's id.
    if (item.uses !== undefined) lintAction(ctx, item.uses, [...itemPath, 'uses'], false)
    if (item.uses !== undefined) lintActionInputs(ctx, item.uses, item.with, itemPath)
  })
}

/** Checks an action id against the catalog. */
function lintAction(ctx: LintContext, id: string, path: Path, warnWithoutKey: boolean): void {
  const action = ctx.catalog.get(id)
  if (action) {
    if (action.deprecated) ctx.report(path, `${id} is deprecated: ${action.deprecated}`, { severity: 'warning' })
    if (action.sideEffects && warnWithoutKey) {
      ctx.report(path, `${id} has side effects; give the step an explicit idempotencyKey`, { severity: 'warning' })
    }
    return
  }
  const { name, version } = splitActionId(id)
  const versions = ctx.catalog.list().map((a) => splitActionId(a.id)).filter((a) => a.name === name).map((a) => `@v${a.version}`)
  if (version === undefined) ctx.report(path, `action "${id}" needs a version${versions.length ? ` (${name}${versions[versions.length - 1]})` : ''}`)
  else if (versions.length > 0) ctx.report(path, `unknown action "${id}" (known versions: ${versions.join(', ')})`)
  else ctx.report(path, `unknown action "${id}"`)
}

/** `with:` keys against the action's inputs, when the catalog knows them. */
function lintActionInputs(ctx: LintContext, id: string, withValue: Record<string, unknown> | undefined, path: Path): void {
  const inputs = ctx.catalog.get(id)?.inputs
  if (!inputs) return
  const names = inputs.map((i) => i.name)
  for (const key of Object.keys(withValue ?? {})) {
    if (names.includes(key)) continue
    const hint = closest(key, names)
    ctx.report([...path, 'with', key], `${id} has no input "${key}"${hint ? ` (did you mean ${hint}?)` : ` (inputs: ${names.join(', ')})`}`, { at: 'key' })
  }
  const missing = inputs.filter((i) => i.required && !Object.hasOwn(withValue ?? {}, i.name)).map((i) => i.name)
  if (missing.length > 0) ctx.report(withValue ? [...path, 'with'] : [...path, 'uses'], `${id} needs ${missing.map((m) => `"${m}"`).join(', ')} in with:`, { at: withValue ? 'key' : 'value' })
}

/** `needs` within one list: known siblings, no cycles; and steps that can never start. */
function lintDependencies(ctx: LintContext, siblings: StepAt[]): void {
  const inParallel = siblings[0]?.parent?.step.parallel !== undefined && siblings[0].list[siblings[0].list.length - 1] === 'parallel'
  const byId = new Map(siblings.filter((s) => s.step.id).map((s) => [s.step.id!, s]))
  const deps = new Map<StepAt, StepAt[]>()
  for (const at of siblings) {
    const list: StepAt[] = []
    if (at.step.needs) {
      at.step.needs.forEach((id, i) => {
        const target = byId.get(id)
        const needPath = [...at.path, 'needs', i]
        if (id === at.step.id) ctx.report(needPath, `step "${id}" cannot need itself`)
        else if (target) list.push(target)
        else if (ctx.scope.steps.has(id)) ctx.report(needPath, `step "${id}" is not in the same list; needs: names steps beside this one`)
        else ctx.report(needPath, `unknown step "${id}"`)
      })
    } else if (at.index > 0 && !inParallel) list.push(siblings[at.index - 1]!)
    deps.set(at, list)
  }
  reportCycles(ctx, siblings, deps)
  reportUnreachable(ctx, siblings, deps)
}

function reportCycles(ctx: LintContext, siblings: StepAt[], deps: Map<StepAt, StepAt[]>): void {
  const state = new Map<StepAt, 'visiting' | 'done'>()
  const stack: StepAt[] = []
  const reported = new Set<StepAt>()
  const visit = (at: StepAt): void => {
    if (state.get(at) === 'done') return
    if (state.get(at) === 'visiting') {
      const cycle = stack.slice(stack.indexOf(at))
      const head = cycle[0]!
      if (!cycle.some((s) => reported.has(s))) {
        cycle.forEach((s) => reported.add(s))
        const names = [...cycle, head].map((s) => s.step.id ?? `#${s.index}`)
        ctx.report([...head.path, 'needs'], `dependency cycle: ${names.join(' -> ')}`, { at: 'key' })
      }
      return
    }
    state.set(at, 'visiting')
    stack.push(at)
    for (const d of deps.get(at) ?? []) visit(d)
    stack.pop()
    state.set(at, 'done')
  }
  for (const at of siblings) visit(at)
}

/** The parsed `if:` of a step, or undefined when it has none or it does not parse (reported elsewhere). */
function condition(step: Step): Expr | undefined {
  if (step.if === undefined) return undefined
  try {
    return parseCondition(step.if).expr
  } catch (err) {
    if (err instanceof ExprError) return undefined
    throw err
  }
}

function reportUnreachable(ctx: LintContext, siblings: StepAt[], deps: Map<StepAt, StepAt[]>): void {
  // A skipped step counts as done for its dependants (spec 7.1), so only the end of the run
  // propagates: after run.finish nothing in the list starts; after run.fail only steps whose
  // condition asks for failure()/always()/cancelled() do.
  const endedBy = new Map<StepAt, StepAt>()
  const ender = (at: StepAt) => (at.step.uses !== undefined && RUN_ENDERS.has(at.step.uses) && at.step.if === undefined ? at : undefined)
  for (const at of dependencyOrder(siblings, deps)) {
    const cond = condition(at.step)
    const constant = cond ? constantValue(cond) : undefined
    if (constant && !isTruthy(constant.value)) ctx.report([...at.path, 'if'], 'never runs: its condition is always false')
    for (const d of deps.get(at) ?? []) {
      const end = ender(d) ?? endedBy.get(d)
      if (!end || (end.step.uses === 'run.fail@v1' && (cond !== undefined && callsStatusFunction(cond)))) continue
      endedBy.set(at, end)
      ctx.report(at.path, `never runs: the run ends at ${end.step.uses} (${describeStep(end)}) before it`)
      break
    }
  }
}

/** Dependencies before dependants (`needs` may point forward); a cycle is cut where it closes. */
function dependencyOrder(siblings: StepAt[], deps: Map<StepAt, StepAt[]>): StepAt[] {
  const order: StepAt[] = []
  const seen = new Set<StepAt>()
  const visit = (at: StepAt) => {
    if (seen.has(at)) return
    seen.add(at)
    for (const d of deps.get(at) ?? []) visit(d)
    order.push(at)
  }
  siblings.forEach(visit)
  return order
}

function describeStep(at: StepAt): string {
  return at.step.id ? `step "${at.step.id}"` : `step #${at.index}`
}
