/** The signed-in layout: teams rail, channel sidebar, the main view, the side panel, and global keys. */
import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, v4 } from '../api/client.ts'
import type { Team } from '../api/types.ts'
import { linkHandler, navigate } from '../router.ts'
import { channelLabel, logout } from '../state/actions.ts'
import { state, update, useAppState } from '../state/store.ts'
import { Lazy } from './Lazy.tsx'
import { Modal } from './Modal.tsx'
import { RightPanel } from './RightPanel.tsx'
import { channelPath, Sidebar } from './Sidebar.tsx'

const loadSettings = () => import('../account/Settings.tsx').then((m) => m.AccountSettings)

export function Shell(props: { team: Team; children: ComponentChildren }) {
  const s = useAppState()
  const [menuOpen, setMenuOpen] = useState(false)
  const [settingsOpen, setSettingsOpen] = useState(false)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault()
        update((st) => (st.switcherOpen = !st.switcherOpen))
      } else if (e.key === 'Escape' && !document.querySelector('[aria-modal=true]')) {
        if (state.editing) update((st) => (st.editing = ''))
        else if (state.rightPanel) update((st) => (st.rightPanel = null))
      }
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [])
  const admin = s.me?.roles.split(' ').includes('system_admin')
  return (
    <div class={`shell${s.rightPanel ? ' with-panel' : ''}${menuOpen ? ' menu-open' : ''}`}>
      <header class="topbar">
        <button class="icon menu-toggle" aria-label="Show channels" aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>☰</button>
        <nav class="team-rail" aria-label="Teams">
          {s.teams.map((t) => (
            <a key={t.id} href={`/${t.name}/channels/town-square`} onClick={linkHandler(`/${t.name}/channels/town-square`)} class={t.id === props.team.id ? 'team active' : 'team'} aria-current={t.id === props.team.id ? 'page' : undefined} title={t.display_name}>
              {t.display_name.slice(0, 2)}
            </a>
          ))}
          <a href="/select_team" onClick={linkHandler('/select_team')} class="team" aria-label="Join or create a team">+</a>
        </nav>
        <SearchBox />
        <span class={`connection ${s.connection}`} role="status">{s.connection === 'online' ? '' : s.connection === 'connecting' ? 'Connecting…' : 'Offline: reconnecting…'}</span>
        {admin && <a href="/admin_console/users" onClick={linkHandler('/admin_console/users')}>System console</a>}
        <span class="me">@{s.me?.username}{s.me?.nickname && <span class="nickname"> ({s.me.nickname})</span>}</span>
        <button aria-label="Account settings" onClick={() => setSettingsOpen(true)}>Settings</button>
        <StatusPicker />
        <button onClick={() => void logout()}>Log out</button>
      </header>
      <div class="sidebar-wrap" onClick={(e) => (e.target as HTMLElement).closest('a') && setMenuOpen(false)}>
        <h1 class="team-name">{props.team.display_name}</h1>
        <Sidebar team={props.team} />
      </div>
      <main class="main">{props.children}</main>
      <RightPanel />
      {s.switcherOpen && <Switcher team={props.team} />}
      {settingsOpen && <Lazy load={loadSettings} props={{ onClose: () => setSettingsOpen(false) }} />}
      {s.notice && <div class="notice" role="status">{s.notice}</div>}
    </div>
  )
}

const STATUSES: [string, string][] = [['online', 'Online'], ['away', 'Away'], ['dnd', 'Do not disturb'], ['offline', 'Offline']]

/** Your status as others see it (PUT /users/me/status); the server keeps it until you change it. */
function StatusPicker() {
  const s = useAppState()
  const me = s.me!.id
  useEffect(() => {
    api.get<{ status: string }>(v4('/users/me/status')).then((st) => update((x) => (x.statuses[me] = st.status)), () => undefined)
  }, [me])
  return (
    <select class="status-picker" aria-label="Your status" value={s.statuses[me] ?? 'online'} onChange={(e) => {
      const status = e.currentTarget.value
      update((x) => (x.statuses[me] = status))
      void api.put(v4('/users/me/status'), { user_id: me, status }).catch(() => undefined)
    }}>
      {STATUSES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
    </select>
  )
}

function SearchBox() {
  const [terms, setTerms] = useState('')
  const [files, setFiles] = useState(false)
  return (
    <form class="search" role="search" onSubmit={(e) => {
      e.preventDefault()
      if (terms.trim()) update((s) => (s.rightPanel = { kind: 'search', terms: terms.trim(), files }))
    }}>
      <input type="search" aria-label="Search messages" placeholder={'Search (from: in: before: after: "phrase")'} value={terms} onInput={(e) => setTerms(e.currentTarget.value)} />
      <select aria-label="Search in" value={files ? 'files' : 'messages'} onChange={(e) => setFiles(e.currentTarget.value === 'files')}>
        <option value="messages">Messages</option>
        <option value="files">Files</option>
      </select>
    </form>
  )
}

/** Ctrl/Cmd+K: type to find a channel or DM, Enter to go. */
function Switcher(props: { team: Team }) {
  const s = useAppState()
  const [q, setQ] = useState('')
  const [active, setActive] = useState(0)
  const close = () => update((st) => (st.switcherOpen = false))
  const matches = Object.values(s.channels)
    .filter((c) => s.members[c.id] && !c.delete_at && channelLabel(c).toLowerCase().includes(q.toLowerCase()))
    .sort((a, b) => b.last_post_at - a.last_post_at)
    .slice(0, 10)
  const go = (i: number) => {
    const c = matches[i]
    if (!c) return
    close()
    navigate(channelPath(props.team, c))
  }
  return (
    <Modal title="Switch channels" onClose={close}>
      <input aria-label="Find a channel" role="combobox" aria-expanded="true" aria-controls="switcher-list" value={q} onInput={(e) => {
        setQ(e.currentTarget.value)
        setActive(0)
      }} onKeyDown={(e) => {
        if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, matches.length - 1))
        if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0))
        if (e.key === 'Enter') go(active)
      }} />
      <ul id="switcher-list" class="plain switcher" role="listbox">
        {matches.map((c, i) => (
          <li key={c.id} role="option" aria-selected={i === active} class={i === active ? 'active' : ''} onClick={() => go(i)}>{channelLabel(c)}</li>
        ))}
      </ul>
    </Modal>
  )
}
