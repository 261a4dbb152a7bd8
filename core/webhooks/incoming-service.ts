/**
 * Incoming webhooks: the admin operations (create, list, get, update, delete) and the handling of
 * `POST /hooks/{id}`, which posts as the hook's owner through the post service. Follows
 * Mattermost's api4/webhook.go and app/webhook.go (HandleIncomingWebhook, CreateWebhookPost).
 */
import { AppError, forbidden, invalidParam, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { ChannelService } from '../channels/service.ts'
import type { ChannelRecord, ChannelStore } from '../channels/store.ts'
import { directChannelName } from '../channels/rules.ts'
import type { UserStore } from '../users/store.ts'
import { checkUsername } from '../users/rules.ts'
import type { PostService, CreatedPost } from '../posts/service.ts'
import type { IncomingWebhookRecord, IncomingWebhookStore } from './incoming-store.ts'
import type { IncomingWebhookRequest } from './incoming-payload.ts'
import { createTokenBuckets } from './token-bucket.ts'
import { buildWebhookPostParts } from './webhook-post.ts'

export interface IncomingWebhookServiceOptions {
  store: IncomingWebhookStore
  channels: Pick<ChannelService, 'canRead' | 'createDirect'>
  channelStore: Pick<ChannelStore, 'getById' | 'getByName'>
  users: Pick<UserStore, 'getById' | 'getByIds' | 'getByUsername'>
  posts: Pick<PostService, 'createIntegrationPosts'>
  /** Team admins (and system admins) hold manage_incoming_webhooks and bypass_incoming_webhook_channel_lock. */
  isTeamAdmin(session: AuthSession, teamId: string): Promise<boolean>
  enabled: boolean
  enablePostUsernameOverride: boolean
  enablePostIconOverride: boolean
  /** 0 = no limit. */
  postsPerMinute: number
}

/** The body of create (POST) and update (PUT) in the admin API. */
export interface IncomingWebhookInput {
  id?: string
  channel_id: string
  team_id?: string
  user_id?: string
  display_name?: string
  description?: string
  username?: string
  icon_url?: string
  channel_locked?: boolean
}

const LIMITS = [['display_name', 64], ['description', 500], ['username', 64], ['icon_url', 1024]] as const

/** @throws AppError 400 `model.incoming_hook.<field>.app_error` for a field over Mattermost's limit. */
function checkLimits(input: IncomingWebhookInput): void {
  for (const [field, max] of LIMITS) {
    const value = input[field] ?? ''
    if (value.length > max) {
      throw new AppError(`model.incoming_hook.${field}.app_error`, `Invalid ${field}: at most ${max} characters, got ${value.length}.`, 400, { context: { field } })
    }
  }
}

function checkHookUsername(username: string): void {
  if (username === '') return
  try {
    checkUsername(username)
  } catch (err) {
    throw new AppError('api.incoming_webhook.invalid_username.app_error', `Invalid username "${username}": use lowercase letters, numbers, ".", "-" and "_", starting with a letter.`, 400, { cause: err })
  }
}

function disabled(): AppError {
  return new AppError('api.incoming_webhook.disabled.app_error', 'Incoming webhooks have been disabled by the system admin.', 501)
}

/** The hook owner as the services see a caller, for the channel checks made on their behalf. */
function actingAs(user: { id: string; roles: string; isBot: boolean }): AuthSession {
  return {
    id: '', token: '', userId: user.id, roles: user.roles, isSystemAdmin: user.roles.split(' ').includes('system_admin'), isBot: user.isBot,
    kind: 'session', csrfToken: '', expiresAt: 0,
  }
}

export function createIncomingWebhookService(options: IncomingWebhookServiceOptions) {
  const { store, channels, channelStore, users, posts } = options
  const buckets = options.postsPerMinute > 0 ? createTokenBuckets({ perMinute: options.postsPerMinute }) : undefined

  async function requireChannel(id: string): Promise<ChannelRecord> {
    const channel = id ? await channelStore.getById(id) : null
    if (!channel) throw notFound('channel', id, 'app.channel.get.existing.app_error')
    return channel
  }

  async function requireHook(id: string): Promise<IncomingWebhookRecord> {
    const hook = await store.get(id)
    if (!hook) throw notFound('incoming webhook', id, 'app.webhooks.get_incoming.app_error')
    return hook
  }

  /**
   * Mattermost's getIncomingHook/deleteIncomingHook checks: manage_incoming_webhooks in the hook's
   * team, and read access when its channel is private.
   */
  async function requireManageable(session: AuthSession, hook: IncomingWebhookRecord): Promise<void> {
    const channel = await requireChannel(hook.channelId)
    if (!(await options.isTeamAdmin(session, hook.teamId))) throw forbidden(`manage_incoming_webhooks in team ${hook.teamId}`)
    if (channel.type !== 'O' && !(await channels.canRead(session, channel))) throw forbidden(`read_channel ${channel.id}`)
  }

  /** The channel a payload names, in the hook's team; `@user` is the owner's DM with that user. */
  async function resolveTarget(hook: IncomingWebhookRecord, owner: AuthSession, name: string): Promise<ChannelRecord> {
    if (name === '') return requireChannel(hook.channelId)
    if (name.startsWith('@')) {
      const user = await users.getByUsername(name.slice(1))
      if (!user) throw new AppError('web.incoming_webhook.user.app_error', `Couldn't find the user ${name.slice(1)}.`, 400, { context: { hookId: hook.id } })
      // A locked hook may not open a new DM: check before creating one.
      if (hook.channelLocked) {
        const existing = await channelStore.getByName('', directChannelName(owner.userId, user.id))
        if (existing?.id !== hook.channelId) throw channelLocked(hook, existing?.id ?? '')
      }
      return (await channels.createDirect(owner, [owner.userId, user.id])).channel
    }
    const channel = await channelStore.getByName(hook.teamId, name.startsWith('#') ? name.slice(1) : name)
    if (!channel || channel.deleteAt > 0) throw new AppError('web.incoming_webhook.channel.app_error', `Couldn't find the channel ${name}.`, 404, { context: { hookId: hook.id } })
    return channel
  }

  function channelLocked(hook: IncomingWebhookRecord, channelId: string): AppError {
    return new AppError('web.incoming_webhook.channel_locked.app_error', `This webhook is not permitted to post to the requested channel${channelId ? ` ${channelId}` : ''}.`, 403, {
      context: { hookId: hook.id, channelId },
    })
  }

  function rateLimited(hook: IncomingWebhookRecord, retryAfterSeconds: number): AppError {
    return new AppError(
      'web.incoming_webhook.rate_limited.app_error',
      `Too many requests for this webhook: at most ${options.postsPerMinute} a minute. Retry in ${retryAfterSeconds} s.`,
      429,
      { context: { hookId: hook.id, retryAfterSeconds } },
    )
  }

  return {
    /**
     * Creates a hook posting to `channel_id`, owned by the caller (or by `user_id`).
     * @throws AppError 501 when disabled; 404 unknown channel or user; 403 without manage_incoming_webhooks or read access; 400 bad fields.
     */
    async create(session: AuthSession, input: IncomingWebhookInput): Promise<IncomingWebhookRecord> {
      if (!options.enabled) throw disabled()
      const channel = await requireChannel(input.channel_id)
      if (!(await options.isTeamAdmin(session, channel.teamId))) throw forbidden(`manage_incoming_webhooks in team ${channel.teamId}`)
      if (!(await channels.canRead(session, channel))) throw forbidden(`read_channel ${channel.id}`)
      let userId = session.userId
      if (input.user_id && input.user_id !== session.userId) {
        if (!(await users.getById(input.user_id))) throw notFound('user', input.user_id, 'app.user.missing_account.const')
        userId = input.user_id
      }
      if (!channel.teamId) throw new AppError('model.incoming_hook.team_id.app_error', 'Invalid team_id: a webhook posts to a team channel, not a direct or group message.', 400)
      checkLimits(input)
      const username = options.enablePostUsernameOverride ? input.username ?? '' : ''
      checkHookUsername(username)
      const now = nowMillis()
      return store.insert({
        id: newId(), createAt: now, updateAt: now, deleteAt: 0, userId, channelId: channel.id, teamId: channel.teamId,
        displayName: input.display_name ?? '', description: input.description ?? '', username,
        iconUrl: options.enablePostIconOverride ? input.icon_url ?? '' : '', channelLocked: input.channel_locked ?? false,
      })
    },

    /**
     * A page of live hooks: of `teamId` for its team admins, of every team for system admins.
     * @throws AppError 501 when disabled; 403 without manage_incoming_webhooks there.
     */
    async list(session: AuthSession, filter: { teamId?: string; page: number; perPage: number }): Promise<{ hooks: IncomingWebhookRecord[]; total: () => Promise<number> }> {
      if (!options.enabled) throw disabled()
      const allowed = filter.teamId ? await options.isTeamAdmin(session, filter.teamId) : session.isSystemAdmin
      if (!allowed) throw forbidden(`manage_incoming_webhooks ${filter.teamId ? `in team ${filter.teamId}` : 'system-wide'}`)
      const hooks = await store.list({ teamId: filter.teamId, offset: filter.page * filter.perPage, limit: filter.perPage })
      return { hooks, total: () => store.count({ teamId: filter.teamId }) }
    },

    /** @throws AppError 501 when disabled; 404 unknown hook; 403 without permission. */
    async get(session: AuthSession, id: string): Promise<IncomingWebhookRecord> {
      if (!options.enabled) throw disabled()
      const hook = await requireHook(id)
      await requireManageable(session, hook)
      return hook
    },

    /**
     * Replaces the editable fields of a hook (Mattermost's PUT takes the whole object).
     * @throws AppError 400 for an id or team that does not match, a channel of another team or bad fields; 404; 403.
     */
    async update(session: AuthSession, id: string, input: IncomingWebhookInput): Promise<IncomingWebhookRecord> {
      if (!options.enabled) throw disabled()
      if (input.id !== id) throw invalidParam('hook_id', 'the id in the body must be the id in the URL')
      const old = await requireHook(id)
      if (input.team_id && input.team_id !== old.teamId) {
        throw new AppError('api.webhook.team_mismatch.app_error', 'Unable to update a webhook across teams.', 400, { context: { hookId: id } })
      }
      const channel = await requireChannel(input.channel_id)
      if (channel.teamId !== old.teamId) throw invalidParam('channel_id', 'the channel must be in the hook\'s team')
      if (!(await options.isTeamAdmin(session, channel.teamId))) throw forbidden(`manage_incoming_webhooks in team ${channel.teamId}`)
      if (channel.type !== 'O' && !(await channels.canRead(session, channel))) throw forbidden(`read_channel ${channel.id}`)
      checkLimits(input)
      const username = options.enablePostUsernameOverride ? input.username ?? '' : old.username
      checkHookUsername(username)
      const updated = await store.update(id, {
        channelId: channel.id, displayName: input.display_name ?? '', description: input.description ?? '', username,
        iconUrl: options.enablePostIconOverride ? input.icon_url ?? '' : old.iconUrl, channelLocked: input.channel_locked ?? false, updateAt: nowMillis(),
      })
      if (!updated) throw notFound('incoming webhook', id, 'app.webhooks.get_incoming.app_error')
      return updated
    },

    /** @throws AppError 501 when disabled; 404 unknown hook; 403 without permission. */
    async delete(session: AuthSession, id: string): Promise<void> {
      if (!options.enabled) throw disabled()
      const hook = await requireHook(id)
      await requireManageable(session, hook)
      await store.softDelete(id, nowMillis())
    },

    /**
     * Posts a payload received at `POST /hooks/{id}` as the hook's owner: Slack markup converted,
     * attachments as a `slack_attachment` post, a long text split into several posts written
     * together. Nothing is posted when any check fails.
     * @throws AppError 501 disabled; 400 unknown hook, no text, unknown user, bad type; 404 unknown channel;
     *   403 locked channel or no access; 429 over the hook's rate (context.retryAfterSeconds).
     */
    async handle(hookId: string, req: IncomingWebhookRequest): Promise<CreatedPost[]> {
      if (!options.enabled) throw new AppError('web.incoming_webhook.disabled.app_error', 'Incoming webhooks have been disabled by the system admin.', 501)
      if (req.text === '' && req.attachments === null) throw new AppError('web.incoming_webhook.text.app_error', 'No text specified: send a text or attachments.', 400, { context: { hookId } })
      const hook = await store.get(hookId)
      if (!hook) throw new AppError('web.incoming_webhook.invalid.app_error', 'Invalid webhook.', 400, { context: { hookId } })
      const wait = buckets?.take(hook.id) ?? 0
      if (wait > 0) throw rateLimited(hook, wait)
      const ownerRecord = await users.getById(hook.userId)
      if (!ownerRecord) throw new AppError('web.incoming_webhook.user.app_error', `Couldn't find the user ${hook.userId}.`, 403, { context: { hookId } })
      const owner = actingAs(ownerRecord)

      const channel = await resolveTarget(hook, owner, req.channel)
      if (hook.channelLocked && hook.channelId !== channel.id) throw channelLocked(hook, channel.id)
      if (channel.type !== 'O' && !(await channels.canRead(owner, channel))) {
        throw new AppError('web.incoming_webhook.permissions.app_error', `User ${hook.userId} does not have appropriate permissions to channel ${channel.id}.`, 403, { context: { hookId } })
      }
      if (req.priority && req.priority.priority === undefined) throw invalidParam('webhook.priority.priority', 'Setting the priority of a post is required to use priority.')
      const parts = await buildWebhookPostParts(
        { text: req.text, attachments: req.attachments ?? [], props: req.props, type: req.type, username: req.username, iconUrl: req.iconUrl, iconEmoji: req.iconEmoji },
        hook,
        { users, enablePostUsernameOverride: options.enablePostUsernameOverride, enablePostIconOverride: options.enablePostIconOverride },
      )
      return posts.createIntegrationPosts(channel, hook.userId, parts, { priority: req.priority })
    },
  }
}

export type IncomingWebhookService = ReturnType<typeof createIncomingWebhookService>
