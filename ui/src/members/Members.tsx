/**
 * A channel's members in the side panel: who is in it and their status, a search, adding people
 * (POST /channels/{id}/members with user_ids) and removing a member. Loaded on demand with
 * import(), like the console: most visits to a channel never open it.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, v4 } from '../api/client.ts'
import type { Channel, ChannelMember, User } from '../api/types.ts'
import { Avatar } from '../components/PostItem.tsx'
import { ErrorLine, Modal } from '../components/Modal.tsx'
import { channelLabel, loadStatuses } from '../state/actions.ts'
import { onServerEvent } from '../state/events.ts'
import { update, useAppState } from '../state/store.ts'

const MAX_LISTED = 200

/** "Ann Lee (annie)" style detail under a username: full name and nickname when set. */
export function fullName(user: User): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ')
  return [name, user.nickname ? `(${user.nickname})` : ''].filter(Boolean).join(' ')
}

/** Whether people can be added to or removed from the channel at all (Mattermost: O and P, not archived). */
export function managesMembers(channel: Channel): boolean {
  return (channel.type === 'O' || channel.type === 'P') && channel.delete_at === 0
}

export function MembersPanel(props: { channelId: string }) {
  const s = useAppState()
  const channel = s.channels[props.channelId]
  const [term, setTerm] = useState('')
  const [people, setPeople] = useState<User[] | null>(null)
  const [admins, setAdmins] = useState<Set<string>>(new Set())
  const [version, setVersion] = useState(0)
  const [adding, setAdding] = useState(false)
  const [error, setError] = useState('')

  // Joins, adds, leaves and removals anywhere (this tab or another person's) refresh the list.
  useEffect(() => {
    const refresh = (e: { broadcast: { channel_id?: string } }) => e.broadcast.channel_id === props.channelId && setVersion((v) => v + 1)
    const offs = [onServerEvent('user_added', refresh), onServerEvent('user_removed', refresh)]
    return () => offs.forEach((off) => off())
  }, [props.channelId])

  useEffect(() => {
    let stale = false
    const q = term.trim()
    const users = q
      ? api.post<User[]>(v4('/users/search'), { term: q, in_channel_id: props.channelId, limit: MAX_LISTED })
      : api.get<User[]>(v4(`/users?in_channel=${props.channelId}&per_page=${MAX_LISTED}`))
    Promise.all([users, api.get<ChannelMember[]>(v4(`/channels/${props.channelId}/members?per_page=${MAX_LISTED}`))]).then(
      ([found, members]) => {
        if (stale) return
        setError('')
        update((st) => {
          for (const u of found) st.users[u.id] = { ...st.users[u.id], ...u }
        })
        setPeople([...found].sort((a, b) => a.username.localeCompare(b.username)))
        setAdmins(new Set(members.filter((m) => m.scheme_admin).map((m) => m.user_id)))
        void loadStatuses(found.map((u) => u.id))
      },
      (err: Error) => !stale && setError(err.message),
    )
    return () => {
      stale = true
    }
  }, [props.channelId, term, version])

  if (!channel) return <p class="muted">This channel is not available.</p>
  const manage = managesMembers(channel) && channel.name !== 'town-square'
  const remove = async (user: User) => {
    try {
      await api.del(v4(`/channels/${channel.id}/members/${user.id}`))
      setVersion((v) => v + 1)
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <div class="members">
      <div class="members-tools">
        <input type="search" aria-label="Search members" placeholder="Search members" value={term} onInput={(e) => setTerm(e.currentTarget.value)} />
        {managesMembers(channel) && <button class="primary" onClick={() => setAdding(true)}>Add people</button>}
      </div>
      <ErrorLine error={error} />
      {people === null ? <p class="muted">Loading…</p> : (
        <ul class="plain member-list" aria-label={`Members of ${channelLabel(channel)}`}>
          {people.map((u) => (
            <li key={u.id} class="member">
              <Avatar userId={u.id} size={28} />
              <span class="member-name">
                <strong>{u.username}</strong>{u.id === s.me?.id && <span class="muted"> (you)</span>}
                {fullName(u) && <span class="muted"> {fullName(u)}</span>}
                <span class="visually-hidden">, {s.statuses[u.id] ?? 'offline'}</span>
              </span>
              {admins.has(u.id) && <span class="badge">Admin</span>}
              {manage && u.id !== s.me?.id && <button aria-label={`Remove ${u.username}`} onClick={() => void remove(u)}>Remove</button>}
            </li>
          ))}
          {people.length === 0 && <li class="muted">{term ? 'No members match.' : 'No members.'}</li>}
        </ul>
      )}
      {adding && <AddPeople channel={channel} onClose={() => setAdding(false)} onAdded={() => setVersion((v) => v + 1)} />}
    </div>
  )
}

/** Find people of the team who are not in the channel yet, pick some, add them in one request. */
function AddPeople(props: { channel: Channel; onClose: () => void; onAdded: () => void }) {
  const [term, setTerm] = useState('')
  const [found, setFound] = useState<User[]>([])
  const [active, setActive] = useState(0)
  const [chosen, setChosen] = useState<User[]>([])
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const options = found.filter((u) => !chosen.some((c) => c.id === u.id))

  useEffect(() => {
    const q = term.trim()
    if (!q) return setFound([])
    let stale = false
    api.post<User[]>(v4('/users/search'), { term: q, team_id: props.channel.team_id, not_in_channel_id: props.channel.id, limit: 20 }).then(
      (users) => !stale && (setFound(users.filter((u) => !u.is_bot)), setActive(0)),
      (err: Error) => !stale && setError(err.message),
    )
    return () => {
      stale = true
    }
  }, [term])

  const choose = (user: User | undefined) => {
    if (!user) return
    setChosen([...chosen, user])
    setTerm('')
  }
  const add = async () => {
    setBusy(true)
    try {
      await api.post(v4(`/channels/${props.channel.id}/members`), { user_ids: chosen.map((u) => u.id) })
      props.onAdded()
      props.onClose()
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal title={`Add people to ${channelLabel(props.channel)}`} onClose={props.onClose}>
      <label>
        Find people
        <input role="combobox" aria-autocomplete="list" aria-expanded={options.length > 0} aria-controls="add-people-options"
          aria-activedescendant={options[active] ? `add-people-${options[active]!.id}` : undefined} value={term}
          onInput={(e) => setTerm(e.currentTarget.value)} onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, options.length - 1))
            else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0))
            else if (e.key === 'Enter') {
              e.preventDefault()
              choose(options[active])
            } else return
            e.preventDefault()
          }} />
      </label>
      <ul id="add-people-options" class="plain switcher" role="listbox" aria-label="People found">
        {options.map((u, i) => (
          <li key={u.id} id={`add-people-${u.id}`} role="option" aria-selected={i === active} class={i === active ? 'active' : ''} onClick={() => choose(u)}>
            {u.username} <span class="muted">{fullName(u)}</span>
          </li>
        ))}
        {term.trim() && options.length === 0 && <li class="muted">Nobody else in the team matches.</li>}
      </ul>
      {chosen.length > 0 && (
        <ul class="plain chips" aria-label="People to add">
          {chosen.map((u) => (
            <li key={u.id} class="chip">
              {u.username} <button class="icon" aria-label={`Do not add ${u.username}`} onClick={() => setChosen(chosen.filter((c) => c.id !== u.id))}>×</button>
            </li>
          ))}
        </ul>
      )}
      <ErrorLine error={error} />
      <div class="row">
        <button onClick={props.onClose}>Cancel</button>
        <button class="primary" disabled={chosen.length === 0 || busy} onClick={() => void add()}>Add</button>
      </div>
    </Modal>
  )
}
