/** A dialog with a labelled title that closes on Esc or a click outside, and focuses its first field. */
import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'

export function Modal(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>('input, select, textarea, button:not(.modal-close)')
    first?.focus()
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose()
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [])
  const titleId = `modal-${props.title.replace(/\W+/g, '-').toLowerCase()}`
  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class={props.wide ? 'modal wide' : 'modal'} role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref}>
        <header>
          <h2 id={titleId}>{props.title}</h2>
          <button class="modal-close icon" aria-label="Close" onClick={props.onClose}>×</button>
        </header>
        {props.children}
      </div>
    </div>
  )
}

/** Shows an API error's message (Mattermost's `message`) under a form. */
export function ErrorLine(props: { error: string }) {
  return props.error ? <p class="error" role="alert">{props.error}</p> : null
}
