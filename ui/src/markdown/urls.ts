/**
 * Which URLs a message may turn into a link or an image. An allowlist, checked on exactly the
 * string the page will get, so that entity-encoded, mixed-case or whitespace-split schemes
 * (`java&#x09;script:`, `JaVaScRiPt:`, `&#106;avascript:`) can never slip through as something
 * the browser reads differently from what was checked.
 */
import { decodeEntities } from './entities.ts'

export interface SafeUrl {
  href: string
  /** Off-site: open in a new tab without giving the page a handle on ours (`rel=noopener noreferrer`). */
  external: boolean
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/i
// Browsers drop or stop at these while parsing a URL; a URL holding any of them is refused, not cleaned.
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\u009f\u2028\u2029\ufeff]/
const LEFTOVER_ENTITY = /&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i

function normalise(raw: string): string | undefined {
  // Spaces are legitimate in Markdown destinations written as `<a b>`; the browser would encode them.
  const url = decodeEntities(raw.trim()).replace(/ /g, '%20')
  if (url === '' || CONTROL_OR_SPACE.test(url) || LEFTOVER_ENTITY.test(url)) return undefined
  return url
}

function check(raw: string, schemes: readonly string[]): SafeUrl | undefined {
  const url = normalise(raw)
  if (url === undefined) return undefined
  const scheme = SCHEME.exec(url)
  if (scheme) {
    const name = scheme[1].toLowerCase()
    if (!schemes.includes(name)) return undefined
    return { href: url, external: name !== 'mailto' }
  }
  // Protocol-relative (`//host`, and `/\host`, which browsers read the same way) is another site.
  if (url.startsWith('//') || url.startsWith('/\\')) return { href: url, external: true }
  if (url.startsWith('/')) return { href: url, external: false }
  return undefined
}

/** An `<a href>` for a link target: http(s), mailto and same-site `/paths`; undefined for anything else. */
export function safeLinkUrl(raw: string): SafeUrl | undefined {
  return check(raw, ['http', 'https', 'mailto'])
}

/** An `<img src>`: http(s) and same-site `/paths` only. */
export function safeImageUrl(raw: string): SafeUrl | undefined {
  return check(raw, ['http', 'https'])
}
