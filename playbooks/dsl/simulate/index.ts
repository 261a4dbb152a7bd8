/** `playbook simulate`: what a run would do for an event, as data and as text, without side effects. */
import type { PlaybookPlan } from '../compile.ts'
import { evaluateInterpolated, parseInterpolated, toText } from '../expr/index.ts'
import { renderTemplate } from '../template/index.ts'
import { attempt } from './notes.ts'
import { buildContexts, type RoleHolder, type SimulatedEvent } from './contexts.ts'
import { walkPlan, type Script, type Walk } from './walk.ts'

export type { SimulatedEvent } from './contexts.ts'
export type { StepOutcome, Timer, ChecklistLine, SimulatedState, Script, SimulatedCall, SimulatedMessage } from './walk.ts'

export interface Simulation extends Partial<Walk> {
  playbook: { name: string; version: number; title: string }
  at: Date
  event: SimulatedEvent
  notStarted?: string
  inputs?: Record<string, unknown>
  properties?: Record<string, unknown>
  roles?: Record<string, RoleHolder>
  channel?: { mode: string; name: string; private: boolean; header?: string; members: string[]; broadcast: string[] }
  notes: string[]
}

/** Simulates the start of a run of `plan` for `event` at `at`. Pure: no I/O, no wall clock. */
export function simulateRun(plan: PlaybookPlan, event: SimulatedEvent, at: Date, script: Script = {}): Simulation {
  const ctx = buildContexts(plan.playbook, event, at)
  const base: Simulation = { playbook: { name: plan.name, version: plan.version, title: plan.title }, at, event, notes: ctx.notes }
  if (ctx.notStarted) return { ...base, notStarted: ctx.notStarted }
  const ch = plan.playbook.channel
  let channel: Simulation['channel']
  if (ch) {
    const name = attempt(() => toText(evaluateInterpolated(parseInterpolated(ch.name), { values: ctx.values, now: () => at })), 'channel.name', ctx.notes, ch.name)
    ;(ctx.values.run as Record<string, unknown>).channel = name
    const header = typeof ch.header === 'string' ? attempt(() => renderTemplate(ch.header as string, ctx.values, 'channel.header'), 'channel.header', ctx.notes, ch.header) : ch.header ? `(template ${ch.header.template})` : undefined
    const members = (ch.invite ?? []).map((ref) => {
      const role = /^role:(.+)$/.exec(ref)?.[1]
      if (!role) return ref
      const holder = ctx.roles[role]
      return holder?.holder ? `${holder.holder} (${role})` : `nobody yet (${role}: ${holder?.how ?? 'unknown'})`
    })
    channel = { mode: ch.mode ?? 'create', name, private: ch.private ?? false, header, members, broadcast: ch.broadcast ?? [] }
  }
  const walk = walkPlan(plan, ctx, at, script)
  return {
    ...base, ...walk, channel,
    inputs: ctx.values.inputs as Record<string, unknown>,
    properties: ctx.values.props as Record<string, unknown>,
    roles: ctx.roles,
  }
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
  for (const [name, r] of Object.entries(sim.roles ?? {})) lines.push(`  ${name}: ${r.holder ?? (r.how === 'ask' ? 'asked in the channel' : 'unassigned')}${r.holder ? ` (${r.how})` : ''}`)
  if (sim.channel) {
    const c = sim.channel
    lines.push(`Channel: ${c.mode} ${c.private ? 'private' : 'public'} ~${c.name}`)
    if (c.header) lines.push(`  header: ${c.header}`)
    lines.push(`  members: ${c.members.join(', ') || '(none)'}`)
    if (c.broadcast.length) lines.push(`  broadcast: ${c.broadcast.join(', ')}`)
  }
  const steps = (list: Walk['steps']) => list.flatMap((s) => [`${'  '.repeat(s.depth + 1)}${s.state.padEnd(9)} ${s.id} [${s.kind}]`, ...s.detail.map((d) => `${'  '.repeat(s.depth + 1)}          ${d}`)])
  lines.push('Steps:', ...steps(sim.steps ?? []))
  if (sim.checklist?.length) {
    lines.push('Checklist:')
    for (const c of sim.checklist) lines.push(`  [${c.visible ? ' ' : '-'}] ${c.title}${c.visible ? '' : ' (hidden: its if is false)'}${c.assignee ? ` · ${c.assignee}` : ''}${c.due ? ` · due ${c.due.toISOString()}` : ''}`)
  }
  if (sim.hooks?.length) lines.push('Hooks:', ...steps(sim.hooks))
  if (sim.finally?.length) lines.push(sim.finallyRan ? 'Finally:' : 'Finally (when the run ends):', ...steps(sim.finally))
  if (sim.calls?.length) lines.push('Calls:', ...sim.calls.map((c) => `  ${c.uses} (${c.step}) ${JSON.stringify(c.with)}`))
  lines.push(`Run status: ${sim.runStatus ?? 'active'}${sim.runFailed ? ' (failed)' : ''}`)
  lines.push('Timers:', ...(sim.timers?.length ? sim.timers.map((t) => `  ${t.at.toISOString()}  ${t.what}`) : ['  (none)']))
  return [...lines, ...sim.notes.map((n) => `Note: ${n}`)]
}
