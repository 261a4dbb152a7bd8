/** A search term as a PostgreSQL tsquery expression over a bound parameter, never over spliced user text. */
import type { SearchText } from './parse-terms.ts'

/**
 * Lexemes of a prefix term, quoted for to_tsquery with the last one marked `:*`. Only letters and
 * digits survive, so no tsquery operator (`& | ! : ( ) '`) from user input ever reaches the parser.
 */
function prefixQueryText(text: string): string | null {
  const pieces = text.match(/[\p{L}\p{N}]+/gu)
  if (!pieces) return null
  return pieces.map((p, i) => `'${p}'${i === pieces.length - 1 ? ':*' : ''}`).join(' <-> ')
}

/**
 * The tsquery SQL for one term: the words and phraseto_tsquery for a phrase, plainto_tsquery for a word, to_tsquery
 * of quoted letters and digits for a prefix; `bind` adds a parameter and returns its placeholder.
 */
export function termQuery(term: SearchText, bind: (value: unknown) => string): string {
  if (term.phrase) {
    // Also as plain AND: PostgreSQL estimates `a <-> b` as `a & b`, far likelier than the phrase, and
    // then walks the newest posts looking for a rare phrase (half a second at a million posts). With
    // the words ANDed in as well the estimate drops to one the GIN index wins on when the words are
    // rare together, and rows lacking a word are rejected before positions are compared.
    const text = bind(term.text)
    return `(plainto_tsquery('simple', ${text}) && phraseto_tsquery('simple', ${text}))`
  }
  if (!term.prefix) return `plainto_tsquery('simple', ${bind(term.text)})`
  const text = prefixQueryText(term.text)
  return text === null ? `''::tsquery` : `to_tsquery('simple', ${bind(text)})`
}
