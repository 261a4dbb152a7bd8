/** Renders a component loaded on demand with import(), so rarely used screens stay out of the first download. */
import type { ComponentType } from 'preact'
import { useEffect, useState } from 'preact/hooks'

export function Lazy<P extends object>(props: { load: () => Promise<ComponentType<P>>; props: P }) {
  const [Component, setComponent] = useState<ComponentType<P> | null>(null)
  const [error, setError] = useState('')
  useEffect(() => {
    props.load().then((c) => setComponent(() => c), (err: Error) => setError(`This screen failed to load: ${err.message}`))
  }, [props.load])
  if (error) return <p class="error" role="alert">{error}</p>
  return Component ? <Component {...props.props} /> : <p class="muted">Loading…</p>
}
