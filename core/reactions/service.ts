/** Emoji reactions on posts: add, remove and list, keeping `post.has_reactions` in step (Mattermost app/reaction.go). */
import { AppError, forbidden, notFound } from '../errors.ts'
import { isValidId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Database } from '../db/index.ts'
import { withTransaction } from '../db/index.ts'
import type { EventBus } from '../realtime/events.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { ChannelService } from '../channels/service.ts'
import type { ChannelRecord } from '../channels/store.ts'
import type { PostRecord, PostStore } from '../posts/store.ts'
import { presentReaction } from '../present/reaction.ts'
import type { ReactionRecord, ReactionStore } from './store.ts'

/** model.EmojiNameMaxLength. */
export const EMOJI_NAME_MAX_LENGTH = 64
/** Mattermost's UniqueEmojiReactionLimitPerPost default. */
export const MAX_DISTINCT_EMOJI_PER_POST = 50
export const EMOJI_NAME_PATTERN = /^[a-zA-Z0-9\-+_]+$/

export interface ReactionServiceOptions {
  db: Database
  store: ReactionStore
  postStore: PostStore
  channels: ChannelService
  bus: EventBus
}

export interface NewReactionInput {
  user_id: string
  post_id: string
  emoji_name: string
}

export function createReactionService(options: ReactionServiceOptions) {
  const { db, store, postStore, channels, bus } = options

  async function requirePost(postId: string): Promise<PostRecord> {
    const post = await postStore.getById(postId)
    if (!post || post.deleteAt > 0) throw notFound('post', postId, 'app.post.get.app_error')
    return post
  }

  /** Channel members (and system admins) may react; Mattermost's add_reaction/remove_reaction are channel-member permissions. */
  async function requireReactableChannel(session: AuthSession, post: PostRecord): Promise<ChannelRecord> {
    const channel = await channels.getReadable(session, post.channelId)
    await channels.requireMembership(session, channel)
    return channel
  }

  async function publish(event: 'reaction_added' | 'reaction_removed', reaction: ReactionRecord): Promise<void> {
    await bus.publish({
      type: event === 'reaction_added' ? 'reaction.added' : 'reaction.removed',
      payload: { postId: reaction.postId, channelId: reaction.channelId, userId: reaction.userId, emojiName: reaction.emojiName },
      // Mattermost sends only this event (no post_edited), to the post's channel.
      ws: { event, data: { reaction: JSON.stringify(presentReaction(reaction)) }, audience: { channelId: reaction.channelId } },
    })
  }

  return {
    /**
     * Adds the caller's reaction; adding the same one again returns the existing reaction.
     * @throws AppError 400 for bad fields or a post at its distinct-emoji limit, 403 when the
     * user_id is not the caller, the caller is not a channel member or the channel is archived, 404 for an unknown post.
     */
    async save(session: AuthSession, input: NewReactionInput): Promise<ReactionRecord> {
      if (!isValidId(input.user_id) || !isValidId(input.post_id) || input.emoji_name === '' || input.emoji_name.length > EMOJI_NAME_MAX_LENGTH) {
        throw new AppError('api.reaction.save_reaction.invalid.app_error', 'Reaction is not valid.', 400, { context: { postId: input.post_id } })
      }
      if (input.user_id !== session.userId) {
        throw new AppError('api.reaction.save_reaction.user_id.app_error', 'You cannot save reaction for the other user.', 403, { context: { userId: input.user_id } })
      }
      if (!EMOJI_NAME_PATTERN.test(input.emoji_name)) {
        throw new AppError('model.reaction.is_valid.emoji_name.app_error', 'Invalid emoji name.', 400, { context: { emojiName: input.emoji_name } })
      }
      const post = await requirePost(input.post_id)
      const channel = await requireReactableChannel(session, post)
      const existing = (await store.forPosts([post.id])).get(post.id) ?? []
      // As Mattermost, checked outside the write: a race may overshoot the limit by a reaction or two.
      const distinct = new Set(existing.map((r) => r.emojiName))
      if (!distinct.has(input.emoji_name) && distinct.size >= MAX_DISTINCT_EMOJI_PER_POST) {
        throw new AppError('app.reaction.save.save.too_many_reactions', `A post can have at most ${MAX_DISTINCT_EMOJI_PER_POST} different emoji reactions.`, 400, { context: { postId: post.id } })
      }
      if (channel.deleteAt > 0) {
        throw new AppError('api.reaction.save.archived_channel.app_error', 'You cannot react to posts in an archived channel.', 403, { context: { channelId: channel.id } })
      }
      const mine = existing.find((r) => r.userId === session.userId && r.emojiName === input.emoji_name)
      if (mine) return mine
      const now = nowMillis()
      const { reaction, created } = await withTransaction(db, async (tx) => {
        const result = await store.insert(tx, { userId: session.userId, postId: post.id, emojiName: input.emoji_name, channelId: post.channelId, createAt: now })
        if (result.created) await postStore.update(post.id, { hasReactions: true, updateAt: now }, tx)
        return result
      })
      if (created) await publish('reaction_added', reaction)
      return reaction
    },

    /**
     * Removes a user's reaction; removing one that does not exist succeeds.
     * @throws AppError 403 for another user's reaction (unless admin), non-members or an archived channel; 404 for an unknown post.
     */
    async delete(session: AuthSession, userId: string, postId: string, emojiName: string): Promise<void> {
      const post = await requirePost(postId)
      const channel = await requireReactableChannel(session, post)
      if (userId !== session.userId && !session.isSystemAdmin) throw forbidden(`removing a reaction of user ${userId}`)
      if (channel.deleteAt > 0) {
        throw new AppError('api.reaction.delete.archived_channel.app_error', 'You cannot remove a reaction in an archived channel.', 403, { context: { channelId: channel.id } })
      }
      const now = nowMillis()
      const removed = await withTransaction(db, async (tx) => {
        const deleted = await store.delete(tx, postId, userId, emojiName)
        if (deleted) await postStore.update(postId, { hasReactions: (await store.count(tx, postId)) > 0, updateAt: now }, tx)
        return deleted
      })
      if (removed) await publish('reaction_removed', removed)
    },

    /** Reactions of a post the caller may read, oldest first. @throws AppError 404/403. */
    async forPost(session: AuthSession, postId: string): Promise<ReactionRecord[]> {
      const post = await requirePost(postId)
      await channels.getReadable(session, post.channelId)
      return (await store.forPosts([post.id])).get(post.id) ?? []
    },

    /**
     * Reactions of several posts, keyed by post id (`[]` for none).
     * @throws AppError 403 when any post is unknown or unreadable, as Mattermost's per-post permission check.
     */
    async forPosts(session: AuthSession, postIds: string[]): Promise<Map<string, ReactionRecord[]>> {
      const ids = [...new Set(postIds)].sort()
      const found = new Map((await postStore.getByIds(ids)).map((p) => [p.id, p]))
      const readable = new Map<string, boolean>()
      for (const id of ids) {
        const post = found.get(id)
        if (!post) throw forbidden(`reactions of unknown post ${id}`)
        if (!readable.has(post.channelId)) {
          const channel = await channels.requireChannel(post.channelId)
          readable.set(post.channelId, await channels.canRead(session, channel))
        }
        if (!readable.get(post.channelId)) throw forbidden(`reactions of post ${id}`)
      }
      const reactions = await store.forPosts(ids)
      return new Map(ids.map((id) => [id, reactions.get(id) ?? []]))
    },
  }
}

export type ReactionService = ReturnType<typeof createReactionService>
