/** A followed thread as one user sees it → Mattermost's ThreadResponse (model/thread.go). */
import type { ThreadMembershipRecord, ThreadRecord } from '../posts/store.ts'

export interface ThreadView {
  thread: ThreadRecord
  membership: ThreadMembershipRecord
  /** The root post, already presented. */
  post: Record<string, unknown>
  /** `{id}` per participant, or full (sanitized) users with `extended=true`. */
  participants: Record<string, unknown>[]
  /** Replies by others after the membership's last view. */
  unreadReplies: number
}

export function presentThread(view: ThreadView): Record<string, unknown> {
  return {
    id: view.thread.postId,
    reply_count: view.thread.replyCount,
    last_reply_at: view.thread.lastReplyAt,
    last_viewed_at: view.membership.lastViewed,
    participants: view.participants,
    post: view.post,
    unread_replies: view.unreadReplies,
    unread_mentions: view.membership.unreadMentions,
    // Not in the server's ThreadResponse, but in @mattermost/types UserThread and in our thread_updated events.
    is_following: view.membership.following,
    is_urgent: false,
    delete_at: view.thread.threadDeleteAt,
  }
}
