/**
 * Outgoing webhooks: the admin operations (create, list, get, update, delete, regenerate token) and
 * the bus subscriber that matches each new post against its team's hooks and enqueues one durable
 * delivery job per (hook, post, callback URL). Follows Mattermost's api4/webhook.go and
 * app/webhook.go (CreateOutgoingWebhook, handleWebhookEvents); the delivery is outgoing-delivery.ts.
 */
import { AppError, forbidden, invalidParam, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { ChannelRecord, ChannelStore } from '../channels/store.ts'
import type { UserStore } from '../users/store.ts'
import type { PostStore } from '../posts/store.ts'
import type { EventBus, Subscriber } from '../realtime/events.ts'
import type { JobService } from '../jobs/index.ts'
import type { Logger } from '../log.ts'
import { createReadCache } from '../cache/read-cache.ts'
import type { OutgoingWebhookRecord, OutgoingWebhookStore } from './outgoing-store.ts'
import { OUTGOING_DELIVERY_JOB, type OutgoingDeliveryData } from './outgoing-delivery.ts'

export const TRIGGER_WORDS_EXACT_MATCH = 0
export const TRIGGER_WORDS_STARTS_WITH = 1
const CONTENT_TYPES = ['application/x-www-form-urlencoded', 'application/json']

export interface OutgoingWebhookServiceOptions {
  store: OutgoingWebhookStore
  channelStore: Pick<ChannelStore, 'getById'>
  users: Pick<UserStore, 'getById'>
  postStore: Pick<PostStore, 'getById'>
  jobs: Pick<JobService, 'enqueue'>
  bus: EventBus
  log: Logger
  /** Team admins (and system admins) hold manage_outgoing_webhooks and manage_others_outgoing_webhooks. */
  isTeamAdmin(session: AuthSession, teamId: string): Promise<boolean>
  enabled: boolean
}

/** The body of create (POST) and update (PUT) in the admin API. */
export interface OutgoingWebhookInput {
  id?: string
  team_id?: string
  channel_id?: string
  creator_id?: string
  trigger_words?: string[] | null
  trigger_when?: number
  callback_urls?: string[] | null
  display_name?: string
  description?: string
  content_type?: string
  username?: string
  icon_url?: string
}

type HookFields = Pick<OutgoingWebhookRecord, 'triggerWords' | 'triggerWhen' | 'callbackUrls' | 'displayName' | 'description' | 'contentType' | 'username' | 'iconUrl'>

function invalid(field: string, message: string): AppError {
  return new AppError(`model.outgoing_hook.is_valid.${field}.app_error`, message, 400, { context: { field } })
}

/** Go's `fmt.Sprintf("%s", words)` length, which Mattermost caps at 1024: `[a b c]`. */
const printedLength = (list: string[]) => list.join(' ').length + 2

function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false
  try {
    return new URL(value).host !== ''
  } catch {
    return false
  }
}

/**
 * Mattermost's OutgoingWebhook.IsValid for the fields a client sends, and the two content types
 * Mattermost distinguishes (anything else would be sent as a form anyway).
 * @throws AppError 400 `model.outgoing_hook.is_valid.<field>.app_error`.
 */
function readFields(input: OutgoingWebhookInput): HookFields {
  const triggerWords = input.trigger_words ?? []
  const callbackUrls = input.callback_urls ?? []
  if (printedLength(triggerWords) > 1024) throw invalid('words', 'Invalid trigger words: at most 1024 characters in all.')
  if (triggerWords.some((w) => w === '')) throw invalid('trigger_words', 'Invalid trigger words: none may be empty.')
  if (callbackUrls.length === 0 || printedLength(callbackUrls) > 1024) throw invalid('callback', 'Invalid callback urls: at least one, at most 1024 characters in all.')
  const bad = callbackUrls.find((u) => !isHttpUrl(u))
  if (bad !== undefined) throw invalid('url', `Invalid callback URL "${bad.slice(0, 200)}": use an http:// or https:// URL.`)
  const limits = [['display_name', 64], ['description', 500], ['username', 64], ['icon_url', 1024]] as const
  for (const [field, max] of limits) {
    const length = (input[field] ?? '').length
    if (length > max) throw invalid(field, `Invalid ${field}: at most ${max} characters, got ${length}.`)
  }
  const contentType = input.content_type || CONTENT_TYPES[0]!
  if (!CONTENT_TYPES.includes(contentType)) throw invalid('content_type', `Invalid content_type: use ${CONTENT_TYPES.join(' or ')}.`)
  const triggerWhen = input.trigger_when ?? TRIGGER_WORDS_EXACT_MATCH
  // Mattermost reports a bad trigger_when under the content_type id.
  if (triggerWhen !== TRIGGER_WORDS_EXACT_MATCH && triggerWhen !== TRIGGER_WORDS_STARTS_WITH) throw invalid('content_type', 'Invalid trigger_when: 0 (first word matches exactly) or 1 (first word starts with).')
  return {
    triggerWords, triggerWhen, callbackUrls, contentType, displayName: input.display_name ?? '', description: input.description ?? '',
    username: input.username ?? '', iconUrl: input.icon_url ?? '',
  }
}

function disabled(): AppError {
  return new AppError('api.outgoing_webhook.disabled.app_error', 'Outgoing webhooks have been disabled by the system admin.', 501)
}

/**
 * The trigger word a post's message fires `hook` with (`''` for a channel hook without trigger
 * words), or null when it does not fire (Mattermost handleWebhookEvents).
 */
export function matchOutgoingWebhook(hook: Pick<OutgoingWebhookRecord, 'channelId' | 'triggerWords' | 'triggerWhen'>, channelId: string, message: string): string | null {
  if (hook.channelId !== '' && hook.channelId !== channelId) return null
  if (hook.channelId !== '' && hook.triggerWords.length === 0) return ''
  const firstWord = message.trim().split(/\s+/)[0] ?? ''
  if (firstWord === '') return null
  const word = hook.triggerWhen === TRIGGER_WORDS_STARTS_WITH ? hook.triggerWords.find((w) => firstWord.startsWith(w)) : hook.triggerWords.find((w) => w === firstWord)
  return word ?? null
}

export function createOutgoingWebhookService(options: OutgoingWebhookServiceOptions) {
  const { store, channelStore, bus, log } = options
  // Each post looks up its team's hooks: cached, and dropped on every change (on any node, via the bus).
  const hooksByTeam = createReadCache<OutgoingWebhookRecord[]>({ ttlMs: 60_000, maxEntries: 10_000 })

  async function changed(teamId: string): Promise<void> {
    hooksByTeam.delete(teamId)
    await bus.publish({ type: 'outgoing_webhook.changed', payload: { teamId } })
  }

  async function requireHook(id: string): Promise<OutgoingWebhookRecord> {
    const hook = await store.get(id)
    if (!hook) throw notFound('outgoing webhook', id, 'app.webhooks.get_outgoing.app_error')
    return hook
  }

  async function requireTeamAdmin(session: AuthSession, teamId: string): Promise<void> {
    if (!(await options.isTeamAdmin(session, teamId))) throw forbidden(`manage_outgoing_webhooks in team ${teamId}`)
  }

  /** A hook's channel: a public channel of its team (Mattermost's ids for each failure). */
  async function requireHookChannel(channelId: string, teamId: string, notOpenId: string): Promise<ChannelRecord> {
    const channel = await channelStore.getById(channelId)
    if (!channel || channel.deleteAt > 0) throw notFound('channel', channelId, 'app.channel.get.existing.app_error')
    if (channel.type !== 'O') throw new AppError(notOpenId, 'Outgoing webhooks can only be set up for public channels.', 403, { context: { channelId } })
    if (channel.teamId !== teamId) throw new AppError('api.webhook.create_outgoing.permissions.app_error', 'The channel is not in the webhook\'s team.', 403, { context: { channelId, teamId } })
    return channel
  }

  /** No other hook of the team may share the channel, a callback URL and a trigger word. */
  async function checkIntersection(teamId: string, hook: { id: string; channelId: string; callbackUrls: string[]; triggerWords: string[] }, errorId: string): Promise<void> {
    for (const other of await store.listByTeam(teamId)) {
      if (other.id === hook.id || other.channelId !== hook.channelId) continue
      if (other.callbackUrls.some((u) => hook.callbackUrls.includes(u)) && other.triggerWords.some((w) => hook.triggerWords.includes(w))) {
        throw new AppError(errorId, 'Another outgoing webhook of this channel already sends these trigger words to that callback URL.', 400, { context: { otherHookId: other.id } })
      }
    }
  }

  /** Enqueues the deliveries a new post calls for, once per (hook, post, URL) even if the event arrives twice. */
  async function onPostCreated(payload: Record<string, unknown>): Promise<void> {
    if (!options.enabled) return
    const teamId = typeof payload.teamId === 'string' ? payload.teamId : ''
    if (teamId === '') return
    const hooks = await hooksByTeam.get(teamId, () => store.listByTeam(teamId))
    if (hooks.length === 0) return
    const post = await options.postStore.getById(String(payload.postId))
    if (!post || post.deleteAt > 0) return
    // Never for an integration's own posts (no loops) nor for system messages.
    if (post.props.from_webhook === 'true' || post.type.startsWith('system_')) return
    const channel = await channelStore.getById(post.channelId)
    if (!channel || channel.type !== 'O') return
    for (const hook of hooks) {
      const triggerWord = matchOutgoingWebhook(hook, post.channelId, post.message)
      if (triggerWord === null) continue
      for (const [i, url] of hook.callbackUrls.entries()) {
        const data: OutgoingDeliveryData = { hook_id: hook.id, post_id: post.id, url, trigger_word: triggerWord }
        await options.jobs.enqueue({ type: OUTGOING_DELIVERY_JOB, data, dedupeKey: `${OUTGOING_DELIVERY_JOB}:${hook.id}:${post.id}:${i}` })
      }
    }
  }

  return {
    /** What main subscribes to the bus: new posts fire hooks; hook changes drop the cache. */
    subscriber(): Subscriber {
      return {
        id: 'webhooks.outgoing',
        events: ['post.created', 'outgoing_webhook.changed'],
        async handle(event) {
          if (event.type === 'outgoing_webhook.changed') return hooksByTeam.delete(String(event.payload.teamId))
          try {
            await onPostCreated(event.payload)
          } catch (err) {
            log.error({ postId: event.payload.postId, err }, 'outgoing webhooks not enqueued')
            throw err
          }
        },
      }
    },

    /**
     * Creates a hook for `team_id`, created by the caller (or by `creator_id`).
     * @throws AppError 501 when disabled; 403 without manage_outgoing_webhooks or for a private
     *   channel or one of another team; 404 unknown channel or creator; 400 bad fields or neither channel nor trigger words.
     */
    async create(session: AuthSession, input: OutgoingWebhookInput): Promise<OutgoingWebhookRecord> {
      if (!options.enabled) throw disabled()
      const teamId = input.team_id ?? ''
      if (teamId === '') throw invalid('team_id', 'Invalid team_id: a webhook belongs to a team.')
      await requireTeamAdmin(session, teamId)
      let creatorId = session.userId
      if (input.creator_id && input.creator_id !== session.userId) {
        if (!(await options.users.getById(input.creator_id))) throw notFound('user', input.creator_id, 'app.user.missing_account.const')
        creatorId = input.creator_id
      }
      const fields = readFields(input)
      const channelId = input.channel_id ?? ''
      // Mattermost answers a private channel here with its "disabled" id (and 403).
      if (channelId !== '') await requireHookChannel(channelId, teamId, 'api.outgoing_webhook.disabled.app_error')
      else if (fields.triggerWords.length === 0) throw new AppError('api.webhook.create_outgoing.triggers.app_error', 'Either trigger_words or channel_id must be set.', 400)
      const id = newId()
      // Mattermost answers an intersection at creation with 500; a 400, as at update, says whose fault it is.
      await checkIntersection(teamId, { id, channelId, ...fields }, 'api.webhook.create_outgoing.intersect.app_error')
      const now = nowMillis()
      const hook = await store.insert({ id, token: newId(), createAt: now, updateAt: now, deleteAt: 0, creatorId, channelId, teamId, ...fields })
      await changed(teamId)
      return hook
    },

    /**
     * A page of live hooks: of a channel or a team for its team admins, of every team for system admins.
     * @throws AppError 501 when disabled; 404 unknown channel; 403 without manage_outgoing_webhooks there.
     */
    async list(session: AuthSession, filter: { teamId?: string; channelId?: string; page: number; perPage: number }): Promise<OutgoingWebhookRecord[]> {
      if (!options.enabled) throw disabled()
      let teamId = filter.teamId
      if (filter.channelId) {
        const channel = await channelStore.getById(filter.channelId)
        if (!channel) throw notFound('channel', filter.channelId, 'app.channel.get.existing.app_error')
        teamId = channel.teamId
      }
      if (teamId) await requireTeamAdmin(session, teamId)
      else if (!session.isSystemAdmin) throw forbidden('manage_others_outgoing_webhooks system-wide')
      return store.list({ teamId, channelId: filter.channelId, offset: filter.page * filter.perPage, limit: filter.perPage })
    },

    /** @throws AppError 501 when disabled; 404 unknown hook; 403 without permission. */
    async get(session: AuthSession, id: string): Promise<OutgoingWebhookRecord> {
      if (!options.enabled) throw disabled()
      const hook = await requireHook(id)
      await requireTeamAdmin(session, hook.teamId)
      return hook
    },

    /**
     * Replaces the editable fields of a hook (Mattermost's PUT takes the whole object).
     * @throws AppError 400 for an id or team that does not match or bad fields; 403 private channel or no permission; 404.
     */
    async update(session: AuthSession, id: string, input: OutgoingWebhookInput): Promise<OutgoingWebhookRecord> {
      if (!options.enabled) throw disabled()
      if (input.id !== id) throw invalidParam('hook_id', 'the id in the body must be the id in the URL')
      const old = await requireHook(id)
      await requireTeamAdmin(session, old.teamId)
      if (input.team_id && input.team_id !== old.teamId) {
        throw new AppError('api.webhook.team_mismatch.app_error', 'Unable to update a webhook across teams.', 400, { context: { hookId: id } })
      }
      const fields = readFields(input)
      const channelId = input.channel_id ?? ''
      if (channelId !== '') await requireHookChannel(channelId, old.teamId, 'api.webhook.create_outgoing.not_open.app_error')
      else if (fields.triggerWords.length === 0) throw new AppError('api.webhook.create_outgoing.triggers.app_error', 'Either trigger_words or channel_id must be set.', 400)
      await checkIntersection(old.teamId, { id, channelId, ...fields }, 'api.webhook.update_outgoing.intersect.app_error')
      const updated = await store.update(id, { channelId, ...fields, updateAt: nowMillis() })
      if (!updated) throw notFound('outgoing webhook', id, 'app.webhooks.get_outgoing.app_error')
      await changed(old.teamId)
      return updated
    },

    /** @throws AppError 501 when disabled; 404 unknown hook; 403 without permission. */
    async regenerateToken(session: AuthSession, id: string): Promise<OutgoingWebhookRecord> {
      if (!options.enabled) throw disabled()
      const hook = await requireHook(id)
      await requireTeamAdmin(session, hook.teamId)
      const updated = await store.setToken(id, newId(), nowMillis())
      if (!updated) throw notFound('outgoing webhook', id, 'app.webhooks.get_outgoing.app_error')
      await changed(hook.teamId)
      return updated
    },

    /** Deliveries already enqueued find the hook gone and send nothing. @throws AppError 501; 404; 403. */
    async delete(session: AuthSession, id: string): Promise<void> {
      if (!options.enabled) throw disabled()
      const hook = await requireHook(id)
      await requireTeamAdmin(session, hook.teamId)
      await store.softDelete(id, nowMillis())
      await changed(hook.teamId)
    },
  }
}

export type OutgoingWebhookService = ReturnType<typeof createOutgoingWebhookService>
