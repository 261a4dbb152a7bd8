/**
 * The triggers that come from inside the server: schedules (durable cron jobs, one run per tick),
 * keywords in posts (start a run, or offer a button that starts it), and core domain events
 * (`on.event`). Runs started by the playbooks bot itself never trigger others, so a playbook
 * cannot feed on its own posts and channels.
 */
import type { JobService } from '../../core/jobs/service.ts'
import type { EventBus, DomainEvent } from '../../core/realtime/events.ts'
import type { PostStore } from '../../core/posts/store.ts'
import type { PostService } from '../../core/posts/service.ts'
import type { ChannelStore } from '../../core/channels/store.ts'
import type { TeamStore } from '../../core/teams/store.ts'
import type { Logger } from '../../core/log.ts'
import { AppError } from '../../core/errors.ts'
import { nowMillis } from '../../core/clock.ts'
import { evaluateCondition, parseCondition, type Playbook } from '../dsl/index.ts'
import type { RunEngine } from './service.ts'
import type { IntegrationEventLike } from './trigger.ts'

export const SCHEDULED_JOB = 'playbooks.scheduled'
export const KEYWORD_ACTION_URL = 'bridgehead://playbooks/keyword'

export interface InternalTriggerDeps {
  engine: RunEngine
  library: { list(): readonly { name: string; playbook: Playbook }[]; get(name: string): { playbook: Playbook } | undefined }
  jobs: JobService
  bus: EventBus
  postStore: Pick<PostStore, 'getById'>
  posts: Pick<PostService, 'sendEphemeral'>
  channelStore: Pick<ChannelStore, 'getById'>
  teamStore: Pick<TeamStore, 'getByName'>
  log: Logger
}

/** The team a run without a command or event of its own belongs to: the first `team:` owner. */
async function ownerTeam(deps: InternalTriggerDeps, playbook: Playbook): Promise<string | null> {
  const ref = (playbook.metadata.owners ?? []).find((o) => o.startsWith('team:'))
  if (!ref) return null
  const team = await deps.teamStore.getByName(ref.slice(5))
  return team && team.deleteAt === 0 ? team.id : null
}

/** Whether a channel is one of `refs` (`#name`), or any channel when there are none. */
async function inChannels(deps: InternalTriggerDeps, refs: string[] | undefined, channelId: string): Promise<boolean> {
  if (!refs || refs.length === 0) return true
  const channel = await deps.channelStore.getById(channelId)
  return !!channel && refs.some((r) => r.replace(/^#/, '') === channel.name)
}

function holds(condition: string | boolean | undefined, trigger: IntegrationEventLike): boolean {
  if (condition === undefined) return true
  try {
    return evaluateCondition(parseCondition(condition), { values: { trigger } })
  } catch {
    return false
  }
}

export function startInternalTriggers(deps: InternalTriggerDeps) {
  const { engine, library, jobs, log } = deps

  jobs.register<{ playbook: string }>({
    id: SCHEDULED_JOB,
    description: "Starts a run of a playbook at its schedule's tick",
    async handler(job) {
      const entry = library.get(job.data.playbook)
      const schedule = entry?.playbook.on.schedule
      if (!entry || !schedule) return
      const teamId = await ownerTeam(deps, entry.playbook)
      if (!teamId) {
        log.warn({ playbook: job.data.playbook }, 'a scheduled playbook needs a team: owner (metadata.owners: [team:<name>]) to run in')
        return
      }
      const trigger: IntegrationEventLike = {
        source: 'schedule', type: 'schedule.tick', id: `${job.data.playbook}:${job.runAt}`, correlationKey: '', occurredAt: job.runAt,
        title: entry.playbook.metadata.title ?? entry.playbook.metadata.name, data: { cron: schedule.cron, timezone: schedule.timezone ?? 'UTC', at: job.runAt },
      }
      if (!holds(schedule.if, trigger)) return
      const bot = await engine.ensureBot()
      await engine.start({ playbook: job.data.playbook, teamId, actorId: bot.id, trigger, dedupeKey: trigger.id })
    },
  })

  /** Declares each playbook's schedule (unchanged ones keep their next tick). */
  async function schedule(): Promise<void> {
    for (const entry of library.list()) {
      const s = entry.playbook.on.schedule
      if (!s) continue
      try {
        await jobs.schedule({ name: `playbook:${entry.name}`, cron: s.cron, timeZone: s.timezone ?? 'UTC', type: SCHEDULED_JOB, data: { playbook: entry.name } })
      } catch (err) {
        log.warn({ err, playbook: entry.name }, 'the playbook schedule was refused')
      }
    }
  }

  async function onPost(event: DomainEvent, botId: string): Promise<void> {
    const { postId, channelId, teamId, userId } = event.payload as { postId: string; channelId: string; teamId: string; userId: string }
    if (userId === botId || !teamId) return
    const post = await deps.postStore.getById(postId)
    if (!post || post.type !== '' || post.props.from_bot === 'true' || post.props.from_webhook === 'true') return
    const text = post.message.toLowerCase()
    for (const entry of library.list()) {
      const keyword = entry.playbook.on.keyword
      if (!keyword || !keyword.patterns.some((p) => text.includes(p.toLowerCase()))) continue
      if (!(await inChannels(deps, keyword.channels, channelId))) continue
      const trigger: IntegrationEventLike = {
        source: 'keyword', type: 'keyword.matched', id: `post:${postId}`, correlationKey: '', occurredAt: post.createAt, title: post.message.slice(0, 200),
        actor: { id: userId }, data: { post_id: postId, channel_id: channelId, message: post.message },
      }
      if (!holds(keyword.if, trigger)) continue
      if ((keyword.mode ?? 'prompt') === 'start') {
        await engine.start({ playbook: entry.name, teamId, actorId: userId, trigger, dedupeKey: trigger.id })
        continue
      }
      // Mattermost's behaviour: offer, and let the person decide.
      await deps.posts.sendEphemeral(userId, channelId, `This looks like a job for **${entry.playbook.metadata.title ?? entry.name}**.`, post.rootId, {
        attachments: [{ actions: [{ id: 'startplaybook', name: `Start ${entry.playbook.metadata.title ?? entry.name}`, type: 'button', style: 'primary', integration: { url: KEYWORD_ACTION_URL, context: { playbook: entry.name, post_id: postId, team_id: teamId } } }] }],
      })
    }
  }

  async function onDomainEvent(event: DomainEvent, botId: string): Promise<void> {
    const payload = event.payload as Record<string, unknown>
    if (payload.userId === botId || payload.actorId === botId) return
    const channelId = typeof payload.channelId === 'string' ? payload.channelId : ''
    const teamId = typeof payload.teamId === 'string' ? payload.teamId : ''
    for (const entry of library.list()) {
      const on = entry.playbook.on.event
      if (!on || !on.types.includes(event.type)) continue
      if (channelId && !(await inChannels(deps, on.channels, channelId))) continue
      if (!channelId && on.channels && on.channels.length > 0) continue
      const team = teamId || (await ownerTeam(deps, entry.playbook))
      if (!team) continue
      const key = `${event.type}:${Object.values(payload).filter((v) => typeof v === 'string').join(':')}`
      const trigger: IntegrationEventLike = { source: 'event', type: event.type, id: key, correlationKey: '', occurredAt: nowMillis(), title: event.type, data: payload }
      if (!holds(on.if, trigger)) continue
      await engine.start({ playbook: entry.name, teamId: team, actorId: typeof payload.userId === 'string' ? payload.userId : botId, trigger, dedupeKey: key }).catch((err: unknown) => {
        if (err instanceof AppError && err.statusCode < 500) log.info({ playbook: entry.name, err: err.message }, 'an event trigger could not start its run')
        else throw err
      })
    }
  }

  deps.bus.subscribe({
    id: 'playbooks.internal-triggers',
    events: '*',
    async handle(event) {
      if (event.type === 'integration.event' || event.type.startsWith('playbook_run.')) return
      // Publishing waits for subscribers: with no playbook interested, return before any query.
      const entries = library.list()
      const keywords = event.type === 'post.created' && entries.some((e) => e.playbook.on.keyword)
      const events = entries.some((e) => e.playbook.on.event?.types.includes(event.type))
      if (!keywords && !events) return
      const bot = await engine.ensureBot()
      if (keywords) await onPost(event, bot.id)
      if (events) await onDomainEvent(event, bot.id)
    },
  })

  return {
    schedule,
    /** The "Start" button of a keyword offer. */
    async startFromOffer(context: Record<string, unknown>, userId: string): Promise<string> {
      const name = String(context.playbook ?? '')
      const postId = String(context.post_id ?? '')
      const post = await deps.postStore.getById(postId)
      if (!post) throw new AppError('app.playbook_run.post_gone.app_error', 'The message that offered this playbook is gone.', 404)
      const trigger: IntegrationEventLike = {
        source: 'keyword', type: 'keyword.accepted', id: `post:${postId}`, correlationKey: '', occurredAt: nowMillis(), title: post.message.slice(0, 200),
        actor: { id: userId }, data: { post_id: postId, channel_id: post.channelId, message: post.message },
      }
      const { run, started } = await engine.start({ playbook: name, teamId: String(context.team_id ?? ''), actorId: userId, trigger, dedupeKey: trigger.id })
      return started ? `Started run #${run.number}: ${run.title}.` : `Run #${run.number} was already started from this message.`
    },
  }
}
