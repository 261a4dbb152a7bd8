/** The parts of Mattermost's JSON shapes the app reads (snake_case, millisecond timestamps). */
export interface User {
  id: string
  username: string
  email?: string
  first_name?: string
  last_name?: string
  nickname?: string
  roles: string
  delete_at: number
  is_bot?: boolean
  last_picture_update?: number
  /** Notification preferences (Mattermost's keys: desktop, push, email, mention_keys, …); only one's own. */
  notify_props?: Record<string, string>
}

export interface Team {
  id: string
  name: string
  display_name: string
  type: 'O' | 'I'
  allow_open_invite?: boolean
  delete_at: number
}

export type ChannelType = 'O' | 'P' | 'D' | 'G'

export interface Channel {
  id: string
  team_id: string
  name: string
  display_name: string
  type: ChannelType
  purpose?: string
  header?: string
  delete_at: number
  last_post_at: number
  last_root_post_at?: number
  total_msg_count: number
  total_msg_count_root?: number
}

export interface ChannelMember {
  channel_id: string
  user_id: string
  msg_count: number
  msg_count_root?: number
  mention_count: number
  last_viewed_at: number
  /** A channel admin (may manage the channel's members and settings). */
  scheme_admin?: boolean
}

export interface FileInfo {
  id: string
  name: string
  extension: string
  size: number
  mime_type: string
  has_preview_image?: boolean
  width?: number
  height?: number
  post_id?: string
  channel_id?: string
  create_at?: number
}

export interface Reaction {
  user_id: string
  post_id: string
  emoji_name: string
  create_at: number
}

export interface Post {
  id: string
  create_at: number
  update_at: number
  edit_at: number
  delete_at: number
  user_id: string
  channel_id: string
  root_id: string
  message: string
  type: string
  props: Record<string, unknown>
  file_ids?: string[]
  is_pinned?: boolean
  reply_count?: number
  pending_post_id?: string
  metadata?: { files?: FileInfo[]; reactions?: Reaction[] }
}

export interface PostList {
  order: string[]
  posts: Record<string, Post>
  next_post_id?: string
  prev_post_id?: string
  has_next?: boolean
}

export interface Thread {
  id: string
  reply_count: number
  last_reply_at: number
  last_viewed_at: number
  unread_replies: number
  unread_mentions: number
  participants: User[]
  post: Post
}

export interface ThreadList {
  threads: Thread[]
  total: number
  total_unread_threads: number
  total_unread_mentions: number
}

export interface CommandSuggestion {
  Complete: string
  Suggestion: string
  Hint: string
  Description: string
}

export interface CommandResponse {
  response_type?: string
  text?: string
  goto_location?: string
}

/** Mattermost's error body. */
export interface ApiErrorBody {
  id: string
  message: string
  detailed_error?: string
  request_id?: string
  status_code: number
}
