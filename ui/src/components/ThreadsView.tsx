/** Followed threads (collapsed reply threads), unread ones marked; a click opens the thread beside the list. */
import { useEffect, useState } from 'preact/hooks'
import { api, v4 } from '../api/client.ts'
import type { Team, ThreadList } from '../api/types.ts'
import { channelLabel, ensureUsers } from '../state/actions.ts'
import { update, useAppState } from '../state/store.ts'
import { MessageBody } from '../message/index.ts'
import { messageContext } from './message-context.ts'
import { timeOf } from './PostItem.tsx'

export function ThreadsView(props: { team: Team }) {
  const s = useAppState()
  const [list, setList] = useState<ThreadList | null>(null)
  const [error, setError] = useState('')
  const load = () =>
    api.get<ThreadList>(v4(`/users/me/teams/${props.team.id}/threads?extended=true&per_page=50`)).then((res) => {
      setList(res)
      update((st) => {
        for (const t of res.threads) st.posts[t.post.id] = { ...st.posts[t.post.id], ...t.post }
      })
      void ensureUsers(res.threads.map((t) => t.post.user_id))
    }, (err: Error) => setError(err.message))
  useEffect(() => {
    document.title = 'Threads - Bridgehead'
    void load()
  }, [props.team.id, s.threadsVersion])
  return (
    <section class="threads-view" aria-labelledby="threads-title">
      <header class="channel-header">
        <h1 id="threads-title">Followed threads</h1>
        <button onClick={async () => {
          await api.put(v4(`/users/me/teams/${props.team.id}/threads/read`)).catch(() => undefined)
          void load()
        }}>Mark all as read</button>
      </header>
      {error && <p class="error" role="alert">{error}</p>}
      {list?.threads.length === 0 && <p class="muted empty">No followed threads yet: reply to a message or get mentioned in a thread.</p>}
      <ul class="plain thread-list">
        {list?.threads.map((t) => {
          const channel = s.channels[t.post.channel_id]
          return (
            <li key={t.id} class={t.unread_replies > 0 ? 'thread-item unread' : 'thread-item'}>
              <button class="thread-open" onClick={() => update((st) => (st.rightPanel = { kind: 'thread', rootId: t.id }))}>
                <span class="muted">{channel ? channelLabel(channel) : ''} · {s.users[t.post.user_id]?.username ?? ''} · {timeOf(t.last_reply_at)}</span>
                <MessageBody post={t.post} ctx={messageContext()} />
                <span>
                  {t.reply_count} {t.reply_count === 1 ? 'reply' : 'replies'}
                  {t.unread_replies > 0 && <strong class="badge" aria-label={`${t.unread_replies} unread replies`}>{t.unread_replies} new</strong>}
                  {t.unread_mentions > 0 && <strong class="badge mentions">@{t.unread_mentions}</strong>}
                </span>
              </button>
            </li>
          )
        })}
      </ul>
    </section>
  )
}
