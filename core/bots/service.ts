/**
 * Bot accounts (Mattermost app/bot.go): a `users` row with `is_bot` plus a `bots` row naming its
 * owner. With Mattermost's default roles only system admins hold create_bot and
 * manage_others_bots; owners also manage (read, patch, disable, tokens) their own bots.
 */
import { AppError, forbidden } from '../errors.ts'
import { newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Database } from '../db/index.ts'
import { isUniqueViolation, withTransaction } from '../db/index.ts'
import type { EventBus } from '../realtime/events.ts'
import type { AuthSession } from '../auth/session-types.ts'
import { presentUser } from '../present/user.ts'
import { checkUsername, DEFAULT_NOTIFY_PROPS, DEFAULT_TIMEZONE } from '../users/rules.ts'
import type { UserRecord, UserStore } from '../users/store.ts'
import type { BotStore, BotWithUsername } from './store.ts'

const DISPLAY_NAME_MAX = 64
const DESCRIPTION_MAX = 1024

export interface BotServiceOptions {
  db: Database
  store: BotStore
  users: UserStore
  bus: EventBus
  enableBotAccountCreation: boolean
  /** Ends a user's sessions and tokens' cached sessions (bot disabled). */
  onDeactivated(userId: string): Promise<void>
}

export interface BotPatchInput {
  username?: string
  display_name?: string
  description?: string
}

/** model.MakeBotNotFoundError: the same answer for "no such bot" and "not yours", so ids reveal nothing. */
function botNotFound(botUserId: string): AppError {
  return new AppError('store.sql_bot.get.missing.app_error', 'Unable to find the existing bot.', 404, { context: { botUserId } })
}

function duplicate(err: unknown): AppError | undefined {
  if (isUniqueViolation(err, ['username'])) return new AppError('app.user.save.username_exists.app_error', 'An account with that username already exists.', 400, { cause: err })
  if (isUniqueViolation(err, ['email'])) return new AppError('app.user.save.email_exists.app_error', 'An account with that email already exists.', 400, { cause: err })
  return undefined
}

/** Bot.IsValidCreate. @throws AppError 400 `model.bot.is_valid.*`. */
function checkBotFields(fields: { username?: string; display_name?: string; description?: string }): void {
  if (fields.username !== undefined) {
    try {
      checkUsername(fields.username)
    } catch (err) {
      throw new AppError('model.bot.is_valid.username.app_error', 'Invalid username.', 400, { cause: err, context: { username: fields.username } })
    }
  }
  // Mattermost reports an over-long display name with the user_id error id; kept for compatibility.
  // PostgreSQL text cannot hold NUL, so it is refused here rather than failing the write.
  if (fields.display_name !== undefined && ([...fields.display_name].length > DISPLAY_NAME_MAX || fields.display_name.includes('\0'))) {
    throw new AppError('model.bot.is_valid.user_id.app_error', `Display name must be at most ${DISPLAY_NAME_MAX} characters, without NUL.`, 400)
  }
  if (fields.description !== undefined && ([...fields.description].length > DESCRIPTION_MAX || fields.description.includes('\0'))) {
    throw new AppError('model.bot.is_valid.description.app_error', `Description must be at most ${DESCRIPTION_MAX} characters, without NUL.`, 400)
  }
}

/** model.UserFromBot: the bot's user has no mailbox, so its email is `<username>@localhost`. */
function botEmail(username: string): string {
  return `${username}@localhost`
}

export function createBotService(options: BotServiceOptions) {
  const { db, store, users, bus } = options

  async function publishUserUpdated(user: UserRecord): Promise<void> {
    await bus.publish({
      type: 'user.updated',
      payload: { userId: user.id },
      ws: { event: 'user_updated', data: { user: presentUser(user, undefined) }, audience: { all: true } },
    })
  }

  /** Mattermost's SessionHasPermissionToManageBot with default roles. @throws AppError 404 when not visible. */
  async function requireManageable(session: AuthSession, botUserId: string): Promise<BotWithUsername> {
    const bot = await store.get(botUserId, true)
    if (!bot || (!session.isSystemAdmin && bot.ownerId !== session.userId)) throw botNotFound(botUserId)
    return bot
  }

  /** The bot's user and its bot row, in one transaction. @throws the unique violation of a taken username. */
  async function insertBot(bot: { userId: string; username: string; displayName: string; description: string; ownerId: string; now: number }): Promise<void> {
    const { userId, username, displayName, now } = bot
    await withTransaction(db, async (tx) => {
      await users.insert(tx, {
        id: userId, createAt: now, updateAt: now, deleteAt: 0, username, email: botEmail(username), passwordHash: '', authService: '',
        nickname: '', firstName: displayName, lastName: '', position: '', roles: 'system_user', locale: 'en',
        notifyProps: { ...DEFAULT_NOTIFY_PROPS }, props: {}, timezone: { ...DEFAULT_TIMEZONE }, lastPasswordUpdate: 0, isBot: true,
      })
      await store.insert(tx, { userId, ownerId: bot.ownerId, displayName, description: bot.description, lastIconUpdate: 0, createAt: now, updateAt: now, deleteAt: 0 })
    })
  }

  async function reload(botUserId: string): Promise<BotWithUsername> {
    const bot = await store.get(botUserId, true)
    if (!bot) throw botNotFound(botUserId)
    return bot
  }

  return {
    /**
     * Creates a bot owned by the caller, with its backing user.
     * @throws AppError 403 without permission (non-admins, bots) or when bot creation is disabled; 400 for invalid or taken names.
     */
    async create(session: AuthSession, input: { username: string; display_name?: string; description?: string }): Promise<BotWithUsername> {
      if (!session.isSystemAdmin || session.isBot) throw forbidden('create_bot is granted to system admins only')
      if (!options.enableBotAccountCreation) throw new AppError('api.bot.create_disabled', 'Bot creation has been disabled.', 403)
      checkBotFields(input)
      const username = input.username
      const displayName = input.display_name ?? ''
      const now = nowMillis()
      const userId = newId()
      try {
        await insertBot({ userId, username, displayName, description: input.description ?? '', ownerId: session.userId, now })
      } catch (err) {
        throw duplicate(err) ?? err
      }
      await bus.publish({ type: 'bot.created', payload: { botUserId: userId, ownerId: session.userId } })
      return reload(userId)
    },

    /** Admins see every bot; others see the bots they own. */
    async list(session: AuthSession, q: { page: number; perPage: number; includeDeleted: boolean; onlyOrphaned: boolean }): Promise<BotWithUsername[]> {
      return store.list({
        ownerId: session.isSystemAdmin ? undefined : session.userId,
        includeDeleted: q.includeDeleted,
        onlyOrphaned: q.onlyOrphaned,
        offset: q.page * q.perPage,
        limit: q.perPage,
      })
    },

    /** @throws AppError 404 `store.sql_bot.get.missing.app_error` for unknown, disabled (unless included) or others' bots. */
    async get(session: AuthSession, botUserId: string, includeDeleted: boolean): Promise<BotWithUsername> {
      const bot = await store.get(botUserId, includeDeleted)
      if (!bot || (!session.isSystemAdmin && bot.ownerId !== session.userId)) throw botNotFound(botUserId)
      return bot
    },

    /**
     * Changes username, display name or description (and the backing user's username, email and first name).
     * @throws AppError 404 when not manageable, 400 for invalid or taken names.
     */
    async patch(session: AuthSession, botUserId: string, patch: BotPatchInput): Promise<BotWithUsername> {
      const bot = await requireManageable(session, botUserId)
      checkBotFields(patch)
      const changed =
        (patch.username !== undefined && patch.username !== bot.username) ||
        (patch.display_name !== undefined && patch.display_name !== bot.displayName) ||
        (patch.description !== undefined && patch.description !== bot.description)
      if (!changed) return bot
      const now = nowMillis()
      const username = patch.username ?? bot.username
      const displayName = patch.display_name ?? bot.displayName
      let user: UserRecord
      try {
        user = await withTransaction(db, async (tx) => {
          const updated = await users.update(botUserId, { username, email: botEmail(username), firstName: displayName, updateAt: now }, tx)
          await store.update(tx, botUserId, { displayName, description: patch.description ?? bot.description, updateAt: now })
          return updated
        })
      } catch (err) {
        throw duplicate(err) ?? err
      }
      await publishUserUpdated(user)
      return reload(botUserId)
    },

    /**
     * Disables (`active=false`) or re-enables a bot and its user; disabling ends its sessions.
     * @throws AppError 404 when not manageable.
     */
    async setActive(session: AuthSession, botUserId: string, active: boolean): Promise<BotWithUsername> {
      const bot = await requireManageable(session, botUserId)
      if ((bot.deleteAt === 0) === active) return bot
      const deleteAt = active ? 0 : nowMillis()
      const user = await withTransaction(db, async (tx) => {
        const updated = await users.update(botUserId, { deleteAt, updateAt: nowMillis() }, tx)
        await store.update(tx, botUserId, { deleteAt, updateAt: nowMillis() })
        return updated
      })
      if (!active) await options.onDeactivated(botUserId)
      await publishUserUpdated(user)
      return reload(botUserId)
    },

    /**
     * The bot user a server feature posts as (Mattermost's EnsureBot for plugins), created on first
     * use and owned by `ownerId` (the feature's id, as plugin bots are owned by their plugin).
     * @throws Error when `username` belongs to a person.
     */
    async ensureBot(input: { username: string; displayName: string; description: string; ownerId: string }): Promise<UserRecord> {
      const existing = await users.getByUsername(input.username)
      if (existing) {
        if (!existing.isBot) throw new Error(`the username "${input.username}" the ${input.ownerId} bot needs belongs to a person`)
        return existing
      }
      const now = nowMillis()
      const userId = newId()
      try {
        await insertBot({ ...input, userId, now })
      } catch (err) {
        // Another server sharing the database created it first.
        const raced = isUniqueViolation(err) ? await users.getByUsername(input.username) : null
        if (!raced?.isBot) throw err
        return raced
      }
      await bus.publish({ type: 'bot.created', payload: { botUserId: userId, ownerId: input.ownerId } })
      return (await users.getById(userId))!
    },

    /** The owner's user id of a bot (disabled included), or null for a non-bot. */
    async ownerOf(botUserId: string): Promise<string | null> {
      return (await store.get(botUserId, true))?.ownerId ?? null
    },
  }
}

export type BotService = ReturnType<typeof createBotService>
