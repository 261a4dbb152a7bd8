/**
 * The run engine on a virtual clock, with no side effects: `advance` (plan.ts) takes every
 * decision, as on the server; this file stands in for the executor and the people. An `execute`
 * effect is recorded (the call with its evaluated `with`, the post with its text and destination)
 * and answered (success with mocked outputs, unless the script says otherwise); a `timer` effect
 * moves the clock; later events arrive as correlated events. It stops when nothing is left to do
 * before the end of the clock. `playbook simulate` and `playbook test` run on it.
 */
import type { Playbook } from '../dsl/index.ts'
import { evaluateInterpolated, parseInterpolated, renderTemplate, resolveValue, toText } from '../dsl/index.ts'
import { applyCorrelatedEvent, settleEventWaits } from './correlate.ts'
import { dryRunPeople, simulatedUser, type DryRunPeople } from './dry-run-people.ts'
import { isMultiRef, isPeopleRef } from './people.ts'
import { evalContext, runValues, type RunContextOptions } from './context.ts'
import { advance, graphOf, recordStepResult } from './plan.ts'
import { nodeContext, type ChildOutcome } from './lists.ts'
import type { StepNode } from './graph.ts'
import { TERMINAL, type RunState } from './state.ts'
import type { IntegrationEventLike } from './trigger.ts'

/** What people and the outside world do during a dry run. */
export interface DryRunScript {
  /**
   * By step id. An approval: `{decision: approved | rejected, by?, comment?}` (without `by`, as
   * many simulated approvers as its quorum). A checklist: `all-closed` or `{<item id or title>:
   * closed | skipped}`. A `uses`, `message` or `status_update` step: `failed` or `{fail: reason}`
   * to make it fail, `{outputs: {…}}` for the action's outputs (default: none).
   */
  answers?: Record<string, unknown>
  /** Later events, at milliseconds after the start: each settles the `wait: { event }` steps it satisfies, else reaches the run as a correlated event. */
  events?: { atMs: number; event: IntegrationEventLike }[]
  /** How far the virtual clock runs after the start (default: the last event). */
  clockMs?: number
}

export interface PlannedCall {
  step: string
  uses: string
  with: unknown
  at: number
}

export interface PlannedMessage {
  step: string
  /** `the run channel`, `#channel` or `@user` (a direct message). */
  to: string
  text: string
  at: number
}

export interface PlannedTimer {
  at: number
  step: string
  what: string
}

export interface TimelineEntry {
  at: number
  type: string
  summary: string
  stepId: string
}

export interface DryRun {
  calls: PlannedCall[]
  messages: PlannedMessage[]
  timers: PlannedTimer[]
  timeline: TimelineEntry[]
  /** What each step did or waits for, by step id (besides its status and reason). */
  details: Record<string, string[]>
  /** What the dry run could not do as the server would, e.g. a `group:` reference without a people file. */
  notes: string[]
  /** Where the clock stopped. */
  end: number
}

export interface DryRunOptions {
  /** The context options of the run (its `now` is replaced by the virtual clock). */
  context: Omit<RunContextOptions, 'now'>
  script?: DryRunScript
  /** The run channel's name, shown as the destination of its posts. */
  channelName: string
  /** Text of a template file the playbook names; by default the dry run shows `(template path)` instead. */
  readTemplate?: (path: string) => string | undefined
  /** Who `group:`, `team:` and `oncall:` references name (dry-run-people.ts); by default nobody, with a note for each one met. */
  people?: DryRunPeople
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** A scripted failure of a step: `failed`, or `{fail: reason}`. */
class ScriptedFailure extends Error {}

/**
 * Runs `state` (a run whose channel is ready) forward on the virtual clock from `state.startedAt`.
 * Mutates `state`. Never throws on a playbook's bad expression or template: the step fails, as
 * on the server.
 */
export function dryRun(playbook: Playbook, state: RunState, options: DryRunOptions): DryRun {
  const script = options.script ?? {}
  const answers = script.answers ?? {}
  const start = state.startedAt
  const events = [...(script.events ?? [])].sort((a, b) => a.atMs - b.atMs)
  const end = start + (script.clockMs ?? events.reduce((max, e) => Math.max(max, e.atMs), 0))
  const out: DryRun = { calls: [], messages: [], timers: [], timeline: [], details: {}, notes: [], end }
  const people = options.people ?? dryRunPeople(undefined, { note: (text) => out.notes.push(text) })
  let now = start
  const children: Record<string, ChildOutcome> = {}
  const ctx = (s: RunState) => evalContext(s, { ...options.context, now })
  const line = (type: string, summary: string, stepId = '') => out.timeline.push({ at: now, type, summary, stepId })
  const detail = (stepId: string, text: string) => (out.details[stepId] ??= []).push(text)
  const readTemplate = options.readTemplate ?? ((p: string) => `(template ${p})`)
  // As the executor's textOf: a template file renders like inline text; a missing one fails the step.
  const textOf = (spec: { text?: string; template?: string }, field: string, node: StepNode): string => {
    const data = nodeContext(state, node, { values: runValues(state, { ...options.context, now }) }).values
    if (spec.template === undefined) return renderTemplate(spec.text ?? '', data, `${field}.text`)
    const text = readTemplate(spec.template)
    if (text === undefined) throw new Error(`${field}.template: the template file ${spec.template} was not found`)
    return renderTemplate(text, data, `${field}.template`)
  }
  const post = (stepId: string, to: string, text: string) => {
    out.messages.push({ step: stepId, to, text, at: now })
    return { postId: `simulated-post-${out.messages.length}` }
  }

  /**
   * Where a message goes, as service.ts's `destinations` picks it: the run channel, `#channel`, or
   * a DM to each person a reference names. Without a people file, a `group:`, `team:` or `oncall:`
   * reference stays one destination (the server would DM its members), with a note.
   */
  const destinations = (to: string | undefined, where: string): string[] => {
    if (!to) return ['the run channel']
    if (to.startsWith('#')) return [to]
    if (to.startsWith('role:') || people.known || !isMultiRef(to)) {
      const users = people.many(state, to, where)
      if (users.length === 0) throw new Error(`${to}: nobody holds it`)
      return users.map((u) => `@${u.username}`)
    }
    people.many(state, to, where)
    return [`@${to}`]
  }

  /** The script's answer for a step: by its id, or for a hook's or compensation step, by the id it declares. */
  const answerFor = (node: StepNode): unknown => answers[node.id] ?? (node.instance && node.step.id ? answers[node.step.id] : undefined)

  /** The people an approval's references name, as `user:x` (the server asks and lets vote exactly these). */
  const approversOf = (refs: readonly string[], where: string): string[] =>
    [...new Set(refs.flatMap((ref) => (isPeopleRef(ref) ? people.many(state, ref, where) : []).map((u) => `user:${u.username}`)))]

  /** The people an approval asks by name (DMs). */
  const namedApprovers = (refs: readonly string[], where: string): string[] => approversOf(refs, where).map((u) => `@${u.slice(5)}`)

  const scriptedFailure = (node: StepNode) => {
    const answer = answerFor(node)
    if (answer === 'failed') throw new ScriptedFailure('failed (scripted)')
    if (isRecord(answer) && typeof answer.fail === 'string') throw new ScriptedFailure(answer.fail)
  }

  /** A step's external part, as service.ts's executeStep does it, with the outside world mocked. */
  const perform = (node: StepNode): Record<string, unknown> => {
    const step = node.step
    const c = nodeContext(state, node, ctx(state))
    switch (node.kind) {
      case 'uses': {
        const input = resolveValue(step.with ?? {}, `${node.path}.with`, { ...c, readTemplate }) as Record<string, unknown>
        out.calls.push({ step: node.id, uses: step.uses!, with: input, at: now })
        detail(node.id, `calls ${step.uses} with ${JSON.stringify(input)}`)
        scriptedFailure(node)
        if (step.uses === 'run.finish@v1' || step.uses === 'run.fail@v1') return { finish: step.uses === 'run.finish@v1' ? 'finished' : 'failed', message: toText(input.message ?? '') }
        if (step.uses === 'timeline.add@v1') return { timeline: toText(input.summary ?? input.text ?? '') }
        const answer = answerFor(node)
        return isRecord(answer) && isRecord(answer.outputs) ? answer.outputs : {}
      }
      case 'call': {
        // The called playbook is not at hand: its run is mocked, and finishes with the answer's outputs.
        const input = resolveValue(step.with ?? {}, `${node.path}.with`, { ...c, readTemplate }) as Record<string, unknown>
        out.calls.push({ step: node.id, uses: `call ${step.call!.playbook}`, with: input, at: now })
        detail(node.id, `starts a run of ${step.call!.playbook} with ${JSON.stringify(input)}`)
        scriptedFailure(node)
        const runId = `simulated-child-${Object.keys(children).length + 1}`
        const answer = answerFor(node)
        children[runId] = { done: true, failed: false, status: 'finished', outputs: { runId, status: 'finished', ...(isRecord(answer) && isRecord(answer.outputs) ? answer.outputs : {}) } }
        return { runId }
      }
      case 'message': {
        const text = textOf(step.message!, `${node.path}.message`, node)
        const to = destinations(step.message!.to === undefined ? undefined : toText(evaluateInterpolated(parseInterpolated(step.message!.to), c)), `${node.path}.message.to`)
        detail(node.id, `posts to ${to.join(', ')}: ${JSON.stringify(text)}`)
        scriptedFailure(node)
        // As the server: one post per person; the step's postId is the first.
        return to.map((who) => post(node.id, who, text))[0]!
      }
      case 'status_update': {
        const text = textOf(step.status_update!, `${node.path}.status_update`, node)
        detail(node.id, `posts to the run channel: ${JSON.stringify(text)}`)
        scriptedFailure(node)
        const result = post(node.id, 'the run channel', text)
        const broadcast = step.status_update!.broadcast
        const targets = broadcast === true ? playbook.channel?.broadcast ?? [] : Array.isArray(broadcast) ? broadcast : []
        for (const ref of targets) post(node.id, ref, `${text}\n\n_From run #${state.number}: ~${options.channelName}_`)
        if (targets.length) detail(node.id, `broadcast to ${targets.join(', ')}`)
        return result
      }
      case 'checklist': {
        const items = state.items.filter((i) => i.stepId === node.id && !i.hidden)
        const holderName = (id: string) => Object.values(state.roles).find((h) => h?.id === id)?.username ?? id
        const lines = [`**${step.checklist!.title ?? step.name ?? node.id}**`, ...items.map((i, n) => `${n + 1}. ${i.state === 'closed' ? '☑' : '☐'} ${i.title}${i.assigneeId ? ` (@${holderName(i.assigneeId)})` : ''}`)]
        return post(node.id, 'the run channel', lines.join('\n'))
      }
      case 'approval': {
        const approval = step.approval!
        const text = approval.text !== undefined || approval.template !== undefined ? textOf(approval, `${node.path}.approval`, node) : `Approval needed: **${step.name ?? node.id}**`
        const named = namedApprovers(approval.approvers, `${node.path}.approval.approvers`)
        detail(node.id, `asks ${approval.approvers.join(', ')} (quorum ${approval.quorum ?? 1})${people.known ? `: ${named.join(', ') || 'nobody'}` : ''}`)
        const request = `${text}\nApprovers: ${approval.approvers.join(', ')}${approval.quorum && approval.quorum > 1 ? ` (${approval.quorum} needed)` : ''}`
        const result = post(node.id, 'the run channel', request)
        for (const to of named) post(node.id, to, request)
        return result
      }
      default:
        throw new Error(`${node.kind} steps have no external part`)
    }
  }

  /** People answer a posted checklist or approval, as setItemState and vote record it. */
  const answer = (node: StepNode) => {
    const given = answerFor(node)
    if (node.kind === 'checklist') {
      for (const item of state.items.filter((i) => i.stepId === node.id && !i.hidden)) {
        const wanted = given === 'all-closed' ? 'closed' : isRecord(given) ? given[item.id] ?? given[item.title] : undefined
        if ((wanted === 'closed' || wanted === 'skipped') && item.state !== wanted) {
          item.state = wanted
          line('task_state_modified', `"${item.title}" ${wanted}`, node.id)
        }
      }
    } else if (node.kind === 'approval' && isRecord(given) && (given.decision === 'approved' || given.decision === 'rejected')) {
      const decision = given.decision
      const approval = node.step.approval!
      const quorum = decision === 'approved' ? approval.quorum ?? 1 : 1
      // With a people file the dry run knows who may vote, and checks it as the server's `vote` does.
      const refs = [...approval.approvers, ...(state.steps[node.id]?.escalated && approval.escalateTo ? [approval.escalateTo] : [])]
      const allowed = people.known ? approversOf(refs, `${node.path}.approval.approvers`) : undefined
      const by = Array.isArray(given.by) ? given.by.map(toText) : allowed ? allowed.slice(0, quorum) : Array.from({ length: quorum }, (_, i) => `user:simulated-${i + 1}`)
      if (allowed && by.length === 0) detail(node.id, `nobody may vote: ${refs.join(', ')} name nobody`)
      const votes = (state.votes[node.id] ??= [])
      for (const userId of by) {
        const voter = simulatedUser(userId)
        if (allowed && !(voter && allowed.includes(`user:${voter.username}`))) {
          detail(node.id, `vote by ${userId} refused: only ${refs.join(', ')} may decide this approval`)
          continue
        }
        // Known voters count once however they are written (`rm1`, `user:rm1`, `rm1@example.com`).
        const id = allowed && voter ? `user:${voter.username}` : userId
        if (votes.some((v) => v.userId === id)) continue
        votes.push({ userId: id, decision, at: now, comment: toText(given.comment ?? '') })
        line('approval_decided', `${decision} by a vote`, node.id)
      }
      const counted = allowed ? by.filter((u) => allowed.includes(`user:${simulatedUser(u)?.username}`)) : by
      if (counted.length) detail(node.id, `${decision} by ${counted.join(', ')}`)
    }
  }

  /** Carries out one `execute` effect and records its result with the engine's own recordStepResult. */
  const execute = (stepId: string, part?: 'escalate') => {
    const node = graphOf(playbook, state).nodes.get(stepId)!
    const s = state.steps[stepId]
    if (part === 'escalate') {
      // As the server's executor: escalateTo gets the request in a direct message.
      const approval = node.step.approval!
      const to = approval.escalateTo ? namedApprovers([approval.escalateTo], `${node.path}.approval.escalateTo`) : []
      if (s?.status === 'waiting') for (const who of to) post(stepId, who, `Approval needed (escalated): **${node.step.name ?? stepId}**`)
      detail(stepId, `escalated to ${approval.escalateTo}${to.length ? '' : ' (nobody to ask)'}`)
      return
    }
    // As the server's executor: a step already over is skipped, except a non-blocking checklist's post.
    if (!s || (TERMINAL.has(s.status) && (node.kind !== 'checklist' || s.outputs.postId))) return
    let outputs: Record<string, unknown> = {}
    let failure: string | null = null
    try {
      outputs = perform(node)
    } catch (err) {
      failure = (err as Error).message
    }
    const name = node.step.name ?? stepId
    recordStepResult({ playbook, state, now, ctx }, stepId, failure !== null ? { failure } : { outputs }, 1, (type, summary) => line(type, summary, stepId))
    if (failure !== null) post(stepId, 'the run channel', `:warning: Step **${name}** failed: ${failure}`)
    else if (node.kind === 'checklist' || node.kind === 'approval') answer(node)
  }

  const timerText = (node: StepNode): string => {
    if (node.kind === 'approval') return `approval ${node.id} times out: ${state.steps[node.id]?.escalated ? 'fail (escalated once already)' : node.step.approval!.onTimeout ?? 'fail'}`
    return node.step.wait?.for !== undefined ? `wait ${node.id} ends` : `wait ${node.id} times out`
  }

  const wakeups: number[] = []
  let nextEvent = 0
  for (let round = 0; round < 100_000; round++) {
    const effects = advance({ playbook, state, now, ctx, children })
    // The decisions' timeline and timers first: on the server the executor runs after the commit.
    for (const effect of effects) {
      if (effect.kind === 'timeline') line(effect.type, effect.summary, effect.stepId)
      else if (effect.kind === 'timer') {
        out.timers.push({ at: effect.at, step: effect.stepId, what: timerText(graphOf(playbook, state).nodes.get(effect.stepId)!) })
        wakeups.push(effect.at)
      }
    }
    for (const effect of effects) {
      const node = effect.kind === 'timeline' && effect.type === 'step_started' && effect.stepId ? graphOf(playbook, state).nodes.get(effect.stepId) : undefined
      const wait = node?.step.wait
      if (wait) detail(node.id, wait.for !== undefined ? `sleeps ${wait.for}` : wait.until !== undefined ? `until ${toText(wait.until)}` : `for event ${wait.event!.source} ${wait.event!.type}`)
    }
    let executed = false
    for (const effect of effects) {
      if (effect.kind !== 'execute') continue
      execute(effect.stepId, effect.part)
      executed = true
    }
    // A recorded result may let more steps go: decide again at the same instant.
    if (executed) continue
    const eventAt = nextEvent < events.length ? start + events[nextEvent]!.atMs : Infinity
    const wake = Math.min(eventAt, ...wakeups.filter((t) => t > now))
    if (wake === Infinity || wake > end) break
    now = wake
    while (nextEvent < events.length && start + events[nextEvent]!.atMs <= now) {
      const event = events[nextEvent]!.event
      // Every later event is this run's: one that no wait takes is a correlated event.
      if (!settleEventWaits(playbook, state, event, now, ctx, line)) applyCorrelatedEvent(playbook, state, event, now, ctx, (type, summary) => line(type, summary))
      nextEvent++
    }
  }
  return out
}
