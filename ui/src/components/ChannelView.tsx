/** A channel: its header, the message list (load older, dates, "new messages"), who is typing, and the compose box. */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { api, v4 } from '../api/client.ts'
import type { Channel } from '../api/types.ts'
import { buildRows } from '../lib/posts.ts'
import { navigate } from '../router.ts'
import { channelLabel, displayName, loadAround, loadChannelPosts, loadOlder, loadTeamChannels, viewChannel } from '../state/actions.ts'
import { state, update, useAppState } from '../state/store.ts'
import { Compose } from './Compose.tsx'
import { useConfirm } from './Modal.tsx'
import { PostItem } from './PostItem.tsx'

export function TypingLine(props: { keyId: string }) {
  const s = useAppState()
  const now = Date.now()
  const who = Object.entries(s.typing[props.keyId] ?? {}).filter(([, until]) => until > now).map(([id]) => displayName(s.users[id]))
  return (
    <div class="typing" aria-live="polite">
      {who.length === 1 ? `${who[0]} is typing…` : who.length > 1 ? `${who.join(', ')} are typing…` : ''}
    </div>
  )
}

export function ChannelView(props: { channel: Channel }) {
  const s = useAppState()
  const { channel } = props
  const listRef = useRef<HTMLDivElement>(null)
  const stickToBottom = useRef(true)
  const [loadingOlder, setLoadingOlder] = useState(false)
  const [error, setError] = useState('')
  const confirm = useConfirm()
  const cp = s.channelPosts[channel.id]

  useEffect(() => {
    update((st) => {
      st.currentChannelId = channel.id
      st.newSince[channel.id] = st.members[channel.id]?.last_viewed_at ?? 0
    })
    stickToBottom.current = true
    setError('')
    loadChannelPosts(channel.id).catch((err: Error) => setError(err.message))
    void viewChannel(channel.id)
    document.title = `${channelLabel(channel)} - Bridgehead`
    return () => update((st) => (st.currentChannelId = ''))
  }, [channel.id])

  // A jump to a post older than the pages held loads the posts around it.
  useEffect(() => {
    const target = s.highlight ? s.posts[s.highlight] : undefined
    if (cp?.loaded && target && target.channel_id === channel.id && !cp.order.includes(target.id)) {
      stickToBottom.current = false
      loadAround(channel.id, target.id).catch((err: Error) => setError(err.message))
    }
  }, [s.highlight, channel.id, cp?.loaded])

  const posts = (cp?.order ?? []).map((id) => s.posts[id]!).filter((p) => p && !p.delete_at)
  const rows = buildRows(posts, { newSince: s.newSince[channel.id], myId: s.me?.id, now: Date.now() })

  useLayoutEffect(() => {
    const el = listRef.current
    if (el && stickToBottom.current && !s.highlight) el.scrollTop = el.scrollHeight
  })

  const older = async () => {
    const el = listRef.current
    const before = el ? el.scrollHeight - el.scrollTop : 0
    setLoadingOlder(true)
    try {
      await loadOlder(channel.id)
      requestAnimationFrame(() => el && (el.scrollTop = el.scrollHeight - before))
    } finally {
      setLoadingOlder(false)
    }
  }

  const archived = channel.delete_at > 0
  const openThread = (rootId: string) => update((st) => (st.rightPanel = { kind: 'thread', rootId }))
  return (
    <section class="channel" aria-labelledby="channel-title">
      <header class="channel-header">
        <h1 id="channel-title">{channel.type === 'O' ? '# ' : channel.type === 'P' ? '🔒 ' : ''}{channelLabel(channel)}</h1>
        {channel.purpose && <p class="muted purpose">{channel.purpose}</p>}
        <div class="header-actions">
          <button aria-label="Pinned messages" onClick={() => update((st) => (st.rightPanel = { kind: 'pinned', channelId: channel.id }))}>📌 Pinned</button>
          {channel.type !== 'D' && <button aria-label="Members" onClick={() => update((st) => (st.rightPanel = { kind: 'members', channelId: channel.id }))}>👥 Members</button>}
          {(channel.type === 'O' || channel.type === 'P') && !archived && channel.name !== 'town-square' && (
            <>
              <button onClick={async () => {
                // Mattermost asks before leaving a private channel: only a member can bring you back.
                const question = { title: 'Leave private channel', message: `Leave ${channel.display_name}? You can only come back if a member adds you.`, confirm: 'Leave' }
                if (channel.type === 'P' && !(await confirm.ask(question))) return
                try {
                  await api.del(v4(`/channels/${channel.id}/members/${state.me!.id}`))
                } catch (err) {
                  return setError((err as Error).message)
                }
                // Away first: on a public channel's page, not being a member would mean joining again.
                const team = state.teams.find((t) => t.id === state.teamId)
                if (team) navigate(`/${team.name}/channels/town-square`)
                await loadTeamChannels(state.teamId)
              }}>Leave</button>
              <button onClick={async () => {
                const question = { title: 'Archive channel', message: `Archive ${channel.display_name}? Its messages stay readable, and nobody can post in it.`, confirm: 'Archive' }
                if (!(await confirm.ask(question))) return
                await api.del(v4(`/channels/${channel.id}`)).catch((err: Error) => setError(err.message))
                await loadTeamChannels(state.teamId)
              }}>Archive</button>
            </>
          )}
        </div>
      </header>
      <div class="post-list" ref={listRef} role="log" aria-label={`Messages in ${channelLabel(channel)}`} onScroll={(e) => {
        const el = e.currentTarget
        stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40
      }}>
        {cp?.hasOlder && (
          <button class="load-older" disabled={loadingOlder} onClick={() => void older()}>{loadingOlder ? 'Loading…' : 'Load older messages'}</button>
        )}
        {cp?.loaded && posts.length === 0 && <p class="muted empty">No messages yet. Say hello!</p>}
        {rows.map((row) =>
          row.kind === 'date' ? (
            <div key={row.key} class="separator" role="separator"><span>{row.label}</span></div>
          ) : row.kind === 'new' ? (
            <div key={row.key} class="separator new" role="separator"><span>New messages</span></div>
          ) : (
            <PostItem key={row.key} post={row.post} continued={row.continued} onReply={() => openThread(row.post.id)} />
          ),
        )}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <TypingLine keyId={channel.id} />
      {archived ? <p class="muted archived">This channel is archived.</p> : <Compose channelId={channel.id} label={`Write to ${channelLabel(channel)}`} />}
      {confirm.dialog}
    </section>
  )
}
