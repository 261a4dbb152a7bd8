/**
 * Lint-time checks of a parsed expression: context roots, references to inputs, properties,
 * vars, roles and steps the playbook declares, function names and arity, status functions only
 * in conditions, secrets only in `with:`. Offsets count from the start of the expression text.
 */
import { RUN_STATUSES, STEP_STATES } from '../../schema/playbook.ts'
import type { Expr } from './ast.ts'
import { arityMessage, evaluate } from './evaluate.ts'
import { FUNCTIONS } from './functions.ts'

/** What the playbook declares, and where the expression sits. */
export interface ExprScope {
  inputs: ReadonlySet<string>
  props: ReadonlySet<string>
  vars: ReadonlySet<string>
  roles: ReadonlySet<string>
  steps: ReadonlySet<string>
  /** `if:`/`until:`: status functions allowed. */
  condition: boolean
  /** Inside `with:` of an action: `secrets.*` allowed. */
  secrets: boolean
  /** Secret names the server has; when given, any other `secrets.x` is an error. */
  knownSecrets?: ReadonlySet<string>
  /** Options of choice inputs and properties, by `inputs.x` / `props.x`. */
  choices?: ReadonlyMap<string, readonly (string | number)[]>
}

export interface ExprProblem {
  message: string
  offset: number
}

/** `hook`: what fired the hook a step runs in (null elsewhere). */
export const CONTEXT_ROOTS = ['trigger', 'inputs', 'run', 'props', 'roles', 'steps', 'vars', 'secrets', 'hook'] as const

const FIELDS: Record<string, readonly string[]> = {
  run: ['id', 'number', 'title', 'status', 'mode', 'channel', 'url', 'startedAt', 'playbook', 'owner'],
  trigger: ['source', 'type', 'id', 'correlationKey', 'occurredAt', 'title', 'severity', 'status', 'url', 'actor', 'assignee', 'data', 'raw', 'args'],
  role: ['id', 'username', 'email', 'displayName'],
  step: ['status', 'outputs', 'attempts', 'startedAt', 'finishedAt'],
  hook: ['name', 'key', 'property', 'role', 'stepId', 'from', 'to'],
}

/** Problems of `expr` in `scope`, in source order. */
export function checkExpression(expr: Expr, scope: ExprScope): ExprProblem[] {
  const problems: ExprProblem[] = []
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'literal':
        return
      case 'ident':
        checkReference([{ name: e.name, offset: e.start }], scope, problems)
        return
      case 'member': {
        const chain = memberChain(e)
        if (chain) checkReference(chain.parts, scope, problems)
        else visit(e.object)
        // Computed keys that are not literals are expressions of their own.
        for (let m: Expr = e; m.kind === 'member'; m = m.object) if (m.computed && m.property.kind !== 'literal') visit(m.property)
        return
      }
      case 'call': {
        const fn = Object.hasOwn(FUNCTIONS, e.name) ? FUNCTIONS[e.name] : undefined
        if (!fn) problems.push({ message: `unknown function "${e.name}"`, offset: e.start })
        else if (e.args.length < fn.min || e.args.length > fn.max) problems.push({ message: arityMessage(e.name, fn.min, fn.max, e.args.length), offset: e.start })
        else if (fn.conditionOnly && !scope.condition) problems.push({ message: `${e.name}() is only allowed in if:`, offset: e.start })
        e.args.forEach(visit)
        return
      }
      case 'unary':
        visit(e.operand)
        return
      case 'binary':
        if (e.op === '==' || e.op === '!=') {
          checkEnumComparison(e.left, e.right, scope, problems)
          checkEnumComparison(e.right, e.left, scope, problems)
        }
        visit(e.left)
        visit(e.right)
        return
    }
  }
  visit(expr)
  return problems.sort((a, b) => a.offset - b.offset)
}

/** One name of a dotted reference (`steps`, `page`, `outputs`) and where it starts. */
export type ChainPart = { name: string; offset: number }

export const TRIGGER_SOURCES = ['pagerduty', 'grafana', 'alertmanager', 'github', 'jira', 'command', 'manual', 'schedule', 'keyword', 'webhook', 'event'] as const

/** The values a field can take, when the DSL knows them (`run.status`, `steps.x.status`, a choice). */
function enumeration(names: string[], scope: ExprScope): readonly (string | number)[] | undefined {
  const [root, first, second, third] = names
  if (root === 'run' && first === 'status' && !second) return RUN_STATUSES
  if (root === 'run' && first === 'mode' && !second) return ['live', 'test']
  if (root === 'trigger' && first === 'source' && !second) return TRIGGER_SOURCES
  if (root === 'steps' && second === 'status' && !third) return STEP_STATES
  if ((root === 'inputs' || root === 'props') && first && !second) return scope.choices?.get(`${root}.${first}`)
  return undefined
}

/** `run.status == 'resolvd'` can never hold: report the literal with the values that can. */
function checkEnumComparison(field: Expr, other: Expr, scope: ExprScope, problems: ExprProblem[]): void {
  if (other.kind !== 'literal' || (typeof other.value !== 'string' && typeof other.value !== 'number')) return
  const chain = memberChain(field)
  if (!chain) return
  const names = chain.parts.map((p) => p.name)
  const values = enumeration(names, scope)
  if (!values || values.some((v) => String(v) === String(other.value))) return
  problems.push({ message: `${JSON.stringify(other.value)} is never a value of ${names.join('.')} (${values.join(', ')})`, offset: other.start })
}

/** `a.b['c'].d` → [a, b, c, d] when rooted at a name with literal keys; else undefined. */
function memberChain(e: Expr): { parts: ChainPart[] } | undefined {
  const parts: ChainPart[] = []
  let cur: Expr = e
  while (cur.kind === 'member') {
    // Past a computed key (`steps[x]`) nothing more is known statically.
    if (cur.property.kind !== 'literal') parts.length = 0
    else parts.unshift({ name: String(cur.property.value), offset: cur.property.start })
    cur = cur.object
  }
  if (cur.kind !== 'ident') return undefined
  parts.unshift({ name: cur.name, offset: cur.start })
  return { parts }
}

/** Checks a reference such as `roles.commander.email` against the scope; shared with templates. */
export function checkReference(parts: ChainPart[], scope: ExprScope, problems: ExprProblem[]): void {
  const [root, first, second] = parts
  if (!root) return
  const report = (message: string, at: ChainPart) => problems.push({ message, offset: at.offset })
  if (!(CONTEXT_ROOTS as readonly string[]).includes(root.name)) {
    report(`unknown context "${root.name}" (expected one of ${CONTEXT_ROOTS.join(', ')})`, root)
    return
  }
  if (root.name === 'secrets' && !scope.secrets) {
    report('secrets may only be used in with: of an action, never rendered into text', root)
    return
  }
  if (!first) return
  const known = (set: ReadonlySet<string>, what: string) => {
    if (!set.has(first.name)) report(`unknown ${what} "${first.name}"`, first)
    return set.has(first.name)
  }
  switch (root.name) {
    case 'secrets':
      if (scope.knownSecrets) known(scope.knownSecrets, 'secret')
      return
    case 'inputs':
      known(scope.inputs, 'input')
      return
    case 'props':
      known(scope.props, 'property')
      return
    case 'vars':
      known(scope.vars, 'var')
      return
    case 'roles':
      if (known(scope.roles, 'role') && second && !FIELDS.role!.includes(second.name)) report(`unknown role field "${second.name}" (expected one of ${FIELDS.role!.join(', ')})`, second)
      return
    case 'steps':
      if (known(scope.steps, 'step') && second && !FIELDS.step!.includes(second.name)) report(`unknown step field "${second.name}" (expected one of ${FIELDS.step!.join(', ')})`, second)
      return
    case 'run':
    case 'trigger':
    case 'hook':
      if (!FIELDS[root.name]!.includes(first.name)) report(`unknown ${root.name} field "${first.name}" (expected one of ${FIELDS[root.name]!.join(', ')})`, first)
      return
  }
}

/** The value of an expression that reads no context and calls no function, else undefined. */
export function constantValue(e: Expr): { value: unknown } | undefined {
  const pure = (x: Expr): boolean =>
    x.kind === 'literal' || (x.kind === 'unary' && pure(x.operand)) || (x.kind === 'binary' && pure(x.left) && pure(x.right))
  return pure(e) ? { value: evaluate(e, { values: {} }) } : undefined
}

/** Whether a condition calls failure()/always()/cancelled(), so it may run after a failure. */
export function callsStatusFunction(e: Expr): boolean {
  switch (e.kind) {
    case 'call':
      return ['always', 'failure', 'cancelled'].includes(e.name) || e.args.some(callsStatusFunction)
    case 'unary':
      return callsStatusFunction(e.operand)
    case 'binary':
      return callsStatusFunction(e.left) || callsStatusFunction(e.right)
    case 'member':
      return callsStatusFunction(e.object) || callsStatusFunction(e.property)
    default:
      return false
  }
}
