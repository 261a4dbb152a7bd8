/**
 * The durable run engine. A run's decisions are taken by `advance` (plan.ts, pure) inside the run
 * row's lock; the side effects it asks for (create the channel, post, call an action) run from
 * durable jobs with idempotency keys, and report back under the lock again. So a restart in the
 * middle of a run resumes it, each step's effect happens once per key, and several servers can
 * share the work (jobs are claimed with SKIP LOCKED; the row lock orders the decisions).
 */
import type { Database } from '../../core/db/index.ts'
import type { SqlClient } from '../../core/db/sql-transaction.ts'
import type { Logger } from '../../core/log.ts'
import type { AuthSession } from '../../core/auth/session-types.ts'
import type { JobService } from '../../core/jobs/service.ts'
import type { ActionService } from '../../core/actions/index.ts'
import { ActionError } from '../../core/actions/index.ts'
import type { ChannelService } from '../../core/channels/service.ts'
import type { ChannelStore } from '../../core/channels/store.ts'
import { extend } from '../../core/extend.ts'
import type { PostService } from '../../core/posts/service.ts'
import type { TeamService } from '../../core/teams/service.ts'
import type { UserStore, UserRecord } from '../../core/users/store.ts'
import type { EventBus } from '../../core/realtime/events.ts'
import { AppError } from '../../core/errors.ts'
import { userByRef } from '../../core/users/by-ref.ts'
import { idFromKey, newId } from '../../core/ids.ts'
import { groupCommit } from '../../core/group-commit.ts'
import { createJobOutbox } from './job-outbox.ts'
import { nowMillis } from '../../core/clock.ts'
import { evaluateInterpolated, parseDuration, parseInterpolated, renderTemplate, slugify, type Playbook, type Step } from '../dsl/index.ts'
import { advance, graphOf, recordStepResult, setRunStatus, type Effect } from './plan.ts'
import { applyCorrelatedEvent, settleEventWaits as settleWaits } from './correlate.ts'
import { inputValues, propertyDefaults } from './run-start.ts'
import { evalContext, runValues, type RunContextOptions } from './context.ts'
import { matchesEvent, type IntegrationEventLike } from './trigger.ts'
import { createRunStore, type NewTimelineEvent, type RunRow } from './store.ts'
import { TERMINAL, type RoleHolder, type RunState, type RunStatus } from './state.ts'
import { REMIND_JOB, afterQuietHours, intervalOf, reminderState, untilHolds } from './reminders.ts'
import type { Reminder } from '../dsl/index.ts'
import { nodeContext } from './lists.ts'
import type { StepNode } from './graph.ts'
import { approvalProps, createStepExtras, type ChildStart } from './step-extras.ts'
import { createRunOps } from './run-ops.ts'
import { checklistMessage, presentRunOps } from './run-view.ts'
import { requiredValues } from './item-rules.ts'
import { createPeople, holderOf, isPeopleRef, type PeopleDirectory } from './people.ts'
import { requireCan, type Actor } from './permissions.ts'

export const ADVANCE_JOB = 'playbooks.advance'
export const EXECUTE_JOB = 'playbooks.execute'
/**
 * Runs started together (events gathered in one group commit), and the execute jobs taken in one batch:
 * the same size, so one start batch's channels and first steps fit one execute batch. Per-batch work
 * (about 15 statements and 5 transactions) is what a bigger batch spreads: on PostgreSQL, alternating runs
 * of 4,000-event bursts went from 727–861/s with 100 execute jobs per batch to 770–938/s with 200.
 */
export const RUN_BATCH_MAX = 200
/** The pseudo-step that creates and prepares the run's channel before the playbook's steps. */
export const CHANNEL_STEP = '_channel'
export const PLAYBOOK_BOT_USERNAME = 'playbooks'

export interface PlaybookSource {
  get(name: string): { playbook: Playbook; templates?: Record<string, string> } | undefined
  list(): readonly { name: string; playbook: Playbook }[]
}

export interface RunEngineOptions {
  db: Database
  jobs: JobService
  actions: ActionService
  channels: ChannelService
  channelStore: ChannelStore
  posts: PostService
  teams: TeamService
  users: UserStore
  bus: EventBus
  bots: { ensureBot(input: { username: string; displayName: string; description: string; ownerId: string }): Promise<UserRecord> }
  library: PlaybookSource
  /** Behind `group:` and `team:` references (people.ts). */
  directory: PeopleDirectory
  siteUrl: string
  log: Logger
  now?: () => number
}

export interface StartInput {
  playbook: string
  teamId: string
  /** Who starts it (the command's user, or the connection's owner for an event). */
  actorId: string
  title?: string
  inputs?: Record<string, unknown>
  trigger: IntegrationEventLike
  /** The same key never starts two runs (an external event's id). */
  dedupeKey?: string
  /** A run started by a `call` step: its parent, and the playbooks calling it. */
  parent?: ChildStart['parent']
  ancestors?: string[]
}

/** An execute job's data: a step of a run (or the run's channel, CHANNEL_STEP), and which attempt. */
export interface ExecuteData {
  runId: string
  stepId: string
  attempt: number
  part?: 'escalate'
}

export interface IntegrationPayload {
  teamId: string
  actorId: string
  event: IntegrationEventLike
}

const RETRY_DEFAULTS = { initialMs: 10_000, maxDelayMs: 10 * 60_000 }

export function createRunEngine(options: RunEngineOptions) {
  const { jobs, actions, channels, channelStore, posts, teams, users, bus, library, log } = options
  const now = options.now ?? nowMillis
  const store = createRunStore(options.db)
  const outbox = createJobOutbox(jobs)
  let bot: Promise<UserRecord> | undefined
  const people = createPeople({ directory: options.directory, resolveUserRef })
  const extras = createStepExtras({ store, actions, channels, library, log, advanceJob: ADVANCE_JOB, enqueueInTx: outbox.enqueue, engineSession, people, evaluateWith, startRun: start, now })

  // One lookup however many callers ask at once: a burst of first events would otherwise each try to create the bot.
  function ensureBot(): Promise<UserRecord> {
    bot ??= options.bots.ensureBot({ username: PLAYBOOK_BOT_USERNAME, displayName: 'Playbooks', description: 'Runs playbooks: creates run channels, posts updates and reminders.', ownerId: 'playbooks' })
      .catch((err: unknown) => {
        bot = undefined
        throw err
      })
    return bot
  }

  /** The engine acts as its bot with the rights of the server itself (as a Mattermost plugin does). */
  async function engineSession(): Promise<AuthSession> {
    const user = await ensureBot()
    return { id: '', token: '', userId: user.id, roles: 'system_user system_admin', isSystemAdmin: true, isBot: true, kind: 'session', csrfToken: '', expiresAt: 0 }
  }

  // A team's URL name cannot change (Mattermost's team patch has no `name`), so it is read once per team, not once per job.
  const teamNames = new Map<string, string>()
  // Teams this process has put the bot in: joining again is a no-op that costs queries per run.
  const botTeams = new Set<string>()

  async function contextOptions(row: { playbook: Playbook; teamId: string }): Promise<RunContextOptions> {
    let teamName = teamNames.get(row.teamId)
    if (teamName === undefined) {
      const team = await teams.requireTeam(row.teamId).catch(() => null)
      teamName = team?.name ?? ''
      if (team) teamNames.set(row.teamId, teamName)
    }
    return { playbook: { name: row.playbook.metadata.name, version: row.playbook.metadata.version }, siteUrl: options.siteUrl, teamName, now: now() }
  }

  async function holder(userId: string): Promise<RoleHolder | null> {
    const user = await users.getById(userId)
    return user && user.deleteAt === 0 ? holderOf(user) : null
  }

  /** A `user:x`, `@x`, email or id reference, or an expression giving one, to a local user. */
  async function resolveUserRef(ref: unknown): Promise<RoleHolder | null> {
    if (typeof ref === 'object' && ref !== null) {
      const r = ref as { id?: string; email?: string; username?: string }
      if (r.id) return holder(r.id)
      if (r.email) return resolveUserRef(r.email)
      if (r.username) return resolveUserRef(r.username)
      return null
    }
    if (typeof ref !== 'string') return null
    const user = await userByRef(users, ref)
    return user ? holder(user.id) : null
  }

  async function publishUpdated(row: RunRow): Promise<void> {
    const audience = row.channelId ? { channelId: row.channelId } : { userId: row.ownerId }
    await bus.publish({
      type: 'playbook_run.updated',
      payload: { runId: row.id },
      ws: { event: 'custom_playbooks_playbook_run_updated', data: { payload: JSON.stringify(presentRun(row)) }, audience },
    })
    await ops.afterChange(row).catch((err: unknown) => log.warn({ err, runId: row.id }, 'run follow-up failed'))
  }

  /**
   * Queues a reminder's next firing, `from` plus its interval (after quiet hours), under a new
   * sequence number, which makes any job queued before stale. Nothing when it is `never` or its
   * `until` already holds.
   */
  async function scheduleReminder(tx: SqlClient, state: RunState, reminder: Reminder, ctx: ReturnType<typeof evalContext>, from: number): Promise<void> {
    const rs = reminderState(state, reminder.id)
    rs.seq += 1
    rs.nextAt = 0
    let interval: number | null
    try {
      if (untilHolds(reminder, ctx)) return
      interval = intervalOf(reminder, ctx)
    } catch (err) {
      log.warn({ err, runId: state.id, reminder: reminder.id }, 'reminder not scheduled')
      return
    }
    if (interval === null) return
    rs.nextAt = afterQuietHours(reminder, from + interval, ctx)
    await outbox.enqueue(tx, { type: REMIND_JOB, data: { runId: state.id, reminderId: reminder.id, seq: rs.seq }, runAt: rs.nextAt, dedupeKey: `pb:${state.id}:remind:${reminder.id}:${rs.seq}` })
  }

  const isStatusReminder = (r: Reminder) => (r.about ?? 'status') === 'status'

  /** The reminder job: posts it (once per sequence number) unless stale, satisfied or quiet, then queues the next. */
  async function remind(data: { runId: string; reminderId: string; seq: number }): Promise<void> {
    const row = await store.get(data.runId)
    if (!row || row.state.status === 'finished' || row.state.status === 'canceled') return
    const reminder = (row.playbook.reminders ?? []).find((r) => r.id === data.reminderId)
    if (!reminder || reminderState(structuredClone(row.state), reminder.id).seq !== data.seq) return
    const ctxOptions = await contextOptions(row)
    const ctx = evalContext(row.state, ctxOptions)
    const at = now()
    let until = false
    try {
      until = untilHolds(reminder, ctx)
    } catch {
      until = false
    }
    const quietEnd = afterQuietHours(reminder, at, ctx)
    let posted = false
    if (!until && quietEnd <= at + 1000) {
      const session = await engineSession()
      const data2 = runValues(row.state, ctxOptions)
      let text: string
      if (reminder.about === 'overdue') {
        const overdue = row.state.items.filter((i) => !i.hidden && i.state === 'open' && i.dueAt > 0 && i.dueAt <= at)
        const who = (id: string) => Object.values(row.state.roles).find((h) => h?.id === id)?.username
        const heading = reminder.text ? renderTemplate(reminder.text, data2, `reminders.${reminder.id}.text`) : `Overdue in ${row.state.title}:`
        text = overdue.length === 0 ? '' : [heading, ...overdue.map((i) => `- ${i.title}${i.assigneeId ? ` (@${who(i.assigneeId) ?? i.assigneeId})` : ''}`)].join('\n')
      } else {
        text = reminder.text || reminder.template ? textOf(reminder, data2, `reminders.${reminder.id}`, row.state) : `Status update due for **${row.state.title}**: post one with \`/playbook status <what changed>\`.`
      }
      if (text) {
        await actions.invoke('post.create@v1', { channel_id: row.state.channelId, message: text, props: { from_playbook: row.id, playbook_reminder: reminder.id } }, { session, idempotencyKey: `${row.id}:remind:${reminder.id}:${data.seq}` })
        posted = true
      }
    }
    await store.mutate(row.id, at, async (state, _row, tx) => {
      const rs = reminderState(state, reminder.id)
      if (rs.seq !== data.seq) return { events: [], result: null }
      const events: NewTimelineEvent[] = []
      if (posted) {
        rs.fired += 1
        events.push({ type: reminder.about === 'overdue' ? 'reminder_sent' : 'status_update_requested', actorKind: 'system', actorId: '', summary: `reminder ${reminder.id} sent`, details: { seq: data.seq }, stepId: '' })
      }
      if (until) {
        rs.nextAt = 0
        return { events, result: null }
      }
      if (quietEnd > at + 1000) {
        rs.seq += 1
        rs.nextAt = quietEnd
        await jobs.enqueue({ type: REMIND_JOB, data: { runId: state.id, reminderId: reminder.id, seq: rs.seq }, runAt: quietEnd, dedupeKey: `pb:${state.id}:remind:${reminder.id}:${rs.seq}` }, { tx })
        return { events, result: null }
      }
      await scheduleReminder(tx, state, reminder, evalContext(state, ctxOptions), at)
      return { events, result: null }
    })
  }

  /** A status update resets the status reminders: their next firing counts from now. */
  async function resetStatusReminders(tx: SqlClient, state: RunState, playbook: Playbook, ctxOptions: RunContextOptions): Promise<void> {
    for (const reminder of playbook.reminders ?? []) {
      if (isStatusReminder(reminder)) await scheduleReminder(tx, state, reminder, evalContext(state, ctxOptions), now())
    }
  }

  type Family = Awaited<ReturnType<typeof extras.family>>

  /**
   * Runs the planner on a locked run's state and queues what it asks for, in the caller's
   * transaction. Called inline where a change under the lock makes progress likely (the channel
   * is ready, a step's result is in), which saves a job round trip per step. `family` (called
   * runs, a canceled caller) is read before the lock, as the advance job reads it. A step it
   * starts that `ahead` holds an attempt for is not queued: the attempt moves to `started`, for
   * the caller to record.
   */
  async function decide(tx: SqlClient, state: RunState, playbook: Playbook, ctxOptions: RunContextOptions, family: Family, ahead?: Map<string, Attempted>, started?: Attempted[]): Promise<NewTimelineEvent[]> {
    // A canceled run still runs its hooks (the planner holds back the rest).
    if (state.channelPhase !== 'ready') return []
    const canceled = family.parentCanceled ? extras.followParent(state, now()) : []
    const effects = advance({ playbook, state, now: now(), ctx: (s) => evalContext(s, ctxOptions), children: family.children })
    const taken = effects.filter((e) => {
      const attempt = e.kind === 'execute' && !e.part ? ahead?.get(e.stepId) : undefined
      if (!attempt || e.kind !== 'execute') return true
      ahead!.delete(e.stepId)
      started!.push(attempt)
      return false
    })
    const events = await applyEffects(tx, state.id, [...canceled, ...taken])
    await extras.reportToFamily(tx, state)
    return events
  }

  /** The advance job: the planner under the lock. */
  async function step(runId: string): Promise<void> {
    // Read outside the lock: inside it only the transaction may touch the database (core/db/transaction.ts).
    const before = await store.get(runId)
    if (!before) return
    const ctxOptions = await contextOptions(before)
    const family = await extras.family(before.state)
    const done = await store.mutate(runId, now(), async (state, row, tx) => {
      const events = await decide(tx, state, row.playbook, ctxOptions, family)
      return { events, result: events.length > 0 }
    })
    if (done?.result) await publishUpdated(done.row)
  }

  async function applyEffects(tx: SqlClient, runId: string, effects: Effect[]): Promise<NewTimelineEvent[]> {
    const events: NewTimelineEvent[] = []
    for (const effect of effects) {
      if (effect.kind === 'timeline') {
        events.push({ type: effect.type, actorKind: 'system', actorId: '', summary: effect.summary, details: effect.details ?? {}, stepId: effect.stepId ?? '' })
      } else if (effect.kind === 'execute') {
        await outbox.enqueue(tx, { type: EXECUTE_JOB, data: { runId, stepId: effect.stepId, attempt: 1, ...(effect.part ? { part: effect.part } : {}) }, dedupeKey: `pb:${runId}:${effect.stepId}:${effect.part ?? 1}` })
      } else {
        await outbox.enqueue(tx, { type: ADVANCE_JOB, data: { runId }, runAt: effect.at, dedupeKey: `pb:${runId}:timer:${effect.stepId}:${effect.at}` })
      }
    }
    return events
  }

  async function enqueueAdvance(runId: string, tx?: SqlClient): Promise<void> {
    if (tx) await outbox.enqueue(tx, { type: ADVANCE_JOB, data: { runId } })
    else await jobs.enqueue({ type: ADVANCE_JOB, data: { runId } })
  }

  /** A template file the run pinned when it started. */
  function templateText(state: RunState, file: string, field: string): string {
    const text = state.templates?.[file]
    if (text === undefined) throw new Error(`${field}: the template file ${file} was not found when the run started`)
    return text
  }

  /** Deep-evaluates `${{ }}` in a step's `with` (strings; `{template: file}` renders that file); other values as written. */
  function evaluateWith(value: unknown, ctx: ReturnType<typeof evalContext>, path: string, state: RunState): unknown {
    if (typeof value === 'string') return evaluateInterpolated(parseInterpolated(value), ctx)
    if (Array.isArray(value)) return value.map((v, i) => evaluateWith(v, ctx, `${path}[${i}]`, state))
    if (typeof value === 'object' && value !== null) {
      const template = (value as { template?: unknown }).template
      if (typeof template === 'string' && Object.keys(value).length === 1) return renderTemplate(templateText(state, template, `${path}.template`), ctx.values as Record<string, unknown>, `${path}.template`)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateWith(v, ctx, `${path}.${k}`, state)]))
    }
    return value
  }

  function textOf(spec: { text?: string; template?: string }, data: Record<string, unknown>, field: string, state: RunState): string {
    if (spec.template !== undefined) return renderTemplate(templateText(state, spec.template, `${field}.template`), data, `${field}.template`)
    return renderTemplate(spec.text ?? '', data, `${field}.text`)
  }

  /** A channel named `#name` in the run's team; the bot joins it (public) to post there. */
  async function channelByRef(teamId: string, ref: string, session: AuthSession): Promise<string> {
    const name = ref.replace(/^#/, '')
    const channel = await channelStore.getByName(teamId, name)
    if (!channel || channel.deleteAt !== 0) throw new Error(`no channel "${ref}" in the run's team`)
    if (!(await channelStore.getMember(channel.id, session.userId))) await channels.addMember(session, channel.id, session.userId)
    return channel.id
  }

  /**
   * Where a message goes, keyed by recipient: the run channel (no `to`), `#channel`, or a DM from the bot to each
   * person a `role:`, `user:`, `group:`, `team:` or `oncall:` reference names.
   * @throws when the reference names nobody (the step fails and says so).
   */
  async function destinations(state: RunState, to: string | undefined, session: AuthSession): Promise<{ key: string; channelId: string }[]> {
    if (!to) return [{ key: '', channelId: state.channelId }]
    if (to.startsWith('#')) return [{ key: '', channelId: await channelByRef(state.teamId, to, session) }]
    const users = isPeopleRef(to) ? await people.many(state, to) : [await resolveUserRef(to)].filter((u): u is RoleHolder => u !== null)
    if (users.length === 0) throw new Error(`${to}: nobody holds it`)
    const out: { key: string; channelId: string }[] = []
    for (const user of users) {
      const { channel } = await channels.createDirect(session, [session.userId, user.id])
      // One user keeps the key a single DM always had, so a run started before groups were allowed repeats nothing.
      out.push({ key: users.length === 1 ? '' : `:${user.id}`, channelId: channel.id })
    }
    return out
  }

  async function postAs(session: AuthSession, channelId: string, message: string, props: Record<string, unknown> = {}): Promise<string> {
    const created = await posts.create(session, { channel_id: channelId, message, props })
    return created.post.id
  }

  /**
   * The runs' channels: created (or reused by name), members invited, header set, overview
   * posted. Channels and overviews of the whole batch are written with one call each (ensureMany,
   * createMany); both are keyed by the run (a channel's name or id, the overview's id), so a retry
   * repeats nothing. A run whose part fails gets its Error, the others go on.
   * @returns per run id: `{ channelId, overviewPostId }`, or the Error.
   */
  async function setUpChannels(rows: RunRow[]): Promise<Map<string, Record<string, unknown> | Error>> {
    const session = await engineSession()
    const results = new Map<string, Record<string, unknown> | Error>()
    const fail = (row: RunRow, err: unknown) => results.set(row.id, err instanceof Error ? err : new Error(String(err)))
    type Plan = { row: RunRow; channelId: string; create?: Parameters<ChannelService['ensureMany']>[1][number]; invite: string[]; header?: string; ctxOptions: RunContextOptions }
    const plans: Plan[] = []
    for (const row of rows) {
      try {
        const state = row.state
        const spec = row.playbook.channel
        const ctxOptions = await contextOptions(row)
        const ctx = evalContext(state, ctxOptions)
        if (!botTeams.has(state.teamId)) {
          await teams.addMember(session, state.teamId, session.userId)
          botTeams.add(state.teamId)
        }
        const invite = new Set<string>([state.ownerId])
        for (const holderOf of Object.values(state.roles)) if (holderOf) invite.add(holderOf.id)
        for (const ref of spec?.invite ?? []) {
          if (isPeopleRef(ref)) for (const u of await people.many(state, ref)) invite.add(u.id)
        }
        const header = (channelId: string) => {
          if (spec?.header === undefined) return undefined
          const data = runValues({ ...state, channelId }, ctxOptions)
          const text = typeof spec.header === 'string' ? renderTemplate(spec.header, data, 'channel.header') : renderTemplate(templateText(state, spec.header.template, 'channel.header.template'), data, 'channel.header.template')
          return text.slice(0, 1024)
        }
        // A called playbook without a channel of its own runs in its caller's.
        if (!spec && state.parent?.channelId) plans.push({ row, channelId: state.parent.channelId, invite: [...invite], ctxOptions })
        else if (!spec || spec.mode === 'existing') {
          const channelId = spec ? await channelByRef(state.teamId, String(evaluateInterpolated(parseInterpolated(spec.name), ctx)), session) : ''
          if (!channelId) throw new Error('the playbook has no channel: add `channel: { name: … }`')
          plans.push({ row, channelId, invite: [...invite], header: header(channelId), ctxOptions })
        } else {
          const display = String(evaluateInterpolated(parseInterpolated(spec.name), ctx))
          const name = slugify(display).slice(0, 64) || `run-${state.number}`
          const id = idFromKey(`${row.id}:channel`)
          plans.push({
            row, channelId: id, invite: [...invite], ctxOptions,
            create: { id, team_id: state.teamId, name, display_name: display.slice(0, 64), type: spec.private ? 'P' : 'O', purpose: spec.purpose ?? '', header: header(id) ?? '', members: [...invite] },
          })
        }
      } catch (err) {
        fail(row, err)
      }
    }
    // One call for the batch; when it refuses one input, each run alone, so only that run fails.
    const creating = plans.filter((p) => p.create)
    const ensure = async (batch: Plan[]) => {
      const made = await channels.ensureMany(session, batch.map((p) => p.create!))
      for (const [i, m] of made.entries()) {
        const plan = batch[i]!
        plan.channelId = m.channel.id
        // A reused channel keeps its own header unless the playbook sets one.
        if (!m.created && plan.create!.header) await channels.patch(session, m.channel.id, { header: plan.create!.header })
      }
    }
    try {
      if (creating.length > 0) await ensure(creating)
    } catch {
      for (const plan of creating) await ensure([plan]).catch((err: unknown) => fail(plan.row, err))
    }
    const ready = plans.filter((p) => !results.has(p.row.id))
    for (const plan of ready) {
      if (plan.create) continue
      for (const userId of plan.invite) {
        if (!(await channelStore.getMember(plan.channelId, userId))) await channels.addMember(session, plan.channelId, userId).catch((err: unknown) => log.warn({ err, runId: plan.row.id, userId }, 'could not invite a run member'))
      }
      if (plan.header !== undefined) await channels.patch(session, plan.channelId, { header: plan.header }).catch((err: unknown) => fail(plan.row, err))
    }
    const posting = ready.filter((p) => !results.has(p.row.id))
    const overview = (plan: Plan) => ({
      id: idFromKey(`${plan.row.id}:overview`),
      channel_id: plan.channelId,
      props: { from_playbook: plan.row.id },
      message: [
        `#### ${plan.row.state.title}`,
        `Playbook **${plan.row.playbook.metadata.title ?? plan.row.playbook.metadata.name}** (v${plan.row.playbook.metadata.version}) · run #${plan.row.state.number}`,
        ...Object.entries(plan.row.state.roles).map(([role, h]) => `- ${role}: ${h ? `@${h.username}` : '_nobody yet_'}`),
      ].join('\n'),
    })
    const post = async (batch: Plan[]) => {
      const made = await posts.createMany(session, batch.map(overview))
      for (const [i, m] of made.entries()) results.set(batch[i]!.row.id, { channelId: batch[i]!.channelId, overviewPostId: m.post.id })
    }
    try {
      if (posting.length > 0) await post(posting)
    } catch {
      for (const plan of posting) await post([plan]).catch((err: unknown) => fail(plan.row, err))
    }
    return results
  }

  /** Runs a step's external part; returns its outputs. @throws for a failure (ActionError tells retryable ones). */
  async function executeStep(row: RunRow, stepId: string): Promise<Record<string, unknown>> {
    const node = graphOf(row.playbook, row.state).nodes.get(stepId)
    if (!node) throw new Error(`the pinned playbook has no step ${stepId}`)
    const step = node.step
    const state = row.state
    const ctxOptions = await contextOptions(row)
    const ctx = nodeContext(state, node, evalContext(state, ctxOptions))
    const data = ctx.values as Record<string, unknown>
    const session = await engineSession()
    switch (node.kind) {
      case 'uses':
        return runUses(row, node.id, node.path, step, ctx, session)
      case 'message': {
        const text = textOf(step.message!, data, `${node.path}.message`, state)
        const to = step.message!.to ? String(evaluateInterpolated(parseInterpolated(step.message!.to), ctx)) : undefined
        const postIds: unknown[] = []
        for (const { key, channelId } of await destinations(state, to, session)) {
          const out = await actions.invoke('post.create@v1', { channel_id: channelId, message: text, props: extend(step.message!.props ?? {}, { from_playbook: row.id }) }, { session, idempotencyKey: `${row.id}:${stepId}:message${key}` })
          postIds.push(out.outputs.postId)
        }
        return { postId: postIds[0], postIds }
      }
      case 'status_update': {
        const text = textOf(step.status_update!, data, `${node.path}.status_update`, state)
        return postStatusUpdate(row, text, step.status_update!.broadcast, session, `${row.id}:${stepId}:status`)
      }
      case 'checklist': {
        const items = state.items.filter((i) => i.stepId === stepId && !i.hidden)
        const message = checklistMessage(step.checklist!.title ?? step.name ?? stepId, items, (id) => Object.values(state.roles).find((h) => h?.id === id)?.username ?? id)
        const out = await actions.invoke('post.create@v1', { channel_id: state.channelId, message, props: { from_playbook: row.id } }, { session, idempotencyKey: `${row.id}:${stepId}:checklist` })
        return { postId: out.outputs.postId }
      }
      case 'approval': {
        const props = approvalProps(row.id, stepId, approvalText(row, node, data))
        const out = await actions.invoke('post.create@v1', { channel_id: state.channelId, message: '', props }, { session, idempotencyKey: `${row.id}:${stepId}:approval` })
        await extras.askApprovers(row, node, props)
        return { postId: out.outputs.postId }
      }
      case 'call':
        return extras.startChild(row, node, ctx)
      default:
        throw new Error(`${node.kind} steps have no external part`)
    }
  }

  function approvalText(row: RunRow, node: StepNode, data: Record<string, unknown>): string {
    const approval = node.step.approval!
    const text = approval.text || approval.template ? textOf(approval, data, `${node.path}.approval`, row.state) : `Approval needed: **${node.step.name ?? node.id}**`
    return `${text}\nApprovers: ${approval.approvers.join(', ')}${approval.quorum && approval.quorum > 1 ? ` (${approval.quorum} needed)` : ''}`
  }

  async function postStatusUpdate(row: RunRow, text: string, broadcast: boolean | string[] | undefined, session: AuthSession, key: string): Promise<Record<string, unknown>> {
    const state = row.state
    const out = await actions.invoke('post.create@v1', { channel_id: state.channelId, message: text, props: { from_playbook: row.id, playbook_status_update: true } }, { session, idempotencyKey: key })
    const targets = broadcast === true ? row.playbook.channel?.broadcast ?? [] : Array.isArray(broadcast) ? broadcast : []
    const missing: string[] = []
    for (const [i, ref] of targets.entries()) {
      let channelId: string
      try {
        channelId = await channelByRef(state.teamId, ref, session)
      } catch (err) {
        // A broadcast channel the team does not have must not fail the update the run channel got.
        log.info({ runId: row.id, channel: ref, err: (err as Error).message }, 'status update not broadcast')
        missing.push(ref)
        continue
      }
      await actions.invoke('post.create@v1', { channel_id: channelId, message: `${text}\n\n_From run #${state.number}: ~${(await channelStore.getById(state.channelId))?.name ?? state.channelId}_`, props: { from_playbook: row.id } }, { session, idempotencyKey: `${key}:broadcast:${i}` })
    }
    return { postId: out.outputs.postId, notBroadcastTo: missing }
  }

  /** Engine-run actions first (they change the run); everything else through the action registry. */
  async function runUses(row: RunRow, stepId: string, path: string, step: Step, ctx: ReturnType<typeof evalContext>, session: AuthSession): Promise<Record<string, unknown>> {
    const id = step.uses!
    const input = (evaluateWith(step.with ?? {}, ctx, `${path}.with`, row.state) ?? {}) as Record<string, unknown>
    // The DSL's default key, `<run.id>:<step id>`, with the graph's id for a step that declares none.
    const key = step.idempotencyKey ? String(evaluateInterpolated(parseInterpolated(step.idempotencyKey), ctx)) : `${row.id}:${stepId}`
    switch (id) {
      case 'run.finish@v1':
      case 'run.fail@v1':
        // Applied when the result is recorded, under the lock.
        return { finish: id === 'run.finish@v1' ? 'finished' : 'failed', message: String(input.message ?? '') }
      case 'timeline.add@v1':
        return { timeline: String(input.summary ?? input.text ?? '') }
      case 'retrospective.create@v1': {
        // The draft (run-ops.ts): as people saved it, else the playbook's template (or the default) over the run, its metrics and timeline.
        const message = await ops.draft(row)
        const out = await actions.invoke('post.create@v1', { channel_id: row.state.channelId, message: message.slice(0, 16_000), props: { from_playbook: row.id, playbook_retrospective: true } }, { session, idempotencyKey: key })
        return { postId: out.outputs.postId }
      }
      case 'channel.invite@v1':
        return (await actions.invoke(id, { channel_id: row.state.channelId, ...input }, { session, idempotencyKey: key })).outputs
      default:
        return (await actions.invoke(id, input, { session, idempotencyKey: key })).outputs
    }
  }

  /** The delay before attempt `attempt + 1`, or null when the step's retry policy says no more. */
  function retryDelay(step: Step, attempt: number, err: unknown): number | null {
    const retry = step.retry
    if (!retry || attempt > retry.max || !(err instanceof ActionError) || !err.retryable) return null
    const on = retry.on
    if (on && on.length > 0) {
      const status = err.status
      const allowed = on.some((rule) => {
        const r = String(rule)
        if (status !== undefined) return r === String(status) || (r.endsWith('xx') && String(status)[0] === r[0])
        return r === 'timeout' || r === 'network'
      })
      if (!allowed) return null
    }
    const initial = (retry.initial && parseDuration(retry.initial)) || RETRY_DEFAULTS.initialMs
    const maxDelay = (retry.maxDelay && parseDuration(retry.maxDelay)) || RETRY_DEFAULTS.maxDelayMs
    const base = retry.backoff === 'fixed' ? initial : initial * 2 ** (attempt - 1)
    return Math.min(Math.max(base, err.retryAfterMs ?? 0), maxDelay)
  }

  /** What one execute job did outside the lock, for the record under it. */
  type Attempted =
    | { kind: 'nothing' }
    | { kind: 'channel'; out: Record<string, unknown> }
    | { kind: 'step'; stepId: string; attempt: number; node: StepNode; outputs: Record<string, unknown>; failure: string | null }
    /** A failure its retry policy retries, to be queued under the lock (an attempt made ahead of its step's start). */
    | { kind: 'retry'; stepId: string; attempt: number; node: StepNode; delay: number; failure: string }

  /**
   * One attempt of a step's external part (not the channel's: setUpChannels does those together).
   * A failure its retry policy retries is queued again here and records nothing else.
   */
  async function attemptStep(row: RunRow | undefined, data: ExecuteData, retries: 'queue now' | 'under the lock' = 'queue now'): Promise<Attempted> {
    // A canceled run still runs its hooks' steps.
    if (!row || (row.state.status === 'canceled' && graphOf(row.playbook, row.state).nodes.get(data.stepId)?.list !== 'hook')) return { kind: 'nothing' }
    const current = row.state.steps[data.stepId]
    const node = graphOf(row.playbook, row.state).nodes.get(data.stepId)
    if (data.part === 'escalate' && node?.step.approval) {
      const ctxOptions = await contextOptions(row)
      await extras.escalate(row, node, approvalText(row, node, nodeContext(row.state, node, evalContext(row.state, ctxOptions)).values as Record<string, unknown>))
      return { kind: 'nothing' }
    }
    // Over already (a retried job): nothing to do, except posting a non-blocking checklist, which is done as it starts.
    if (!current || !node || (TERMINAL.has(current.status) && (node.kind !== 'checklist' || current.outputs.postId))) return { kind: 'nothing' }
    try {
      return { kind: 'step', stepId: data.stepId, attempt: data.attempt, node, outputs: await executeStep(row, data.stepId), failure: null }
    } catch (err) {
      const delay = retryDelay(node.step, data.attempt, err)
      if (delay !== null && retries === 'under the lock') return { kind: 'retry', stepId: data.stepId, attempt: data.attempt, node, delay, failure: (err as Error).message }
      if (delay !== null) {
        await store.mutate(row.id, now(), async (state, _r, tx) => {
          state.steps[data.stepId]!.attempts = data.attempt
          await jobs.enqueue({ type: EXECUTE_JOB, data: { ...data, attempt: data.attempt + 1 }, delayMs: delay, dedupeKey: `pb:${row.id}:${data.stepId}:${data.attempt + 1}` }, { tx })
          return { events: [{ type: 'step_retry', actorKind: 'system', actorId: '', summary: retryLine(node, data.stepId, data.attempt, (err as Error).message, delay), details: {}, stepId: data.stepId }], result: null }
        })
        return { kind: 'nothing' }
      }
      const failure = (err as Error).message
      log.info({ runId: row.id, stepId: data.stepId, err: failure }, 'playbook step failed')
      return { kind: 'step', stepId: data.stepId, attempt: data.attempt, node, outputs: {}, failure }
    }
  }

  /**
   * Under the run's lock: records what its jobs did (the channel is ready, steps' results), then
   * takes the next decisions once. Returns the failures to show in the channel, or null when
   * nothing changed.
   */
  async function recordAttempts(
    tx: SqlClient, state: RunState, row: RunRow, done: Attempted[], ctxOptions: RunContextOptions, family: Family, events: NewTimelineEvent[],
    ahead: Map<string, Attempted> = new Map(),
  ): Promise<{ name: string; failure: string }[] | null> {
    let changed = false
    const failures: { name: string; failure: string }[] = []
    const line = (stepId: string) => (type: string, summary: string) => events.push({ type, actorKind: 'system', actorId: '', summary, details: {}, stepId })
    const recordStep = async (a: Attempted & { kind: 'step' | 'retry' }): Promise<boolean> => {
      if (a.kind === 'retry') {
        state.steps[a.stepId]!.attempts = a.attempt
        await outbox.enqueue(tx, { type: EXECUTE_JOB, data: { runId: row.id, stepId: a.stepId, attempt: a.attempt + 1 }, delayMs: a.delay, dedupeKey: `pb:${row.id}:${a.stepId}:${a.attempt + 1}` })
        line(a.stepId)('step_retry', retryLine(a.node, a.stepId, a.attempt, a.failure, a.delay))
        return true
      }
      const plan = { playbook: row.playbook, state, now: now(), ctx: (st: RunState) => evalContext(st, ctxOptions) }
      if (!recordStepResult(plan, a.stepId, a.failure !== null ? { failure: a.failure } : { outputs: a.outputs }, a.attempt, line(a.stepId))) return false
      if (a.failure === null && a.node.kind === 'status_update') await resetStatusReminders(tx, state, row.playbook, ctxOptions)
      if (a.failure !== null) failures.push({ name: a.node.step.name ?? a.stepId, failure: a.failure })
      return true
    }
    for (const a of done) {
      if (a.kind === 'channel') {
        if (state.channelPhase === 'ready') continue
        state.channelId = a.out.channelId as string
        state.channelPhase = 'ready'
        for (const reminder of row.playbook.reminders ?? []) await scheduleReminder(tx, state, reminder, evalContext(state, ctxOptions), now())
        events.push({ type: 'participants_changed', actorKind: 'system', actorId: '', summary: 'run channel ready', details: a.out, stepId: '' })
        changed = true
      } else if (a.kind === 'step' || a.kind === 'retry') {
        if (await recordStep(a)) changed = true
      }
    }
    if (!changed) return null
    // Steps attempted ahead are recorded as the planner starts them, instead of each being queued as a job.
    // Ends: each round that records something takes it out of `ahead`.
    for (;;) {
      const started: Attempted[] = []
      events.push(...(await decide(tx, state, row.playbook, ctxOptions, family, ahead, started)))
      if (started.length === 0) break
      for (const a of started) if (a.kind === 'step' || a.kind === 'retry') await recordStep(a)
    }
    return failures
  }

  const retryLine = (node: StepNode, stepId: string, attempt: number, failure: string, delay: number) =>
    `${node.step.name ?? stepId}: attempt ${attempt} failed (${failure}); retrying in ${Math.round(delay / 1000)} s`

  /**
   * The execute jobs of a batch: channel set-ups together, steps' external parts concurrently,
   * then every result recorded in one transaction (one row lock per run).
   * @returns per job, in order: null, or the Error that job met (its retry is the job queue's).
   */
  async function executeMany(jobsData: ExecuteData[]): Promise<(Error | null)[]> {
    const rows = await store.getMany(jobsData.map((d) => d.runId))
    const results: (Error | null)[] = jobsData.map(() => null)
    const attempts: Attempted[] = jobsData.map(() => ({ kind: 'nothing' }))
    const setUps: number[] = []
    const steps: number[] = []
    for (const [i, d] of jobsData.entries()) {
      const row = rows.get(d.runId)
      if (d.stepId !== CHANNEL_STEP) steps.push(i)
      else if (row && row.state.status !== 'canceled' && row.state.channelPhase !== 'ready' && !setUps.some((k) => jobsData[k]!.runId === d.runId)) setUps.push(i)
    }
    const channelsReady = setUps.length > 0 ? await setUpChannels(setUps.map((i) => rows.get(jobsData[i]!.runId)!)) : new Map()
    for (const i of setUps) {
      const out = channelsReady.get(jobsData[i]!.runId)
      if (out instanceof Error || out === undefined) results[i] = out ?? new Error('the run channel was not set up')
      else attempts[i] = { kind: 'channel', out }
    }
    await Promise.all(steps.map(async (i) => {
      try {
        attempts[i] = await attemptStep(rows.get(jobsData[i]!.runId), jobsData[i]!)
      } catch (err) {
        results[i] = err instanceof Error ? err : new Error(String(err))
      }
    }))
    const byRun = new Map<string, Attempted[]>()
    for (const [i, a] of attempts.entries()) if (a.kind !== 'nothing') byRun.set(jobsData[i]!.runId, [...(byRun.get(jobsData[i]!.runId) ?? []), a])
    if (byRun.size === 0) return results
    // Read before the lock: inside it only the transaction may touch the database.
    const before = new Map<string, { ctxOptions: RunContextOptions; family: Family }>()
    for (const runId of byRun.keys()) {
      const row = rows.get(runId)!
      before.set(runId, { ctxOptions: await contextOptions(row), family: await extras.family(row.state) })
    }
    const ahead = await attemptFirstSteps(rows, attempts, jobsData, before)
    const recorded = await store.mutateMany([...byRun.keys()], now(), (state, row, tx) =>
      inOutbox(tx, async () => {
        const events: NewTimelineEvent[] = []
        const b = before.get(row.id)!
        const failures = await recordAttempts(tx, state, row, byRun.get(row.id)!, b.ctxOptions, b.family, events, ahead.get(row.id))
        return { events, result: failures }
      }), (tx) => outbox.flush(tx))
    for (const [runId, outcome] of recorded) {
      if ('error' in outcome) {
        const err = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error))
        for (const [i, d] of jobsData.entries()) if (d.runId === runId && attempts[i]!.kind !== 'nothing') results[i] = err
        continue
      }
      if (outcome.result === null) continue
      // After the commit (inside the lock only the transaction may use the database); the timeline has the failure either way.
      for (const f of outcome.result) if (outcome.row.state.channelId) await postFailure(outcome.row.state, f.name, f.failure)
      await publishUpdated(outcome.row)
    }
    return results
  }

  // Steps whose outside part is idempotent by its key (a post, an action): attempted ahead, an attempt that is never recorded repeats nothing.
  const AHEAD_KINDS = new Set<StepNode['kind']>(['uses', 'message', 'checklist', 'approval', 'status_update'])

  /**
   * The steps a run's new channel makes ready are attempted in the same batch, so a burst of runs
   * reaches its first actions without a job per step. The planner runs on a copy of the state with
   * the channel ready; under the lock, `decide` records an attempt only for a step it starts itself,
   * and a step it does not start gets its job as usual (the attempt's keys make the job repeat nothing).
   * @returns per run id, the attempts by step id.
   */
  async function attemptFirstSteps(
    rows: Map<string, RunRow>, attempts: Attempted[], jobsData: ExecuteData[], before: Map<string, { ctxOptions: RunContextOptions; family: Family }>,
  ): Promise<Map<string, Map<string, Attempted>>> {
    const ahead = new Map<string, Map<string, Attempted>>()
    await Promise.all(attempts.map(async (a, i) => {
      const row = rows.get(jobsData[i]!.runId)
      const b = row && before.get(row.id)
      if (a.kind !== 'channel' || !row || !b || b.family.parentCanceled || row.state.status === 'canceled') return
      const state = structuredClone(row.state)
      state.channelId = a.out.channelId as string
      state.channelPhase = 'ready'
      const graph = graphOf(row.playbook, state)
      const stepIds = advance({ playbook: row.playbook, state, now: now(), ctx: (s) => evalContext(s, b.ctxOptions), children: b.family.children })
        .flatMap((e) => {
          if (e.kind !== 'execute' || e.part) return []
          const kind = graph.nodes.get(e.stepId)?.kind
          return kind !== undefined && AHEAD_KINDS.has(kind) ? [e.stepId] : []
        })
      const found = new Map<string, Attempted>()
      for (const stepId of stepIds) {
        try {
          const attempt = await attemptStep({ ...row, state }, { runId: row.id, stepId, attempt: 1 }, 'under the lock')
          if (attempt.kind !== 'nothing') found.set(stepId, attempt)
        } catch (err) {
          log.info({ err, runId: row.id, stepId }, 'a first step could not be attempted ahead; its job will run it')
        }
      }
      if (found.size > 0) ahead.set(row.id, found)
    }))
    return ahead
  }

  /** One change of a batch, its jobs gathered for the batch's one INSERT; a change that fails takes its jobs back. */
  async function inOutbox<T>(tx: SqlClient, change: () => Promise<T>): Promise<T> {
    outbox.gather(tx)
    const mark = outbox.mark(tx)
    try {
      return await change()
    } catch (err) {
      outbox.rewind(tx, mark)
      throw err
    }
  }

  /** The job: executeMany of one. */
  async function execute(data: ExecuteData): Promise<void> {
    const [err] = await executeMany([data])
    if (err) throw err
  }

  /** A failed step shows in the channel, as the issue asks (best effort: a failure to post is logged). */
  async function postFailure(state: RunState, name: string, reason: string): Promise<void> {
    try {
      const session = await engineSession()
      await postAs(session, state.channelId, `:warning: Step **${name}** failed: ${reason}`, { from_playbook: state.id })
    } catch (err) {
      log.warn({ err, runId: state.id }, 'could not post a step failure')
    }
  }

  async function roleHolders(playbook: Playbook, teamId: string, trigger: IntegrationEventLike, actorId: string, inputs: Record<string, unknown>): Promise<Record<string, RoleHolder | null>> {
    const roles: Record<string, RoleHolder | null> = {}
    for (const [name, role] of Object.entries(playbook.roles ?? {})) {
      let found: RoleHolder | null = null
      for (const ref of [role.from, role.fallback]) {
        if (found || ref === undefined) continue
        let value: unknown = ref
        try {
          value = evaluateInterpolated(parseInterpolated(ref), { values: { trigger, inputs, vars: playbook.vars ?? {} } })
        } catch {
          value = null
        }
        found = await people.one(value, teamId)
      }
      roles[name] = found
    }
    // The first role (the commander in the built-ins) falls back to whoever started the run.
    const first = Object.keys(roles)[0]
    if (first && !roles[first]) roles[first] = await holder(actorId)
    return roles
  }

  /** What `startMany` needs of one input before the transaction; an AppError for an unknown playbook or a bad input. */
  async function prepareStart(input: StartInput) {
    const entry = library.get(input.playbook)
    if (!entry) throw new AppError('app.playbook.not_found.app_error', `No playbook named "${input.playbook}" is loaded.`, 404, { context: { playbook: input.playbook } })
    const playbook = entry.playbook
    const at = now()
    const inputs = inputValues(playbook, input.trigger, { ...(input.inputs ?? {}), ...(input.title ? { title: input.title } : {}) })
    const roles = await roleHolders(playbook, input.teamId, input.trigger, input.actorId, inputs)
    const id = newId()
    const title = String(inputs.title ?? input.title ?? input.trigger.title ?? playbook.metadata.title ?? playbook.metadata.name).slice(0, 512) || playbook.metadata.name
    let correlationKey = input.trigger.correlationKey ?? ''
    if (playbook.concurrency?.key) {
      try {
        correlationKey = String(evaluateInterpolated(parseInterpolated(playbook.concurrency.key), { values: { trigger: input.trigger, inputs, vars: playbook.vars ?? {} } }) ?? '')
      } catch {
        // Keep the trigger's own key.
      }
    }
    const row = { id, playbook, title, teamId: input.teamId, ownerId: input.actorId, correlationKey, triggerKey: input.dedupeKey ? `${playbook.metadata.name}:${input.dedupeKey}` : '', at }
    /** The run's first state and timeline, once its number is known (inside the transaction). */
    const initial = (number: number): { state: RunState; events: NewTimelineEvent[] } => {
      const base: RunState = {
        id, number, title, status: 'active', teamId: input.teamId, channelId: '', ownerId: input.actorId, channelPhase: 'pending',
        trigger: input.trigger, inputs, props: {}, vars: { ...(playbook.vars ?? {}) }, roles, steps: {}, items: [], votes: {}, metrics: {}, templates: { ...(entry.templates ?? {}) },
        marks: { detected: input.trigger.occurredAt || at, acknowledged: 0, mitigated: 0, resolved: 0, finished: 0 }, phase: 'main', failed: false, startedAt: at, seq: 0,
        ...(input.parent ? { parent: input.parent, ancestors: input.ancestors ?? [] } : {}),
      }
      base.props = propertyDefaults(playbook, { trigger: input.trigger, inputs, vars: base.vars, run: { id, number, title } })
      const events: NewTimelineEvent[] = [
        { type: 'trigger_received', actorKind: input.trigger.source === 'command' ? 'user' : 'connector', actorId: input.trigger.source === 'command' ? input.actorId : input.trigger.source, summary: `${input.trigger.source}: ${input.trigger.title || input.trigger.type}`, details: { id: input.trigger.id, type: input.trigger.type }, stepId: '' },
        { type: 'run_started', actorKind: 'user', actorId: input.actorId, summary: `run #${number} of ${playbook.metadata.name} v${playbook.metadata.version} started`, details: {}, stepId: '' },
      ]
      return { state: base, events }
    }
    return { row, initial }
  }

  type Started = { run: RunRow; started: boolean }

  /**
   * Starts runs of loaded playbooks, all in one transaction: pins each playbook, resolves roles
   * and inputs, and queues each channel's set-up; the steps follow. The same `dedupeKey` never
   * starts two runs (also within one call).
   * @returns per input, in order: the run and whether this call started it, or the error that
   *   input alone met (AppError 404 for an unknown playbook, 400 for a missing or bad input).
   */
  async function startMany(inputs: StartInput[]): Promise<(Started | { error: unknown })[]> {
    const out: (Started | { error: unknown } | null)[] = inputs.map(() => null)
    const prepared: { index: number; p: Awaited<ReturnType<typeof prepareStart>> }[] = []
    for (const [index, input] of inputs.entries()) {
      try {
        prepared.push({ index, p: await prepareStart(input) })
      } catch (error) {
        out[index] = { error }
      }
    }
    if (prepared.length > 0) {
      const results = await store.insertMany(
        prepared.map(({ p }) => p.row),
        (k, number) => prepared[k]!.p.initial(number),
        (tx, runs) => jobs.enqueueMany(runs.map((r) => ({ type: EXECUTE_JOB, data: { runId: r.id, stepId: CHANNEL_STEP, attempt: 1 }, dedupeKey: `pb:${r.id}:${CHANNEL_STEP}:1` })), { tx }).then(() => undefined),
      )
      const existing = await store.getMany(results.flatMap((r) => ('existing' in r ? [r.existing] : [])))
      for (const [k, result] of results.entries()) {
        const index = prepared[k]!.index
        if ('existing' in result) {
          const run = existing.get(result.existing)
          out[index] = run ? { run, started: false } : { error: new Error(`run ${result.existing} of a dedupe key is missing`) }
        } else {
          log.info({ runId: result.id, playbook: result.playbookName, number: result.number }, 'playbook run started')
          out[index] = { run: result, started: true }
        }
      }
    }
    return out as (Started | { error: unknown })[]
  }

  /**
   * Starts one run (startMany of one).
   * @returns the run, and whether this call started it.
   * @throws AppError 404 for an unknown playbook, 400 for a missing or bad input.
   */
  async function start(input: StartInput): Promise<Started> {
    const [result] = await startMany([input])
    if ('error' in result!) throw result.error
    return result!
  }

  // A server takes several batches at once on its pool; the embedded database has one connection, where that only splits them.
  const integrationEvents = groupCommit(onIntegrationEvents, { max: RUN_BATCH_MAX, concurrency: options.db.kind === 'postgres' ? 4 : 1 })

  const ops = createRunOps({
    store, jobs, actions, channels, channelStore, posts, teams, log, now, engineSession, holder, resolveUserRef, contextOptions, publishUpdated, enqueueAdvance, channelByRef, templateText,
  })

  return {
    store,
    /** Roles, item assignment, due dates and runs, the retrospective and metrics (run-ops.ts). */
    ops,

    start,

    /**
     * A connector event: starts the playbooks whose `on:` matches; an event for an active run's
     * correlation key is attached to it. Events arriving while others are being handled are
     * handled together (group commit, up to 200), with a constant number of statements per batch.
     * @returns the ids of the runs it started.
     */
    onIntegrationEvent: (payload: IntegrationPayload): Promise<string[]> =>
      integrationEvents(payload).then((r) => {
        if ('error' in r) throw r.error
        return r.started
      }),

    /** Changes the run's status (mitigated, resolved, finished, canceled) as `actor`. @throws AppError 403 per `roles.<r>.can: [finish]`. */
    async setStatus(runId: string, actor: Actor, status: RunStatus): Promise<RunRow> {
      const done = await store.mutate(runId, now(), async (state, row, tx) => {
        requireCan(row, actor, 'finish')
        const events: NewTimelineEvent[] = []
        setRunStatus(state, status, now(), (type, summary) => events.push({ type, actorKind: 'user', actorId: actor.userId, summary, details: {}, stepId: '' }))
        await enqueueAdvance(runId, tx)
        return { events, result: null }
      })
      if (!done) throw new AppError('app.playbook_run.not_found.app_error', 'Run not found.', 404)
      await publishUpdated(done.row)
      return done.row
    },

    /** Sets a checklist item's state (closed, open, skipped) as `userId`; closing checks its `requires` against `values`. */
    async setItemState(runId: string, itemId: string, userId: string, itemState: 'open' | 'closed' | 'skipped', values: Record<string, unknown> = {}): Promise<RunRow> {
      const done = await store.mutate(runId, now(), async (state, row, tx) => {
        const item = state.items.find((i) => i.id === itemId)
        if (!item) throw new AppError('app.playbook_run.item_not_found.app_error', `Checklist item ${itemId} not found.`, 404)
        if (item.state === itemState) return { events: [], result: null }
        if (itemState === 'closed') item.values = requiredValues(row.playbook, item, values)
        item.state = itemState
        await enqueueAdvance(runId, tx)
        return { events: [{ type: 'task_state_modified', actorKind: 'user', actorId: userId, summary: `"${item.title}" ${itemState}`, details: { itemId }, stepId: item.stepId }], result: null }
      })
      if (!done) throw new AppError('app.playbook_run.not_found.app_error', 'Run not found.', 404)
      await publishUpdated(done.row)
      return done.row
    },

    /** A vote on an approval step: who may vote is checked here. */
    async vote(runId: string, stepId: string, userId: string, decision: 'approved' | 'rejected', comment = ''): Promise<string> {
      const run = await store.get(runId)
      if (!run) throw new AppError('app.playbook_run.not_found.app_error', 'Run not found.', 404)
      const node = graphOf(run.playbook, run.state).nodes.get(stepId)
      const approval = node?.step.approval
      if (!node || !approval) throw new AppError('app.playbook_run.step_not_found.app_error', `Step ${stepId} is not an approval.`, 404)
      const allowed = new Set<string>()
      const escalatedTo = run.state.steps[stepId]?.escalated && approval.escalateTo ? [approval.escalateTo] : []
      for (const ref of [...approval.approvers, ...escalatedTo]) {
        for (const u of await people.many(run.state, ref)) allowed.add(u.id)
      }
      if (!allowed.has(userId)) throw new AppError('app.playbook_run.approver_only.app_error', `Only ${[...approval.approvers, ...escalatedTo].join(', ')} may decide this approval.`, 403)
      if (approval.preventSelfApproval && (userId === run.ownerId || userId === (run.state.trigger.actor?.id ?? ''))) {
        throw new AppError('app.playbook_run.self_approval.app_error', 'Whoever started the run may not approve it.', 403)
      }
      const done = await store.mutate(runId, now(), async (state, _row, tx) => {
        const s = state.steps[stepId]
        if (!s || s.status !== 'waiting') throw new AppError('app.playbook_run.not_waiting.app_error', 'This approval is already decided.', 400)
        const votes = (state.votes[stepId] ??= [])
        if (votes.some((v) => v.userId === userId)) throw new AppError('app.playbook_run.already_voted.app_error', 'You already voted.', 400)
        votes.push({ userId, decision, at: now(), comment })
        await enqueueAdvance(runId, tx)
        return { events: [{ type: 'approval_decided', actorKind: 'user', actorId: userId, summary: `${decision} by a vote`, details: { decision }, stepId }], result: null }
      })
      if (done) await publishUpdated(done.row)
      return decision
    },

    /** Posts a status update in the run channel (and its broadcast channels) as `actor`. @throws AppError 403 per `roles.<r>.can: [status_update]`. */
    async statusUpdate(runId: string, actor: Actor, message: string): Promise<void> {
      const userId = actor.userId
      const run = await store.get(runId)
      if (!run) throw new AppError('app.playbook_run.not_found.app_error', 'Run not found.', 404)
      requireCan(run, actor, 'status_update')
      if (!run.state.channelId) throw new AppError('app.playbook_run.no_channel.app_error', 'The run has no channel yet.', 400)
      const author = await holder(userId)
      const session = await engineSession()
      await postStatusUpdate(run, `**Status update** by @${author?.username ?? userId}:\n${message}`, true, session, `${runId}:status:${newId()}`)
      const ctxOptions = await contextOptions(run)
      const done = await store.mutate(runId, now(), async (state, row, tx) => {
        await resetStatusReminders(tx, state, row.playbook, ctxOptions)
        return { events: [{ type: 'status_updated', actorKind: 'user', actorId: userId, summary: message.slice(0, 200), details: {}, stepId: '' }], result: null }
      })
      if (done) await publishUpdated(done.row)
    },

    advanceJob: step,
    executeJob: execute,
    executeJobs: executeMany,
    remindJob: remind,
    ensureBot,
  }

  /**
   * A batch of connector events, in arrival order. A batch is cut before an event whose
   * correlation key an earlier event of it has, so that event sees the run the earlier one started
   * (as if they came one by one).
   */
  async function onIntegrationEvents(payloads: IntegrationPayload[]): Promise<({ started: string[] } | { error: unknown })[]> {
    const out: ({ started: string[] } | { error: unknown })[] = []
    let from = 0
    while (from < payloads.length) {
      const keys = new Set<string>()
      let to = from
      for (; to < payloads.length; to++) {
        const key = payloads[to]!.event.correlationKey
        if (key && keys.has(key)) break
        if (key) keys.add(key)
      }
      out.push(...(await onIntegrationSegment(payloads.slice(from, to))))
      from = to
    }
    return out
  }

  async function onIntegrationSegment(payloads: IntegrationPayload[]): Promise<({ started: string[] } | { error: unknown })[]> {
    const { waiting, correlated: active } = await store.concernedBy([...new Set(payloads.map((p) => p.event.source))], payloads.map((p) => p.event.correlationKey))
    for (const p of payloads) {
      for (const run of waiting) if (run.state.eventWaits?.some((w) => w.source === p.event.source)) await settleEventWaits(run, p.event)
    }
    const starts: { payload: number; input: StartInput }[] = []
    for (const [i, p] of payloads.entries()) {
      const attachedTo = p.event.correlationKey ? active.filter((r) => r.correlationKey === p.event.correlationKey) : []
      for (const run of attachedTo) await correlate(run.id, p.event)
      for (const entry of library.list()) {
        if (!matchesEvent(entry.playbook, p.event)) continue
        const onDuplicate = entry.playbook.concurrency?.onDuplicate ?? 'attach'
        if (onDuplicate !== 'new' && attachedTo.some((r) => r.playbookName === entry.name)) continue
        starts.push({ payload: i, input: { playbook: entry.name, teamId: p.teamId, actorId: p.actorId, trigger: p.event, dedupeKey: p.event.id } })
      }
    }
    const results = await startMany(starts.map((s) => s.input))
    const out: ({ started: string[] } | { error: unknown })[] = payloads.map(() => ({ started: [] }))
    for (const [k, result] of results.entries()) {
      const i = starts[k]!.payload
      const entry = out[i]!
      if ('error' in entry) continue
      if ('error' in result) out[i] = { error: result.error }
      else if (result.started) entry.started.push(result.run.id)
    }
    return out
  }

  /** Settles the run's `wait: { event }` steps this event satisfies; the next decisions follow. */
  async function settleEventWaits(run: RunRow, event: IntegrationEventLike): Promise<void> {
    const ctxOptions = await contextOptions(run)
    const done = await store.mutate(run.id, now(), async (state, row, tx) => {
      const events: NewTimelineEvent[] = []
      const taken = settleWaits(row.playbook, state, event, now(), (st) => evalContext(st, ctxOptions), (type, summary, stepId) =>
        events.push({ type, actorKind: 'connector', actorId: event.source, summary, details: { id: event.id }, stepId }))
      if (taken) await enqueueAdvance(run.id, tx)
      return { events, result: taken }
    })
    if (done?.result) await publishUpdated(done.row)
  }

  /** An event for an active run: its hook `trigger.correlated` runs its `set` steps (other kinds arrive with hooks support). */
  async function correlate(runId: string, event: IntegrationEventLike): Promise<void> {
    const before = await store.get(runId)
    if (!before) return
    const ctxOptions = await contextOptions(before)
    const done = await store.mutate(runId, now(), async (state, row, tx) => {
      const events: NewTimelineEvent[] = []
      applyCorrelatedEvent(row.playbook, state, event, now(), (st) => evalContext(st, ctxOptions), (type, summary) =>
        events.push({ type, actorKind: 'connector', actorId: event.source, summary, details: type === 'trigger_correlated' ? { id: event.id, type: event.type } : {}, stepId: '' }))
      await enqueueAdvance(runId, tx)
      return { events, result: null }
    })
    if (done) await publishUpdated(done.row)
  }
}

/** A run as the API and WebSocket show it (after Mattermost Playbooks' PlaybookRun, where it fits). */
export function presentRun(row: RunRow): Record<string, unknown> {
  const state = row.state
  const graph = graphOf(row.playbook, state)
  return {
    id: row.id, number: row.number, name: state.title, playbook_id: row.playbookName, playbook_version: row.playbookVersion,
    team_id: row.teamId, channel_id: state.channelId, owner_user_id: row.ownerId, current_status: state.status,
    create_at: row.createAt, update_at: row.updateAt, end_at: row.endAt, phase: state.phase, failed: state.failed,
    roles: state.roles, properties: state.props, inputs: state.inputs, metrics: state.metrics,
    steps: [...graph.nodes.values()].map((n) => ({ id: n.id, name: n.step.name ?? n.id, kind: n.kind, list: n.list, parent: n.parent ?? '', ...(state.steps[n.id] ?? { status: 'pending', outputs: {}, attempts: 0, startedAt: 0, finishedAt: 0 }) })),
    checklist_items: state.items, approvals: state.votes,
    ...presentRunOps(row),
  }
}

export type RunEngine = ReturnType<typeof createRunEngine>
