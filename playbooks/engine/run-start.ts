/**
 * What a run starts with, pure: its inputs (given, else their defaults) and its properties' defaults.
 * `playbook simulate` and `playbook test` build their initial RunState with these; service.ts's
 * `start` has the same rules in its own closure and can call these instead.
 */
import type { Playbook } from '../dsl/index.ts'
import { evaluateInterpolated, parseInterpolated } from '../dsl/index.ts'
import { AppError } from '../../core/errors.ts'
import type { IntegrationEventLike } from './trigger.ts'

/**
 * The run's inputs: those given, else their defaults (evaluated over `trigger` and `vars`); a
 * command's `args` count only for runs a command starts.
 * @throws AppError 400 when a required input is missing or a value has the wrong type.
 */
export function inputValues(playbook: Playbook, trigger: IntegrationEventLike, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const declared = { ...(playbook.inputs ?? {}), ...(trigger.source === 'command' ? playbook.on.command?.args ?? {} : {}) }
  for (const [name, spec] of Object.entries(declared)) {
    let value = given[name]
    if ((value === undefined || value === '') && spec.default !== undefined) {
      value = typeof spec.default === 'string' ? evaluateInterpolated(parseInterpolated(spec.default), { values: { trigger, vars: playbook.vars ?? {} } }) : spec.default
    }
    if ((value === undefined || value === '') && spec.required) throw new AppError('app.playbook_run.input_required.app_error', `The playbook needs "${name}"${spec.description ? ` (${spec.description})` : ''}.`, 400, { context: { input: name } })
    if (spec.type === 'number' && typeof value === 'string' && value !== '') {
      const n = Number(value)
      if (!Number.isFinite(n)) throw new AppError('app.playbook_run.input_invalid.app_error', `"${name}" must be a number, got "${value}".`, 400)
      value = n
    }
    if (spec.type === 'choice' && value !== undefined && spec.options && !spec.options.map(String).includes(String(value))) {
      throw new AppError('app.playbook_run.input_invalid.app_error', `"${name}" must be one of ${spec.options.join(', ')}, got "${String(value)}".`, 400)
    }
    out[name] = value ?? null
  }
  for (const [name, value] of Object.entries(given)) if (!(name in out)) out[name] = value
  return out
}

/** Each property's default, evaluated over `values` (trigger, inputs, vars, run); null without one. */
export function propertyDefaults(playbook: Playbook, values: Record<string, unknown>): Record<string, unknown> {
  const props: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(playbook.properties ?? {})) {
    props[name] = typeof spec.default === 'string' ? evaluateInterpolated(parseInterpolated(spec.default), { values }) : spec.default ?? null
  }
  return props
}
