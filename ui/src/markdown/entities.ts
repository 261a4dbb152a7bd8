/**
 * HTML character references in Markdown text, decoded as CommonMark asks (`&amp;` shows as `&`).
 * The lexer leaves them in place because its own renderer emits HTML; ours emits text nodes, so
 * without this a message would show `&amp;` literally. Only the references people actually type
 * are named; an unknown one stays as written.
 */
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®', trade: '™',
  hellip: '…', mdash: '—', ndash: '–', laquo: '«', raquo: '»', middot: '·', deg: '°', times: '×',
  divide: '÷', euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', para: '¶', bull: '•',
  larr: '←', rarr: '→', uarr: '↑', darr: '↓', colon: ':', tab: '\t', newline: '\n', sol: '/',
  lpar: '(', rpar: ')', num: '#', excl: '!', quest: '?', semi: ';', comma: ',', period: '.',
}

const REFERENCE = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));/g

function fromCodePoint(code: number): string {
  // CommonMark: NUL, surrogates and out-of-range code points become U+FFFD.
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd'
  return String.fromCodePoint(code)
}

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(REFERENCE, (whole, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (decimal !== undefined) return fromCodePoint(parseInt(decimal, 10))
    if (hex !== undefined) return fromCodePoint(parseInt(hex, 16))
    const key = name!.toLowerCase()
    return Object.hasOwn(NAMED, key) ? NAMED[key] : whole
  })
}
