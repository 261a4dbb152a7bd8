/**
 * A post's text as Preact text nodes (never HTML), with search terms marked. Stands in for the
 * Markdown renderer until it is wired in; either way user text never becomes markup.
 */
import { splitHighlights } from '../lib/search-terms.ts'

export function MessageText(props: { text: string; terms?: string[] }) {
  const parts = splitHighlights(props.text, props.terms ?? [])
  return <div class="message-text">{parts.map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : p.text))}</div>
}
