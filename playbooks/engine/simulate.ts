/**
 * `playbook simulate`: what a run would do for an event, as data and as text, without side
 * effects. The run starts as service.ts's `start` starts it (inputs, properties, roles, channel)
 * and goes on in the dry run (dry-run.ts), where the engine's planner takes every decision.
 * `group:`, `team:` and `oncall:` references (which the server resolves from its groups, teams and
 * PagerDuty schedules, people.ts) find people only in a people file (`script.people`,
 * dry-run-people.ts); without one they find nobody, and each one met is noted. Users are named
 * by their username.
 */
import type { PlaybookPlan } from '../dsl/index.ts'
import { evaluateCondition, evaluateInterpolated, ExprError, FieldError, parseCondition, parseDuration, parseInterpolated, renderTemplate, slugify, toText } from '../dsl/index.ts'
import { AppError } from '../../core/errors.ts'
import { evalContext, runValues, type RunContextOptions } from './context.ts'
import { dryRun, type DryRunScript, type PlannedCall, type PlannedMessage, type TimelineEntry } from './dry-run.ts'
import { dryRunPeople, simulatedUser, type DryRunPeople, type PeopleMap } from './dry-run-people.ts'
import { isMultiRef } from './people.ts'
import { graphOf } from './plan.ts'
import { inputValues, propertyDefaults } from './run-start.ts'
import type { RoleHolder, RunState, StepStatus } from './state.ts'
import type { IntegrationEventLike } from './trigger.ts'

/** What starts a simulated run: a normalised event (`source`, `type`, `data`, …) and command args. */
export interface SimulatedEvent {
  source: string
  type?: string
  id?: string
  title?: string
  severity?: string
  status?: string
  url?: string
  /** `user:alice` or a username. */
  actor?: string
  assignee?: string
  correlationKey?: string
  data?: unknown
  /** Command arguments or manual-run inputs. */
  inputs?: Record<string, unknown>
}

/** People, the clock and later events (normalised, at milliseconds after the start). */
export interface Script extends Omit<DryRunScript, 'events'> {
  events?: { atMs: number; event: SimulatedEvent }[]
  /** Who `group:`, `team:` and `oncall:` references name (a people file); without it they find nobody, with a note. */
  people?: PeopleMap
  /** How a note tells the user to give people (default: `pass --people to simulate it`). */
  peopleHint?: string
}

export interface SimulatedRole {
  /** `user:alice` once somebody holds it. */
  holder?: string
  how: 'from' | 'fallback' | 'starter' | 'unassigned'
}

export interface StepOutcome {
  id: string
  kind: string
  depth: number
  state: StepStatus
  /** Why it is in that state, and what it did. */
  detail: string[]
}

export interface Timer {
  at: Date
  what: string
}

export interface ChecklistLine {
  step: string
  title: string
  visible: boolean
  state: 'open' | 'closed' | 'skipped'
  assignee?: string
  due?: Date
}

export interface Simulation {
  playbook: { name: string; version: number; title: string }
  at: Date
  event: SimulatedEvent
  notStarted?: string
  inputs?: Record<string, unknown>
  properties?: Record<string, unknown>
  roles?: Record<string, SimulatedRole>
  channel?: { mode: string; name: string; private: boolean; header?: string; members: string[]; broadcast: string[] }
  steps?: StepOutcome[]
  finally?: StepOutcome[]
  /** The steps of each hook firing, in the order they fired. */
  hooks?: StepOutcome[]
  /** Whether `finally` ran: once every main step is over. */
  finallyRan?: boolean
  checklist?: ChecklistLine[]
  timers?: Timer[]
  calls?: PlannedCall[]
  messages?: PlannedMessage[]
  timeline?: TimelineEntry[]
  runStatus?: string
  runFailed?: boolean
  notes: string[]
}

/** The playbook's template files, as a run pins them when it starts. */
export interface SimulationFiles {
  /** Text of a template file the playbook names; without it, texts show `(template path)`. */
  readTemplate?: (path: string) => string | undefined
}

const RUN_ID = 'simulated-run'
const TEAM_ID = 'simulated-team'

/** A person named by an event (`user:alice`, `@alice`, `alice`) as the engine's trigger has one. */
function person(ref: string | undefined): IntegrationEventLike['actor'] {
  if (!ref) return undefined
  const username = ref.replace(/^user:/, '').replace(/^@/, '')
  return { id: username, username, name: username }
}

/** The engine's `trigger` for a simulated event that happened at `at`. */
export function triggerOf(event: SimulatedEvent, at: number): IntegrationEventLike {
  return {
    source: event.source, type: event.type ?? (event.source === 'command' ? 'command' : ''), id: event.id ?? '', correlationKey: event.correlationKey ?? '', occurredAt: at,
    title: event.title ?? '', severity: event.severity, status: event.status, url: event.url, actor: person(event.actor), assignee: person(event.assignee),
    data: event.data ?? (event.source === 'command' ? event.inputs ?? {} : null), raw: event.data,
  }
}

/** `fn()`, or `fallback` with `field: message` noted when a playbook expression or template fails. */
function attempt<T>(fn: () => T, field: string, notes: string[], fallback: T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof FieldError) notes.push(err.message)
    else if (err instanceof ExprError) notes.push(`${field}: ${err.message}`)
    else throw err
    return fallback
  }
}

const SOURCES_WITH_EVENTS = new Set(['pagerduty', 'github', 'jira'])

function whyNotStarted(plan: PlaybookPlan, event: SimulatedEvent, trigger: IntegrationEventLike): string | undefined {
  const on = plan.playbook.on
  const rule = (on as Record<string, { events?: string[]; status?: string; if?: string | boolean } | undefined>)[event.source]
  if (!rule) return `no trigger for source "${event.source}" (on: ${Object.keys(on).join(', ')})`
  if (SOURCES_WITH_EVENTS.has(event.source) && rule.events && event.type && !rule.events.includes(event.type)) return `on.${event.source}.events does not list "${event.type}"`
  if (rule.status && event.status && rule.status !== event.status) return `on.${event.source}.status is ${rule.status}, the event is ${event.status}`
  if (rule.if !== undefined) {
    try {
      if (!evaluateCondition(parseCondition(rule.if), { values: { trigger } })) return `on.${event.source}.if is false`
    } catch (err) {
      if (err instanceof ExprError) return `on.${event.source}.if: ${err.message}`
      throw err
    }
  }
  return undefined
}

/** Role holders as service.ts's `roleHolders` picks them: `from`, else `fallback`; the first role falls back to the starter. */
function roleHolders(plan: PlaybookPlan, trigger: IntegrationEventLike, inputs: Record<string, unknown>, starter: RoleHolder, people: DryRunPeople, notes: string[]) {
  const roles: Record<string, RoleHolder | null> = {}
  const shown: Record<string, SimulatedRole> = {}
  for (const [name, role] of Object.entries(plan.playbook.roles ?? {})) {
    roles[name] = null
    shown[name] = { how: 'unassigned' }
    for (const [how, ref] of [['from', role.from], ['fallback', role.fallback]] as const) {
      if (roles[name] || ref === undefined) continue
      const value = attempt(() => evaluateInterpolated(parseInterpolated(ref), { values: { trigger, inputs, vars: plan.playbook.vars ?? {} } }), `roles.${name}.${how}`, notes, null)
      roles[name] = people.one(value, TEAM_ID, `roles.${name}.${how}`)
      if (roles[name]) shown[name] = { holder: `user:${roles[name]!.username}`, how }
    }
  }
  const first = Object.keys(roles)[0]
  if (first && !roles[first]) {
    roles[first] = starter
    shown[first] = { holder: `user:${starter.username}`, how: 'starter' }
  }
  return { roles, shown }
}

/**
 * Simulates a run of `plan` for `event` at `at`, on the engine's planner, until nothing is left to
 * do before the script's clock. Pure: no I/O, no wall clock.
 */
export function simulateRun(plan: PlaybookPlan, event: SimulatedEvent, at: Date, script: Script = {}, files: SimulationFiles = {}): Simulation {
  const playbook = plan.playbook
  const start = at.getTime()
  const notes: string[] = []
  const base: Simulation = { playbook: { name: plan.name, version: plan.version, title: plan.title }, at, event, notes }
  const trigger = triggerOf(event, start)
  const notStarted = whyNotStarted(plan, event, trigger)
  if (notStarted) return { ...base, notStarted }

  let inputs: Record<string, unknown>
  try {
    inputs = inputValues(playbook, trigger, { ...(event.inputs ?? {}) })
  } catch (err) {
    if (err instanceof ExprError || err instanceof AppError) return { ...base, notStarted: err.message }
    throw err
  }
  const starter = simulatedUser(event.actor ?? '') ?? { id: 'simulated-starter', username: 'simulated-starter', email: '', displayName: 'whoever starts the run' }
  const people = dryRunPeople(script.people, { ...(script.peopleHint ? { hint: script.peopleHint } : {}), note: (text) => notes.push(text) })
  const { roles, shown } = roleHolders(plan, trigger, inputs, starter, people, notes)
  const title = toText(inputs.title ?? trigger.title ?? playbook.metadata.title ?? playbook.metadata.name).slice(0, 512) || playbook.metadata.name
  const vars = { ...(playbook.vars ?? {}) }
  const state: RunState = {
    id: RUN_ID, number: 1, title, status: 'active', teamId: TEAM_ID, channelId: '', ownerId: starter.id, channelPhase: 'ready',
    trigger, inputs, props: {}, vars, roles, steps: {}, items: [], votes: {}, metrics: {},
    marks: { detected: start, acknowledged: 0, mitigated: 0, resolved: 0, finished: 0 }, phase: 'main', failed: false, startedAt: start, seq: 0,
  }
  state.props = attempt(() => propertyDefaults(playbook, { trigger, inputs, vars, run: { id: RUN_ID, number: 1, title } }), 'properties', notes, {})
  const context: Omit<RunContextOptions, 'now'> = { playbook: { name: playbook.metadata.name, version: playbook.metadata.version }, siteUrl: '', teamName: '' }

  const ch = playbook.channel
  let channel: Simulation['channel']
  if (ch) {
    const display = attempt(() => toText(evaluateInterpolated(parseInterpolated(ch.name), evalContext(state, { ...context, now: start }))), 'channel.name', notes, ch.name)
    const name = ch.mode === 'existing' ? display.replace(/^#/, '') : slugify(display).slice(0, 64) || `run-${state.number}`
    // The simulated run channel's id is its name, so `run.channel` reads well in the output.
    state.channelId = name
    const headerText = typeof ch.header === 'string' ? ch.header : ch.header ? files.readTemplate?.(ch.header.template) : undefined
    const header = headerText !== undefined ? attempt(() => renderTemplate(headerText, runValues(state, { ...context, now: start }), 'channel.header'), 'channel.header', notes, headerText) : ch.header && typeof ch.header !== 'string' ? `(template ${ch.header.template})` : undefined
    const members = (ch.invite ?? []).flatMap((ref, i) => {
      const role = /^role:(.+)$/.exec(ref)?.[1]
      if (role) {
        const holder = roles[role]
        return [holder ? `user:${holder.username} (${role})` : `nobody yet (${role})`]
      }
      // As the server invites a group's, team's or on-call schedule's people, one by one.
      if (people.known && isMultiRef(ref)) return people.many(state, ref, `channel.invite[${i}]`).map((u) => `user:${u.username} (${ref})`)
      people.many(state, ref, `channel.invite[${i}]`)
      return [ref]
    })
    channel = { mode: ch.mode ?? 'create', name, private: ch.private ?? false, header, members, broadcast: ch.broadcast ?? [] }
  }

  const run = dryRun(playbook, state, {
    context, channelName: channel?.name ?? '', people, ...(files.readTemplate ? { readTemplate: files.readTemplate } : {}),
    script: { ...script, events: (script.events ?? []).map((e) => ({ atMs: e.atMs, event: triggerOf(e.event, start + e.atMs) })) },
  })
  notes.push(...run.notes)

  const graph = graphOf(playbook, state)
  const outcome = (id: string): StepOutcome => {
    const node = graph.nodes.get(id)!
    let depth = 0
    for (let p = node.parent; p; p = graph.nodes.get(p)!.parent) depth++
    const s = state.steps[id]
    return { id, kind: node.kind === 'uses' ? `uses ${node.step.uses}` : node.kind, depth, state: s?.status ?? 'pending', detail: [...(s?.reason ? [s.reason] : []), ...(run.details[id] ?? [])] }
  }
  const listed = (list: 'main' | 'finally' | 'hook') => [...graph.nodes.values()].filter((n) => n.list === list).map((n) => outcome(n.id))

  const checklist: ChecklistLine[] = []
  for (const node of graph.nodes.values()) {
    if (node.kind !== 'checklist') continue
    const items = state.items.filter((i) => i.stepId === node.id)
    items.forEach((item, i) => {
      const assignee = node.step.checklist!.items[i]?.assignee
      checklist.push({ step: node.id, title: item.title, visible: !item.hidden, state: item.state, ...(assignee ? { assignee } : {}), ...(item.dueAt && !item.hidden ? { due: new Date(item.dueAt) } : {}) })
    })
  }

  const timers: Timer[] = run.timers.map((t) => ({ at: new Date(t.at), what: t.what }))
  for (const c of checklist) if (c.due) timers.push({ at: c.due, what: `checklist item "${c.title}" is due${c.assignee ? ` (${c.assignee})` : ''}` })
  timers.push(...reminderTimers(plan, state, context, start, notes))
  timers.sort((a, b) => a.at.getTime() - b.at.getTime())

  return {
    ...base, inputs, properties: state.props, roles: shown, channel,
    steps: listed('main'), finally: listed('finally'), hooks: listed('hook'), finallyRan: state.phase !== 'main', checklist, timers,
    calls: run.calls, messages: run.messages, timeline: [...startTimeline(state, trigger), ...run.timeline], runStatus: state.status, runFailed: state.failed,
  }
}

/** The lines service.ts's `start` and channel set-up write before the steps. */
function startTimeline(state: RunState, trigger: IntegrationEventLike): TimelineEntry[] {
  const at = state.startedAt
  return [
    { at, type: 'trigger_received', summary: `${trigger.source}: ${trigger.title || trigger.type}`, stepId: '' },
    { at, type: 'run_started', summary: `run #${state.number} started`, stepId: '' },
    { at, type: 'participants_changed', summary: 'run channel ready', stepId: '' },
  ]
}

/** The first firing of each reminder whose `until` does not hold at the end of the simulation. */
function reminderTimers(plan: PlaybookPlan, state: RunState, context: Omit<RunContextOptions, 'now'>, start: number, notes: string[]): Timer[] {
  const ctx = evalContext(state, { ...context, now: start })
  const timers: Timer[] = []
  for (const r of plan.reminders) {
    if (r.every === 'never') continue
    const every = r.every
    const ms = 'ms' in every ? every.ms : parseDuration(attempt(() => toText(evaluateInterpolated(parseInterpolated(every.expression), ctx)), `reminders.${r.reminder.id}.every`, notes, ''))
    if (ms === undefined) continue
    const until = r.until
    if (until && attempt(() => evaluateCondition(until, ctx), `reminders.${r.reminder.id}.until`, notes, false)) continue
    const quiet = r.reminder.quietHours
    timers.push({ at: new Date(start + ms), what: `reminder ${r.reminder.id} to ${r.reminder.to ?? 'the run channel'}, then every ${formatEvery(ms)}${quiet ? ` (quiet ${quiet.from}-${quiet.to} ${quiet.timezone})` : ''}` })
  }
  return timers
}

function formatEvery(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`
}

/** The simulation as the lines `bridgehead playbook simulate` prints. */
export function formatSimulation(sim: Simulation): string[] {
  const lines = [`Playbook ${sim.playbook.name} v${sim.playbook.version} (${sim.playbook.title}) at ${sim.at.toISOString()}`]
  lines.push(`Event: ${sim.event.source}${sim.event.type ? ` ${sim.event.type}` : ''}`)
  if (sim.notStarted) {
    lines.push(`Not started: ${sim.notStarted}`)
    return [...lines, ...sim.notes.map((n) => `Note: ${n}`)]
  }
  const kv = (o: Record<string, unknown> | undefined) => Object.entries(o ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') || '(none)'
  lines.push(`Inputs: ${kv(sim.inputs)}`, `Properties: ${kv(sim.properties)}`, 'Roles:')
  for (const [name, r] of Object.entries(sim.roles ?? {})) lines.push(`  ${name}: ${r.holder ? `${r.holder} (${r.how})` : 'nobody yet'}`)
  if (sim.channel) {
    const c = sim.channel
    lines.push(`Channel: ${c.mode} ${c.private ? 'private' : 'public'} ~${c.name}`)
    if (c.header) lines.push(`  header: ${c.header}`)
    lines.push(`  members: ${c.members.join(', ') || '(none)'}`)
    if (c.broadcast.length) lines.push(`  broadcast: ${c.broadcast.join(', ')}`)
  }
  const steps = (list: StepOutcome[] | undefined) => (list ?? []).flatMap((s) => [`${'  '.repeat(s.depth + 1)}${s.state.padEnd(9)} ${s.id} [${s.kind}]`, ...s.detail.map((d) => `${'  '.repeat(s.depth + 1)}          ${d}`)])
  lines.push('Steps:', ...steps(sim.steps))
  if (sim.checklist?.length) {
    lines.push('Checklist:')
    const box = { open: ' ', closed: 'x', skipped: '~' }
    for (const c of sim.checklist) lines.push(`  [${c.visible ? box[c.state] : '-'}] ${c.title}${c.visible ? '' : ' (hidden: its if is false)'}${c.assignee ? ` · ${c.assignee}` : ''}${c.due ? ` · due ${c.due.toISOString()}` : ''}`)
  }
  if (sim.finally?.length) lines.push(sim.finallyRan ? 'Finally:' : 'Finally (when the run ends):', ...steps(sim.finally))
  if (sim.hooks?.length) lines.push('Hooks:', ...steps(sim.hooks))
  if (sim.calls?.length) lines.push('Calls:', ...sim.calls.map((c) => `  ${c.uses} (${c.step}) ${JSON.stringify(c.with)}`))
  lines.push(`Run status: ${sim.runStatus ?? 'active'}${sim.runFailed ? ' (failed)' : ''}`)
  lines.push('Timers:', ...(sim.timers?.length ? sim.timers.map((t) => `  ${t.at.toISOString()}  ${t.what}`) : ['  (none)']))
  const timeline = (sim.timeline ?? []).filter((e) => e.type !== 'step_started')
  if (timeline.length) lines.push('Timeline:', ...timeline.map((e) => `  ${new Date(e.at).toISOString()}  ${e.type}  ${e.summary}`))
  return [...lines, ...sim.notes.map((n) => `Note: ${n}`)]
}
