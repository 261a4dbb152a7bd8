/**
 * A run's state: one JSON document, changed only under the run row's lock (see store.ts), so
 * every decision about a run is taken once, whichever server takes it.
 */
import type { IntegrationEventLike } from './trigger.ts'

export type StepStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'timed_out'
export type RunStatus = 'active' | 'mitigated' | 'resolved' | 'finished' | 'canceled'

export const TERMINAL: ReadonlySet<StepStatus> = new Set(['succeeded', 'failed', 'skipped', 'cancelled', 'timed_out'])

export interface StepState {
  status: StepStatus
  outputs: Record<string, unknown>
  attempts: number
  startedAt: number
  finishedAt: number
  /** Why it failed, was skipped or cancelled. */
  reason?: string
  /** A wait's or approval's deadline (ms), 0 when none. */
  deadlineAt?: number
  /** An approval escalated on its timeout (`onTimeout: escalate`): its `escalateTo` may vote too. */
  escalated?: boolean
}

/**
 * Steps that joined the run after it started: a hook's steps each time it fires, a failed step's
 * `onError` steps. Their ids are `<key>/<step id>`, so a hook that fires twice runs twice.
 */
export interface StepList {
  /** `hooks.run.resolved#2`, `ship/onError`. */
  key: string
  kind: 'hook' | 'onError'
  /** The hook's name, or the id of the step that failed. */
  name: string
  at: number
  /** A `trigger.correlated` hook's event: its steps see it as `trigger`. */
  trigger?: IntegrationEventLike
  /** What fired it (the property, the role, the checklist step, the statuses). */
  details?: Record<string, unknown>
  /** Announced on the timeline and its steps joined the run (a firing of a hook without steps is dropped). */
  open?: boolean
}

export type ItemState = 'open' | 'closed' | 'skipped'

export interface ChecklistItemState {
  id: string
  stepId: string
  title: string
  state: ItemState
  assigneeId: string
  dueAt: number
  /** Hidden by its `if`: never outstanding. */
  hidden: boolean
  command: string
  /** When its command or action last ran from the item (ms), and how often (the next run's idempotency key). */
  commandLastRun?: number
  runs?: number
  /** What was given for its `requires` when it was closed. */
  values?: Record<string, unknown>
}

export interface Vote {
  userId: string
  decision: 'approved' | 'rejected'
  at: number
  comment: string
}

export interface RoleHolder {
  id: string
  username: string
  email: string
  displayName: string
}

export interface RunState {
  id: string
  number: number
  title: string
  status: RunStatus
  teamId: string
  channelId: string
  ownerId: string
  /** `create` until the channel is made, then `ready`. */
  channelPhase: 'pending' | 'ready'
  trigger: IntegrationEventLike
  inputs: Record<string, unknown>
  props: Record<string, unknown>
  vars: Record<string, unknown>
  roles: Record<string, RoleHolder | null>
  steps: Record<string, StepState>
  items: ChecklistItemState[]
  votes: Record<string, Vote[]>
  metrics: Record<string, unknown>
  /** Timestamps the built-in metrics are computed from. */
  marks: { detected: number; acknowledged: number; mitigated: number; resolved: number; finished: number }
  /** `main` while the steps run, `finally` once they are all done, `done` at the end. */
  phase: 'main' | 'finally' | 'done'
  /** A step failed without continue-on-error: dependants are cancelled unless they ask for always()/failure(). */
  failed: boolean
  /** run.fail@v1 ran: main steps not yet started are cancelled unless they ask for always()/failure(). */
  halted?: boolean
  startedAt: number
  /** Next timeline sequence number. */
  seq: number
  /** The template files of the playbook when the run started, by the path it names them with. */
  templates?: Record<string, string>
  /** The `wait: { event }` steps waiting now, for the query that finds the runs an event may settle. */
  eventWaits?: { stepId: string; source: string; type: string }[]
  /** Hook firings and compensation lists, in the order they joined the run. */
  lists?: StepList[]
  /** The run that started this one with a `call` step, and the step waiting for it. */
  parent?: { runId: string; stepId: string; channelId: string; reported?: boolean }
  /** Playbook names of the calling runs, outermost first (cycle and depth guard of `call`). */
  ancestors?: string[]
  /** Each reminder's sequence number (a pending job with an older one is stale), next time and count. */
  reminders?: Record<string, { seq: number; nextAt: number; fired: number }>
  /** The retrospective (run-ops.ts): the saved draft, and whether it is published or canceled. */
  retrospective?: RetrospectiveState
}

export interface RetrospectiveState {
  /** The draft as last saved; empty until someone edits or publishes it (the template renders until then). */
  text: string
  publishedAt: number
  canceled: boolean
  /** The reminder job's sequence number: 0 until reminding starts; a job with an older one is stale. */
  reminderSeq: number
  remindersSent: number
}
