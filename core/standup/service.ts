/**
 * /standup: a channel's questions and schedule; at each tick the `standup` bot asks every member
 * in a DM, one question at a time, and records their replies; at the deadline it posts the summary.
 *
 * Everything that must survive a restart is a row: the schedule (job_schedules, one per channel),
 * the run and its participants with their answers, and the summary job (deduplicated by run).
 * Replies reach this module through a `post.created` bus subscription, so the post service does
 * not know /standup exists; the subscription runs before the post's request answers.
 */
import { newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { EventBus, DomainEvent } from '../realtime/events.ts'
import type { JobService } from '../jobs/index.ts'
import type { PostService } from '../posts/service.ts'
import type { ChannelService } from '../channels/service.ts'
import type { ChannelStore } from '../channels/store.ts'
import type { UserRecord, UserStore } from '../users/store.ts'
import type { BotService } from '../bots/service.ts'
import type { SqlClient } from '../db/index.ts'
import { localDateTime, localDay } from './schedule.ts'
import type { OpenParticipant, StandupConfig, StandupParticipant, StandupRun, StandupStore } from './store.ts'

export const STANDUP_BOT_USERNAME = 'standup'
export const DEFAULT_QUESTIONS = ['What did you do since the last standup?', 'What will you do today?', 'Anything blocking you?']
export const DEFAULT_DEADLINE_MS = 60 * 60_000
const START_JOB = 'standup.start'
const SUMMARY_JOB = 'standup.summary'

/** The job schedule that starts a channel's standups. */
export const scheduleName = (channelId: string) => `standup:${channelId}`

export interface StandupServiceOptions {
  store: StandupStore
  jobs: JobService
  bus: EventBus
  posts: PostService
  channels: ChannelService
  channelStore: ChannelStore
  users: UserStore
  bots: BotService
  log: Logger
  /** Milliseconds now (default the system clock). */
  now?: () => number
}

/** What a `/standup config` sub-command changes. */
export type ConfigChange =
  | { questions: string[] }
  | { cron: string; timeZone?: string }
  | { timeZone: string }
  | { deadlineMs: number }

/** The channel's config, its next run and its latest run's participants, for `/standup status`. */
export interface StandupStatus {
  config: StandupConfig | null
  nextRunAt: number | null
  latest: { run: StandupRun; participants: (StandupParticipant & { username: string })[] } | null
}

export function createStandupService(options: StandupServiceOptions) {
  const { store, jobs, bus, posts, channels, channelStore, users, bots, log } = options
  const now = options.now ?? nowMillis
  // Created on first use, not at start: a bot made at start would take the first account's admin role.
  let bot: UserRecord | undefined
  let lookedUpAt = -Infinity

  async function ensureBot(): Promise<UserRecord> {
    bot ??= await bots.ensureBot({ username: STANDUP_BOT_USERNAME, displayName: 'Standup', description: 'Asks the /standup questions and posts the summaries.', ownerId: 'standup' })
    return bot
  }

  /** The bot if it exists, looked up at most once a minute while it does not (another node may create it). */
  async function knownBot(): Promise<UserRecord | undefined> {
    if (bot || now() - lookedUpAt < 60_000) return bot
    lookedUpAt = now()
    const user = await users.getByUsername(STANDUP_BOT_USERNAME)
    if (user?.isBot) bot = user
    return bot
  }

  function requireBot(): UserRecord {
    if (!bot) throw new Error('the standup bot is not created yet')
    return bot
  }

  /** A session standing for the bot, to open its DMs. */
  function botSession(): AuthSession {
    const user = requireBot()
    return { id: '', token: '', userId: user.id, roles: user.roles ?? 'system_user', isSystemAdmin: false, isBot: true, kind: 'session', csrfToken: '', expiresAt: 0 }
  }

  async function botPost(channelId: string, message: string): Promise<string> {
    const created = await posts.createSystemPost({ channelId, userId: requireBot().id, type: '', message, props: { from_bot: 'true' } })
    return created.post.id
  }

  async function dmChannel(userId: string): Promise<string> {
    const { channel } = await channels.createDirect(botSession(), [requireBot().id, userId])
    return channel.id
  }

  async function channelName(channelId: string): Promise<string> {
    const channel = await channelStore.getById(channelId)
    return channel ? `~${channel.name}` : 'a channel'
  }

  /**
   * A bot post written in one transaction with `claim`; nothing is posted when the claim fails
   * (another attempt already made it). Returns the post's id, or null when nothing was posted.
   */
  async function claimedBotPost(channelId: string, message: string, claim: (tx: SqlClient, postId: string) => Promise<boolean>): Promise<string | null> {
    const channel = await channels.getCached(channelId)
    const [created] = await posts.createIntegrationPosts(channel, requireBot().id, [{ message, type: '', props: { from_bot: 'true' } }], { claim: (tx, [postId]) => claim(tx, postId!) })
    return created?.post.id ?? null
  }

  /** Sends the first question of a participation and marks it asked (the mark makes a retry skip it). */
  async function ask(participant: { id: string; userId: string }, run: { channelId: string; questions: string[]; deadlineAt: number }, timeZone: string): Promise<void> {
    const dm = await dmChannel(participant.userId)
    const intro = `It's standup time for ${await channelName(run.channelId)}! Please answer ${run.questions.length === 1 ? 'this question' : `these ${run.questions.length} questions, one message each`} before ${localDateTime(run.deadlineAt, timeZone)}.`
    // The DM and the mark in one transaction: a retry after a crash finds the mark and sends nothing.
    await claimedBotPost(dm, `${intro}\n\n**1.** ${run.questions[0]}`, (tx) => store.claimAsked(tx, participant.id, now()))
  }

  async function timeZoneOf(channelId: string): Promise<string> {
    return (await store.getConfig(channelId))?.timeZone ?? 'UTC'
  }

  /** Asks the user's next queued standup, if one is waiting. */
  async function askNextQueued(userId: string): Promise<void> {
    const queued = await store.nextQueued(userId)
    if (!queued) return
    const run = await store.getRun(queued.runId)
    if (run) await ask(queued, run, await timeZoneOf(run.channelId))
  }

  /** The job fired by a channel's schedule: opens the tick's run, DMs the members, enqueues the summary. */
  async function startRun(channelId: string, tickAt: number): Promise<void> {
    const config = await store.getConfig(channelId)
    const channel = await channelStore.getById(channelId)
    if (!config?.enabled || !channel || channel.deleteAt !== 0) return
    if (config.questions.length === 0) return
    await ensureBot()
    if (await store.takeSkipNext(channelId)) {
      log.info({ channelId, tickAt }, 'standup skipped by /standup skip')
      return
    }
    const run = await store.ensureRun({
      id: newId(), channelId, tickAt, day: localDay(tickAt, config.timeZone), questions: config.questions,
      deadlineAt: tickAt + config.deadlineMs, createAt: now(),
    })
    if (run.summaryPostId !== '') return
    const memberIds = await channelStore.memberIds(channelId)
    const people = (await users.getByIds(memberIds)).filter((u) => !u.isBot && u.deleteAt === 0).sort((a, b) => a.username.localeCompare(b.username))
    const skipped = await store.skippedOn(channelId, run.day)
    await store.addParticipants(run.id, people.map((u) => ({ id: newId(), userId: u.id, skipped: skipped.has(u.id) })), now())
    for (const participant of await store.participants(run.id)) {
      if (participant.askedAt !== 0 || participant.skipped) continue
      // One standup at a time per person: a reply belongs to the oldest one asked.
      const answering = await store.answering(participant.userId)
      if (answering && answering.runId !== run.id) continue
      await ask(participant, run, config.timeZone)
    }
    await jobs.enqueue({ type: SUMMARY_JOB, data: { runId: run.id }, runAt: run.deadlineAt, dedupeKey: `standup.summary:${run.id}` })
  }

  function summaryText(run: StandupRun, participants: (StandupParticipant & { username: string })[]): string {
    const lines = [`#### Standup summary for ${run.day}`]
    const answered = participants.filter((p) => !p.skipped && p.answers.length > 0)
    for (const p of answered) {
      lines.push('', `**@${p.username}**`)
      run.questions.forEach((question, i) => lines.push(`- _${question}_ ${p.answers[i] ?? '(no answer)'}`))
    }
    if (answered.length === 0) lines.push('', 'Nobody answered.')
    const missing = participants.filter((p) => !p.skipped && p.answers.length === 0)
    const skipped = participants.filter((p) => p.skipped)
    if (missing.length > 0) lines.push('', `**Did not answer:** ${missing.map((p) => `@${p.username}`).join(', ')}`)
    if (skipped.length > 0) lines.push('', `**Skipped:** ${skipped.map((p) => `@${p.username}`).join(', ')}`)
    return lines.join('\n')
  }

  async function withUsernames(participants: StandupParticipant[]): Promise<(StandupParticipant & { username: string })[]> {
    const names = new Map((await users.getByIds(participants.map((p) => p.userId))).map((u) => [u.id, u.username]))
    return participants.map((p) => ({ ...p, username: names.get(p.userId) ?? p.userId })).sort((a, b) => a.username.localeCompare(b.username))
  }

  /** The deadline job: posts the run's summary once, then asks whoever had this run's questions queued behind it. */
  async function postSummary(runId: string): Promise<void> {
    const run = await store.getRun(runId)
    if (!run || run.summaryPostId !== '') return
    await ensureBot()
    const participants = await store.participants(run.id)
    const channel = await channelStore.getById(run.channelId)
    if (!channel || channel.deleteAt !== 0) {
      // Nowhere to post: the run ends, and its participants are free for a standup queued behind it.
      if (!(await store.endWithoutSummary(run.id))) return
      log.info({ runId: run.id, channelId: run.channelId }, 'standup ended without a summary: its channel was archived')
    } else {
      // The post and the run's mark in one transaction: a retry after a crash finds the mark and posts nothing.
      const postId = await claimedBotPost(run.channelId, summaryText(run, await withUsernames(participants)), (tx, id) => store.claimSummary(tx, run.id, id))
      if (postId === null) return
    }
    // Those still answering this run are free now for a standup queued behind it.
    for (const p of participants) if (p.askedAt !== 0 && p.answeredAt === 0 && !p.skipped) await askNextQueued(p.userId)
  }

  /** A reply in the bot's DM: the next answer of the user's open standup. */
  async function collectAnswer(event: DomainEvent): Promise<void> {
    const { postId, channelId, userId, rootId } = event.payload as { postId: string; channelId: string; userId: string; rootId: string }
    const botId = (await knownBot())?.id
    if (!botId || userId === botId || rootId) return
    const channel = await channels.getCached(channelId)
    if (channel.type !== 'D' || !channel.name.split('__').includes(botId)) return
    const open: OpenParticipant | null = await store.answering(userId)
    if (!open) return
    const post = await posts.requirePost(postId)
    const updated = await store.appendAnswer(open.id, post.message, open.questions.length, now())
    if (!updated) return
    const next = updated.answers.length
    if (next < open.questions.length) {
      await botPost(channelId, `**${next + 1}.** ${open.questions[next]}`)
      return
    }
    await botPost(channelId, `Thanks! Your answers will be in the summary in ${await channelName(open.channelId)}.`)
    await askNextQueued(userId)
  }

  /** When the channel's schedule fires next, or null when it is off or has no tick left. */
  async function nextRunOf(config: StandupConfig | null): Promise<number | null> {
    const schedule = config?.enabled ? await jobs.getSchedule(scheduleName(config.channelId)) : null
    // A schedule without a further tick (a cron naming one date) stores MAX_SAFE_INTEGER.
    return schedule && schedule.nextRunAt < Number.MAX_SAFE_INTEGER ? schedule.nextRunAt : null
  }

  async function saveAndSchedule(config: StandupConfig): Promise<StandupConfig> {
    if (config.enabled && config.cron !== '') {
      await jobs.schedule({ name: scheduleName(config.channelId), cron: config.cron, timeZone: config.timeZone, type: START_JOB, data: { channelId: config.channelId } })
    } else {
      await jobs.unschedule(scheduleName(config.channelId))
    }
    return store.saveConfig(config)
  }

  return {
    /** Registers the job types and subscribes to replies; call before `jobs.start()`. */
    start(): void {
      jobs.register<{ channelId: string }>({ id: START_JOB, description: 'DMs a channel the /standup questions', handler: (job) => startRun(job.data.channelId, job.runAt) })
      jobs.register<{ runId: string }>({ id: SUMMARY_JOB, description: 'Posts a /standup summary at its deadline', handler: (job) => postSummary(job.data.runId) })
      bus.subscribe({ id: 'standup.answers', events: ['post.created'], handle: collectAnswer })
    },

    getConfig: (channelId: string) => store.getConfig(channelId),

    /**
     * Applies one `/standup config` change and (re)schedules the channel; a schedule turns the
     * standup on. Questions default to three classic ones, the time zone to UTC, the deadline to an hour.
     * @throws AppError 400 naming `cron` or `time_zone` when either is unusable.
     */
    async configure(channelId: string, userId: string, change: ConfigChange): Promise<StandupConfig> {
      const at = now()
      const current = (await store.getConfig(channelId)) ?? {
        channelId, questions: DEFAULT_QUESTIONS, cron: '', timeZone: 'UTC', deadlineMs: DEFAULT_DEADLINE_MS, enabled: false, skipNext: false, updateBy: userId, createAt: at, updateAt: at,
      }
      await ensureBot()
      const next: StandupConfig = { ...current, updateBy: userId, updateAt: at }
      if ('questions' in change) next.questions = change.questions
      if ('deadlineMs' in change) next.deadlineMs = change.deadlineMs
      if ('timeZone' in change && change.timeZone !== undefined) next.timeZone = change.timeZone
      if ('cron' in change) Object.assign(next, { cron: change.cron, enabled: true })
      return saveAndSchedule(next)
    },

    /** `/standup off`: no more runs (the config is kept for the next `config schedule`). Returns whether it was on. */
    async turnOff(channelId: string, userId: string): Promise<boolean> {
      const current = await store.getConfig(channelId)
      if (!current?.enabled) return false
      await saveAndSchedule({ ...current, enabled: false, updateBy: userId, updateAt: now() })
      return true
    },

    /** `/standup skip`: the next run does not happen. Returns the time it would have run, or null when none is scheduled. */
    async skipNextRun(channelId: string, userId: string): Promise<number | null> {
      const current = await store.getConfig(channelId)
      const nextRunAt = await nextRunOf(current)
      if (!current || nextRunAt === null) return null
      await store.saveConfig({ ...current, skipNext: true, updateBy: userId, updateAt: now() })
      return nextRunAt
    },

    /** `/standup skip @user` or `skip me`: that member is not asked today (and is no longer waited for). Returns the day. */
    async skipToday(channelId: string, userId: string): Promise<string> {
      const day = localDay(now(), await timeZoneOf(channelId))
      await store.skipDay({ id: newId(), channelId, userId, day, now: now() })
      return day
    },

    /** The config, next run and latest run's participants. */
    async status(channelId: string): Promise<StandupStatus> {
      const config = await store.getConfig(channelId)
      const run = await store.latestRun(channelId)
      return {
        config,
        nextRunAt: await nextRunOf(config),
        latest: run ? { run, participants: await withUsernames(await store.participants(run.id)) } : null,
      }
    },
  }
}

export type StandupService = ReturnType<typeof createStandupService>
