/**
 * Lone UTF-16 surrogates (half of an emoji: a `"\ud83d"` escape in a client's JSON, or a string cut inside a pair)
 * become U+FFFD, as Mattermost's Go JSON decoder makes them. PostgreSQL stores text either way, but its jsonb
 * refuses the escape JSON.stringify writes for one, so such a value in props or a job failed its whole write.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd')
}

/** Makes every string in `value`, object keys too, well-formed, in place (a freshly parsed value); returns it. */
export function wellFormedDeep<T>(value: T): T {
  if (typeof value === 'string') return wellFormed(value) as T
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = wellFormedDeep(value[i])
    return value
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      const fixed = wellFormed(key)
      const inner = wellFormedDeep(record[key])
      if (fixed !== key) delete record[key]
      record[fixed] = inner
    }
  }
  return value
}

/** Whether JSON text may hold a lone surrogate: only as a `\uD8xx`–`\uDFxx` escape, since decoded UTF-8 cannot. */
export function mayHoldSurrogateEscape(text: string | Buffer): boolean {
  return text.includes('\\ud') || text.includes('\\uD')
}

/**
 * JSON.parse for text from outside (request bodies, vendor payloads, integration responses), with lone surrogates
 * made U+FFFD. @throws SyntaxError as JSON.parse does.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text)
  return mayHoldSurrogateEscape(text) ? wellFormedDeep(value) : value
}
