/** Turning raw webhook bytes into a validated object, with messages that name the offending field. */
import type { z } from 'zod'
import { parseJson } from '../core/well-formed.ts'

const decoder = new TextDecoder('utf-8', { fatal: true })

export type Decoded<T> = { ok: true; value: T } | { ok: false; message: string }

/** Decodes UTF-8 JSON; the message says whether the body was empty, not UTF-8 or not JSON. */
export function decodeJson(rawBody: Uint8Array): Decoded<unknown> {
  if (rawBody.length === 0) return { ok: false, message: 'the body is empty' }
  let text: string
  try {
    text = decoder.decode(rawBody)
  } catch {
    return { ok: false, message: 'the body is not UTF-8 text' }
  }
  try {
    return { ok: true, value: parseJson(text) as unknown }
  } catch (err) {
    return { ok: false, message: `the body is not valid JSON (${(err as Error).message})` }
  }
}

/** Validates with a zod schema; the message is the first issue as `alerts[0].status: expected …`. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): Decoded<z.infer<S>> {
  const result = schema.safeParse(value)
  if (result.success) return { ok: true, value: result.data }
  return { ok: false, message: describeIssues(result.error.issues) }
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${formatPath(issue.path) || '(body)'}: ${describeIssue(issue)}`)
  if (issues.length > shown.length) shown.push(`and ${issues.length - shown.length} more`)
  return shown.join('; ')
}

/** zod says "Invalid input: expected string, received undefined" for a missing field; people say "required". */
function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' && issue.message.endsWith('received undefined') ? 'required' : issue.message
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('')
}

/** Epoch ms of an ISO 8601 time, or undefined for a missing, unparseable or Go zero time (`0001-01-01T00:00:00Z`). */
export function isoToMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) || ms < 0 ? undefined : ms
}
