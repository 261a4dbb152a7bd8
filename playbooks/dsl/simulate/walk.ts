/**
 * Walks a compiled plan on a virtual clock without side effects: which steps run, skip, wait or
 * stay pending and why, what they would post or call, and the timers a run would set. People are
 * not simulated: a step that needs them (approval, blocking checklist, wait) stays `waiting`, and
 * what depends on it stays `pending`.
 */
import type { PlanStep, PlaybookPlan } from '../compile.ts'
import { parseDuration } from '../duration.ts'
import { evaluateCondition, evaluateInterpolated, hasExpression, parseCondition, parseInterpolated, toText, type Embedded } from '../expr/index.ts'
import { renderTemplate } from '../template/index.ts'
import { attempt } from './notes.ts'
import { resolveValue } from '../resolve.ts'
import type { RunContexts } from './contexts.ts'

export type SimulatedState = 'succeeded' | 'skipped' | 'waiting' | 'pending' | 'failed'

export interface StepOutcome {
  id: string
  field: string
  kind: string
  depth: number
  state: SimulatedState
  /** Why it is in that state, and what it would do. */
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
  assignee?: string
  due?: Date
}

export interface Walk {
  steps: StepOutcome[]
  finally: StepOutcome[]
  checklist: ChecklistLine[]
  timers: Timer[]
}

export function walkPlan(plan: PlaybookPlan, ctx: RunContexts, at: Date): Walk {
  const out: Walk = { steps: [], finally: [], checklist: [], timers: [] }
  const stepValues = ctx.values.steps as Record<string, unknown>
  const evalCtx = { values: ctx.values, now: () => at }
  const later = (ms: number) => new Date(at.getTime() + ms)
  const value = (text: unknown, field: string, notes: string[]): unknown =>
    typeof text !== 'string' || !hasExpression(text) ? text : attempt(() => evaluateInterpolated(parseInterpolated(text), evalCtx), field, notes, null)
  const holds = (cond: Embedded, field: string, notes: string[]): boolean => attempt(() => evaluateCondition(cond, evalCtx), field, notes, false)
  const render = (text: string, field: string, notes: string[]): string => attempt(() => renderTemplate(text, ctx.values, field), field, notes, '')
  const durationOf = (text: string | undefined, field: string, notes: string[]): number | undefined => {
    if (text === undefined) return undefined
    return parseDuration(toText(value(text, field, notes)))
  }

  const runList = (list: PlanStep[], depth: number, sink: StepOutcome[]): SimulatedState => {
    const states = new Map<string, SimulatedState>()
    for (const s of list) {
      const detail: string[] = []
      const outcome: StepOutcome = { id: s.id, field: s.field, kind: describeKind(s), depth, state: 'succeeded', detail }
      sink.push(outcome)
      const blocking = s.needs.filter((n) => states.get(n) === 'waiting' || states.get(n) === 'pending')
      const failed = s.needs.filter((n) => states.get(n) === 'failed')
      if (blocking.length > 0) {
        outcome.state = 'pending'
        detail.push(`waits for ${blocking.join(', ')}`)
      } else if (failed.length > 0 && !s.statusAware) {
        outcome.state = 'skipped'
        detail.push(`${failed.join(', ')} failed`)
      } else if (s.condition && !holds(s.condition, `${s.field}.if`, detail)) {
        outcome.state = 'skipped'
        detail.unshift(`if is false: ${conditionText(s)}`)
      } else {
        outcome.state = perform(s, depth, detail, sink)
      }
      states.set(s.id, outcome.state)
      stepValues[s.id] = { status: outcome.state === 'pending' ? 'pending' : outcome.state, outputs: {}, attempts: outcome.state === 'succeeded' ? 1 : 0, startedAt: at.toISOString(), finishedAt: null }
    }
    const all = [...states.values()]
    return all.includes('failed') ? 'failed' : all.includes('waiting') ? 'waiting' : all.includes('pending') ? 'pending' : 'succeeded'
  }

  const perform = (s: PlanStep, depth: number, detail: string[], sink: StepOutcome[]): SimulatedState => {
    const step = s.step
    switch (s.kind) {
      case 'uses': {
        const withValues = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, deepValue(v, `${s.field}.with.${k}`, detail)]))
        detail.unshift(`calls ${step.uses} with ${JSON.stringify(withValues)}`)
        if (step.uses === 'run.finish@v1') detail.push('the run finishes here')
        if (step.uses === 'run.fail@v1') return 'failed'
        return 'succeeded'
      }
      case 'message':
      case 'status_update': {
        const body = step.message ?? step.status_update!
        const to = step.message ? toText(value(step.message.to ?? 'the run channel', `${s.field}.message.to`, detail)) : 'the run channel'
        const text = body.text !== undefined ? render(body.text, `${s.field}.${s.kind}.text`, detail) : `(template ${body.template})`
        detail.unshift(`posts to ${to}: ${JSON.stringify(text)}`)
        if (step.status_update?.broadcast) detail.push('broadcast')
        return 'succeeded'
      }
      case 'checklist': {
        const c = step.checklist!
        c.items.forEach((item, i) => {
          const field = `${s.field}.checklist.items[${i}]`
          const visible = item.if === undefined || holds(parseCondition(item.if), `${field}.if`, detail)
          const relative = item.due === undefined ? undefined : parseDuration(item.due)
          const due = relative !== undefined ? later(relative) : item.due !== undefined ? new Date(item.due) : undefined
          out.checklist.push({ step: s.id, title: toText(value(item.title, `${field}.title`, detail)), visible, assignee: item.assignee, due: visible ? due : undefined })
          if (visible && due) out.timers.push({ at: due, what: `checklist item "${item.title}" is due${item.assignee ? ` (${item.assignee})` : ''}` })
        })
        const open = out.checklist.filter((l) => l.step === s.id && l.visible).length
        detail.push(`${open} open item(s)${c.blocking ? '; blocks until closed or skipped' : ''}`)
        return c.blocking ? 'waiting' : 'succeeded'
      }
      case 'approval': {
        const a = step.approval!
        detail.push(`asks ${a.approvers.join(', ')} (quorum ${a.quorum ?? 1})`)
        const ms = durationOf(a.timeout, `${s.field}.approval.timeout`, detail)
        if (ms !== undefined) out.timers.push({ at: later(ms), what: `approval ${s.id} times out: ${a.onTimeout ?? 'fail'}` })
        return 'waiting'
      }
      case 'wait': {
        const w = step.wait!
        const timeout = durationOf(w.timeout, `${s.field}.wait.timeout`, detail)
        if (timeout !== undefined) out.timers.push({ at: later(timeout), what: `wait ${s.id} times out` })
        if (w.for !== undefined) {
          const ms = durationOf(w.for, `${s.field}.wait.for`, detail)
          if (ms !== undefined) out.timers.push({ at: later(ms), what: `wait ${s.id} ends` })
          detail.push(`sleeps ${w.for}`)
          return 'waiting'
        }
        if (w.until !== undefined) {
          if (holds(parseCondition(w.until), `${s.field}.wait.until`, detail)) return 'succeeded'
          detail.push(`until ${toText(w.until)}`)
          return 'waiting'
        }
        detail.push(`for event ${w.event!.source} ${w.event!.type}`)
        return 'waiting'
      }
      case 'set': {
        const set = step.set!
        const props = ctx.values.props as Record<string, unknown>
        for (const [k, v] of Object.entries(set.properties ?? {})) props[k] = deepValue(v, `${s.field}.set.properties.${k}`, detail)
        if (set.status) (ctx.values.run as Record<string, unknown>).status = set.status
        detail.push(`sets ${JSON.stringify({ ...set })}`)
        return 'succeeded'
      }
      case 'parallel':
        return runList(s.parallel, depth + 1, sink)
      case 'call':
        detail.push(`runs playbook ${step.call!.playbook}`)
        return 'succeeded'
    }
  }

  // Template files are not read in a dry run: `{template: path}` shows as written.
  const deepValue = (v: unknown, field: string, notes: string[]): unknown =>
    attempt(() => resolveValue(v, field, { ...evalCtx, readTemplate: (p) => `(template ${p})` }), field, notes, null)

  runList(plan.steps, 0, out.steps)
  for (const r of plan.reminders) {
    const notes: string[] = []
    if (r.every === 'never') continue
    const ms = 'ms' in r.every ? r.every.ms : parseDuration(toText(value(r.every.expression, `reminders.${r.reminder.id}.every`, notes)))
    if (ms === undefined) continue
    const done = r.until ? holds(r.until, `reminders.${r.reminder.id}.until`, notes) : false
    if (!done) out.timers.push({ at: later(ms), what: `reminder ${r.reminder.id} to ${r.reminder.to ?? 'the run channel'}, then every ${formatEvery(ms)}${r.reminder.quietHours ? ` (quiet ${r.reminder.quietHours.from}-${r.reminder.quietHours.to} ${r.reminder.quietHours.timezone})` : ''}` })
  }
  // finally runs when the run ends; shown as it would go if it ended now.
  runList(plan.finally, 0, out.finally)
  out.timers.sort((a, b) => a.at.getTime() - b.at.getTime())
  return out
}

function describeKind(s: PlanStep): string {
  return s.kind === 'uses' ? `uses ${s.step.uses}` : s.kind
}

function conditionText(s: PlanStep): string {
  const raw = s.step.if
  return typeof raw === 'boolean' ? String(raw) : raw!.replace(/^\$\{\{\s*|\s*\}\}$/g, '')
}

function formatEvery(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`
}
