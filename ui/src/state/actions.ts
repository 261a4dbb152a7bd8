/** Everything the screens ask of the server, each call folding its answer into the state. */
import { api, v4 } from '../api/client.ts'
import type { Channel, ChannelMember, Post, PostList, Reaction, Team, User } from '../api/types.ts'
import { mergeOrder } from '../lib/posts.ts'
import { state, update } from './store.ts'

export const PAGE = 60

export function displayName(user: User | undefined): string {
  if (!user) return 'someone'
  return user.username
}

/** The other person of a DM (`uid1__uid2`), or the first other member id of a name we cannot parse. */
export function dmPartnerId(channel: Channel, myId: string): string {
  const [a, b] = channel.name.split('__')
  return a === myId ? b ?? '' : a ?? ''
}

export function channelLabel(channel: Channel): string {
  const me = state.me?.id ?? ''
  if (channel.type === 'D') {
    const other = state.users[dmPartnerId(channel, me)]
    return other ? other.username : channel.display_name || 'Direct message'
  }
  // A group message is named after its members ("alice, bob, carol"); show the others.
  if (channel.type === 'G' && state.me) return channel.display_name.split(', ').filter((n) => n !== state.me!.username).join(', ') || channel.display_name
  return channel.display_name || channel.name
}

export function unreadOf(channelId: string): { unread: boolean; mentions: number } {
  const channel = state.channels[channelId]
  const member = state.members[channelId]
  if (!channel || !member) return { unread: false, mentions: 0 }
  const total = channel.total_msg_count_root ?? channel.total_msg_count
  const read = member.msg_count_root ?? member.msg_count
  return { unread: total > read, mentions: member.mention_count }
}

export async function ensureUsers(ids: Iterable<string>): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => id && !state.users[id])
  if (missing.length === 0) return
  const users = await api.post<User[]>(v4('/users/ids'), missing)
  update((s) => {
    for (const u of users) s.users[u.id] = u
  })
  await loadStatuses(missing)
}

/** Fetches people's statuses (best effort: a missing status shows as offline). */
export async function loadStatuses(ids: string[]): Promise<void> {
  if (ids.length === 0) return
  const statuses = await api.post<{ user_id: string; status: string }[]>(v4('/users/status/ids'), ids).catch(() => [])
  update((s) => {
    for (const st of statuses) s.statuses[st.user_id] = st.status
  })
}

/** A short message at the bottom of the screen for a few seconds. */
export function showNotice(message: string): void {
  update((s) => (s.notice = message))
  setTimeout(() => update((s) => s.notice === message && (s.notice = '')), 5000)
}

export async function boot(): Promise<void> {
  try {
    // Both at once: a first paint waits for the slower of the two, not their sum.
    const [me, teams] = await Promise.all([api.probe<User>(v4('/users/me')), api.probe<Team[]>(v4('/users/me/teams'))])
    update((s) => {
      s.me = me
      s.users[me.id] = me
      s.teams = teams
    })
  } catch {
    update((s) => (s.me = null))
  } finally {
    update((s) => (s.booted = true))
  }
}

export async function login(loginId: string, password: string): Promise<void> {
  const me = await api.post<User>(v4('/users/login'), { login_id: loginId, password })
  // Teams before `me`: the app picks where to go (first team or the team list) once `me` is set.
  const teams = await api.get<Team[]>(v4('/users/me/teams'))
  update((s) => {
    s.teams = teams
    s.me = me
    s.users[me.id] = me
  })
}

export async function signup(username: string, email: string, password: string): Promise<void> {
  await api.post<User>(v4('/users'), { username, email, password })
  await login(username, password)
}

export async function logout(): Promise<void> {
  await api.post(v4('/users/logout')).catch(() => undefined)
  location.assign('/login')
}

export async function loadTeams(): Promise<Team[]> {
  const teams = await api.get<Team[]>(v4('/users/me/teams'))
  update((s) => (s.teams = teams))
  return teams
}

export async function createTeam(displayName: string, name: string, open: boolean): Promise<Team> {
  const team = await api.post<Team>(v4('/teams'), { name, display_name: displayName, type: open ? 'O' : 'I', allow_open_invite: open })
  await loadTeams()
  return team
}

export async function joinTeam(teamId: string): Promise<void> {
  await api.post(v4(`/teams/${teamId}/members`), { team_id: teamId, user_id: state.me!.id })
  await loadTeams()
}

/** Loads a team's channels, the caller's memberships (unread counts) and the DM partners. */
export async function loadTeamChannels(teamId: string): Promise<void> {
  const [channels, members] = await Promise.all([
    api.get<Channel[]>(v4(`/users/me/teams/${teamId}/channels?include_deleted=true`)),
    api.get<ChannelMember[]>(v4(`/users/me/teams/${teamId}/channels/members`)),
  ])
  update((s) => {
    s.teamId = teamId
    for (const c of channels) s.channels[c.id] = c
    // A channel left or removed from elsewhere (another tab, an admin) leaves the sidebar too.
    const current = new Set(members.map((m) => m.channel_id))
    for (const id of Object.keys(s.members)) if (!current.has(id) && s.channels[id]?.team_id === teamId) delete s.members[id]
    for (const m of members) s.members[m.channel_id] = m
  })
  refreshThreadCounts()
  // DM partners' names fill in when they arrive; the channel list does not wait for them.
  const me = state.me?.id ?? ''
  void ensureUsers(channels.filter((c) => c.type === 'D').map((c) => dmPartnerId(c, me))).catch(() => undefined)
}

function addPosts(list: PostList): Post[] {
  const posts = list.order.map((id) => list.posts[id]!).filter(Boolean)
  update((s) => {
    for (const p of Object.values(list.posts)) s.posts[p.id] = p
  })
  void ensureUsers(posts.map((p) => p.user_id))
  return posts
}

export async function loadChannelPosts(channelId: string): Promise<void> {
  const list = await api.get<PostList>(v4(`/channels/${channelId}/posts?per_page=${PAGE}&collapsedThreads=true`))
  const posts = addPosts(list)
  update((s) => {
    const prev = s.channelPosts[channelId]
    const roots = posts.filter((p) => !p.root_id).map((p) => p.id)
    s.channelPosts[channelId] = {
      order: mergeOrder(prev?.order ?? [], roots, (id) => s.posts[id]?.create_at ?? 0),
      hasOlder: prev?.loaded ? prev.hasOlder : list.order.length >= PAGE,
      loaded: true,
    }
  })
}

/**
 * Makes sure a post (a search result, a permalink) is in its channel's loaded list: when it is
 * older than the pages held, loads the posts around it, as Mattermost's permalink view does.
 */
export async function loadAround(channelId: string, postId: string): Promise<void> {
  if (state.channelPosts[channelId]?.order.includes(postId)) return
  const [before, after] = await Promise.all([
    api.get<PostList>(v4(`/channels/${channelId}/posts?before=${postId}&per_page=30&collapsedThreads=true`)),
    api.get<PostList>(v4(`/channels/${channelId}/posts?after=${postId}&per_page=30&collapsedThreads=true`)),
  ])
  const target = await api.get<Post>(v4(`/posts/${postId}`))
  const posts = [...addPosts(before), ...addPosts(after), target]
  update((s) => {
    s.posts[target.id] = { ...s.posts[target.id], ...target }
    const cp = s.channelPosts[channelId] ?? { order: [], hasOlder: true, loaded: true }
    cp.order = mergeOrder(cp.order, posts.filter((p) => !p.root_id).map((p) => p.id), (id) => s.posts[id]?.create_at ?? 0)
    // The pages in between stay unloaded: "Load older" from the top fills in before the oldest held.
    cp.hasOlder = true
    s.channelPosts[channelId] = cp
  })
}

export async function loadOlder(channelId: string): Promise<void> {
  const current = state.channelPosts[channelId]
  const oldest = current?.order[0]
  if (!current || !oldest) return
  const list = await api.get<PostList>(v4(`/channels/${channelId}/posts?per_page=${PAGE}&before=${oldest}&collapsedThreads=true`))
  const posts = addPosts(list)
  update((s) => {
    const cp = s.channelPosts[channelId]!
    cp.order = mergeOrder(cp.order, posts.filter((p) => !p.root_id).map((p) => p.id), (id) => s.posts[id]?.create_at ?? 0)
    cp.hasOlder = list.order.length >= PAGE
  })
}

/**
 * After the socket was down: fetches every post changed since the newest one we hold in each
 * loaded channel (`since` returns new, edited and deleted posts), and fresh unread counts.
 */
export async function catchUp(): Promise<void> {
  const loaded = Object.entries(state.channelPosts).filter(([, cp]) => cp.loaded)
  await Promise.all(
    loaded.map(async ([channelId, cp]) => {
      // Server timestamps only (the browser's clock may be off): the newest change we hold, or
      // everything for a channel that was empty.
      const held = [...cp.order, ...cp.order.flatMap((id) => state.replies[id] ?? [])]
      const newest = Math.max(0, ...held.map((id) => state.posts[id]?.update_at ?? 0))
      const list = await api.get<PostList>(v4(`/channels/${channelId}/posts?since=${newest}&collapsedThreads=true`))
      const posts = addPosts(list)
      update((s) => {
        const c = s.channelPosts[channelId]!
        c.order = mergeOrder(c.order, posts.filter((p) => !p.root_id && !p.delete_at).map((p) => p.id), (id) => s.posts[id]?.create_at ?? 0)
        for (const p of posts) if (p.delete_at) c.order = c.order.filter((id) => id !== p.id)
        for (const p of posts.filter((p) => p.root_id)) s.replies[p.root_id] = mergeOrder(s.replies[p.root_id] ?? [], [p.id], (id) => s.posts[id]?.create_at ?? 0)
      })
    }),
  )
  if (state.teamId) await loadTeamChannels(state.teamId)
}

export async function loadThread(rootId: string): Promise<void> {
  const list = await api.get<PostList>(v4(`/posts/${rootId}/thread`))
  const posts = addPosts(list)
  update((s) => {
    // Merged, not replaced: a reply that arrived live while this request was on its way is newer than
    // the answer, which would take it out of the panel and the root's count back (a slow server did).
    const replies = mergeOrder(s.replies[rootId] ?? [], posts.filter((p) => p.root_id === rootId).map((p) => p.id), (id) => s.posts[id]?.create_at ?? 0)
    s.replies[rootId] = replies
    const root = s.posts[rootId]
    const shown = replies.filter((id) => s.posts[id] && !s.posts[id]!.delete_at).length
    if (root && (root.reply_count ?? 0) < shown) s.posts[rootId] = { ...root, reply_count: shown }
  })
}

export async function viewChannel(channelId: string): Promise<void> {
  markRead([channelId])
  await api.post(v4('/channels/members/me/view'), { channel_id: channelId }).catch(() => undefined)
}

let threadTimer: ReturnType<typeof setTimeout> | undefined
/**
 * Fetches the team's unread followed-thread count again (thread events carry one thread, not the
 * total), at most once per burst of events.
 */
export function refreshThreadCounts(): void {
  clearTimeout(threadTimer)
  threadTimer = setTimeout(() => {
    const teamId = state.teamId
    if (!teamId) return
    api.get<{ total_unread_threads: number }>(v4(`/users/me/teams/${teamId}/threads?per_page=1`)).then(
      (res) => update((s) => {
        s.unreadThreads = res.total_unread_threads
        s.threadsVersion += 1
      }),
      () => undefined,
    )
  }, 200)
}

/** Marks channels read locally (the server is told separately, or told us). */
export function markRead(channelIds: string[]): void {
  update((s) => {
    for (const id of channelIds) {
      const channel = s.channels[id]
      const member = s.members[id]
      if (!channel || !member) continue
      member.msg_count = channel.total_msg_count
      member.msg_count_root = channel.total_msg_count_root
      member.mention_count = 0
    }
  })
}

let pendingCounter = 0
export async function sendPost(channelId: string, message: string, rootId = '', fileIds: string[] = []): Promise<Post> {
  const pending = `${state.me!.id}:${Date.now()}:${pendingCounter++}`
  return api.post<Post>(v4('/posts'), { channel_id: channelId, message, root_id: rootId, file_ids: fileIds, pending_post_id: pending })
}

export async function editPost(postId: string, message: string): Promise<void> {
  const post = await api.put<Post>(v4(`/posts/${postId}/patch`), { message })
  update((s) => (s.posts[post.id] = { ...s.posts[post.id], ...post }))
}

export async function deletePost(postId: string): Promise<void> {
  await api.del(v4(`/posts/${postId}`))
  removePost(postId)
}

export function removePost(postId: string): void {
  update((s) => {
    const post = s.posts[postId]
    if (!post) return
    post.delete_at = Date.now()
    const cp = s.channelPosts[post.channel_id]
    if (cp) cp.order = cp.order.filter((id) => id !== postId)
    if (post.root_id && s.replies[post.root_id]) s.replies[post.root_id] = s.replies[post.root_id]!.filter((id) => id !== postId)
  })
}

export async function toggleReaction(post: Post, emoji: string): Promise<void> {
  const me = state.me!.id
  const mine = (post.metadata?.reactions ?? []).some((r) => r.user_id === me && r.emoji_name === emoji)
  if (mine) await api.del(v4(`/users/me/posts/${post.id}/reactions/${encodeURIComponent(emoji)}`))
  else await api.post<Reaction>(v4('/reactions'), { user_id: me, post_id: post.id, emoji_name: emoji })
}

export async function togglePin(post: Post): Promise<void> {
  await api.post(v4(`/posts/${post.id}/${post.is_pinned ? 'unpin' : 'pin'}`))
  update((s) => {
    const p = s.posts[post.id]
    if (p) p.is_pinned = !post.is_pinned
  })
}

export async function openDirect(userIds: string[]): Promise<Channel> {
  const me = state.me!.id
  const channel =
    userIds.length === 1
      ? await api.post<Channel>(v4('/channels/direct'), [me, userIds[0]])
      : await api.post<Channel>(v4('/channels/group'), [me, ...userIds])
  if (state.teamId) await loadTeamChannels(state.teamId)
  return channel
}

/** Adds or replaces a reaction in a post's metadata (from a live event). */
export function applyReaction(reaction: Reaction, added: boolean): void {
  update((s) => {
    const post = s.posts[reaction.post_id]
    if (!post) return
    const list = (post.metadata?.reactions ?? []).filter((r) => !(r.user_id === reaction.user_id && r.emoji_name === reaction.emoji_name))
    if (added) list.push(reaction)
    s.posts[post.id] = { ...post, metadata: { ...post.metadata, reactions: list } }
  })
}
