/** Boots the session, opens the socket, and picks the screen for the URL. */
import { useEffect, useErrorBoundary, useState } from 'preact/hooks'
import { api, v4, whenSessionExpires } from '../api/client.ts'
import type { Channel, Post, Team } from '../api/types.ts'
import { connect } from '../realtime/connection.ts'
import { navigate, useRoute, type Route } from '../router.ts'
import { boot, loadTeamChannels } from '../state/actions.ts'
import { state, update, useAppState } from '../state/store.ts'
import { Login, Signup } from './Auth.tsx'
import { ChannelView } from './ChannelView.tsx'
import { Lazy } from './Lazy.tsx'
import { jumpTo } from './RightPanel.tsx'
import { Shell } from './Shell.tsx'
import { TeamSelect } from './TeamSelect.tsx'
import { ThreadsView } from './ThreadsView.tsx'

const loadPlaybooks = () => import('../playbooks/Playbooks.tsx').then((m) => m.Playbooks)
const loadRun = () => import('../playbooks/RunView.tsx').then((m) => m.RunView)
const loadConsole = () => import('../console/Console.tsx').then((m) => m.Console)

whenSessionExpires(() => {
  if (state.me) location.assign('/login')
})

/**
 * A screen that throws while rendering shows what failed and a way on, instead of the whole page
 * going blank (Preact unmounts the tree under an uncaught render error).
 */
export function App() {
  const [error, reset] = useErrorBoundary()
  if (error) {
    return (
      <main class="auth">
        <h1>Something went wrong</h1>
        <p role="alert">{String((error as Error)?.message ?? error)}</p>
        <button class="primary" onClick={() => reset()}>Try again</button> <button onClick={() => location.reload()}>Reload</button>
      </main>
    )
  }
  return <Screens />
}

function Screens() {
  const s = useAppState()
  const route = useRoute()
  useEffect(() => {
    void boot()
  }, [])
  useEffect(() => {
    if (s.me) connect()
  }, [s.me?.id])
  if (!s.booted) return <p class="muted boot">Loading…</p>
  if (!s.me) return route.name === 'signup' ? <Signup /> : <Login />
  return <SignedIn route={route} />
}

function SignedIn(props: { route: Route }) {
  const s = useAppState()
  const { route } = props
  if (route.name === 'login' || route.name === 'signup' || route.name === 'home') {
    const first = s.teams[0]
    navigate(first ? `/${first.name}/channels/town-square` : '/select_team', true)
    return null
  }
  if (route.name === 'teams') return <TeamSelect />
  if (route.name === 'console') {
    const team = s.teams.find((t) => t.id === s.teamId) ?? s.teams[0]
    return <Lazy load={loadConsole} props={{ section: route.section, teamName: team?.name ?? '' }} />
  }
  const team = s.teams.find((t) => t.name === route.team)
  if (!team) return <TeamSelect />
  return <TeamScreens team={team} route={route} />
}

function TeamScreens(props: { team: Team; route: Route }) {
  const s = useAppState()
  const { team, route } = props
  const [error, setError] = useState('')
  useEffect(() => {
    setError('')
    loadTeamChannels(team.id).catch((err: Error) => setError(err.message))
  }, [team.id])
  const ready = s.teamId === team.id
  let body
  if (!ready) body = error ? <p class="error" role="alert">{error}</p> : <p class="muted">Loading…</p>
  else if (route.name === 'threads') body = <ThreadsView team={team} />
  else if (route.name === 'playbooks') body = <Lazy load={loadPlaybooks} props={{ team }} />
  else if (route.name === 'run') body = <Lazy load={loadRun} props={{ team, runId: route.runId }} />
  else if (route.name === 'channel' && route.postId) body = <Permalink postId={route.postId} />
  else if (route.name === 'channel') body = <ChannelByName team={team} name={route.channel} />
  return <Shell team={team}>{body}</Shell>
}

function ChannelByName(props: { team: Team; name: string }) {
  const s = useAppState()
  const [error, setError] = useState('')
  // An archived channel is shown read-only without membership; any other needs it.
  const channel = Object.values(s.channels).find((c) => c.name === props.name && (c.team_id === props.team.id || c.type === 'D' || c.type === 'G') && (s.members[c.id] || c.delete_at > 0))
  useEffect(() => {
    if (channel || !props.name) return
    // A channel we are not in yet: public ones open by joining (Mattermost's webapp does the same).
    api.get<Channel>(v4(`/teams/${props.team.id}/channels/name/${encodeURIComponent(props.name)}?include_deleted=true`))
      .then((c) => {
        if (c.delete_at > 0) return update((st) => (st.channels[c.id] = c))
        if (c.type !== 'O') throw new Error('You are not a member of this channel.')
        return api.post(v4(`/channels/${c.id}/members`), { user_id: state.me!.id }).then(() => loadTeamChannels(props.team.id))
      })
      .catch((err: Error) => setError(err.message))
  }, [props.name, !!channel])
  if (channel) return <ChannelView channel={channel} />
  return error ? <p class="error" role="alert">{error}</p> : <p class="muted">Loading…</p>
}

function Permalink(props: { postId: string }) {
  const [error, setError] = useState('')
  useEffect(() => {
    api.get<Post>(v4(`/posts/${props.postId}`)).then((post) => {
      update((s) => (s.posts[post.id] = post))
      jumpTo(post.root_id || post.id, post.channel_id)
      if (post.root_id) update((s) => (s.rightPanel = { kind: 'thread', rootId: post.root_id }))
    }, (err: Error) => setError(err.message))
  }, [props.postId])
  return error ? <p class="error" role="alert">{error}</p> : <p class="muted">Loading…</p>
}
