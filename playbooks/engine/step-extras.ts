/**
 * The executor's parts for `call` steps and approval requests, beside service.ts: starting a
 * child run, telling its parent when it is over (and it when its parent was canceled), asking
 * named approvers in direct messages, and the escalation of an approval. Each outside effect is keyed, so a retried job repeats none.
 */
import type { EnqueueInTx } from './job-outbox.ts'
import type { SqlClient } from '../../core/db/sql-transaction.ts'
import type { Logger } from '../../core/log.ts'
import type { AuthSession } from '../../core/auth/session-types.ts'
import type { ActionService } from '../../core/actions/index.ts'
import type { ChannelService } from '../../core/channels/service.ts'
import { AppError } from '../../core/errors.ts'
import type { EvalContext, Playbook } from '../dsl/index.ts'
import type { StepNode } from './graph.ts'
import { childOutcome, type ChildOutcome } from './lists.ts'
import { setRunStatus, type Effect } from './plan.ts'
import type { RunRow, RunStore } from './store.ts'
import type { RoleHolder, RunState } from './state.ts'
import type { IntegrationEventLike } from './trigger.ts'
import { isPeopleRef, type People } from './people.ts'

export interface ChildStart {
  playbook: string
  teamId: string
  actorId: string
  title?: string
  inputs: Record<string, unknown>
  trigger: IntegrationEventLike
  dedupeKey: string
  parent: NonNullable<RunState['parent']>
  ancestors: string[]
}

export interface StepExtrasDeps {
  store: RunStore
  actions: ActionService
  channels: ChannelService
  library: { get(name: string): { playbook: Playbook } | undefined }
  log: Logger
  /** The job type that advances a run. */
  advanceJob: string
  /** Queues a job in a run change's transaction (job-outbox.ts). */
  enqueueInTx: EnqueueInTx
  engineSession(): Promise<AuthSession>
  people: People
  evaluateWith(value: unknown, ctx: EvalContext, path: string, state: RunState): unknown
  startRun(input: ChildStart): Promise<{ run: RunRow }>
  now(): number
}

/** The Approve/Reject buttons of an approval request; the action handler in playbooks/index.ts takes the click. */
export function approvalProps(runId: string, stepId: string, text: string): Record<string, unknown> {
  const context = { run_id: runId, step_id: stepId }
  return {
    from_playbook: runId,
    attachments: [{
      text,
      actions: [
        { id: 'approve', name: 'Approve', type: 'button', style: 'good', integration: { url: 'bridgehead://playbooks/approval', context: { ...context, decision: 'approved' } } },
        { id: 'reject', name: 'Reject', type: 'button', style: 'danger', integration: { url: 'bridgehead://playbooks/approval', context: { ...context, decision: 'rejected' } } },
      ],
    }],
  }
}

const TERMINAL_RUN: ReadonlySet<string> = new Set(['finished', 'canceled'])

/** The runs the run's waiting `call` steps started. */
function waitingChildren(state: RunState): string[] {
  return Object.values(state.steps).flatMap((s) => (s.status === 'waiting' && typeof s.outputs.runId === 'string' && s.outputs.runId ? [s.outputs.runId] : []))
}

export function createStepExtras(deps: StepExtrasDeps) {
  const { store, actions, channels, library, log } = deps

  /** The people a reference names (people.ts); a group or team asks each of its members. */
  async function persons(state: RunState, ref: string): Promise<RoleHolder[]> {
    return isPeopleRef(ref) ? deps.people.many(state, ref) : []
  }

  /** Posts the request with its buttons to each person, in a direct message from the bot, once per person. */
  async function directMessages(row: RunRow, stepId: string, refs: readonly string[], props: Record<string, unknown>, keyPart: string): Promise<string[]> {
    const session = await deps.engineSession()
    const sent: string[] = []
    for (const who of (await Promise.all(refs.map((ref) => persons(row.state, ref)))).flat()) {
      if (sent.includes(who.id) || who.id === session.userId) continue
      try {
        const { channel } = await channels.createDirect(session, [session.userId, who.id])
        await actions.invoke('post.create@v1', { channel_id: channel.id, message: '', props }, { session, idempotencyKey: `${row.id}:${stepId}:${keyPart}:${who.id}` })
        sent.push(who.id)
      } catch (err) {
        // The request in the run channel stands; a DM that cannot be sent must not fail the approval.
        log.warn({ err, runId: row.id, stepId, userId: who.id }, 'could not send an approval request by direct message')
      }
    }
    return sent
  }

  return {
    /** Asks each named approver (not roles nobody holds) in a direct message, with the buttons. */
    async askApprovers(row: RunRow, node: StepNode, props: Record<string, unknown>): Promise<string[]> {
      return directMessages(row, node.id, node.step.approval!.approvers, props, 'dm')
    },

    /** `onTimeout: escalate`: escalateTo gets the request (it may now vote; service.ts's vote checks). */
    async escalate(row: RunRow, node: StepNode, text: string): Promise<void> {
      const approval = node.step.approval!
      if (!approval.escalateTo || row.state.steps[node.id]?.status !== 'waiting') return
      const sent = await directMessages(row, node.id, [approval.escalateTo], approvalProps(row.id, node.id, `${text}\n_Escalated to you: nobody decided within ${approval.timeout}._`), 'escalate')
      if (sent.length === 0) log.info({ runId: row.id, stepId: node.id, escalateTo: approval.escalateTo }, 'an approval escalated to nobody')
    },

    /**
     * A `call` step: starts the child run (same team, inputs from `with`), once per step.
     * @returns its id and number; the step waits until the run is over.
     * @throws for an unknown playbook, a version the library does not have, a missing input.
     */
    async startChild(row: RunRow, node: StepNode, ctx: EvalContext): Promise<Record<string, unknown>> {
      const [name, version] = node.step.call!.playbook.split('@') as [string, string | undefined]
      const entry = library.get(name)
      if (!entry) throw new AppError('app.playbook.not_found.app_error', `No playbook named "${name}" is loaded.`, 404)
      if (version !== undefined && entry.playbook.metadata.version !== Number(version)) throw new Error(`${name} is loaded at version ${entry.playbook.metadata.version}, the step asks for @${version}`)
      const inputs = (deps.evaluateWith(node.step.with ?? {}, ctx, `${node.path}.with`, row.state) ?? {}) as Record<string, unknown>
      const state = row.state
      const { run } = await deps.startRun({
        playbook: name, teamId: state.teamId, actorId: state.ownerId, inputs,
        trigger: { source: 'call', type: 'call', id: `${row.id}:${node.id}`, correlationKey: '', occurredAt: deps.now(), title: state.title, ...(state.trigger.actor ? { actor: state.trigger.actor } : {}), data: inputs },
        dedupeKey: `call:${row.id}:${node.id}`,
        parent: { runId: row.id, stepId: node.id, channelId: state.channelId },
        ancestors: [...(state.ancestors ?? []), row.playbook.metadata.name],
      })
      return { runId: run.id, number: run.number }
    },

    /** How the children of the run's waiting `call` steps stand, and whether its caller was canceled (read outside the lock). */
    async family(state: RunState): Promise<{ children: Record<string, ChildOutcome>; parentCanceled: boolean }> {
      const children: Record<string, ChildOutcome> = {}
      for (const id of waitingChildren(state)) {
        const child = await store.get(id)
        if (child) children[id] = childOutcome(child.state)
      }
      const parent = state.parent && !TERMINAL_RUN.has(state.status) ? await store.get(state.parent.runId) : null
      return { children, parentCanceled: parent?.state.status === 'canceled' }
    },

    /** Inside the lock: a run whose caller was canceled is canceled too (its `run.canceled` hooks run). */
    followParent(state: RunState, now: number): Effect[] {
      if (TERMINAL_RUN.has(state.status)) return []
      const effects: Effect[] = []
      const timeline = (type: string, summary: string) => effects.push({ kind: 'timeline', type, summary })
      timeline('timeline_note', 'the run that called this one was canceled')
      setRunStatus(state, 'canceled', now, timeline)
      return effects
    },

    /**
     * Inside the lock, in the same transaction: once a called run is over its caller is advanced;
     * once a run is canceled its waiting children are advanced (and follow it). Each once.
     */
    async reportToFamily(tx: SqlClient, state: RunState): Promise<void> {
      const parent = state.parent
      if (parent && !parent.reported && childOutcome(state).done) {
        parent.reported = true
        await deps.enqueueInTx(tx, { type: deps.advanceJob, data: { runId: parent.runId }, dedupeKey: `pb:${parent.runId}:child:${state.id}` })
      }
      if (state.status !== 'canceled') return
      for (const id of waitingChildren(state)) await deps.enqueueInTx(tx, { type: deps.advanceJob, data: { runId: id }, dedupeKey: `pb:${id}:parent-canceled` })
    },
  }
}
