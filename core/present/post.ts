/** Post and PostList → Mattermost JSON (model/post.go, model/post_list.go). Shared by REST and WebSocket. */
import type { PostRecord, ThreadRecord } from '../posts/store.ts'
import type { ReactionRecord } from '../reactions/store.ts'
import { presentReaction } from './reaction.ts'
import type { FileInfoRecord } from '../files/store.ts'
import { presentFileInfo } from './file-info.ts'
import { withoutActionIntegrations } from '../posts/post-actions.ts'
import { presentPriority, type PostPriorityRecord } from '../posts/priority.ts'

export interface PostExtras {
  thread?: ThreadRecord | null
  reactions?: ReactionRecord[]
  /** The post's live files, for `metadata.files`. */
  files?: FileInfoRecord[]
  isFollowing?: boolean
  /** The root post's priority, for `metadata.priority`. */
  priority?: PostPriorityRecord | null
}

export function presentPost(post: PostRecord, extras: PostExtras = {}): Record<string, unknown> {
  const thread = extras.thread
  const metadata: Record<string, unknown> = {}
  if (extras.reactions && extras.reactions.length > 0) metadata.reactions = extras.reactions.map(presentReaction)
  if (extras.files && extras.files.length > 0 && post.deleteAt === 0) metadata.files = extras.files.map(presentFileInfo)
  if (extras.priority) metadata.priority = presentPriority(extras.priority)
  const out: Record<string, unknown> = {
    id: post.id,
    create_at: post.createAt,
    update_at: post.updateAt,
    edit_at: post.editAt,
    delete_at: post.deleteAt,
    is_pinned: post.isPinned,
    user_id: post.userId,
    channel_id: post.channelId,
    root_id: post.rootId,
    original_id: post.originalId,
    message: post.deleteAt > 0 ? '' : post.message,
    type: post.type,
    props: withoutActionIntegrations(post.props),
    hashtags: post.hashtags,
    file_ids: post.fileIds,
    pending_post_id: post.pendingPostId,
    reply_count: thread?.replyCount ?? 0,
    last_reply_at: thread?.lastReplyAt ?? 0,
    participants: null,
    metadata,
  }
  if (post.hasReactions) out.has_reactions = true
  if (extras.isFollowing !== undefined) out.is_following = extras.isFollowing
  return out
}

export interface PostListInput {
  order: PostRecord[]
  /** Extra posts (e.g. thread roots) included in `posts` but not in `order`. */
  extra?: PostRecord[]
  threads: Map<string, ThreadRecord>
  reactions: Map<string, ReactionRecord[]>
  files?: Map<string, FileInfoRecord[]>
  priorities?: Map<string, PostPriorityRecord>
  nextPostId?: string
  prevPostId?: string
  hasNext?: boolean
}

export function presentPostList(input: PostListInput): Record<string, unknown> {
  const posts: Record<string, unknown> = {}
  const threadOf = (p: PostRecord) => input.threads.get(p.rootId || p.id) ?? null
  for (const post of [...input.order, ...(input.extra ?? [])]) {
    posts[post.id] = presentPost(post, { thread: threadOf(post), reactions: input.reactions.get(post.id), files: input.files?.get(post.id), priority: input.priorities?.get(post.id) })
  }
  const out: Record<string, unknown> = {
    order: input.order.map((p) => p.id),
    posts,
    next_post_id: input.nextPostId ?? '',
    prev_post_id: input.prevPostId ?? '',
    first_inaccessible_post_time: 0,
  }
  if (input.hasNext !== undefined) out.has_next = input.hasNext
  return out
}
