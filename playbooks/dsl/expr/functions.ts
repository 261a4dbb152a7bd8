/** The functions `${{ }}` expressions may call, with their arity; nothing here has side effects. */
import { parseDuration } from '../duration.ts'
import { slugify } from '../slug.ts'
import { ExprError } from './ast.ts'
import { toText } from './values.ts'

/** What a function may see besides its arguments. */
export interface CallContext {
  now: () => Date
  /** State of the run so far, for success()/failure()/cancelled(). */
  status: { failed: boolean; cancelled: boolean }
}

export interface ExprFunction {
  min: number
  max: number
  /** Status functions only make sense in `if:`. */
  conditionOnly?: boolean
  call(args: unknown[], ctx: CallContext, offset: number): unknown
}

/** Strings built by format/join/toJSON stay below this, so one expression cannot fill memory. */
export const MAX_RESULT_LENGTH = 100_000

function bounded(s: string, offset: number): string {
  if (s.length > MAX_RESULT_LENGTH) throw new ExprError(`result is longer than ${MAX_RESULT_LENGTH} characters`, offset)
  return s
}

export const FUNCTIONS: Readonly<Record<string, ExprFunction>> = {
  contains: {
    min: 2, max: 2,
    call: ([search, item]) =>
      Array.isArray(search) ? search.some((x) => x === item) : toText(search).toLowerCase().includes(toText(item).toLowerCase()),
  },
  startsWith: { min: 2, max: 2, call: ([s, p]) => toText(s).toLowerCase().startsWith(toText(p).toLowerCase()) },
  endsWith: { min: 2, max: 2, call: ([s, p]) => toText(s).toLowerCase().endsWith(toText(p).toLowerCase()) },
  format: {
    min: 1, max: 20,
    call: ([fmt, ...args], _ctx, offset) =>
      bounded(
        toText(fmt).replace(/\{\{|\}\}|\{(\d+)\}/g, (m, i: string | undefined) => {
          if (m === '{{') return '{'
          if (m === '}}') return '}'
          const n = Number(i)
          if (n >= args.length) throw new ExprError(`format: no argument {${n}}`, offset)
          return toText(args[n])
        }),
        offset,
      ),
  },
  join: {
    min: 1, max: 2,
    call: ([list, sep], _ctx, offset) => bounded(Array.isArray(list) ? list.map(toText).join(sep === undefined ? ',' : toText(sep)) : toText(list), offset),
  },
  toJSON: { min: 1, max: 1, call: ([v], _ctx, offset) => bounded(JSON.stringify(v ?? null, null, 2), offset) },
  fromJSON: {
    min: 1, max: 1,
    call: ([v], _ctx, offset) => {
      const text = bounded(toText(v), offset)
      try {
        return JSON.parse(text) as unknown
      } catch (err) {
        throw new ExprError(`fromJSON: ${(err as Error).message}`, offset)
      }
    },
  },
  slug: { min: 1, max: 1, call: ([v]) => slugify(toText(v)) },
  lower: { min: 1, max: 1, call: ([v]) => toText(v).toLowerCase() },
  upper: { min: 1, max: 1, call: ([v]) => toText(v).toUpperCase() },
  default: { min: 2, max: 2, call: ([v, fallback]) => (v === null || v === undefined || v === '' ? fallback : v) },
  duration: {
    min: 1, max: 1,
    call: ([v], _ctx, offset) => {
      const ms = parseDuration(toText(v))
      if (ms === undefined) throw new ExprError(`duration: "${toText(v)}" is not a duration (30s, 15m, 2h, 1d)`, offset)
      return ms
    },
  },
  now: { min: 0, max: 0, call: (_args, ctx) => ctx.now().toISOString() },
  success: { min: 0, max: 0, conditionOnly: true, call: (_a, ctx) => !ctx.status.failed && !ctx.status.cancelled },
  failure: { min: 0, max: 0, conditionOnly: true, call: (_a, ctx) => ctx.status.failed },
  cancelled: { min: 0, max: 0, conditionOnly: true, call: (_a, ctx) => ctx.status.cancelled },
  always: { min: 0, max: 0, conditionOnly: true, call: () => true },
}
