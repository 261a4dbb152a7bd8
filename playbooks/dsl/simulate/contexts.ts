/**
 * The contexts a run starts with (trigger, inputs, props, run, roles, vars), built from an event
 * the way the engine will: inputs and properties from their defaults, roles from `from:` then
 * `fallback:`. Notes say what could not be decided without people.
 */
import type { Input, Playbook } from '../../schema/playbook.ts'
import { evaluateInterpolated, hasExpression, parseCondition, parseInterpolated, evaluateCondition, ExprError, toText } from '../expr/index.ts'
import { formatPath, type Path } from '../path.ts'
import { attempt } from './notes.ts'

/** What starts a simulated run: a normalised event (`source`, `type`, `data`, …) and command args. */
export interface SimulatedEvent {
  source: string
  type?: string
  id?: string
  title?: string
  severity?: string
  status?: string
  url?: string
  actor?: string
  assignee?: string
  correlationKey?: string
  data?: unknown
  /** Command arguments or manual-run inputs. */
  inputs?: Record<string, unknown>
}

export interface RoleHolder {
  /** `user:alice`, `group:qa`, `oncall:sre` or a username; undefined when nobody is known yet. */
  holder?: string
  how: 'from' | 'fallback' | 'ask' | 'unassigned'
}

export interface RunContexts {
  values: Record<string, unknown>
  roles: Record<string, RoleHolder>
  notes: string[]
  /** Why the playbook would not start for this event, if it would not. */
  notStarted?: string
}

const SOURCES_WITH_EVENTS = new Set(['pagerduty', 'github', 'jira'])

/** The `trigger` context of an event that happened at `at`. */
export function triggerContext(event: SimulatedEvent, at: Date): Record<string, unknown> {
  return {
    source: event.source, type: event.type ?? null, id: event.id ?? null, correlationKey: event.correlationKey ?? null,
    occurredAt: at.toISOString(), title: event.title ?? null, severity: event.severity ?? null, status: event.status ?? null,
    url: event.url ?? null, actor: event.actor ?? null, assignee: event.assignee ?? null, data: event.data ?? null, raw: event.data ?? null,
    args: event.inputs ?? null,
  }
}

export function buildContexts(playbook: Playbook, event: SimulatedEvent, at: Date): RunContexts {
  const notes: string[] = []
  const trigger = triggerContext(event, at)
  // Templates also see timeline and metrics; a dry run has neither yet.
  const values: Record<string, unknown> = {
    trigger, vars: playbook.vars ?? {}, inputs: {}, props: {}, steps: {}, roles: {}, secrets: {}, run: {}, timeline: [],
    metrics: Object.fromEntries([...['time_to_acknowledge', 'time_to_mitigate', 'time_to_resolve'], ...(playbook.metrics ?? []).map((m) => m.id)].map((k) => [k, null])),
  }
  const evaluate = (v: unknown, path: Path): unknown =>
    typeof v !== 'string' || !hasExpression(v) ? v : attempt(() => evaluateInterpolated(parseInterpolated(v), { values, now: () => at }), formatPath(path), notes, null)

  const notStarted = whyNotStarted(playbook, event, values, at)

  const inputs: Record<string, unknown> = {}
  values.inputs = inputs
  const defs: [string, Input, Path][] = [
    ...Object.entries(playbook.inputs ?? {}).map(([k, d]) => [k, d, ['inputs', k]] as [string, Input, Path]),
    // Command arguments are asked only when the command starts the run.
    ...(event.source === 'command' ? Object.entries(playbook.on.command?.args ?? {}) : []).map(([k, d]) => [k, d, ['on', 'command', 'args', k]] as [string, Input, Path]),
  ]
  for (const [name, def, path] of defs) {
    if (event.inputs && Object.hasOwn(event.inputs, name)) inputs[name] = event.inputs[name]
    else if (!Object.hasOwn(inputs, name) || inputs[name] === null) inputs[name] = def.default === undefined ? null : evaluate(def.default, [...path, 'default'])
    if ((inputs[name] === null || inputs[name] === '') && def.required) notes.push(`input "${name}" is required and missing: a form would ask for it`)
  }
  const props: Record<string, unknown> = {}
  values.props = props
  for (const [name, def] of Object.entries(playbook.properties ?? {})) props[name] = def.default === undefined ? null : evaluate(def.default, ['properties', name, 'default'])

  const title = toText(inputs.title ?? event.title ?? playbook.metadata.title ?? playbook.metadata.name) || playbook.metadata.name
  values.run = {
    id: 'simulated-run', number: 1, title, status: 'active', mode: 'test', channel: null, url: null, startedAt: at.toISOString(),
    playbook: { name: playbook.metadata.name, version: playbook.metadata.version }, owner: event.actor ?? null,
  }

  const roles: Record<string, RoleHolder> = {}
  const roleValues: Record<string, unknown> = {}
  for (const [name, role] of Object.entries(playbook.roles ?? {})) {
    const from = role.from === undefined ? undefined : toText(evaluate(role.from, ['roles', name, 'from']))
    const holder: RoleHolder = from ? { holder: from, how: 'from' } : role.fallback ? { holder: role.fallback, how: 'fallback' } : role.ask ? { how: 'ask' } : { how: 'unassigned' }
    roles[name] = holder
    const username = holder.holder?.replace(/^user:/, '')
    roleValues[name] = holder.holder ? { id: null, username, email: null, displayName: username } : null
  }
  values.roles = roleValues
  return { values, roles, notes, notStarted }
}

function whyNotStarted(playbook: Playbook, event: SimulatedEvent, values: Record<string, unknown>, at: Date): string | undefined {
  const trigger = (playbook.on as Record<string, { events?: string[]; status?: string; if?: string | boolean } | undefined>)[event.source]
  if (!trigger) return `no trigger for source "${event.source}" (on: ${Object.keys(playbook.on).join(', ')})`
  if (SOURCES_WITH_EVENTS.has(event.source) && trigger.events && event.type && !trigger.events.includes(event.type)) {
    return `on.${event.source}.events does not list "${event.type}"`
  }
  if (trigger.status && event.status && trigger.status !== event.status) return `on.${event.source}.status is ${trigger.status}, the event is ${event.status}`
  if (trigger.if !== undefined) {
    try {
      if (!evaluateCondition(parseCondition(trigger.if), { values, now: () => at })) return `on.${event.source}.if is false`
    } catch (err) {
      if (err instanceof ExprError) return `on.${event.source}.if: ${err.message}`
      throw err
    }
  }
  return undefined
}
