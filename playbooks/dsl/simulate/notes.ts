/** A dry run goes on past a bad expression or template: the problem becomes a note, not a stop. */
import { ExprError } from '../expr/index.ts'
import { FieldError } from '../field-error.ts'

/** `fn()`, or `fallback` with `field: message` noted when it throws an ExprError or a FieldError. */
export function attempt<T>(fn: () => T, field: string, notes: string[], fallback: T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof FieldError) notes.push(err.message)
    else if (err instanceof ExprError) notes.push(`${field}: ${err.message}`)
    else throw err
    return fallback
  }
}
