/** The channel sidebar: channels, private channels, direct and group messages, with live unread and mention badges. */
import { useEffect, useState } from 'preact/hooks'
import { api, v4 } from '../api/client.ts'
import type { Channel, Team, User } from '../api/types.ts'
import { linkHandler, navigate } from '../router.ts'
import { channelLabel, dmPartnerId, loadTeamChannels, openDirect, unreadOf } from '../state/actions.ts'
import { state, update, useAppState } from '../state/store.ts'
import { ErrorLine, Modal } from './Modal.tsx'
import { slugify } from './TeamSelect.tsx'

export function channelPath(team: Team, channel: Channel): string {
  return `/${team.name}/${channel.type === 'D' || channel.type === 'G' ? 'messages' : 'channels'}/${channel.name}`
}

export function Sidebar(props: { team: Team }) {
  const s = useAppState()
  const [dialog, setDialog] = useState<'' | 'browse' | 'create' | 'direct'>('')
  const mine = Object.values(s.channels).filter((c) => s.members[c.id] && !c.delete_at && (c.team_id === props.team.id || c.team_id === ''))
  const byName = (a: Channel, b: Channel) => channelLabel(a).localeCompare(channelLabel(b))
  const groups: [string, Channel[]][] = [
    ['Channels', mine.filter((c) => c.type === 'O').sort(byName)],
    ['Private channels', mine.filter((c) => c.type === 'P').sort(byName)],
    ['Direct messages', mine.filter((c) => c.type === 'D' || c.type === 'G').sort((a, b) => b.last_post_at - a.last_post_at)],
  ]
  return (
    <nav class="sidebar" aria-label="Channels">
      <div class="sidebar-actions">
        <button onClick={() => setDialog('browse')}>Browse channels</button>
        <button onClick={() => setDialog('create')}>New channel</button>
        <button onClick={() => setDialog('direct')}>New message</button>
      </div>
      <a class={`sidebar-link${location.pathname.endsWith('/threads') ? ' active' : ''}`} href={`/${props.team.name}/threads`} onClick={linkHandler(`/${props.team.name}/threads`)}>
        Threads{s.unreadThreads > 0 && <span class="badge unread-dot" aria-label={`${s.unreadThreads} unread threads`}>{s.unreadThreads}</span>}
      </a>
      <a class="sidebar-link" href={`/${props.team.name}/playbooks`} onClick={linkHandler(`/${props.team.name}/playbooks`)}>Playbooks</a>
      {groups.map(([title, channels]) => (
        <section key={title} aria-label={title}>
          <h2>{title}</h2>
          <ul class="plain">
            {channels.map((c) => {
              const { unread, mentions } = unreadOf(c.id)
              const path = channelPath(props.team, c)
              const current = s.currentChannelId === c.id
              const partner = c.type === 'D' ? s.statuses[dmPartnerId(c, s.me?.id ?? '')] : undefined
              return (
                <li key={c.id}>
                  <a href={path} onClick={linkHandler(path)} class={`channel-link${current ? ' active' : ''}${unread && !current ? ' unread' : ''}`} aria-current={current ? 'page' : undefined} data-channel={c.name}>
                    {c.type === 'D' ? <span class={`status ${partner ?? 'offline'}`} aria-label={partner ?? 'offline'} /> : <span aria-hidden="true">{c.type === 'P' ? '🔒' : c.type === 'G' ? '👥' : '#'}</span>}
                    <span class="name">{channelLabel(c)}</span>
                    {mentions > 0 && !current && <span class="badge mentions" aria-label={`${mentions} mentions`}>{mentions}</span>}
                  </a>
                </li>
              )
            })}
          </ul>
        </section>
      ))}
      {dialog === 'browse' && <BrowseChannels team={props.team} onClose={() => setDialog('')} />}
      {dialog === 'create' && <CreateChannel team={props.team} onClose={() => setDialog('')} />}
      {dialog === 'direct' && <NewDirect team={props.team} onClose={() => setDialog('')} />}
    </nav>
  )
}

function BrowseChannels(props: { team: Team; onClose: () => void }) {
  const [list, setList] = useState<Channel[] | null>(null)
  const [archived, setArchived] = useState(false)
  const [error, setError] = useState('')
  useEffect(() => {
    setList(null)
    api.get<Channel[]>(v4(`/teams/${props.team.id}/channels${archived ? '/deleted' : ''}?per_page=200`)).then(setList, (err: Error) => setError(err.message))
  }, [archived])
  const join = async (c: Channel) => {
    try {
      await api.post(v4(`/channels/${c.id}/members`), { user_id: state.me!.id })
      await loadTeamChannels(props.team.id)
      props.onClose()
      navigate(channelPath(props.team, c))
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <Modal title="Browse channels" onClose={props.onClose}>
      <label class="inline">
        <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.currentTarget.checked)} /> Archived channels
      </label>
      <ErrorLine error={error} />
      <ul class="plain browse">
        {(list ?? []).map((c) => (
          <li key={c.id}>
            <strong>{c.display_name}</strong> <span class="muted">{c.purpose}</span>{' '}
            {state.members[c.id] || archived ? (
              <button onClick={() => {
                update((s) => (s.channels[c.id] = c))
                props.onClose()
                navigate(channelPath(props.team, c))
              }}>View</button>
            ) : <button onClick={() => void join(c)}>Join</button>}
          </li>
        ))}
        {list?.length === 0 && <li class="muted">No channels.</li>}
      </ul>
    </Modal>
  )
}

function CreateChannel(props: { team: Team; onClose: () => void }) {
  const [name, setName] = useState('')
  const [purpose, setPurpose] = useState('')
  const [priv, setPriv] = useState(false)
  const [error, setError] = useState('')
  const submit = async (e: Event) => {
    e.preventDefault()
    try {
      const channel = await api.post<Channel>(v4('/channels'), { team_id: props.team.id, name: slugify(name) || `c-${Date.now().toString(36)}`, display_name: name.trim(), purpose, type: priv ? 'P' : 'O' })
      await loadTeamChannels(props.team.id)
      props.onClose()
      navigate(channelPath(props.team, channel))
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <Modal title="New channel" onClose={props.onClose}>
      <form onSubmit={submit}>
        <label>
          Name
          <input name="display_name" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={64} />
        </label>
        <label>
          Purpose (optional)
          <input name="purpose" value={purpose} onInput={(e) => setPurpose(e.currentTarget.value)} maxLength={250} />
        </label>
        <label class="inline">
          <input type="checkbox" checked={priv} onChange={(e) => setPriv(e.currentTarget.checked)} /> Private channel
        </label>
        <ErrorLine error={error} />
        <button type="submit" class="primary">Create channel</button>
      </form>
    </Modal>
  )
}

function NewDirect(props: { team: Team; onClose: () => void }) {
  const [term, setTerm] = useState('')
  const [found, setFound] = useState<User[]>([])
  const [chosen, setChosen] = useState<User[]>([])
  const [error, setError] = useState('')
  const search = (value: string) => {
    setTerm(value)
    api.post<User[]>(v4('/users/search'), { term: value, team_id: props.team.id, limit: 20 }).then(
      (users) => setFound(users.filter((u) => u.id !== state.me?.id)),
      () => setFound([]),
    )
  }
  const start = async () => {
    try {
      const channel = await openDirect(chosen.map((u) => u.id))
      props.onClose()
      navigate(channelPath(props.team, channel))
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <Modal title="New message" onClose={props.onClose}>
      <label>
        Find people
        <input name="people" value={term} onInput={(e) => search(e.currentTarget.value)} />
      </label>
      <ul class="plain">
        {found.map((u) => (
          <li key={u.id}>
            <label class="inline">
              <input type="checkbox" checked={chosen.some((c) => c.id === u.id)} onChange={(e) => setChosen(e.currentTarget.checked ? [...chosen, u] : chosen.filter((c) => c.id !== u.id))} /> {u.username}
            </label>
          </li>
        ))}
      </ul>
      <ErrorLine error={error} />
      <button class="primary" disabled={chosen.length === 0 || chosen.length > 7} onClick={() => void start()}>
        {chosen.length > 1 ? 'Start group message' : 'Start direct message'}
      </button>
    </Modal>
  )
}
