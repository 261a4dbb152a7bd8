/** A tiny router over the History API: a path → a Route, and links that navigate without reloads. */
import { useEffect, useState } from 'preact/hooks'

export type Route =
  | { name: 'login' }
  | { name: 'signup' }
  | { name: 'teams' }
  | { name: 'channel'; team: string; channel: string; postId?: string }
  | { name: 'threads'; team: string }
  | { name: 'playbooks'; team: string }
  | { name: 'run'; team: string; runId: string }
  | { name: 'console'; section: string }
  | { name: 'home' }

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent)
  if (parts.length === 0) return { name: 'home' }
  const [a, b, c, d] = parts
  if (a === 'login') return { name: 'login' }
  if (a === 'signup_user_complete' || a === 'signup') return { name: 'signup' }
  if (a === 'select_team') return { name: 'teams' }
  if (a === 'admin_console') return { name: 'console', section: b ?? 'users' }
  if (b === 'channels' && c) return { name: 'channel', team: a!, channel: c }
  if (b === 'messages' && c) return { name: 'channel', team: a!, channel: c }
  if (b === 'pl' && c) return { name: 'channel', team: a!, channel: '', postId: c }
  if (b === 'threads') return { name: 'threads', team: a! }
  if (b === 'playbooks' && c === 'runs' && d) return { name: 'run', team: a!, runId: d }
  if (b === 'playbooks') return { name: 'playbooks', team: a! }
  return { name: 'home' }
}

const listeners = new Set<() => void>()

export function navigate(path: string, replace = false): void {
  if (path === location.pathname + location.search) return
  if (replace) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  for (const l of listeners) l()
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname))
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.pathname))
    listeners.add(onChange)
    addEventListener('popstate', onChange)
    return () => {
      listeners.delete(onChange)
      removeEventListener('popstate', onChange)
    }
  }, [])
  return route
}

/** An <a> that navigates in-app on a plain click and lets modified clicks open a new tab. */
export function linkHandler(path: string) {
  return (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(path)
  }
}
