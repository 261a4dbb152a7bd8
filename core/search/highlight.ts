/** The words of a post's message that a search matched, for the client's highlighting (the `matches` map). */
import type { SearchText } from './parse-terms.ts'

const WORD = /[\p{L}\p{N}]+/gu
// As Mattermost's hashtag rule: `#`, then letters, digits, `-`, `_` or `.`, ending on a letter or digit.
const HASHTAG = /#[\p{L}\p{N}\-_.]*[\p{L}\p{N}]/gu

/**
 * The words of `message`, as written there, that the terms and hashtags match: whole words for
 * a word or phrase term, words starting with the last piece for `deploy*`, `#tags` case-insensitively.
 * Mirrors the 'simple' text search configuration closely, not exactly: the caller falls back to the terms.
 */
export function matchedWords(message: string, terms: SearchText[], hashtags: string[]): string[] {
  const found = new Set<string>()
  const words = message.match(WORD) ?? []
  for (const term of terms) {
    const pieces = term.text.toLowerCase().match(WORD) ?? []
    const last = pieces.length - 1
    for (const word of words) {
      const lower = word.toLowerCase()
      if (pieces.some((piece, i) => lower === piece || (term.prefix && i === last && lower.startsWith(piece)))) found.add(word)
    }
  }
  if (hashtags.length > 0) {
    for (const tag of message.match(HASHTAG) ?? []) if (hashtags.includes(tag.toLowerCase())) found.add(tag)
  }
  return [...found]
}
