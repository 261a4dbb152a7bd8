/** Folds the server's WebSocket events into the state (Mattermost's event names and payloads). */
import type { Channel, Post, Reaction } from '../api/types.ts'
import { mergeOrder } from '../lib/posts.ts'
import type { ServerEvent } from '../realtime/socket.ts'
import { navigate } from '../router.ts'
import { applyReaction, channelLabel, ensureUsers, loadTeamChannels, markRead, refreshThreadCounts, removePost, showNotice, viewChannel } from './actions.ts'
import { state, update } from './store.ts'

function parse<T>(raw: unknown): T | undefined {
  if (typeof raw !== 'string') return raw as T | undefined
  try {
    return JSON.parse(raw) as T
  } catch {
    return undefined
  }
}

/** Listeners for events a screen handles itself (playbook runs). */
const extra = new Map<string, Set<(e: ServerEvent) => void>>()
export function onServerEvent(name: string, handler: (e: ServerEvent) => void): () => void {
  const set = extra.get(name) ?? new Set()
  set.add(handler)
  extra.set(name, set)
  return () => set.delete(handler)
}

/** Whether the person can see the page (a post arriving in a hidden tab stays unread). */
function pageVisible(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'visible'
}

function addLivePost(post: Post, mentioned: boolean): void {
  const me = state.me?.id
  update((s) => {
    s.posts[post.id] = { ...s.posts[post.id], ...post }
    const typing = s.typing[post.root_id || post.channel_id]
    if (typing) delete typing[post.user_id]
    if (post.root_id) {
      s.replies[post.root_id] = mergeOrder(s.replies[post.root_id] ?? [], [post.id], (id) => s.posts[id]?.create_at ?? 0)
      const root = s.posts[post.root_id]
      if (root) s.posts[root.id] = { ...root, reply_count: (root.reply_count ?? 0) + 1 }
    } else {
      const cp = s.channelPosts[post.channel_id]
      if (cp) cp.order = mergeOrder(cp.order, [post.id], (id) => s.posts[id]?.create_at ?? 0)
    }
    if (post.type === 'system_ephemeral') return
    const channel = s.channels[post.channel_id]
    if (channel) {
      channel.total_msg_count += 1
      if (!post.root_id && channel.total_msg_count_root !== undefined) channel.total_msg_count_root += 1
      channel.last_post_at = post.create_at
    }
    const member = s.members[post.channel_id]
    const reading = post.channel_id === s.currentChannelId && pageVisible()
    if (member && (post.user_id === me || reading)) {
      member.msg_count += 1
      if (!post.root_id && member.msg_count_root !== undefined) member.msg_count_root += 1
    } else if (member && mentioned) {
      member.mention_count += 1
    }
  })
  if (post.channel_id === state.currentChannelId && post.user_id !== me && pageVisible()) void viewChannel(post.channel_id)
  void ensureUsers([post.user_id])
}

export function handleServerEvent(e: ServerEvent): void {
  const me = state.me?.id ?? ''
  switch (e.event) {
    case 'posted':
    case 'ephemeral_message': {
      const post = parse<Post>(e.data.post)
      if (!post) break
      const mentions = parse<string[]>(e.data.mentions) ?? []
      const known = state.channels[post.channel_id]
      addLivePost(post, mentions.includes(me) || (known?.type === 'D' && post.user_id !== me))
      // A post in a channel we do not know yet (a new DM): load the team's channels again.
      if (!known && e.event === 'posted' && state.teamId) void loadTeamChannels(state.teamId)
      break
    }
    case 'post_edited': {
      const post = parse<Post>(e.data.post)
      if (post) update((s) => (s.posts[post.id] = { ...s.posts[post.id], ...post, metadata: { ...s.posts[post.id]?.metadata, ...post.metadata } }))
      break
    }
    case 'post_deleted': {
      const post = parse<Post>(e.data.post)
      if (post) removePost(post.id)
      break
    }
    case 'reaction_added':
    case 'reaction_removed': {
      const reaction = parse<Reaction>(e.data.reaction)
      if (reaction) applyReaction(reaction, e.event === 'reaction_added')
      break
    }
    case 'typing': {
      const userId = String(e.data.user_id ?? '')
      const key = String(e.data.parent_id || '') || e.broadcast.channel_id || ''
      if (!userId || userId === me || !key) break
      update((s) => {
        s.typing[key] = { ...s.typing[key], [userId]: Date.now() + 5000 }
      })
      void ensureUsers([userId])
      setTimeout(() => update(() => {}), 5100)
      break
    }
    case 'status_change':
      update((s) => (s.statuses[String(e.data.user_id)] = String(e.data.status)))
      break
    case 'multiple_channels_viewed':
      // Read in another tab or device: the channel is read here too.
      markRead(Object.keys((e.data.channel_times as Record<string, number> | undefined) ?? {}))
      break
    case 'channel_viewed':
      markRead([String(e.data.channel_id ?? '')])
      break
    case 'channel_created':
    case 'direct_added':
    case 'group_added':
    case 'user_added':
    case 'channel_deleted':
    case 'channel_restored':
    case 'channel_updated':
      if (e.event === 'channel_updated') {
        const channel = parse<Channel>(e.data.channel)
        if (channel) update((s) => (s.channels[channel.id] = { ...s.channels[channel.id], ...channel }))
      }
      if (state.teamId) void loadTeamChannels(state.teamId)
      break
    case 'user_removed':
      if (e.broadcast.user_id === me || e.data.user_id === me) {
        const channelId = String(e.data.channel_id ?? e.broadcast.channel_id ?? '')
        const channel = state.channels[channelId]
        const viewing = channelId === state.currentChannelId
        update((s) => {
          delete s.channels[channelId]
          delete s.members[channelId]
        })
        // Someone else took us out of the channel on screen: go somewhere we can read.
        const team = state.teams.find((t) => t.id === state.teamId)
        if (viewing && team) navigate(`/${team.name}/channels/town-square`)
        if (channel && e.data.remover_id !== me) showNotice(`You were removed from ${channelLabel(channel)}.`)
      }
      break
    case 'thread_updated':
    case 'thread_read_changed':
    case 'thread_follow_changed':
      refreshThreadCounts()
      break
    case 'user_updated': {
      const user = parse<{ id: string }>(e.data.user)
      if (user?.id) {
        update((s) => {
          s.users[user.id] = { ...s.users[user.id]!, ...user }
          if (s.me?.id === user.id) s.me = { ...s.me, ...user }
        })
      }
      break
    }
  }
  for (const handler of extra.get(e.event) ?? []) handler(e)
}
