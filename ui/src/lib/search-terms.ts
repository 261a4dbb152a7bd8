/**
 * The words of a Mattermost search to highlight in results: modifiers (`from:`, `in:`, `on:`,
 * `before:`, `after:`, `-excluded`) are dropped, "quoted phrases" kept whole, and `prefix*` kept
 * as the Markdown renderer reads it (a word starting with the prefix).
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
    const clean = word.replace(/^[#@]/, '')
    if (clean) terms.push(clean)
  }
  return terms
}
