/**
 * Fields that carry `${{ }}`: a field that is exactly one `${{ expr }}` takes the expression's
 * value (a number stays a number); otherwise each `${{ }}` is replaced by its value as text.
 * Conditions (`if:`, `until:`) are one expression, with or without the `${{ }}` around it.
 */
import { ExprError, type Expr } from './ast.ts'
import { evaluate, type EvalContext } from './evaluate.ts'
import { parseExpression } from './parser.ts'
import { isTruthy, toText } from './values.ts'

export interface Embedded {
  expr: Expr
  /** Offsets of the expression text (inside `${{ }}`) within the field. */
  start: number
  end: number
}

export type Interpolated = { parts: (string | Embedded)[] }

const OPEN = '${{'

/** Whether a string has any `${{`. */
export function hasExpression(text: string): boolean {
  return text.includes(OPEN)
}

// Runs evaluate the same few fields of a playbook again and again (every run of a burst): each text is
// parsed once. Parsed trees are never mutated, so sharing them is safe; failures are not kept.
const PARSED_MAX = 5_000
const parsedFields = new Map<string, Interpolated>()
const parsedConditions = new Map<string | boolean, Embedded>()

function remember<K, V>(cache: Map<K, V>, key: K, parse: (key: K) => V): V {
  let value = cache.get(key)
  if (value === undefined) {
    value = parse(key)
    if (cache.size >= PARSED_MAX) cache.clear()
    cache.set(key, value)
  }
  return value
}

/**
 * Splits a field into text and parsed expressions.
 * @throws ExprError with an offset counted from the start of the field.
 */
export function parseInterpolated(text: string): Interpolated {
  return remember(parsedFields, text, splitField)
}

function splitField(text: string): Interpolated {
  const parts: (string | Embedded)[] = []
  let i = 0
  while (i < text.length) {
    const open = text.indexOf(OPEN, i)
    if (open < 0) {
      parts.push(text.slice(i))
      break
    }
    if (open > i) parts.push(text.slice(i, open))
    const start = open + OPEN.length
    const close = findClose(text, start)
    if (close < 0) throw new ExprError('"${{" without a closing "}}"', open)
    const src = text.slice(start, close)
    if (src.trim() === '') throw new ExprError('empty ${{ }}', open)
    parts.push({ expr: shift(src, start), start, end: close })
    i = close + 2
  }
  return { parts }
}

/** The first `}}` after `from` that is not inside a '…' string. */
function findClose(text: string, from: number): number {
  let quoted = false
  for (let i = from; i < text.length; i++) {
    if (text[i] === "'") quoted = !quoted
    else if (!quoted && text.startsWith('}}', i)) return i
  }
  return -1
}

function shift(src: string, by: number): Expr {
  try {
    return parseExpression(src)
  } catch (err) {
    if (err instanceof ExprError) throw new ExprError(err.message, err.offset + by)
    throw err
  }
}

/**
 * Parses a condition: a boolean, a bare expression, or one whole `${{ expr }}`.
 * @throws ExprError with an offset counted from the start of the field.
 */
export function parseCondition(value: string | boolean): Embedded {
  return remember(parsedConditions, value, conditionOf)
}

function conditionOf(value: string | boolean): Embedded {
  if (typeof value === 'boolean') return { expr: { kind: 'literal', value, start: 0, end: 0 }, start: 0, end: 0 }
  if (!hasExpression(value)) return { expr: shift(value, 0), start: 0, end: value.length }
  const { parts } = parseInterpolated(value)
  const exprs = parts.filter((p): p is Embedded => typeof p !== 'string')
  const text = parts.filter((p): p is string => typeof p === 'string')
  if (exprs.length !== 1 || text.some((t) => t.trim() !== '')) {
    throw new ExprError('a condition is one expression: write it without ${{ }} or put all of it inside one ${{ }}', 0)
  }
  return exprs[0]!
}

/** The field's value: the expression's own value when the field is one `${{ }}`, else text. */
export function evaluateInterpolated(field: Interpolated, ctx: EvalContext): unknown {
  const [only] = field.parts
  if (field.parts.length === 1 && only !== undefined && typeof only !== 'string') return evaluateAt(only, ctx)
  return field.parts.map((p) => (typeof p === 'string' ? p : toText(evaluateAt(p, ctx)))).join('')
}

/** Whether a parsed condition holds. */
export function evaluateCondition(cond: Embedded, ctx: EvalContext): boolean {
  return isTruthy(evaluateAt(cond, ctx))
}

/** Evaluates one embedded expression; error offsets count from the start of the field. */
function evaluateAt(e: Embedded, ctx: EvalContext): unknown {
  try {
    return evaluate(e.expr, ctx)
  } catch (err) {
    if (err instanceof ExprError) throw new ExprError(err.message, err.offset + e.start)
    throw err
  }
}
