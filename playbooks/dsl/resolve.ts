/**
 * Resolves a step's inputs at run time: every string with `${{ }}` is evaluated, nested lists and
 * maps are walked, and `{template: path}` renders that Handlebars file. What the engine calls
 * before an action, with the step's field path so an error names where it is.
 */
import { evaluateInterpolated, ExprError, hasExpression, parseInterpolated, type EvalContext } from './expr/index.ts'
import { FieldError } from './field-error.ts'
import { renderTemplate } from './template/index.ts'

export interface ResolveOptions extends EvalContext {
  /** Text of a template file named by `{template: path}`; undefined when there is none. */
  readTemplate?: (path: string) => string | undefined
}

/** Deepest nesting walked; `with:` values are configuration, not data structures. */
const MAX_DEPTH = 32

/**
 * @throws FieldError naming the field (`steps[3].with.labels[1]: unknown function "lowr"`), for an
 * expression error, a template error, or a template file that cannot be read.
 */
export function resolveValue(value: unknown, field: string, options: ResolveOptions, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new FieldError(field, `nested deeper than ${MAX_DEPTH} levels`)
  if (typeof value === 'string') {
    if (!hasExpression(value)) return value
    try {
      return evaluateInterpolated(parseInterpolated(value), options)
    } catch (err) {
      if (err instanceof ExprError) throw new FieldError(field, `${err.message} (character ${err.offset + 1})`)
      throw err
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveValue(v, `${field}[${i}]`, options, depth + 1))
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  if (entries.length === 1 && entries[0]![0] === 'template' && typeof entries[0]![1] === 'string') {
    const path = entries[0]![1]
    const text = options.readTemplate?.(path)
    if (text === undefined) throw new FieldError(field, `template file "${path}" not found`)
    return renderTemplate(text, { ...options.values }, `${field} (${path})`)
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveValue(v, `${field}.${k}`, options, depth + 1)]))
}
