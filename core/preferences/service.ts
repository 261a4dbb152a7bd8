/** Preferences: per-user settings (display, sidebar, theme, flagged posts) and the flagged-post list they drive. */
import { AppError, forbidden, invalidParam } from '../errors.ts'
import { isValidId } from '../ids.ts'
import type { Database } from '../db/index.ts'
import { withTransaction } from '../db/index.ts'
import type { EventBus } from '../realtime/events.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { ChannelService } from '../channels/service.ts'
import type { ChannelRecord, ChannelStore } from '../channels/store.ts'
import type { PostService } from '../posts/service.ts'
import type { PostRecord, PostStore } from '../posts/store.ts'
import { presentPostList } from '../present/post.ts'
import { presentPreference } from '../present/preference.ts'
import type { PreferenceRecord, PreferenceStore } from './store.ts'

/** The category whose names are the ids of the posts a user saved ("flagged"). */
export const FLAGGED_POST_CATEGORY = 'flagged_post'

// Mattermost allows 20000 runes; our `preferences.value` column holds 2000.
const MAX_VALUE_LENGTH = 2000
const MAX_KEY_LENGTH = 32
const THEME_COLOR = /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/

export interface PreferenceServiceOptions {
  db: Database
  store: PreferenceStore
  posts: PostService
  postStore: PostStore
  channels: ChannelService
  channelStore: ChannelStore
  bus: EventBus
}

export interface PreferenceInput {
  user_id: string
  category: string
  name: string
  value: string
}

function requireSelfOrAdmin(session: AuthSession, userId: string): void {
  if (userId !== session.userId && !session.isSystemAdmin) throw forbidden(`preferences of user ${userId}`)
}

function invalid(field: string, message: string): AppError {
  return new AppError(`model.preference.is_valid.${field}.app_error`, message, 400, { context: { field } })
}

// PostgreSQL text cannot hold NUL: such keys and values are refused as invalid rather than failing the query.
const hasNul = (text: string) => text.includes('\0')

/**
 * Mattermost's Preference.IsValid and PreUpdate: bounded keys and value, a theme must be a JSON
 * object of strings, and theme colours that are not `#rgb`/`#rrggbb` become white.
 * @throws AppError 400 `model.preference.is_valid.*.app_error`.
 */
function normalise(input: PreferenceInput): PreferenceRecord {
  if (!isValidId(input.user_id)) throw invalid('id', 'Invalid user id.')
  if (input.category === '' || input.category.length > MAX_KEY_LENGTH || hasNul(input.category)) throw invalid('category', 'Invalid category: 1 to 32 characters.')
  if (input.name.length > MAX_KEY_LENGTH || hasNul(input.name)) throw invalid('name', 'Invalid name: at most 32 characters.')
  let value = input.value
  if ([...value].length > MAX_VALUE_LENGTH || hasNul(value)) throw invalid('value', `Invalid value: at most ${MAX_VALUE_LENGTH} characters, without NUL.`)
  if (input.category === 'theme') {
    let theme: unknown
    try {
      theme = JSON.parse(value)
    } catch (err) {
      throw new AppError('model.preference.is_valid.theme.app_error', 'Invalid theme: not JSON.', 400, { cause: err })
    }
    if (typeof theme !== 'object' || theme === null || Array.isArray(theme) || Object.values(theme).some((v) => typeof v !== 'string')) {
      throw invalid('theme', 'Invalid theme: expected an object of strings.')
    }
    const colours = theme as Record<string, string>
    for (const [key, colour] of Object.entries(colours)) {
      if (key !== 'image' && key !== 'type' && key !== 'codeTheme' && !THEME_COLOR.test(colour)) colours[key] = '#ffffff'
    }
    value = JSON.stringify(colours)
  }
  if (input.category === 'sidebar_settings' && input.name === 'limit_visible_dms_gms') {
    const limit = Number(value)
    if (!Number.isInteger(limit) || limit < 1 || limit > 40) throw invalid('limit_visible_dms_gms', 'Invalid limit: a whole number from 1 to 40.')
  }
  return { userId: input.user_id, category: input.category, name: input.name, value }
}

export function createPreferenceService(options: PreferenceServiceOptions) {
  const { db, store, posts, postStore, channels, channelStore, bus } = options

  async function publish(event: 'preferences_changed' | 'preferences_deleted', userId: string, preferences: PreferenceRecord[]): Promise<void> {
    await bus.publish({
      type: event === 'preferences_changed' ? 'preferences.changed' : 'preferences.deleted',
      payload: { userId, count: preferences.length },
      ws: { event, data: { preferences: JSON.stringify(preferences.map(presentPreference)) }, audience: { userId } },
    })
  }

  return {
    /** @throws AppError 403 for another user's preferences (unless admin). */
    async getAll(session: AuthSession, userId: string): Promise<PreferenceRecord[]> {
      requireSelfOrAdmin(session, userId)
      return store.getAll(userId)
    },

    /** @throws AppError 404 `api.preference.preferences_category.get.app_error` when the category is empty. */
    async getCategory(session: AuthSession, userId: string, category: string): Promise<PreferenceRecord[]> {
      requireSelfOrAdmin(session, userId)
      const found = await store.getCategory(userId, category)
      if (found.length === 0) {
        throw new AppError('api.preference.preferences_category.get.app_error', 'Unable to find preferences of that category.', 404, { context: { userId, category } })
      }
      return found
    },

    /** @throws AppError 400 `app.preference.get.app_error` when missing (Mattermost answers 400, not 404). */
    async get(session: AuthSession, userId: string, category: string, name: string): Promise<PreferenceRecord> {
      requireSelfOrAdmin(session, userId)
      const found = await store.get(userId, category, name)
      if (!found) throw new AppError('app.preference.get.app_error', 'Unable to find the preference.', 400, { context: { userId, category, name } })
      return found
    },

    /**
     * Saves preferences of `userId`; each must name that user. Flagging a post needs read access to it.
     * @throws AppError 403 for another user (or a preference naming one), 400 for invalid values.
     */
    async save(session: AuthSession, userId: string, inputs: PreferenceInput[]): Promise<void> {
      requireSelfOrAdmin(session, userId)
      for (const input of inputs) {
        if (input.category !== FLAGGED_POST_CATEGORY) continue
        const post = isValidId(input.name) ? await postStore.getById(input.name) : null
        if (!post || post.deleteAt > 0) throw invalidParam('preference.name', 'flagged_post names an unknown post')
        await channels.getReadable(session, post.channelId)
      }
      for (const input of inputs) {
        if (input.user_id !== userId) {
          throw new AppError('api.preference.update_preferences.set.app_error', 'Unable to set user preferences.', 403, { context: { userId, preferenceUserId: input.user_id } })
        }
      }
      const records = inputs.map(normalise)
      if (records.length === 0) return
      await withTransaction(db, (tx) => store.save(tx, records))
      await publish('preferences_changed', userId, records)
    },

    /** @throws AppError 403 for another user (or a preference naming one). */
    async delete(session: AuthSession, userId: string, inputs: PreferenceInput[]): Promise<void> {
      requireSelfOrAdmin(session, userId)
      for (const input of inputs) {
        if (input.user_id !== userId) {
          throw new AppError('api.preference.delete_preferences.delete.app_error', 'Unable to delete user preferences.', 403, { context: { userId, preferenceUserId: input.user_id } })
        }
      }
      if (inputs.length === 0) return
      for (const input of inputs) {
        if (hasNul(input.category)) throw invalid('category', 'Invalid category.')
        if (hasNul(input.name)) throw invalid('name', 'Invalid name.')
      }
      await withTransaction(db, (tx) => store.delete(tx, userId, inputs))
      await publish('preferences_deleted', userId, inputs.map((p) => ({ userId: p.user_id, category: p.category, name: p.name, value: p.value })))
    },

    /**
     * The user's flagged posts the caller may still read, newest first, optionally only of one
     * channel or of one team (with DMs and GMs), as a PostList.
     */
    async flaggedPosts(session: AuthSession, userId: string, q: { channelId?: string; teamId?: string; page: number; perPage: number }): Promise<Record<string, unknown>> {
      requireSelfOrAdmin(session, userId)
      const ids = (await store.getCategory(userId, FLAGGED_POST_CATEGORY)).filter((p) => isValidId(p.name)).map((p) => p.name)
      const candidates = (await postStore.getByIds(ids)).filter((p) => p.deleteAt === 0 && (!q.channelId || p.channelId === q.channelId))
      const channelCache = new Map<string, ChannelRecord | null>()
      const readable: PostRecord[] = []
      for (const post of candidates) {
        if (!channelCache.has(post.channelId)) {
          const channel = await channelStore.getById(post.channelId)
          channelCache.set(post.channelId, channel && (await channels.canRead(session, channel)) ? channel : null)
        }
        const channel = channelCache.get(post.channelId)
        if (!channel) continue
        if (q.teamId && channel.teamId !== q.teamId && channel.teamId !== '') continue
        readable.push(post)
      }
      readable.sort((a, b) => b.createAt - a.createAt || (a.id < b.id ? 1 : -1))
      const page = readable.slice(q.page * q.perPage, (q.page + 1) * q.perPage)
      const extras = await posts.postsWithExtras(page)
      return presentPostList({ order: page, threads: extras.threads, reactions: extras.reactions, files: extras.files, priorities: extras.priorities })
    },
  }
}

export type PreferenceService = ReturnType<typeof createPreferenceService>
