/** Reaction → Mattermost JSON (model/reaction.go). */
import type { ReactionRecord } from '../reactions/store.ts'

export function presentReaction(reaction: ReactionRecord): Record<string, unknown> {
  return {
    user_id: reaction.userId,
    post_id: reaction.postId,
    emoji_name: reaction.emojiName,
    create_at: reaction.createAt,
    update_at: reaction.createAt,
    delete_at: 0,
    remote_id: '',
    channel_id: reaction.channelId,
  }
}
