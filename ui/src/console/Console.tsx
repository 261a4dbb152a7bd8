/** System console basics for admins: users, teams, incoming and outgoing webhooks, slash commands, connections. */
import { useEffect, useState } from 'preact/hooks'
import { api, v4 } from '../api/client.ts'
import type { Channel, Team, User } from '../api/types.ts'
import { linkHandler } from '../router.ts'
import { loadTeams } from '../state/actions.ts'
import { useAppState } from '../state/store.ts'

const SECTIONS: [string, string][] = [
  ['users', 'Users'],
  ['teams', 'Teams'],
  ['incoming', 'Incoming webhooks'],
  ['outgoing', 'Outgoing webhooks'],
  ['commands', 'Slash commands'],
  ['connections', 'Connections'],
]

export function Console(props: { section: string; teamName: string }) {
  const s = useAppState()
  const [teamId, setTeamId] = useState(s.teams.find((t) => t.name === props.teamName)?.id ?? s.teams[0]?.id ?? '')
  const [channels, setChannels] = useState<Channel[]>([])
  useEffect(() => {
    document.title = 'System console - Bridgehead'
    if (teamId) api.get<Channel[]>(v4(`/users/me/teams/${teamId}/channels`)).then((list) => setChannels(list.filter((c) => c.type === 'O' || c.type === 'P')), () => setChannels([]))
  }, [teamId])
  const admin = s.me?.roles.split(' ').includes('system_admin')
  const back = props.teamName ? `/${props.teamName}/channels/town-square` : '/'
  return (
    <div class="console">
      <nav aria-label="System console">
        <a href={back} onClick={linkHandler(back)}>← Back to chat</a>
        <ul class="plain">
          {SECTIONS.map(([id, label]) => (
            <li key={id}><a href={`/admin_console/${id}`} onClick={linkHandler(`/admin_console/${id}`)} aria-current={props.section === id ? 'page' : undefined}>{label}</a></li>
          ))}
        </ul>
        <label>
          Team
          <select value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
            {s.teams.map((t) => <option key={t.id} value={t.id}>{t.display_name}</option>)}
          </select>
        </label>
      </nav>
      <main class="page">
        {!admin && props.section !== 'incoming' && props.section !== 'outgoing' && props.section !== 'commands' ? (
          <p class="error" role="alert">Only system admins can use this section.</p>
        ) : props.section === 'users' ? <Users /> : props.section === 'teams' ? <Teams /> : props.section === 'incoming' ? <Incoming teamId={teamId} channels={channels} />
          : props.section === 'outgoing' ? <Outgoing teamId={teamId} channels={channels} /> : props.section === 'commands' ? <Commands teamId={teamId} /> : <Connections teamId={teamId} channels={channels} />}
      </main>
    </div>
  )
}

/** Loads a list and gives a way to run a change then reload, showing the server's error message. */
function useList<T>(path: string | null) {
  const [items, setItems] = useState<T[]>([])
  const [error, setError] = useState('')
  const [notice, setNotice] = useState('')
  const reload = () => (path ? api.get<T[]>(path).then((x) => setItems(Array.isArray(x) ? x : []), (err: Error) => setError(err.message)) : Promise.resolve())
  useEffect(() => {
    void reload()
  }, [path])
  const run = (work: () => Promise<unknown>, done?: string) => {
    setError('')
    setNotice('')
    work().then(() => {
      if (done) setNotice(done)
      return reload()
    }, (err: Error) => setError(err.message))
  }
  return { items, error, notice, run }
}

function Feedback(props: { error: string; notice: string }) {
  return (
    <>
      {props.error && <p class="error" role="alert">{props.error}</p>}
      {props.notice && <p class="notice-inline" role="status">{props.notice}</p>}
    </>
  )
}

function formValues(e: Event): Record<string, string> {
  e.preventDefault()
  const form = e.currentTarget as HTMLFormElement
  const data = Object.fromEntries(new FormData(form).entries()) as Record<string, string>
  form.reset()
  return data
}

function Users() {
  const list = useList<User>(v4('/users?per_page=200&page=0'))
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <Feedback error={list.error} notice={list.notice} />
      <table>
        <thead><tr><th>Username</th><th>Email</th><th>Roles</th><th>State</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {list.items.map((u) => {
            const isAdmin = u.roles.split(' ').includes('system_admin')
            return (
              <tr key={u.id}>
                <td>{u.username}</td><td>{u.email}</td><td>{u.roles}</td><td>{u.delete_at ? 'Deactivated' : 'Active'}</td>
                <td>
                  <button onClick={() => list.run(() => api.put(v4(`/users/${u.id}/active`), { active: !!u.delete_at }))}>{u.delete_at ? 'Activate' : 'Deactivate'}</button>{' '}
                  <button onClick={() => list.run(() => api.put(v4(`/users/${u.id}/roles`), { roles: isAdmin ? 'system_user' : 'system_user system_admin' }))}>{isAdmin ? 'Remove admin' : 'Make admin'}</button>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <form class="card" onSubmit={(e) => {
        const v = formValues(e)
        list.run(() => api.post(v4('/users'), { username: v.username, email: v.email, password: v.password }), `Created ${v.username}.`)
      }}>
        <h2>Create a user</h2>
        <label>Username <input name="username" required /></label>
        <label>Email <input name="email" type="email" required /></label>
        <label>Password <input name="password" type="password" required minLength={8} /></label>
        <button class="primary" type="submit">Create user</button>
      </form>
    </section>
  )
}

function Teams() {
  const list = useList<Team>(v4('/teams?per_page=200'))
  return (
    <section aria-labelledby="teams-title">
      <h1 id="teams-title">Teams</h1>
      <Feedback error={list.error} notice={list.notice} />
      <ul class="plain">{list.items.map((t) => <li key={t.id}><strong>{t.display_name}</strong> <span class="muted">/{t.name} · {t.type === 'O' ? 'open' : 'invite only'}</span></li>)}</ul>
      <form class="card" onSubmit={(e) => {
        const v = formValues(e)
        list.run(() => api.post(v4('/teams'), { name: v.name, display_name: v.display_name, type: 'O' }).then(() => loadTeams()), `Created ${v.display_name}.`)
      }}>
        <h2>Create a team</h2>
        <label>Display name <input name="display_name" required /></label>
        <label>URL name <input name="name" required pattern="[a-z0-9\-]{2,64}" /></label>
        <button class="primary" type="submit">Create team</button>
      </form>
    </section>
  )
}

function ChannelSelect(props: { channels: Channel[]; optional?: boolean }) {
  return (
    <label>
      Channel
      <select name="channel_id" required={!props.optional}>
        {props.optional && <option value="">Any channel</option>}
        {props.channels.map((c) => <option key={c.id} value={c.id}>{c.display_name}</option>)}
      </select>
    </label>
  )
}

interface Hook {
  id: string
  display_name: string
  description?: string
  channel_id: string
  trigger_words?: string[]
  callback_urls?: string[]
  token?: string
}

function Incoming(props: { teamId: string; channels: Channel[] }) {
  const list = useList<Hook>(props.teamId ? v4(`/hooks/incoming?team_id=${props.teamId}&per_page=200`) : null)
  return (
    <section aria-labelledby="in-title">
      <h1 id="in-title">Incoming webhooks</h1>
      <Feedback error={list.error} notice={list.notice} />
      <ul class="plain">
        {list.items.map((h) => (
          <li key={h.id} class="card">
            <strong>{h.display_name || 'Untitled'}</strong> <span class="muted">{h.description}</span>
            <div><code>{`${location.origin}/hooks/${h.id}`}</code></div>
            <button onClick={() => list.run(() => api.del(v4(`/hooks/incoming/${h.id}`)))}>Delete</button>
          </li>
        ))}
      </ul>
      <form class="card" onSubmit={(e) => {
        const v = formValues(e)
        list.run(() => api.post(v4('/hooks/incoming'), { channel_id: v.channel_id, display_name: v.display_name, description: v.description }), 'Webhook created.')
      }}>
        <h2>Add an incoming webhook</h2>
        <label>Title <input name="display_name" required maxLength={64} /></label>
        <label>Description <input name="description" maxLength={500} /></label>
        <ChannelSelect channels={props.channels} />
        <button class="primary" type="submit">Add</button>
      </form>
    </section>
  )
}

function Outgoing(props: { teamId: string; channels: Channel[] }) {
  const list = useList<Hook>(props.teamId ? v4(`/hooks/outgoing?team_id=${props.teamId}&per_page=200`) : null)
  return (
    <section aria-labelledby="out-title">
      <h1 id="out-title">Outgoing webhooks</h1>
      <Feedback error={list.error} notice={list.notice} />
      <ul class="plain">
        {list.items.map((h) => (
          <li key={h.id} class="card">
            <strong>{h.display_name || 'Untitled'}</strong> <span class="muted">{(h.trigger_words ?? []).join(', ')} → {(h.callback_urls ?? []).join(', ')}</span>
            <div class="muted">Token: <code>{h.token}</code></div>
            <button onClick={() => list.run(() => api.del(v4(`/hooks/outgoing/${h.id}`)))}>Delete</button>
          </li>
        ))}
      </ul>
      <form class="card" onSubmit={(e) => {
        const v = formValues(e)
        list.run(() => api.post(v4('/hooks/outgoing'), {
          team_id: props.teamId, channel_id: v.channel_id || undefined, display_name: v.display_name,
          trigger_words: (v.trigger_words ?? '').split(',').map((w) => w.trim()).filter(Boolean),
          callback_urls: (v.callback_urls ?? '').split(/\s+/).filter(Boolean), content_type: 'application/json',
        }), 'Webhook created.')
      }}>
        <h2>Add an outgoing webhook</h2>
        <label>Title <input name="display_name" required maxLength={64} /></label>
        <label>Trigger words (comma separated) <input name="trigger_words" /></label>
        <label>Callback URLs (one per line) <textarea name="callback_urls" required /></label>
        <ChannelSelect channels={props.channels} optional />
        <button class="primary" type="submit">Add</button>
      </form>
    </section>
  )
}

interface Command {
  id: string
  trigger: string
  display_name: string
  url: string
  method: string
  token?: string
}

function Commands(props: { teamId: string }) {
  const list = useList<Command>(props.teamId ? v4(`/commands?team_id=${props.teamId}&custom_only=true`) : null)
  return (
    <section aria-labelledby="cmd-title">
      <h1 id="cmd-title">Slash commands</h1>
      <Feedback error={list.error} notice={list.notice} />
      <ul class="plain">
        {list.items.map((c) => (
          <li key={c.id} class="card">
            <strong>/{c.trigger}</strong> <span class="muted">{c.display_name} · {c.method} {c.url}</span>
            <div class="muted">Token: <code>{c.token}</code></div>
            <button onClick={() => list.run(() => api.del(v4(`/commands/${c.id}`)))}>Delete</button>
          </li>
        ))}
      </ul>
      <form class="card" onSubmit={(e) => {
        const v = formValues(e)
        list.run(() => api.post(v4('/commands'), { team_id: props.teamId, trigger: v.trigger, url: v.url, method: v.method, display_name: v.display_name, auto_complete: true, auto_complete_desc: v.display_name }), 'Command created.')
      }}>
        <h2>Add a slash command</h2>
        <label>Title <input name="display_name" required /></label>
        <label>Trigger word <input name="trigger" required pattern="[^/\s][^\s]*" /></label>
        <label>Request URL <input name="url" type="url" required /></label>
        <label>Method <select name="method"><option value="P">POST</option><option value="G">GET</option></select></label>
        <button class="primary" type="submit">Add</button>
      </form>
    </section>
  )
}

interface Connection {
  id: string
  name: string
  channel_id: string
  webhook_url?: string
  webhook_secret?: string
}

const VENDORS = ['github', 'jira', 'pagerduty', 'grafana', 'alertmanager', 'zoom']

function Connections(props: { teamId: string; channels: Channel[] }) {
  const [vendor, setVendor] = useState('github')
  const list = useList<Connection>(props.teamId ? v4(`/integrations/${vendor}/connections?team_id=${props.teamId}`) : null)
  return (
    <section aria-labelledby="conn-title">
      <h1 id="conn-title">Connections</h1>
      <label>Service <select value={vendor} onChange={(e) => setVendor(e.currentTarget.value)}>{VENDORS.map((v) => <option key={v} value={v}>{v}</option>)}</select></label>
      <Feedback error={list.error} notice={list.notice} />
      <ul class="plain">
        {list.items.map((c) => (
          <li key={c.id} class="card">
            <strong>{c.name}</strong> <span class="muted">{props.channels.find((ch) => ch.id === c.channel_id)?.display_name}</span>
            {c.webhook_url && <div><code>{c.webhook_url}</code></div>}
            <button onClick={() => list.run(() => api.del(v4(`/integrations/${vendor}/connections/${c.id}`)))}>Delete</button>
          </li>
        ))}
      </ul>
      <form class="card" onSubmit={(e) => {
        const v = formValues(e)
        list.run(async () => {
          const created = await api.post<Connection>(v4(`/integrations/${vendor}/connections`), { name: v.name, team_id: props.teamId, channel_id: v.channel_id })
          if (created.webhook_secret) alert(`Webhook secret (shown once): ${created.webhook_secret}`)
        }, 'Connection created.')
      }}>
        <h2>Add a {vendor} connection</h2>
        <label>Name <input name="name" required /></label>
        <ChannelSelect channels={props.channels} />
        <button class="primary" type="submit">Add</button>
      </form>
    </section>
  )
}
