/**
 * What a run's people do during an incident (after Mattermost Playbooks' run API): hand a role
 * to someone else, assign a checklist item, give it a due date, run its command or action, edit
 * and publish (or cancel) the retrospective, and set metrics. Each change is made under the run's
 * row lock with its timeline line (who, when), then published over the WebSocket. The engine
 * (service.ts) builds this with its own helpers; the REST API and `/playbook` call it.
 */
import type { AuthSession } from '../../core/auth/session-types.ts'
import type { SqlClient } from '../../core/db/sql-transaction.ts'
import type { Logger } from '../../core/log.ts'
import type { JobService } from '../../core/jobs/service.ts'
import type { ActionService } from '../../core/actions/index.ts'
import type { ChannelService } from '../../core/channels/service.ts'
import type { ChannelStore } from '../../core/channels/store.ts'
import type { PostService } from '../../core/posts/service.ts'
import type { TeamService } from '../../core/teams/service.ts'
import { AppError } from '../../core/errors.ts'
import { formatDuration, parseDuration, renderTemplate, resolveValue, evaluateInterpolated, parseInterpolated, type Playbook } from '../dsl/index.ts'
import { evalContext, runValues, type RunContextOptions } from './context.ts'
import { applyMetricValues, builtInTimes, parseMetricValues, type MetricChange } from './metrics.ts'
import { checklistIds, checklistMessage, dslItem } from './run-view.ts'
import { graphOf } from './plan.ts'
import { fireHook } from './lists.ts'
import { ownerRole, requireCan, type Actor } from './permissions.ts'
import type { NewTimelineEvent, RunRow, RunStore } from './store.ts'
import type { ChecklistItemState, RetrospectiveState, RoleHolder, RunState } from './state.ts'

export const RETRO_REMIND_JOB = 'playbooks.retrospective-remind'

/** Who acts: a run participant's user id, and whether they are a system admin. */
export type { Actor }

export interface RunOpsDeps {
  store: RunStore
  jobs: JobService
  actions: ActionService
  channels: ChannelService
  channelStore: ChannelStore
  posts: PostService
  teams: Pick<TeamService, 'membership'>
  log: Logger
  now: () => number
  engineSession(): Promise<AuthSession>
  holder(userId: string): Promise<RoleHolder | null>
  resolveUserRef(ref: unknown): Promise<RoleHolder | null>
  contextOptions(row: RunRow): Promise<RunContextOptions>
  publishUpdated(row: RunRow): Promise<void>
  enqueueAdvance(runId: string, tx: SqlClient): Promise<void>
  channelByRef(teamId: string, ref: string, session: AuthSession): Promise<string>
  templateText(state: RunState, file: string, field: string): string
}

/** The retrospective's draft when the playbook gives no template: the metrics, then the timeline. */
export const DEFAULT_RETROSPECTIVE = `#### Retrospective: {{md run.title}}

| Metric | Value | Target |
|---|---|---|
{{#each metric_rows}}| {{name}} | {{value}} | {{target}} |
{{/each}}

**Timeline**
{{#each timeline}}- {{date at "datetime"}} {{summary}}
{{/each}}

**What went well**

**What went wrong**

**Action items**
`

const notFound = () => new AppError('app.playbook_run.not_found.app_error', 'Run not found.', 404)
const mention = (h: RoleHolder | null | undefined) => (h ? `@${h.username}` : 'nobody')

export function createRunOps(deps: RunOpsDeps) {
  const { store, jobs, actions, channels, channelStore, posts, log, now } = deps
  /** The last checklist text this process saw in each post, so an unchanged checklist is not edited again. */
  const posted = new Map<string, string>()

  async function runOf(runId: string): Promise<RunRow> {
    const row = await store.get(runId)
    if (!row) throw notFound()
    return row
  }

  function requireActive(row: RunRow): void {
    if (row.state.status === 'finished' || row.state.status === 'canceled') {
      throw new AppError('app.playbook_run.not_active.app_error', `Run #${row.number} is ${row.state.status}: it can no longer be changed.`, 400)
    }
  }

  function requireEdit(row: RunRow, actor: Actor): void {
    requireCan(row, actor, 'edit')
  }

  /** An active user of the run's team, for a role or an assignment. @throws AppError 400 naming `field`. */
  async function teammate(row: RunRow, userId: string, field: string): Promise<RoleHolder> {
    const h = await deps.holder(userId)
    if (!h) throw new AppError('app.playbook_run.invalid_user.app_error', `Invalid ${field}: no active user ${userId}.`, 400, { context: { param: field } })
    if (!(await deps.teams.membership(row.teamId, userId))) throw new AppError('app.playbook_run.invalid_user.app_error', `Invalid ${field}: @${h.username} is not a member of the run's team.`, 400, { context: { param: field } })
    return h
  }

  /** New holders and assignees join the run channel, as Mattermost adds them as participants. */
  async function invite(row: RunRow, userId: string): Promise<void> {
    if (!row.state.channelId || (await channelStore.getMember(row.state.channelId, userId))) return
    await channels.addMember(await deps.engineSession(), row.state.channelId, userId)
  }

  async function say(row: RunRow, message: string, props: Record<string, unknown> = {}): Promise<void> {
    if (!row.state.channelId) return
    try {
      await posts.create(await deps.engineSession(), { channel_id: row.state.channelId, message, props: { from_playbook: row.id, ...props } })
    } catch (err) {
      log.warn({ err, runId: row.id }, 'could not post in the run channel')
    }
  }

  /** Changes the run under its lock; publishes the new run. */
  async function change<T>(runId: string, actorId: string, work: (state: RunState, row: RunRow, tx: SqlClient, line: (type: string, summary: string, details?: Record<string, unknown>, stepId?: string) => void) => Promise<T> | T): Promise<{ row: RunRow; result: T }> {
    const done = await store.mutate(runId, now(), async (state, row, tx) => {
      const events: NewTimelineEvent[] = []
      const line = (type: string, summary: string, details: Record<string, unknown> = {}, stepId = '') => events.push({ type, actorKind: 'user', actorId, summary, details, stepId })
      const result = await work(state, row, tx, line)
      return { events, result }
    })
    if (!done) throw notFound()
    const row = { ...done.row, ownerId: done.row.state.ownerId }
    await deps.publishUpdated(row)
    return { row, result: done.result }
  }

  const usernames = async (state: RunState): Promise<Map<string, string>> => {
    const names = new Map<string, string>()
    for (const h of Object.values(state.roles)) if (h) names.set(h.id, h.username)
    for (const i of state.items) {
      if (i.assigneeId && !names.has(i.assigneeId)) names.set(i.assigneeId, (await deps.holder(i.assigneeId))?.username ?? i.assigneeId)
    }
    return names
  }

  /** Keeps each checklist post in the channel true to the items (best effort: the run view is the source of truth). */
  async function refreshChecklists(row: RunRow): Promise<void> {
    // With the state: a hook's checklist steps join the graph later.
    const graph = graphOf(row.playbook, row.state)
    let names: Map<string, string> | undefined
    for (const stepId of checklistIds(row.state)) {
      const postId = row.state.steps[stepId]?.outputs.postId
      if (typeof postId !== 'string' || !postId) continue
      names ??= await usernames(row.state)
      const node = graph.nodes.get(stepId)
      const text = checklistMessage(node?.step.checklist?.title ?? node?.step.name ?? stepId, row.state.items.filter((i) => i.stepId === stepId && !i.hidden), (id) => names!.get(id) ?? id)
      if (posted.get(postId) !== text) {
        try {
          const session = await deps.engineSession()
          const current = await posts.get(session, postId)
          if (current.message !== text) await posts.patch(session, postId, { message: text })
          posted.set(postId, text)
        } catch (err) {
          log.warn({ err, runId: row.id, postId }, 'could not update the checklist post')
        }
      }
      // An ended run's posts change no more: forget them, so the cache holds active runs only.
      if (row.state.status === 'finished' || row.state.status === 'canceled') posted.delete(postId)
    }
  }

  type ItemChange = (item: ChecklistItemState, line: (type: string, summary: string, details: Record<string, unknown>) => void) => Promise<void> | void
  /** An edit of one item of an active run: `prepare` checks (outside the lock) and returns the change made under it. */
  async function changeItem(runId: string, actor: Actor, itemId: string, prepare: (row: RunRow) => Promise<ItemChange>): Promise<RunRow> {
    const row = await runOf(runId)
    requireActive(row)
    requireEdit(row, actor)
    const apply = await prepare(row)
    const done = await change(runId, actor.userId, async (state, _row, _tx, line) => {
      const item = itemIn(state, itemId)
      await apply(item, (type, summary, details) => line(type, summary, details, item.stepId))
    })
    await refreshChecklists(done.row)
    return done.row
  }

  function retroConfig(playbook: Playbook): NonNullable<Playbook['retrospective']> {
    const config = playbook.retrospective
    if (!config || config.enabled === false) throw new AppError('app.playbook_run.no_retrospective.app_error', 'This playbook has no retrospective (retrospective.enabled).', 400)
    return config
  }

  const retroOf = (state: RunState): RetrospectiveState => (state.retrospective ??= { text: '', publishedAt: 0, canceled: false, reminderSeq: 0, remindersSent: 0 })

  /** The draft: the saved text, else the playbook's template (or the default) over the run, its metrics and timeline. */
  async function draft(row: RunRow): Promise<string> {
    if (row.state.retrospective?.text) return row.state.retrospective.text
    const config = row.playbook.retrospective ?? {}
    const timeline = (await store.timeline(row.id)).filter((e) => e.type !== 'step_started').map((e) => ({ at: e.at, type: e.type, summary: e.summary }))
    const builtIn = builtInTimes(row.state)
    const metrics: Record<string, unknown> = { ...builtIn }
    for (const m of row.playbook.metrics ?? []) metrics[m.id] = row.state.metrics[m.id] ?? null
    const show = (type: string, value: unknown) => (value === null || value === undefined || value === '' ? '–' : type === 'duration' ? formatDuration(typeof value === 'number' ? value : parseDuration(String(value)) ?? 0) : String(value))
    const metric_rows = [
      ...Object.entries(builtIn).map(([id, v]) => ({ name: id.replace(/_/g, ' ').replace(/^t/, 'T'), value: show('duration', v), target: '' })),
      ...(row.playbook.metrics ?? []).map((m) => ({ name: m.description ?? m.id, value: show(m.type, metrics[m.id]), target: m.target === undefined ? '' : show(m.type, m.target) })),
    ]
    const data = { ...runValues(row.state, await deps.contextOptions(row)), metrics, timeline, metric_rows }
    if (config.template !== undefined) return renderTemplate(deps.templateText(row.state, config.template, 'retrospective.template'), data, 'retrospective.template')
    return renderTemplate(config.text ?? DEFAULT_RETROSPECTIVE, data, config.text !== undefined ? 'retrospective.text' : 'retrospective')
  }

  /** Who the retrospective reminder nags: `retrospective.owner`, else the first role's holder, else the run's owner. */
  async function retroOwner(row: RunRow): Promise<RoleHolder | null> {
    const ref = row.playbook.retrospective?.owner
    if (ref?.startsWith('role:')) return row.state.roles[ref.slice(5)] ?? null
    if (ref) return deps.resolveUserRef(ref)
    const role = ownerRole(row)
    return (role ? row.state.roles[role] : null) ?? deps.holder(row.state.ownerId)
  }

  function checkedMetrics(row: RunRow, entries: { id: string; value: unknown }[] | undefined, field: string): MetricChange[] {
    return entries ? parseMetricValues(row.playbook, entries, field) : []
  }

  return {
    draft,
    /** A user as role holders are kept (id, username, email, display name), or null when gone. */
    person: deps.holder,

    /**
     * Hands `role` (or, with `role` undefined, the first role: the commander, who owns the run) to
     * `userId`: invited to the channel, the role's open items follow, announced in the channel.
     * @throws AppError 404 unknown run or role, 400 ended run, `handoff: false` or a user outside the team, 403 per `roles.<r>.can`.
     */
    async changeRole(runId: string, actor: Actor, role: string | undefined, userId: string): Promise<RunRow> {
      const row = await runOf(runId)
      requireActive(row)
      const names = Object.keys(row.playbook.roles ?? {})
      const name = role ?? ownerRole(row)
      if (name !== undefined && !names.includes(name)) throw new AppError('app.playbook_run.role_not_found.app_error', `This playbook has no role "${name}"${names.length ? ` (it has ${names.join(', ')})` : ''}.`, 404)
      if (name !== undefined && row.playbook.roles![name]!.handoff === false) throw new AppError('app.playbook_run.no_handoff.app_error', `The ${name} of this playbook cannot be handed off (roles.${name}.handoff: false).`, 400)
      requireEdit(row, actor)
      const next = await teammate(row, userId, role === undefined ? 'owner_id' : 'user_id')
      const owner = await deps.holder(row.state.ownerId)
      if ((name !== undefined ? row.state.roles[name]?.id : row.state.ownerId) === next.id) return row
      await invite(row, next.id)
      const ownerChange = name === undefined || name === ownerRole(row)
      const done = await change(runId, actor.userId, async (state, pinned, tx, line) => {
        // As it is under the lock (a role without one is the run's owner, looked up before it).
        const previous = name !== undefined ? state.roles[name] ?? null : state.ownerId === owner?.id ? owner : null
        if (name !== undefined) state.roles[name] = next
        if (ownerChange) state.ownerId = next.id
        line(ownerChange ? 'owner_changed' : 'role_changed', `${name ?? 'owner'}: ${mention(previous)} to ${mention(next)}`, { role: name ?? 'owner', from: previous?.id ?? '', to: next.id })
        // Items the playbook gives to this role, still with its previous holder, follow the role.
        for (const item of state.items) {
          if (item.state !== 'open' || !name || dslItem(pinned.playbook, item)?.assignee !== `role:${name}` || item.assigneeId !== (previous?.id ?? '')) continue
          item.assigneeId = next.id
          line('assignee_changed', `changed assignee of checklist item **${item.title}** from **${mention(previous)}** to **${mention(next)}**`, { itemId: item.id }, item.stepId)
        }
        // The hook's steps join the run; the advance queued below starts them.
        fireHook(state, 'role.changed', { details: { role: name ?? 'owner', from: previous?.id ?? '', to: next.id }, at: now() })
        await deps.enqueueAdvance(runId, tx)
        return previous
      })
      const by = await deps.holder(actor.userId)
      await say(done.row, `${mention(by)} handed the ${name ?? 'run'}${name ? ' role' : ''} of **${row.state.title}** from ${mention(done.result)} to ${mention(next)}.`)
      await refreshChecklists(done.row)
      return done.row
    },

    /** Assigns an item ('' unassigns); the assignee joins the channel. @throws AppError 404, 400 ended run or outsider, 403. */
    async setAssignee(runId: string, actor: Actor, itemId: string, assigneeId: string): Promise<RunRow> {
      return changeItem(runId, actor, itemId, async (row) => {
        const next = assigneeId ? await teammate(row, assigneeId, 'assignee_id') : null
        if (next) await invite(row, next.id)
        // Looked up before the lock: inside it only the transaction may touch the database.
        const before = itemIn(row.state, itemId).assigneeId
        const known = before ? await deps.holder(before) : null
        return (item, line) => {
          if (item.assigneeId === (next?.id ?? '')) return
          const previous = !item.assigneeId ? 'unassigned' : item.assigneeId === known?.id ? mention(known) : item.assigneeId
          item.assigneeId = next?.id ?? ''
          line('assignee_changed', `changed assignee of checklist item **${item.title}** from **${previous}** to **${next ? mention(next) : 'unassigned'}**`, { itemId, assigneeId: item.assigneeId })
        }
      })
    },

    /** Sets an item's due time (ms since the epoch; 0 clears it). @throws AppError 404, 400, 403. */
    async setDueDate(runId: string, actor: Actor, itemId: string, dueAt: number): Promise<RunRow> {
      return changeItem(runId, actor, itemId, async () => (item, line) => {
        if (item.dueAt === dueAt) return
        item.dueAt = dueAt
        line('due_date_changed', dueAt ? `due date of **${item.title}** set to ${new Date(dueAt).toISOString()}` : `due date of **${item.title}** removed`, { itemId, dueAt })
      })
    },

    /**
     * Runs an item's slash command as `session`'s user in the run channel (Mattermost's item run),
     * or its `uses` action through the action registry as the playbook, each run under its own
     * idempotency key. The result goes on the timeline.
     * @returns the command's text or the action's outputs. @throws AppError 404, 400 (nothing to run, ended run), and the command's or action's failure.
     */
    async runItem(runId: string, session: AuthSession, itemId: string): Promise<{ text: string; outputs: Record<string, unknown> }> {
      const row = await runOf(runId)
      requireActive(row)
      const item = itemIn(row.state, itemId)
      const spec = dslItem(row.playbook, item)
      if (!item.command && !spec?.uses) throw new AppError('app.playbook_run.item_nothing_to_run.app_error', `"${item.title}" has no command or action to run.`, 400)
      if (!row.state.channelId) throw new AppError('app.playbook_run.no_channel.app_error', 'The run has no channel yet.', 400)
      const actor = { userId: session.userId, isSystemAdmin: session.isSystemAdmin }
      // The run number is taken under the lock first, so a retried request never repeats an earlier run's key.
      const taken = await change(runId, actor.userId, (state) => {
        const it = itemIn(state, itemId)
        it.runs = (it.runs ?? 0) + 1
        return it.runs
      })
      const key = `${runId}:item:${itemId}:${taken.result}`
      const ctxOptions = await deps.contextOptions(taken.row)
      const ctx = evalContext(taken.row.state, ctxOptions)
      const field = `${item.stepId}.checklist.items[${item.id}]`
      let text = ''
      let outputs: Record<string, unknown> = {}
      let what: string
      try {
        if (item.command) {
          what = String(evaluateInterpolated(parseInterpolated(item.command), ctx))
          outputs = (await actions.invoke('command.run@v1', { channel_id: row.state.channelId, team_id: row.teamId, command: what }, { session, idempotencyKey: key })).outputs
          text = String(outputs.text ?? '')
        } else {
          what = spec!.uses!
          const input = resolveValue(spec!.with ?? {}, `${field}.with`, { ...ctx, readTemplate: (file) => row.state.templates?.[file] }) as Record<string, unknown>
          outputs = (await actions.invoke(what, input, { session: await deps.engineSession(), idempotencyKey: key })).outputs
        }
      } catch (err) {
        const reason = (err as Error).message
        await change(runId, actor.userId, (_state, _row, _tx, line) => line('item_run_failed', `running **${item.title}** failed: ${reason}`, { itemId }, item.stepId))
        if (err instanceof AppError) throw err
        throw new AppError('app.playbook_run.item_run_failed.app_error', `Running "${item.title}" failed: ${reason}`, 502, { cause: err })
      }
      await change(runId, actor.userId, (state, _row, _tx, line) => {
        itemIn(state, itemId).commandLastRun = now()
        if (item.command) line('ran_slash_command', `ran the slash command: \`${what}\``, { itemId }, item.stepId)
        else line('ran_action', `ran ${what} for **${item.title}**`, { itemId, outputs }, item.stepId)
      })
      return { text, outputs }
    },

    /** The retrospective as it stands: the saved draft or the rendered template. @throws AppError 400 without one. */
    async retrospective(runId: string): Promise<{ text: string; state: RetrospectiveState }> {
      const row = await runOf(runId)
      retroConfig(row.playbook)
      return { text: await draft(row), state: row.state.retrospective ?? { text: '', publishedAt: 0, canceled: false, reminderSeq: 0, remindersSent: 0 } }
    },

    /** Saves the draft (and metrics given with it, as Mattermost's retrospective update). @throws AppError 400, 403. */
    async updateRetrospective(runId: string, actor: Actor, text: string, metrics?: { id: string; value: unknown }[]): Promise<RunRow> {
      const row = await runOf(runId)
      retroConfig(row.playbook)
      requireEdit(row, actor)
      const changes = checkedMetrics(row, metrics, 'metrics')
      const done = await change(runId, actor.userId, (state, _row, _tx, line) => {
        retroOf(state).text = text
        line('retrospective_updated', 'edited the retrospective')
        const lines = applyMetricValues(row.playbook, state, changes)
        if (lines.length) line('metrics_changed', lines.join(', '))
      })
      return done.row
    },

    /**
     * Publishes the retrospective (the text given, else the draft) in the run channel and the
     * playbook's `publishTo` channels; its reminders stop. @throws AppError 400, 403.
     */
    async publishRetrospective(runId: string, actor: Actor, text?: string, metrics?: { id: string; value: unknown }[]): Promise<RunRow> {
      const row = await runOf(runId)
      const config = retroConfig(row.playbook)
      requireEdit(row, actor)
      if (!row.state.channelId) throw new AppError('app.playbook_run.no_channel.app_error', 'The run has no channel yet.', 400)
      const changes = checkedMetrics(row, metrics, 'metrics')
      const body = text ?? (changes.length ? undefined : await draft(row))
      const done = await change(runId, actor.userId, async (state, _row, _tx, line) => {
        const lines = applyMetricValues(row.playbook, state, changes)
        if (lines.length) line('metrics_changed', lines.join(', '))
        const retro = retroOf(state)
        retro.text = body ?? retro.text
        retro.publishedAt = now()
        retro.canceled = false
        retro.reminderSeq += 1
        line('published_retrospective', 'published the retrospective')
      })
      const published = done.row.state.retrospective!
      const message = published.text || (await draft(done.row))
      const session = await deps.engineSession()
      const key = `${runId}:retrospective:${published.publishedAt}`
      const props = { from_playbook: runId, playbook_retrospective: 'published' }
      await actions.invoke('post.create@v1', { channel_id: row.state.channelId, message: message.slice(0, 16_000), props }, { session, idempotencyKey: key })
      const channelName = (await channelStore.getById(row.state.channelId))?.name ?? row.state.channelId
      for (const [i, ref] of (config.publishTo ?? []).entries()) {
        try {
          const channelId = await deps.channelByRef(row.teamId, ref, session)
          await actions.invoke('post.create@v1', { channel_id: channelId, message: `${message.slice(0, 15_800)}\n\n_From run #${row.number}: ~${channelName}_`, props }, { session, idempotencyKey: `${key}:to:${i}` })
        } catch (err) {
          // A missing channel must not undo what the run channel got; the run channel says so.
          log.info({ runId, channel: ref, err: (err as Error).message }, 'retrospective not published to a channel')
          await say(done.row, `The retrospective could not be published to ${ref}: ${(err as Error).message}`)
        }
      }
      return done.row
    },

    /** No retrospective for this run (Mattermost's "no retrospective"): reminders stop. @throws AppError 400, 403. */
    async cancelRetrospective(runId: string, actor: Actor): Promise<RunRow> {
      const row = await runOf(runId)
      retroConfig(row.playbook)
      requireEdit(row, actor)
      const done = await change(runId, actor.userId, (state, _row, _tx, line) => {
        const retro = retroOf(state)
        retro.canceled = true
        retro.reminderSeq += 1
        line('canceled_retrospective', 'canceled the retrospective')
      })
      return done.row
    },

    /** Sets metrics (custom or built-in times). @throws AppError 400 naming a bad one, 403. */
    async setMetrics(runId: string, actor: Actor, entries: { id: string; value: unknown }[]): Promise<RunRow> {
      const row = await runOf(runId)
      requireEdit(row, actor)
      const changes = checkedMetrics(row, entries, 'metrics')
      const done = await change(runId, actor.userId, (state, _row, tx, line) => {
        const lines = applyMetricValues(row.playbook, state, changes)
        if (lines.length) line('metrics_changed', lines.join(', '))
        return deps.enqueueAdvance(runId, tx)
      })
      return done.row
    },

    /**
     * After any change of a run (the engine's publish): starts the retrospective reminders once
     * the run is resolved or finished, and keeps checklist posts true.
     */
    async afterChange(row: RunRow): Promise<void> {
      await refreshChecklists(row)
      const config = row.playbook.retrospective
      const every = config?.reminderEvery ? parseDuration(config.reminderEvery) : undefined
      const retro = row.state.retrospective
      if (!config || config.enabled === false || !every || (retro?.reminderSeq ?? 0) > 0 || retro?.publishedAt || retro?.canceled) return
      if (row.state.status !== 'resolved' && row.state.status !== 'finished') return
      await store.mutate(row.id, now(), async (state, _row, tx) => {
        const r = retroOf(state)
        if (r.reminderSeq > 0) return { events: [], result: null }
        r.reminderSeq = 1
        await jobs.enqueue({ type: RETRO_REMIND_JOB, data: { runId: row.id, seq: 1 }, runAt: now() + every, dedupeKey: `pb:${row.id}:retro-remind:1` }, { tx })
        return { events: [], result: null }
      })
    },

    /** The reminder job: nags the retrospective's owner once per firing until it is published or canceled. */
    async retroRemindJob(data: { runId: string; seq: number }): Promise<void> {
      const row = await store.get(data.runId)
      const retro = row?.state.retrospective
      const every = row?.playbook.retrospective?.reminderEvery ? parseDuration(row.playbook.retrospective.reminderEvery) : undefined
      if (!row || !retro || !every || retro.reminderSeq !== data.seq || retro.publishedAt || retro.canceled || !row.state.channelId) return
      const owner = await retroOwner(row)
      const message = `${owner ? `@${owner.username}, p` : 'P'}lease fill out the retrospective of **${row.state.title}**, then publish it with \`/playbook retro publish\`.`
      await actions.invoke('post.create@v1', { channel_id: row.state.channelId, message, props: { from_playbook: row.id, playbook_retrospective: 'reminder' } }, { session: await deps.engineSession(), idempotencyKey: `${row.id}:retro-remind:${data.seq}` })
      await store.mutate(row.id, now(), async (state, _row, tx) => {
        const r = retroOf(state)
        if (r.reminderSeq !== data.seq) return { events: [], result: null }
        r.reminderSeq += 1
        r.remindersSent += 1
        await jobs.enqueue({ type: RETRO_REMIND_JOB, data: { runId: row.id, seq: r.reminderSeq }, runAt: now() + every, dedupeKey: `pb:${row.id}:retro-remind:${r.reminderSeq}` }, { tx })
        return { events: [{ type: 'retrospective_reminder_sent', actorKind: 'system', actorId: '', summary: `asked ${mention(owner)} for the retrospective`, details: { seq: data.seq }, stepId: '' }], result: null }
      })
    },
  }
}

/**
 * The role that owns the run: `commander` when the playbook has one, else the role the run's
 * owner holds. (Not "the first role": the stored playbook is jsonb, which does not keep key order.)
 */
function itemIn(state: RunState, itemId: string): ChecklistItemState {
  const item = state.items.find((i) => i.id === itemId)
  if (!item) throw new AppError('app.playbook_run.item_not_found.app_error', `Checklist item ${itemId} not found.`, 404)
  return item
}

export type RunOps = ReturnType<typeof createRunOps>
