/**
 * A dialog with a labelled title that closes on Esc or a click outside, focuses its first field,
 * keeps Tab inside itself while open, and gives focus back to where it was when it closes.
 */
import type { ComponentChildren } from 'preact'
import { useLayoutEffect, useRef, useState } from 'preact/hooks'

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

/** Where Tab (or Shift+Tab) from `current` goes inside a dialog's focusable elements: round the ends. */
export function nextFocus(count: number, current: number, backwards: boolean): number {
  if (count === 0) return -1
  if (current < 0) return backwards ? count - 1 : 0
  return backwards ? (current - 1 + count) % count : (current + 1) % count
}

export function Modal(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean; role?: 'dialog' | 'alertdialog' }) {
  const ref = useRef<HTMLDivElement>(null)
  const onClose = useRef(props.onClose)
  onClose.current = props.onClose
  // Before the dialog is painted: a key pressed the moment it shows must already find focus and the handler inside.
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null
    const first = ref.current?.querySelector<HTMLElement>('input, select, textarea, button:not(.modal-close)')
    first?.focus()
    const onKey = (e: KeyboardEvent) => {
      // Only the topmost dialog answers (a confirm opened over another dialog).
      const dialogs = document.querySelectorAll('[aria-modal=true]')
      if (dialogs[dialogs.length - 1] !== ref.current) return
      if (e.key === 'Escape') {
        e.stopPropagation()
        onClose.current()
      } else if (e.key === 'Tab' && ref.current) {
        const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)]
        const next = nextFocus(items.length, items.indexOf(document.activeElement as HTMLElement), e.shiftKey)
        e.preventDefault()
        items[next]?.focus()
      }
    }
    addEventListener('keydown', onKey, true)
    return () => {
      removeEventListener('keydown', onKey, true)
      if (before?.isConnected) before.focus()
    }
  }, [])
  const titleId = `modal-${props.title.replace(/\W+/g, '-').toLowerCase()}`
  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class={props.wide ? 'modal wide' : 'modal'} role={props.role ?? 'dialog'} aria-modal="true" aria-labelledby={titleId} ref={ref}>
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

export interface Question {
  title: string
  message: string
  /** The confirming button's label, a verb ("Delete", "Archive"). */
  confirm: string
}

/**
 * The app's own confirm(): `ask(question)` shows a dialog and resolves true when the person
 * confirms, false when they cancel (button, Esc or a click outside). Render `dialog` somewhere
 * that stays mounted while it is open.
 */
export function useConfirm(): { dialog: ComponentChildren; ask: (q: Question) => Promise<boolean> } {
  const [open, setOpen] = useState<{ q: Question; answer: (yes: boolean) => void } | null>(null)
  const ask = (q: Question) => new Promise<boolean>((resolve) => setOpen({ q, answer: resolve }))
  const close = (yes: boolean) => {
    open?.answer(yes)
    setOpen(null)
  }
  const dialog = open && (
    <Modal title={open.q.title} role="alertdialog" onClose={() => close(false)}>
      <p>{open.q.message}</p>
      <div class="row modal-actions">
        <button onClick={() => close(false)}>Cancel</button>
        <button class="primary danger" onClick={() => close(true)}>{open.q.confirm}</button>
      </div>
    </Modal>
  )
  return { dialog, ask }
}
