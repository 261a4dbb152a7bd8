/** A dry run goes on past a bad expression or template: the problem becomes a note, not a stop. */
import { ExprError } from '../expr/index.ts'
import { TemplateError } from '../template/index.ts'

/** `fn()`, or `fallback` with `field: message` noted when it throws an ExprError or TemplateError. */
export function attempt<T>(fn: () => T, field: string, notes: string[], fallback: T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof TemplateError) notes.push(err.message)
    else if (err instanceof ExprError) notes.push(`${field}: ${err.message}`)
    else throw err
    return fallback
  }
}
