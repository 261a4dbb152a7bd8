/** One post: author, time, text, files, attachments, reactions, and the actions its reader may take. */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Post } from '../api/types.ts'
import { deletePost, displayName, editPost, togglePin, toggleReaction } from '../state/actions.ts'
import { state, update, useAppState } from '../state/store.ts'
import { EmojiPicker, emojiFor } from '../emoji/index.ts'
import { MessageBody } from '../message/index.ts'
import { FileList } from './Files.tsx'
import { useConfirm } from './Modal.tsx'
import { messageContext } from './message-context.ts'

// One formatter for every post: toLocaleTimeString with options builds a new one per call, which
// cost most of the time of rendering a long list again (twice per post).
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

export function timeOf(ms: number): string {
  return TIME.format(ms)
}

export function Avatar(props: { userId: string; size?: number }) {
  const s = useAppState()
  const user = s.users[props.userId]
  const status = s.statuses[props.userId] ?? 'offline'
  const name = user?.username ?? '?'
  return (
    <span class="avatar" style={{ width: `${props.size ?? 32}px`, height: `${props.size ?? 32}px` }} aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
      <span class={`status ${status}`} title={status} />
    </span>
  )
}

export function PostItem(props: { post: Post; continued?: boolean; inThread?: boolean; onReply?: () => void; terms?: string[] }) {
  const s = useAppState()
  const { post } = props
  const me = s.me?.id
  const mine = post.user_id === me
  const [picking, setPicking] = useState(false)
  const [error, setError] = useState('')
  const confirm = useConfirm()
  const ref = useRef<HTMLElement>(null)
  const editing = s.editing === post.id
  const ephemeral = post.type === 'system_ephemeral'
  const author = typeof post.props?.override_username === 'string' && post.props.from_webhook === 'true' ? post.props.override_username : displayName(s.users[post.user_id])
  const highlighted = s.highlight === post.id
  useEffect(() => {
    if (highlighted) ref.current?.scrollIntoView({ block: 'center' })
  }, [highlighted])
  const act = (fn: () => Promise<void>) => () => fn().catch((err: Error) => setError(err.message))
  const reactions = groupReactions(post)
  return (
    <article ref={ref} class={`post${props.continued ? ' continued' : ''}${ephemeral ? ' ephemeral' : ''}${highlighted ? ' highlighted' : ''}`} data-post-id={post.id} aria-label={`${author} at ${timeOf(post.create_at)}`}>
      {!props.continued ? <Avatar userId={post.user_id} /> : <span class="avatar-space" />}
      <div class="post-body">
        {!props.continued && (
          <header>
            <strong class="author">{author}</strong>
            {post.props?.from_webhook === 'true' && <span class="badge">BOT</span>}
            <time dateTime={new Date(post.create_at).toISOString()}>{timeOf(post.create_at)}</time>
            {ephemeral && <span class="muted">(Only visible to you)</span>}
            {post.is_pinned && <span class="pinned" aria-label="Pinned">📌</span>}
          </header>
        )}
        {editing ? <EditBox post={post} /> : <MessageBody post={post} ctx={messageContext(props.terms)} />}
        {post.edit_at > 0 && !editing && <span class="muted edited">(edited)</span>}
        <FileList files={post.metadata?.files ?? []} />
        {reactions.length > 0 && (
          <div class="reactions" role="group" aria-label="Reactions">
            {reactions.map((r) => (
              <button key={r.name} class={r.mine ? 'reaction mine' : 'reaction'} aria-pressed={r.mine} aria-label={`${r.name} reaction, ${r.count}`} onClick={act(() => toggleReaction(post, r.name))}>
                {emojiFor(r.name) ?? `:${r.name}:`} {r.count}
              </button>
            ))}
          </div>
        )}
        {!props.inThread && !post.root_id && (post.reply_count ?? 0) > 0 && (
          <button class="link replies" onClick={props.onReply}>{post.reply_count} {post.reply_count === 1 ? 'reply' : 'replies'}</button>
        )}
        {error && <p class="error" role="alert">{error}</p>}
      </div>
      {!ephemeral && !editing && (
        <div class="post-actions" role="toolbar" aria-label="Message actions">
          <button class="icon" aria-label="Add reaction" aria-expanded={picking} onClick={() => setPicking(!picking)}>☺</button>
          {props.onReply && <button class="icon" aria-label="Reply" onClick={props.onReply}>↩</button>}
          <button class="icon" aria-label={post.is_pinned ? 'Unpin' : 'Pin'} onClick={act(() => togglePin(post))}>📌</button>
          {mine && <button class="icon" aria-label="Edit" onClick={() => update((st) => (st.editing = post.id))}>✎</button>}
          {mine && <button class="icon" aria-label="Delete" onClick={act(async () => {
            if (await confirm.ask(DELETE_QUESTION)) await deletePost(post.id)
          })}>🗑</button>}
          {picking && (
            <div class="picker">
              <EmojiPicker onPick={(name) => {
                setPicking(false)
                act(() => toggleReaction(post, name))()
              }} onClose={() => setPicking(false)} />
            </div>
          )}
        </div>
      )}
      {confirm.dialog}
    </article>
  )
}

const DELETE_QUESTION = { title: 'Delete message', message: 'Delete this message? This cannot be undone.', confirm: 'Delete' }

function groupReactions(post: Post): { name: string; count: number; mine: boolean }[] {
  const me = state.me?.id
  const byName = new Map<string, { name: string; count: number; mine: boolean }>()
  for (const r of post.metadata?.reactions ?? []) {
    const entry = byName.get(r.emoji_name) ?? { name: r.emoji_name, count: 0, mine: false }
    entry.count += 1
    entry.mine ||= r.user_id === me
    byName.set(r.emoji_name, entry)
  }
  return [...byName.values()]
}

function EditBox(props: { post: Post }) {
  const [text, setText] = useState(props.post.message)
  const [error, setError] = useState('')
  const confirm = useConfirm()
  const ref = useRef<HTMLTextAreaElement>(null)
  useEffect(() => {
    ref.current?.focus()
  }, [])
  const close = () => update((s) => (s.editing = ''))
  const save = async () => {
    try {
      if (text.trim() === '') {
        if (await confirm.ask(DELETE_QUESTION)) await deletePost(props.post.id)
        else return ref.current?.focus()
      } else if (text !== props.post.message) await editPost(props.post.id, text)
      close()
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <div class="edit-box">
      <textarea ref={ref} aria-label="Edit message" value={text} onInput={(e) => setText(e.currentTarget.value)} onKeyDown={(e) => {
        if (e.key === 'Enter' && !e.shiftKey) {
          e.preventDefault()
          void save()
        }
        if (e.key === 'Escape') {
          e.stopPropagation()
          close()
        }
      }} />
      <div class="row">
        <button onClick={close}>Cancel</button>
        <button class="primary" onClick={() => void save()}>Save</button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {confirm.dialog}
    </div>
  )
}
