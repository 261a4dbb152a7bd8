/**
 * The message box: Enter sends (Shift+Enter for a new line), `@`/`~`/`:` and `/` autocomplete,
 * Up in an empty box edits your last post, files arrive by the button, drag and drop, or paste,
 * with upload progress. A message starting with `/` runs as a slash command.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, uploadFiles, v4 } from '../api/client.ts'
import type { CommandResponse, CommandSuggestion, User } from '../api/types.ts'
import { applyCompletion, findTrigger, type Trigger } from '../lib/autocomplete.ts'
import { loadFullEmoji, searchEmoji } from '../emoji/index.ts'
import { sendTyping } from '../realtime/connection.ts'
import { navigate } from '../router.ts'
import { sendPost } from '../state/actions.ts'
import { state, update, useAppState } from '../state/store.ts'
import { formatBytes } from './Files.tsx'

interface Option {
  value: string
  label: string
  hint?: string
}

interface Upload {
  name: string
  size: number
  progress: number
  fileId?: string
  error?: string
}

async function optionsFor(trigger: NonNullable<Trigger>, channelId: string): Promise<Option[]> {
  const teamId = state.teamId
  switch (trigger.kind) {
    case 'user': {
      const res = await api.get<{ users: User[]; out_of_channel?: User[] }>(v4(`/users/autocomplete?in_team=${teamId}&in_channel=${channelId}&name=${encodeURIComponent(trigger.query)}&limit=8`))
      return [...res.users, ...(res.out_of_channel ?? [])].slice(0, 8).map((u) => ({ value: `@${u.username}`, label: `@${u.username}`, hint: [u.first_name, u.last_name].filter(Boolean).join(' ') }))
    }
    case 'channel': {
      const q = trigger.query.toLowerCase()
      return Object.values(state.channels)
        .filter((c) => (c.type === 'O' || c.type === 'P') && c.team_id === teamId && !c.delete_at && (c.name.includes(q) || c.display_name.toLowerCase().includes(q)))
        .slice(0, 8)
        .map((c) => ({ value: `~${c.name}`, label: `~${c.name}`, hint: c.display_name }))
    }
    case 'emoji':
      await loadFullEmoji().catch(() => undefined)
      return searchEmoji(trigger.query, 8).map((e) => ({ value: `:${e.name}:`, label: `${e.char} :${e.name}:` }))
    case 'command': {
      const list = await api.get<CommandSuggestion[]>(v4(`/teams/${teamId}/commands/autocomplete_suggestions?user_input=${encodeURIComponent(trigger.query)}`))
      return list.slice(0, 10).map((c) => ({ value: `/${c.Complete.replace(/^\//, '')}`, label: `${c.Suggestion} ${c.Hint}`.trim(), hint: c.Description }))
    }
  }
}

export function Compose(props: { channelId: string; rootId?: string; label: string }) {
  useAppState()
  const [text, setText] = useState('')
  const [options, setOptions] = useState<Option[]>([])
  const [active, setActive] = useState(0)
  const [trigger, setTrigger] = useState<Trigger>(null)
  const [uploads, setUploads] = useState<Upload[]>([])
  const [error, setError] = useState('')
  const [dragging, setDragging] = useState(false)
  const ref = useRef<HTMLTextAreaElement>(null)
  const fileInput = useRef<HTMLInputElement>(null)
  const rootId = props.rootId ?? ''
  const listId = `ac-${rootId || props.channelId}`


  const refreshAutocomplete = (value: string, cursor: number) => {
    const t = findTrigger(value, cursor)
    setTrigger(t)
    if (!t) return setOptions([])
    optionsFor(t, props.channelId).then(
      (opts) => {
        setOptions(opts)
        setActive(0)
      },
      () => setOptions([]),
    )
  }

  const choose = (option: Option) => {
    const el = ref.current!
    const t = trigger ?? findTrigger(text, el.selectionStart)
    if (!t) return
    const next = applyCompletion(text, el.selectionStart, t, option.value)
    setText(next.text)
    setOptions([])
    setTrigger(null)
    requestAnimationFrame(() => {
      el.focus()
      el.setSelectionRange(next.cursor, next.cursor)
    })
  }

  // The uploads live in a ref as well as in state: a send waits for unfinished ones and then
  // needs their file ids, which the closure's state would not have yet.
  const current = useRef<Upload[]>([])
  const pending = useRef<Promise<unknown>[]>([])
  const changeUploads = (change: (list: Upload[]) => Upload[]) => {
    current.current = change(current.current)
    setUploads(current.current)
  }

  useEffect(() => {
    setText('')
    pending.current = []
    changeUploads(() => [])
    setError('')
  }, [props.channelId, rootId])

  const addFiles = (files: File[]) => {
    for (const file of files) {
      const entry: Upload = { name: file.name, size: file.size, progress: 0 }
      changeUploads((list) => [...list, entry])
      const patch = (p: Partial<Upload>) => {
        Object.assign(entry, p)
        changeUploads((list) => [...list])
      }
      pending.current.push(
        uploadFiles(props.channelId, [file], (p) => patch({ progress: Math.min(p, 0.99) })).then(
          (res) => patch({ progress: 1, fileId: res.file_infos[0]?.id }),
          (err: Error) => patch({ error: err.message }),
        ),
      )
    }
  }

  const submit = async () => {
    const message = text.trim()
    if (!message && current.current.length === 0) return
    setError('')
    await Promise.all(pending.current)
    const fileIds = current.current.filter((u) => u.fileId).map((u) => u.fileId!)
    if (!message && fileIds.length === 0) return
    try {
      if (message.startsWith('/') && fileIds.length === 0) {
        const res = await api.post<CommandResponse>(v4('/commands/execute'), { command: message, channel_id: props.channelId, team_id: state.teamId, root_id: rootId })
        if (res.goto_location) {
          const url = new URL(res.goto_location, location.href)
          if (url.origin === location.origin) navigate(url.pathname)
          else window.open(url.href, '_blank', 'noopener')
        }
      } else {
        await sendPost(props.channelId, message, rootId, fileIds)
      }
      setText('')
      pending.current = []
      changeUploads(() => [])
      setOptions([])
    } catch (err) {
      setError((err as Error).message)
    }
  }

  const onKeyDown = (e: KeyboardEvent) => {
    if (options.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault()
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length)
        return
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault()
        choose(options[active]!)
        return
      }
      if (e.key === 'Escape') {
        e.stopPropagation()
        setOptions([])
        return
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault()
      void submit()
      return
    }
    if (e.key === 'ArrowUp' && text === '') {
      const me = state.me?.id
      const ids = rootId ? state.replies[rootId] ?? [] : state.channelPosts[props.channelId]?.order ?? []
      const last = [...ids].reverse().map((id) => state.posts[id]).find((p) => p && p.user_id === me && !p.delete_at && p.type === '')
      if (last) {
        e.preventDefault()
        update((s) => (s.editing = last.id))
      }
    }
  }

  return (
    <div
      class={dragging ? 'compose dragging' : 'compose'}
      onDragOver={(e) => {
        if (e.dataTransfer?.types.includes('Files')) {
          e.preventDefault()
          setDragging(true)
        }
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault()
        setDragging(false)
        addFiles([...(e.dataTransfer?.files ?? [])])
      }}
    >
      {options.length > 0 && (
        <ul class="autocomplete" id={listId} role="listbox" aria-label="Suggestions">
          {options.map((o, i) => (
            <li key={o.value + i} role="option" id={`${listId}-${i}`} aria-selected={i === active} class={i === active ? 'active' : ''} onMouseDown={(e) => {
              e.preventDefault()
              choose(o)
            }}>
              <span>{o.label}</span> {o.hint && <span class="muted">{o.hint}</span>}
            </li>
          ))}
        </ul>
      )}
      {uploads.length > 0 && (
        <ul class="uploads plain" aria-label="Files to send">
          {uploads.map((u, i) => (
            <li key={i}>
              <span class="file-name">{u.name}</span> <span class="muted">{formatBytes(u.size)}</span>{' '}
              {u.error ? <span class="error">{u.error}</span> : <progress max={1} value={u.progress} aria-label={`Uploading ${u.name}`} />}
              <button class="icon" aria-label={`Remove ${u.name}`} onClick={() => changeUploads((list) => list.filter((_, j) => j !== i))}>×</button>
            </li>
          ))}
        </ul>
      )}
      <div class="compose-row">
        <button class="icon" aria-label="Attach files" onClick={() => fileInput.current?.click()}>📎</button>
        <input ref={fileInput} type="file" multiple hidden aria-label="Files to attach" onChange={(e) => {
          addFiles([...(e.currentTarget.files ?? [])])
          e.currentTarget.value = ''
        }} />
        <textarea
          ref={ref}
          rows={1}
          aria-label={props.label}
          placeholder={props.label}
          aria-autocomplete="list"
          aria-controls={options.length ? listId : undefined}
          aria-activedescendant={options.length ? `${listId}-${active}` : undefined}
          value={text}
          onInput={(e) => {
            const el = e.currentTarget
            setText(el.value)
            refreshAutocomplete(el.value, el.selectionStart)
            if (el.value && !el.value.startsWith('/')) sendTyping(props.channelId, rootId)
          }}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])]
            if (files.length > 0) {
              e.preventDefault()
              addFiles(files)
            }
          }}
        />
        <button class="primary" aria-label="Send" onClick={() => void submit()}>Send</button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  )
}
