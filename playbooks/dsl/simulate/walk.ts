/**
 * Runs a compiled plan on a virtual clock without side effects: which steps run, skip, wait, stay
 * pending or are cancelled and why, what they would post or call, and the timers a run would set.
 * Actions are mocked (they succeed with no outputs). People and later events come from a script
 * (a test's `answers` and `events`); without one, a step that needs people stays `waiting` and
 * what depends on it stays `pending`.
 */
import type { PlanStep, PlaybookPlan } from '../compile.ts'
import { parseDuration } from '../duration.ts'
import { evaluateCondition, evaluateInterpolated, hasExpression, isTruthy, parseCondition, parseInterpolated, toText, type Embedded } from '../expr/index.ts'
import { resolveValue } from '../resolve.ts'
import { renderTemplate } from '../template/index.ts'
import { triggerContext, type RunContexts, type SimulatedEvent } from './contexts.ts'
import { attempt } from './notes.ts'

export type SimulatedState = 'pending' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'timed_out'

const TERMINAL: ReadonlySet<SimulatedState> = new Set(['succeeded', 'failed', 'skipped', 'cancelled', 'timed_out'])

export interface StepOutcome {
  id: string
  field: string
  kind: string
  depth: number
  state: SimulatedState
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
  assignee?: string
  due?: Date
}

export interface SimulatedCall {
  step: string
  uses: string
  with: unknown
}

export interface SimulatedMessage {
  step: string
  to: string
  text: string
}

/** What people and the outside world do during a simulated run. */
export interface Script {
  /** By step id: `{decision, by, comment}` for an approval; `all-closed` or `{<item id or title>: closed|skipped}` for a checklist. */
  answers?: Record<string, unknown>
  /** Later events, at milliseconds after the start. */
  events?: { atMs: number; event: SimulatedEvent }[]
  /** How far the virtual clock runs, in milliseconds after the start (default: the last event). */
  clockMs?: number
}

export interface Walk {
  steps: StepOutcome[]
  hooks: StepOutcome[]
  finally: StepOutcome[]
  /** Whether `finally` ran: only once no main step is waiting or pending, or the run ended. */
  finallyRan: boolean
  checklist: ChecklistLine[]
  timers: Timer[]
  calls: SimulatedCall[]
  messages: SimulatedMessage[]
  runStatus: string
  runFailed: boolean
}

interface StepRun {
  plan: PlanStep
  outcome: StepOutcome
  startedAt?: number
  finishedAt?: number
}

export function walkPlan(plan: PlaybookPlan, ctx: RunContexts, at: Date, script: Script = {}): Walk {
  const start = at.getTime()
  const events = [...(script.events ?? [])].sort((a, b) => a.atMs - b.atMs)
  const end = start + (script.clockMs ?? events.reduce((max, e) => Math.max(max, e.atMs), 0))
  const answers = script.answers ?? {}
  const out: Walk = { steps: [], hooks: [], finally: [], finallyRan: false, checklist: [], timers: [], calls: [], messages: [], runStatus: 'active', runFailed: false }
  const run = ctx.values.run as Record<string, unknown>
  const stepValues = ctx.values.steps as Record<string, unknown>
  const consumed = new Set<number>()
  let runFinished = false
  // A step failed without continue-on-error: failure() holds from then on (its dependants are cancelled).
  let stepFailed = false
  let now = start
  const evalCtx = () => ({ values: ctx.values, now: () => new Date(now), status: { failed: out.runFailed || stepFailed, cancelled: false } })
  const value = (text: unknown, field: string, notes: string[]): unknown =>
    typeof text !== 'string' || !hasExpression(text) ? text : attempt(() => evaluateInterpolated(parseInterpolated(text), evalCtx()), field, notes, null)
  const holds = (cond: Embedded, field: string, notes: string[]): boolean => attempt(() => evaluateCondition(cond, evalCtx()), field, notes, false)
  const render = (text: string, field: string, notes: string[]): string => attempt(() => renderTemplate(text, ctx.values, field), field, notes, '')
  // Template files are not read in a dry run: `{template: path}` shows as written.
  const deepValue = (v: unknown, field: string, notes: string[]): unknown =>
    attempt(() => resolveValue(v, field, { ...evalCtx(), readTemplate: (p) => `(template ${p})` }), field, notes, null)
  const durationOf = (text: string | undefined, field: string, notes: string[]): number | undefined =>
    text === undefined ? undefined : parseDuration(toText(value(text, field, notes)))

  const children = new Map<StepRun, StepRun[]>()
  /** One outcome per step, in file order (a parallel's branches right after it). */
  const prepareTree = (list: PlanStep[], depth: number, sink: StepOutcome[]): StepRun[] =>
    list.map((p) => {
      const outcome: StepOutcome = { id: p.id, field: p.field, kind: p.kind === 'uses' ? `uses ${p.step.uses}` : p.kind, depth, state: 'pending', detail: [] }
      sink.push(outcome)
      const r: StepRun = { plan: p, outcome }
      if (p.kind === 'parallel') children.set(r, prepareTree(p.parallel, depth + 1, sink))
      return r
    })
  const main = prepareTree(plan.steps, 0, out.steps)

  const record = (r: StepRun, state: SimulatedState, outputs: Record<string, unknown> = {}) => {
    r.outcome.state = state
    if (TERMINAL.has(state)) r.finishedAt ??= now
    if ((state === 'failed' || state === 'timed_out') && !tolerated(r)) stepFailed = true
    stepValues[r.plan.id] = {
      status: state, outputs, attempts: state === 'succeeded' || state === 'failed' ? 1 : 0,
      startedAt: r.startedAt === undefined ? null : new Date(r.startedAt).toISOString(),
      finishedAt: r.finishedAt === undefined ? null : new Date(r.finishedAt).toISOString(),
    }
  }
  const tolerated = (r: StepRun) => {
    const c = r.plan.continueOnError
    return typeof c === 'boolean' ? c : isTruthy(value(c, `${r.plan.field}.continue-on-error`, r.outcome.detail))
  }
  // continue-on-error forgives a step's own failure, not its cancellation by an upstream one.
  const isFailure = (r: StepRun) => r.outcome.state === 'cancelled' || ((r.outcome.state === 'failed' || r.outcome.state === 'timed_out') && !tolerated(r))

  /** Advances one step as far as it can go now; true when its state changed. */
  const advance = (r: StepRun, siblings: Map<string, StepRun>): boolean => {
    if (TERMINAL.has(r.outcome.state)) return false
    const before = r.outcome.state
    const deps = r.plan.needs.map((id) => siblings.get(id)).filter((d): d is StepRun => d !== undefined)
    const open = deps.filter((d) => !TERMINAL.has(d.outcome.state))
    if (open.length > 0) {
      r.outcome.state = 'pending'
      r.outcome.detail = [`waits for ${open.map((d) => d.plan.id).join(', ')}`]
      return false
    }
    if (r.startedAt === undefined) {
      r.startedAt = Math.max(start, ...deps.map((d) => d.finishedAt ?? start))
      r.outcome.detail = []
      if (runFinished) {
        close(r, 'cancelled', 'the run had finished')
        return true
      }
      const failed = deps.filter(isFailure)
      if ((failed.length > 0 || out.runFailed) && !r.plan.statusAware) {
        close(r, 'cancelled', failed.length > 0 ? failed.map((d) => `${d.plan.id} ${d.outcome.state}`).join(', ') : 'the run failed')
        return true
      }
      if (r.plan.condition && !holds(r.plan.condition, `${r.plan.field}.if`, r.outcome.detail)) {
        close(r, 'skipped', `if is false: ${conditionText(r.plan)}`)
        return true
      }
      begin(r)
    }
    resume(r)
    return before !== r.outcome.state
  }

  /** Ends a step that never starts, with the branches of a parallel, which then never start either. */
  const close = (r: StepRun, state: 'cancelled' | 'skipped', why: string) => {
    record(r, state)
    r.outcome.detail.unshift(why)
    for (const kid of children.get(r) ?? []) if (!TERMINAL.has(kid.outcome.state)) close(kid, state, `${r.plan.id} was ${state}`)
  }

  /** What a step does once when it starts: calls, posts, timers, checklist lines. */
  const begin = (r: StepRun) => {
    const { plan: s, outcome } = r
    const step = s.step
    const startedAt = r.startedAt!
    const later = (ms: number) => new Date(startedAt + ms)
    switch (s.kind) {
      case 'uses': {
        const withValues = deepValue(step.with ?? {}, `${s.field}.with`, outcome.detail)
        out.calls.push({ step: s.id, uses: step.uses!, with: withValues })
        outcome.detail.unshift(`calls ${step.uses} with ${JSON.stringify(withValues)}`)
        if (step.uses === 'run.finish@v1') {
          runFinished = true
          out.runStatus = 'finished'
          run.status = 'finished'
          outcome.detail.push('the run finishes here')
        }
        if (step.uses === 'run.fail@v1') {
          out.runFailed = true
          outcome.detail.push('the run fails here')
        }
        return record(r, 'succeeded')
      }
      case 'message':
      case 'status_update': {
        const body = step.message ?? step.status_update!
        const to = step.message?.to !== undefined ? toText(value(step.message.to, `${s.field}.message.to`, outcome.detail)) : 'the run channel'
        const text = body.text !== undefined ? render(body.text, `${s.field}.${s.kind}.text`, outcome.detail) : `(template ${body.template})`
        out.messages.push({ step: s.id, to, text })
        outcome.detail.unshift(`posts to ${to}: ${JSON.stringify(text)}`)
        const broadcast = step.status_update?.broadcast
        if (broadcast === true) for (const c of ctxBroadcast()) out.messages.push({ step: s.id, to: c, text })
        if (Array.isArray(broadcast)) for (const c of broadcast) out.messages.push({ step: s.id, to: c, text })
        if (broadcast) outcome.detail.push('broadcast')
        return record(r, 'succeeded', { postId: `simulated-post-${out.messages.length}` })
      }
      case 'checklist':
        step.checklist!.items.forEach((item, i) => {
          const field = `${s.field}.checklist.items[${i}]`
          const visible = item.if === undefined || holds(parseCondition(item.if), `${field}.if`, outcome.detail)
          const relative = item.due === undefined ? undefined : parseDuration(item.due)
          const due = !visible ? undefined : relative !== undefined ? later(relative) : item.due !== undefined ? new Date(item.due) : undefined
          out.checklist.push({ step: s.id, title: toText(value(item.title, `${field}.title`, outcome.detail)), visible, assignee: item.assignee, due })
          if (due) out.timers.push({ at: due, what: `checklist item "${item.title}" is due${item.assignee ? ` (${item.assignee})` : ''}` })
        })
        return
      case 'approval': {
        const a = step.approval!
        outcome.detail.push(`asks ${a.approvers.join(', ')} (quorum ${a.quorum ?? 1})`)
        const ms = durationOf(a.timeout, `${s.field}.approval.timeout`, outcome.detail)
        if (ms !== undefined) out.timers.push({ at: later(ms), what: `approval ${s.id} times out: ${a.onTimeout ?? 'fail'}` })
        return
      }
      case 'wait': {
        const w = step.wait!
        const timeout = durationOf(w.timeout, `${s.field}.wait.timeout`, outcome.detail)
        if (timeout !== undefined) out.timers.push({ at: later(timeout), what: `wait ${s.id} times out` })
        if (w.for !== undefined) {
          const ms = durationOf(w.for, `${s.field}.wait.for`, outcome.detail)
          if (ms !== undefined) out.timers.push({ at: later(ms), what: `wait ${s.id} ends` })
          outcome.detail.push(`sleeps ${w.for}`)
        } else if (w.until !== undefined) outcome.detail.push(`until ${toText(w.until)}`)
        else outcome.detail.push(`for event ${w.event!.source} ${w.event!.type}`)
        return
      }
      case 'set': {
        const set = step.set!
        const props = ctx.values.props as Record<string, unknown>
        for (const [k, v] of Object.entries(set.properties ?? {})) props[k] = deepValue(v, `${s.field}.set.properties.${k}`, outcome.detail)
        if (set.status) {
          run.status = set.status
          out.runStatus = set.status
        }
        outcome.detail.push(`sets ${JSON.stringify(set)}`)
        return record(r, 'succeeded')
      }
      case 'parallel':
        return
      case 'call':
        outcome.detail.push(`runs playbook ${step.call!.playbook}`)
        return record(r, 'succeeded')
    }
  }

  /** Steps that wait: settle them from the script and the clock. Called on every pass. */
  const resume = (r: StepRun) => {
    if (TERMINAL.has(r.outcome.state)) return
    const note = (line: string) => {
      if (!r.outcome.detail.includes(line)) r.outcome.detail.push(line)
    }
    const notes: string[] = []
    try {
      settleWaiting(r, note, notes)
    } finally {
      notes.forEach(note)
    }
  }
  const settleWaiting = (r: StepRun, note: (line: string) => void, notes: string[]) => {
    const { plan: s } = r
    const startedAt = r.startedAt!
    const elapsed = (ms: number | undefined) => ms !== undefined && startedAt + ms <= end
    const answer = answers[s.id]
    switch (s.kind) {
      case 'checklist': {
        const c = s.step.checklist!
        const lines = out.checklist.filter((l) => l.step === s.id && l.visible)
        const closed = answer === 'all-closed' ? lines.length : isRecord(answer) ? Object.values(answer).filter((v) => v === 'closed').length : 0
        const skipped = isRecord(answer) ? Object.values(answer).filter((v) => v === 'skipped').length : 0
        const outputs = { closed, skipped, open: Math.max(0, lines.length - closed - skipped) }
        if (!c.blocking || outputs.open === 0) return record(r, 'succeeded', outputs)
        note(`${outputs.open} open item(s); blocks until closed or skipped`)
        return record(r, 'waiting', outputs)
      }
      case 'approval': {
        const a = s.step.approval!
        if (isRecord(answer) && (answer.decision === 'approved' || answer.decision === 'rejected')) {
          const outputs = { decision: answer.decision, by: answer.by ?? [], comment: answer.comment ?? null }
          note(`${answer.decision} by ${toText(answer.by)}`)
          return record(r, answer.decision === 'approved' ? 'succeeded' : 'failed', outputs)
        }
        if (elapsed(durationOf(a.timeout, `${s.field}.approval.timeout`, notes))) {
          const onTimeout = a.onTimeout ?? 'fail'
          now = startedAt + durationOf(a.timeout, '', [])!
          if (onTimeout === 'approve') return record(r, 'succeeded', { decision: 'approved', by: [], comment: 'timed out' })
          if (onTimeout === 'skip') return record(r, 'skipped', { decision: null, by: [], comment: 'timed out' })
          if (onTimeout === 'fail') return record(r, 'timed_out', { decision: null, by: [], comment: 'timed out' })
          note(`escalated to ${a.escalateTo}`)
        }
        return record(r, 'waiting')
      }
      case 'wait': {
        const w = s.step.wait!
        const timeout = durationOf(w.timeout, `${s.field}.wait.timeout`, [])
        if (w.for !== undefined) {
          const ms = durationOf(w.for, `${s.field}.wait.for`, [])
          return elapsed(ms) ? record(r, 'succeeded', { timedOut: false }) : record(r, 'waiting')
        }
        if (w.until !== undefined) {
          if (holds(parseCondition(w.until), `${s.field}.wait.until`, notes)) return record(r, 'succeeded', { timedOut: false })
        } else {
          const found = events.findIndex((e, i) => !consumed.has(i) && start + e.atMs >= startedAt && matchesWait(s, e.event, e.atMs))
          if (found >= 0) {
            consumed.add(found)
            now = start + events[found]!.atMs
            note(`got ${events[found]!.event.source} ${events[found]!.event.type ?? ''} at +${events[found]!.atMs / 60_000}m`)
            return record(r, 'succeeded', { event: triggerContext(events[found]!.event, new Date(now)), timedOut: false })
          }
        }
        if (elapsed(timeout)) return record(r, 'timed_out', { event: null, timedOut: true })
        return record(r, 'waiting')
      }
      case 'parallel': {
        const kids = children.get(r)!
        const states = kids.map((k) => k.outcome.state)
        if (states.every((st) => TERMINAL.has(st))) return record(r, kids.some(isFailure) ? 'failed' : 'succeeded')
        return record(r, states.includes('waiting') ? 'waiting' : 'pending')
      }
      default:
        return
    }
  }

  const matchesWait = (s: PlanStep, event: SimulatedEvent, atMs: number): boolean => {
    const w = s.step.wait!.event!
    if (w.source !== event.source || (event.type !== undefined && w.type !== event.type)) return false
    if (w.if === undefined) return true
    // The wait's condition sees the awaited event as `trigger`.
    const saved = ctx.values.trigger
    ctx.values.trigger = triggerContext(event, new Date(start + atMs))
    try {
      return holds(parseCondition(w.if), `${s.field}.wait.event.if`, [])
    } finally {
      ctx.values.trigger = saved
    }
  }

  const settle = (runs: StepRun[]): boolean => {
    let changed = false
    const byId = new Map(runs.map((r) => [r.plan.id, r]))
    for (let pass = 0; pass < 1000; pass++) {
      let any = false
      for (const r of runs) {
        const kids = children.get(r)
        if (kids && r.startedAt !== undefined) any = settle(kids) || any
        any = advance(r, byId) || any
        if (kids && r.startedAt !== undefined) any = settle(kids) || any
        if (kids && r.startedAt !== undefined && !TERMINAL.has(r.outcome.state)) {
          const before = r.outcome.state
          resume(r)
          any = any || before !== r.outcome.state
        }
      }
      if (!any) break
      changed = true
    }
    return changed
  }
  const ctxBroadcast = () => plan.playbook.channel?.broadcast ?? []

  // Events no wait consumed reach the run as `trigger.correlated` hooks, in time order.
  const hookSteps = plan.hooks['trigger.correlated'] ?? []
  settle(main)
  for (let i = 0; i < events.length; i++) {
    if (consumed.has(i) || events[i]!.atMs > end - start) continue
    consumed.add(i)
    now = start + events[i]!.atMs
    const saved = ctx.values.trigger
    ctx.values.trigger = triggerContext(events[i]!.event, new Date(now))
    settle(prepareTree(hookSteps, 0, out.hooks))
    ctx.values.trigger = saved
    settle(main)
  }
  now = end

  for (const r of plan.reminders) {
    const notes: string[] = []
    if (r.every === 'never') continue
    const ms = 'ms' in r.every ? r.every.ms : parseDuration(toText(value(r.every.expression, `reminders.${r.reminder.id}.every`, notes)))
    if (ms === undefined) continue
    const done = r.until ? holds(r.until, `reminders.${r.reminder.id}.until`, notes) : false
    if (!done) out.timers.push({ at: new Date(start + ms), what: `reminder ${r.reminder.id} to ${r.reminder.to ?? 'the run channel'}, then every ${formatEvery(ms)}${r.reminder.quietHours ? ` (quiet ${r.reminder.quietHours.from}-${r.reminder.quietHours.to} ${r.reminder.quietHours.timezone})` : ''}` })
  }

  const allDone = main.every((r) => TERMINAL.has(r.outcome.state))
  out.runFailed ||= stepFailed
  const finallyRuns = prepareTree(plan.finally, 0, out.finally)
  if (allDone || runFinished) {
    out.finallyRan = true
    settle(finallyRuns)
  } else {
    for (const r of finallyRuns) r.outcome.detail.push('runs when the run ends')
  }
  out.timers.sort((a, b) => a.at.getTime() - b.at.getTime())
  return out
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function conditionText(s: PlanStep): string {
  const raw = s.step.if
  return typeof raw === 'boolean' ? String(raw) : raw!.replace(/^\$\{\{\s*|\s*\}\}$/g, '')
}

function formatEvery(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`
}
