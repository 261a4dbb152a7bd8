/** Splits `${{ }}` expression text into tokens with their offsets. */
import { ExprError, MAX_EXPRESSION_LENGTH } from './ast.ts'

export type Token =
  | { type: 'number'; value: number; start: number; end: number }
  | { type: 'string'; value: string; start: number; end: number }
  | { type: 'ident'; value: string; start: number; end: number }
  | { type: 'punct'; value: string; start: number; end: number }
  | { type: 'eof'; value: ''; start: number; end: number }

const PUNCT = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '.', '[', ']', '(', ')', ',']

/** @throws ExprError at the first character that starts no token. */
export function tokenize(src: string): Token[] {
  if (src.length > MAX_EXPRESSION_LENGTH) throw new ExprError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, 0)
  const tokens: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    const start = i
    if (c === "'") {
      // GitHub Actions strings: single quotes, '' escapes a quote.
      let value = ''
      i++
      for (;;) {
        if (i >= src.length) throw new ExprError('unterminated string', start)
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            value += "'"
            i += 2
            continue
          }
          i++
          break
        }
        value += src[i]
        i++
      }
      tokens.push({ type: 'string', value, start, end: i })
      continue
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^-?(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(src.slice(i))!
      i += m[0].length
      if (/[A-Za-z_]/.test(src[i] ?? '')) throw new ExprError(`bad number "${src.slice(start, i + 1)}"`, start)
      tokens.push({ type: 'number', value: Number(m[0]), start, end: i })
      continue
    }
    if (/[A-Za-z_]/.test(c)) {
      // Identifiers may hold '-' as in GitHub Actions (steps.close-out.outputs).
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!
      i += m[0].length
      tokens.push({ type: 'ident', value: m[0], start, end: i })
      continue
    }
    const punct = PUNCT.find((p) => src.startsWith(p, i))
    if (!punct) throw new ExprError(`unexpected character "${c}"`, start)
    i += punct.length
    tokens.push({ type: 'punct', value: punct, start, end: i })
  }
  tokens.push({ type: 'eof', value: '', start: src.length, end: src.length })
  return tokens
}
