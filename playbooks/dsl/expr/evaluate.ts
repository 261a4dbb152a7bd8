/** Evaluates a parsed expression over plain data; no JavaScript is ever run from the text. */
import { ExprError, type Expr } from './ast.ts'
import { FUNCTIONS, type CallContext } from './functions.ts'
import { isTruthy, lessThan, looseEquals } from './values.ts'

export interface EvalContext extends Partial<CallContext> {
  /** The contexts by name: trigger, inputs, run, props, roles, steps, vars, secrets. */
  values: Readonly<Record<string, unknown>>
}

const NO_STATUS = { failed: false, cancelled: false }

/** @throws ExprError for an unknown name or function, a bad call, or a result over the limits. */
export function evaluate(expr: Expr, ctx: EvalContext): unknown {
  const call: CallContext = { now: ctx.now ?? (() => new Date()), status: ctx.status ?? NO_STATUS }
  const run = (e: Expr): unknown => {
    switch (e.kind) {
      case 'literal':
        return e.value
      case 'ident':
        if (!Object.hasOwn(ctx.values, e.name)) throw new ExprError(`unknown context "${e.name}"`, e.start)
        return ctx.values[e.name] ?? null
      case 'member': {
        const object = run(e.object)
        const key = run(e.property)
        return property(object, key)
      }
      case 'call': {
        const fn = Object.hasOwn(FUNCTIONS, e.name) ? FUNCTIONS[e.name] : undefined
        if (!fn) throw new ExprError(`unknown function "${e.name}"`, e.start)
        if (e.args.length < fn.min || e.args.length > fn.max) throw new ExprError(arityMessage(e.name, fn.min, fn.max, e.args.length), e.start)
        return fn.call(e.args.map(run), call, e.start)
      }
      case 'unary':
        return !isTruthy(run(e.operand))
      case 'binary':
        switch (e.op) {
          case '&&': {
            const left = run(e.left)
            return isTruthy(left) ? run(e.right) : left
          }
          case '||': {
            const left = run(e.left)
            return isTruthy(left) ? left : run(e.right)
          }
          case '==':
            return looseEquals(run(e.left), run(e.right))
          case '!=':
            return !looseEquals(run(e.left), run(e.right))
          case '<':
            return lessThan(run(e.left), run(e.right))
          case '>':
            return lessThan(run(e.right), run(e.left))
          case '<=': {
            const [l, r] = [run(e.left), run(e.right)]
            return lessThan(l, r) || looseEquals(l, r)
          }
          case '>=': {
            const [l, r] = [run(e.left), run(e.right)]
            return lessThan(r, l) || looseEquals(l, r)
          }
        }
    }
  }
  return run(expr)
}

/** Own data properties only: `constructor`, `__proto__` and friends read as null. */
function property(object: unknown, key: unknown): unknown {
  if (object === null || typeof object !== 'object') return null
  if (Array.isArray(object)) {
    if (typeof key === 'number') return object[key] ?? null
    if (key === 'length') return object.length
    return null
  }
  const name = typeof key === 'string' ? key : typeof key === 'number' ? String(key) : undefined
  if (name === undefined || !Object.hasOwn(object, name)) return null
  return (object as Record<string, unknown>)[name] ?? null
}

export function arityMessage(name: string, min: number, max: number, got: number): string {
  const want = min === max ? `${min}` : max >= 20 ? `at least ${min}` : `${min} to ${max}`
  return `${name}() takes ${want} argument${want === '1' ? '' : 's'}, got ${got}`
}
