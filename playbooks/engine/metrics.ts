/**
 * Run metrics (spec §13): the playbook's own (`metrics: [{id, type, target, description}]`) and
 * the built-in times computed from the run's marks. Pure: the API, the commands and the
 * retrospective read and change them through here.
 */
import { AppError } from '../../core/errors.ts'
import { formatDuration, parseDuration, type Playbook } from '../dsl/index.ts'
import type { RunState } from './state.ts'

/** The built-in times and the mark each one ends at (they start at `detected`). */
export const BUILT_IN_METRICS = { time_to_acknowledge: 'acknowledged', time_to_mitigate: 'mitigated', time_to_resolve: 'resolved' } as const
type BuiltIn = keyof typeof BUILT_IN_METRICS
const isBuiltIn = (id: string): id is BuiltIn => Object.hasOwn(BUILT_IN_METRICS, id)

type MetricConfig = NonNullable<Playbook['metrics']>[number]

export function builtInTimes(state: RunState): Record<BuiltIn, number | null> {
  const { detected } = state.marks
  const since = (at: number) => (at > 0 && detected > 0 ? at - detected : null)
  return { time_to_acknowledge: since(state.marks.acknowledged), time_to_mitigate: since(state.marks.mitigated), time_to_resolve: since(state.marks.resolved) }
}

/** A duration target or value in ms (`5m` or a number of ms), a currency or integer as a number. */
function numberOf(type: MetricConfig['type'], raw: unknown): number | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw)) return type === 'currency' ? raw : Number.isInteger(raw) && raw >= 0 ? raw : undefined
  if (typeof raw !== 'string' || raw.trim() === '') return undefined
  if (type === 'duration') return parseDuration(raw) ?? (/^\d+$/.test(raw.trim()) ? Number(raw) : undefined)
  const n = Number(raw)
  if (!Number.isFinite(n)) return undefined
  return type === 'currency' ? n : Number.isInteger(n) && n >= 0 ? n : undefined
}

const invalid = (field: string, reason: string) => new AppError('api.context.invalid_body_param.app_error', `Invalid ${field}: ${reason}.`, 400, { context: { param: field } })

const EXPECTED: Record<MetricConfig['type'], string> = {
  duration: 'expected a duration such as 45m or 1h30m, or milliseconds',
  currency: 'expected an amount such as 1200.50',
  integer: 'expected a whole number, 0 or more',
}

export interface MetricChange {
  id: string
  value: number | null
}

/**
 * Checks metric values as a person or client gives them (`field` names where, for the 400).
 * Built-in times are durations. `null` clears a value.
 * @throws AppError 400 naming the field for an unknown metric or a value of the wrong type.
 */
export function parseMetricValues(playbook: Playbook, entries: { id: string; value: unknown }[], field: string): MetricChange[] {
  const configs = new Map((playbook.metrics ?? []).map((m) => [m.id, m]))
  return entries.map(({ id, value }) => {
    const type = isBuiltIn(id) ? 'duration' : configs.get(id)?.type
    if (!type) {
      const known = [...Object.keys(BUILT_IN_METRICS), ...configs.keys()].join(', ')
      throw invalid(`${field}.${id}`, `this playbook has no metric "${id}" (it has ${known})`)
    }
    if (value === null || value === '') return { id, value: null }
    const n = numberOf(type, value)
    if (n === undefined) throw invalid(`${field}.${id}`, EXPECTED[type])
    return { id, value: n }
  })
}

/**
 * Applies checked values: a custom metric is stored; a built-in time moves its mark (so the
 * templates, the API and the `metrics` context agree). Returns the timeline summaries.
 */
export function applyMetricValues(playbook: Playbook, state: RunState, changes: MetricChange[]): string[] {
  const durations = new Set((playbook.metrics ?? []).filter((m) => m.type === 'duration').map((m) => m.id))
  const lines: string[] = []
  for (const { id, value } of changes) {
    if (isBuiltIn(id)) {
      const mark = BUILT_IN_METRICS[id]
      state.marks[mark] = value === null ? 0 : state.marks.detected + value
    } else if (value === null) delete state.metrics[id]
    else state.metrics[id] = value
    lines.push(`${id} set to ${value === null ? '(none)' : isBuiltIn(id) || durations.has(id) ? formatDuration(value) : String(value)}`)
  }
  return lines
}

/** The metrics as the API shows them: Mattermost's `metrics_data`, the definitions with targets, and the built-in times. */
export function presentMetrics(playbook: Playbook, state: RunState): Record<string, unknown> {
  const configs = playbook.metrics ?? []
  return {
    metrics_data: configs.map((m) => ({ metric_config_id: m.id, value: typeof state.metrics[m.id] === 'number' ? state.metrics[m.id] : null })),
    metric_configs: configs.map((m) => ({ id: m.id, type: m.type, description: m.description ?? '', target: m.target === undefined ? null : numberOf(m.type, m.target) ?? null })),
    built_in_metrics: builtInTimes(state),
  }
}
