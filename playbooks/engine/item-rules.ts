/**
 * Checklist item rules of the DSL (spec §7.3): `requires` (values that must be given to close an
 * item) and `autoComplete` (a message in the run channel with one of its keywords, by one of the
 * people it names, closes the item). Pure.
 */
import { AppError } from '../../core/errors.ts'
import type { Playbook, Step } from '../dsl/index.ts'
import { dslItem } from './run-view.ts'
import type { ChecklistItemState, RunState } from './state.ts'

const NAMES: Record<string, string> = { text: 'a text', url: 'an http(s) URL', number: 'a number', boolean: 'true or false' }

function valueOf(type: string, raw: unknown): unknown {
  if (type === 'number') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN
    return Number.isFinite(n) ? n : undefined
  }
  if (type === 'boolean') return raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : undefined
  if (typeof raw !== 'string' || raw.trim() === '') return undefined
  if (type === 'url') {
    try {
      return ['http:', 'https:'].includes(new URL(raw).protocol) ? raw : undefined
    } catch {
      return undefined
    }
  }
  return raw
}

/**
 * The values an item needs before it may be closed (its `requires`), checked and typed.
 * @throws AppError 400 naming `values.<name>` for one missing or of the wrong type.
 */
export function requiredValues(playbook: Playbook, item: ChecklistItemState, given: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const field of dslItem(playbook, item)?.requires ?? []) {
    const raw = given[field.name]
    if (raw === undefined || raw === null || raw === '') {
      if (field.required === false) continue
      throw new AppError('api.context.invalid_body_param.app_error', `Invalid values.${field.name}: closing "${item.title}" needs ${field.name} (${NAMES[field.type]}).`, 400, { context: { param: `values.${field.name}` } })
    }
    const value = valueOf(field.type, raw)
    if (value === undefined) throw new AppError('api.context.invalid_body_param.app_error', `Invalid values.${field.name}: expected ${NAMES[field.type]}.`, 400, { context: { param: `values.${field.name}` } })
    values[field.name] = value
  }
  return values
}

/** The lowercase keywords of every `autoComplete` in a playbook: a cheap first filter for posts. */
export function autoCompleteKeywords(playbook: Playbook): string[] {
  const words: string[] = []
  const walk = (steps: readonly Step[] | undefined): void => {
    for (const step of steps ?? []) {
      for (const item of step.checklist?.items ?? []) words.push(...(item.autoComplete?.keywords ?? []).map((k) => k.toLowerCase()))
      walk(step.parallel)
    }
  }
  walk(playbook.steps)
  walk(playbook.finally)
  return words
}

/**
 * The open items a message completes: one of the item's keywords appears in it (case-insensitive),
 * the author is one `by` names (`role:x` holders, `user:`/`@` names) or anyone without `by`, and
 * the item needs no values.
 */
export function itemsCompletedBy(playbook: Playbook, state: RunState, message: string, author: { id: string; username: string }): ChecklistItemState[] {
  const text = message.toLowerCase()
  return state.items.filter((item) => {
    if (item.state !== 'open' || item.hidden) return false
    const spec = dslItem(playbook, item)
    const auto = spec?.autoComplete
    if (!auto || (spec.requires ?? []).some((r) => r.required !== false)) return false
    if (!auto.keywords.some((k) => text.includes(k.toLowerCase()))) return false
    if (!auto.by || auto.by.length === 0) return true
    return auto.by.some((ref) => (ref.startsWith('role:') ? state.roles[ref.slice(5)]?.id === author.id : ref.replace(/^user:|^@/, '') === author.username))
  })
}
