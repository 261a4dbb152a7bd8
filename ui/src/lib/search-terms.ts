/**
 * The words of a Mattermost search to highlight in results: modifiers (`from:`, `in:`, `on:`,
 * `before:`, `after:`, `-excluded`) are dropped, "quoted phrases" kept whole, and a trailing `*`
 * (prefix search) removed.
 */
export function highlightTerms(query: string): string[] {
  const terms: string[] = []
  const re = /"([^"]+)"|(\S+)/g
  for (let m = re.exec(query); m; m = re.exec(query)) {
    if (m[1]) {
      terms.push(m[1])
      continue
    }
    const word = m[2]!
    if (/^-/.test(word) || /^(from|in|on|before|after|channel|ext):/i.test(word)) continue
    const clean = word.replace(/\*$/, '').replace(/^[#@]/, '')
    if (clean) terms.push(clean)
  }
  return terms
}

/** Splits text into parts with `hit` set where a term matches (case-insensitive), for <mark>. */
export function splitHighlights(text: string, terms: string[]): { text: string; hit: boolean }[] {
  const usable = terms.filter((t) => t.length > 0)
  if (usable.length === 0) return [{ text, hit: false }]
  const escaped = usable.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length)
  const re = new RegExp(`(${escaped.join('|')})`, 'gi')
  const parts: { text: string; hit: boolean }[] = []
  let last = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index), hit: false })
    parts.push({ text: m[0], hit: true })
    last = m.index + m[0].length
  }
  if (last < text.length) parts.push({ text: text.slice(last), hit: false })
  return parts
}
