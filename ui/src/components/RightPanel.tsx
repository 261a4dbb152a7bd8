/** The side panel: a thread with its replies, search results, or a channel's pinned messages. */
import { useEffect, useState } from 'preact/hooks'
import { api, v4 } from '../api/client.ts'
import type { FileInfo, PostList } from '../api/types.ts'
import { highlightTerms } from '../lib/search-terms.ts'
import { navigate } from '../router.ts'
import { channelLabel, ensureUsers, loadThread } from '../state/actions.ts'
import { state, update, useAppState } from '../state/store.ts'
import { TypingLine } from './ChannelView.tsx'
import { Compose } from './Compose.tsx'
import { FileList } from './Files.tsx'
import { Lazy } from './Lazy.tsx'
import { PostItem } from './PostItem.tsx'

const TITLES = { thread: 'Thread', search: 'Search results', pinned: 'Pinned messages', members: 'Members' } as const
const loadMembers = () => import('../members/Members.tsx').then((m) => m.MembersPanel)

export function RightPanel() {
  const s = useAppState()
  const panel = s.rightPanel
  if (!panel) return null
  const close = () => update((st) => (st.rightPanel = null))
  return (
    <aside class="right-panel" aria-label={TITLES[panel.kind]}>
      <header>
        <h2>{TITLES[panel.kind]}</h2>
        <button class="icon" aria-label="Close panel" onClick={close}>×</button>
      </header>
      {panel.kind === 'thread' && <ThreadPanel rootId={panel.rootId} />}
      {panel.kind === 'search' && <SearchResults terms={panel.terms} files={panel.files} />}
      {panel.kind === 'pinned' && <Pinned channelId={panel.channelId} />}
      {panel.kind === 'members' && <Lazy load={loadMembers} props={{ channelId: panel.channelId }} />}
    </aside>
  )
}

export function ThreadPanel(props: { rootId: string }) {
  const s = useAppState()
  const [error, setError] = useState('')
  useEffect(() => {
    loadThread(props.rootId).catch((err: Error) => setError(err.message))
  }, [props.rootId])
  const root = s.posts[props.rootId]
  const replies = (s.replies[props.rootId] ?? []).map((id) => s.posts[id]!).filter((p) => p && !p.delete_at)
  // A thread on screen is read: when it opens and as replies arrive.
  useEffect(() => {
    if (root && document.visibilityState === 'visible') void api.put(v4(`/users/me/teams/${state.teamId}/threads/${props.rootId}/read/${Date.now()}`)).catch(() => undefined)
  }, [props.rootId, !!root, replies.length])
  if (error) return <p class="error" role="alert">{error}</p>
  if (!root) return <p class="muted">Loading…</p>
  return (
    <div class="thread">
      <div class="thread-posts">
        <PostItem post={root} inThread />
        <div class="separator"><span>{replies.length} {replies.length === 1 ? 'reply' : 'replies'}</span></div>
        {replies.map((p) => <PostItem key={p.id} post={p} inThread />)}
      </div>
      <TypingLine keyId={props.rootId} />
      <Compose channelId={root.channel_id} rootId={root.id} label="Reply to thread" />
    </div>
  )
}

/** Where a post lives in the app: its channel's URL, with the post to scroll to. */
export function jumpTo(postId: string, channelId: string): void {
  const channel = state.channels[channelId]
  const team = state.teams.find((t) => t.id === (channel?.team_id || state.teamId)) ?? state.teams.find((t) => t.id === state.teamId)
  if (!channel || !team) return
  update((s) => (s.highlight = postId))
  navigate(`/${team.name}/${channel.type === 'D' || channel.type === 'G' ? 'messages' : 'channels'}/${channel.name}`)
  setTimeout(() => update((s) => s.highlight === postId && (s.highlight = '')), 4000)
}

function SearchResults(props: { terms: string; files: boolean }) {
  const s = useAppState()
  const [list, setList] = useState<{ order: string[] } | null>(null)
  const [files, setFiles] = useState<FileInfo[] | null>(null)
  const [error, setError] = useState('')
  useEffect(() => {
    setError('')
    setList(null)
    setFiles(null)
    const body = { terms: props.terms, is_or_search: false, time_zone_offset: -new Date().getTimezoneOffset() * 60, page: 0, per_page: 40, include_deleted_channels: false }
    if (props.files) {
      api.post<{ order: string[]; file_infos: Record<string, FileInfo> }>(v4(`/teams/${state.teamId}/files/search`), body).then(
        (res) => setFiles(res.order.map((id) => res.file_infos[id]!).filter(Boolean)),
        (err: Error) => setError(err.message),
      )
    } else {
      api.post<PostList>(v4(`/teams/${state.teamId}/posts/search`), body).then((res) => {
        update((st) => {
          for (const p of Object.values(res.posts)) st.posts[p.id] = { ...st.posts[p.id], ...p }
        })
        void ensureUsers(Object.values(res.posts).map((p) => p.user_id))
        setList({ order: res.order })
      }, (err: Error) => setError(err.message))
    }
  }, [props.terms, props.files])
  const terms = highlightTerms(props.terms)
  if (error) return <p class="error" role="alert">{error}</p>
  if (props.files) {
    if (!files) return <p class="muted">Searching…</p>
    return files.length === 0 ? <p class="muted">No files match “{props.terms}”.</p> : (
      <ul class="plain results">
        {files.map((f) => (
          <li key={f.id}>
            <FileList files={[f]} />
            {f.post_id && f.channel_id && <button class="link" onClick={() => jumpTo(f.post_id!, f.channel_id!)}>Jump</button>}
          </li>
        ))}
      </ul>
    )
  }
  if (!list) return <p class="muted">Searching…</p>
  if (list.order.length === 0) return <p class="muted">No results for “{props.terms}”.</p>
  return (
    <ul class="plain results">
      {list.order.map((id) => {
        const post = s.posts[id]
        if (!post) return null
        const channel = s.channels[post.channel_id]
        return (
          <li key={id} class="result">
            <div class="muted">{channel ? channelLabel(channel) : ''}</div>
            <PostItem post={post} inThread terms={terms} />
            <button class="link" onClick={() => jumpTo(post.root_id || post.id, post.channel_id)}>Jump</button>
          </li>
        )
      })}
    </ul>
  )
}

function Pinned(props: { channelId: string }) {
  const s = useAppState()
  const [order, setOrder] = useState<string[] | null>(null)
  useEffect(() => {
    api.get<PostList>(v4(`/channels/${props.channelId}/pinned`)).then((res) => {
      update((st) => {
        for (const p of Object.values(res.posts)) st.posts[p.id] = { ...st.posts[p.id], ...p }
      })
      setOrder(res.order)
    }, () => setOrder([]))
  }, [props.channelId])
  if (!order) return <p class="muted">Loading…</p>
  const pinned = order.map((id) => s.posts[id]).filter((p) => p && p.is_pinned && !p.delete_at)
  return pinned.length === 0 ? <p class="muted">Nothing is pinned here.</p> : <div>{pinned.map((p) => <PostItem key={p!.id} post={p!} inThread />)}</div>
}
