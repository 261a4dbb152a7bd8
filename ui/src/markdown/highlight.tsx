/**
 * Syntax highlighting for fenced code blocks: a small tokenizer (comments, strings, numbers,
 * keywords, literals) for the languages chat code blocks mostly hold. highlight.js would add
 * ~20 KB gzip with a handful of grammars and returns HTML strings, which we would have to parse
 * back or inject; this returns vnodes, 2 KB. Spans carry highlight.js class names so any
 * highlight.js theme CSS styles them.
 */
import type { ComponentChildren } from 'preact'

interface Grammar {
  keywords: string
  literals?: string
  /** Tokens that start a comment running to the end of the line. */
  line?: string[]
  /** Comment delimiters. */
  block?: [string, string][]
  /** Quote characters; a backslash escapes inside them. */
  quotes: string
  /** Triple-quoted strings (Python). */
  triple?: boolean
  /** Keywords in any case (SQL). */
  caseless?: boolean
  /** `$name` / `${name}` variables (shell). */
  variables?: boolean
  /** `key:` at the start of a line, or `"key":`, is an attribute (YAML, JSON). */
  keys?: boolean
}

const C_LITERALS = 'true false null undefined nil None True False NaN Infinity this self super'
const GRAMMARS: Record<string, Grammar> = {
  js: {
    keywords: 'async await break case catch class const continue debugger default delete do else export extends finally for from function if import in instanceof let new of return static switch throw try typeof var void while with yield as type interface enum implements namespace declare readonly private protected public abstract keyof satisfies',
    literals: C_LITERALS, line: ['//'], block: [['/*', '*/']], quotes: '"\'`',
  },
  go: {
    keywords: 'break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var',
    literals: 'true false nil iota', line: ['//'], block: [['/*', '*/']], quotes: '"\'`',
  },
  c: {
    keywords: 'abstract as auto break case catch char class const continue default delete do double else enum extends extern final finally float for fn if impl implements import in int interface let long loop match mod mut namespace new override package private protected pub public return short signed sizeof static struct super switch template throw throws trait try typedef typename union unsafe unsigned use using var virtual void volatile where while fun val when object data suspend',
    literals: C_LITERALS, line: ['//'], block: [['/*', '*/']], quotes: '"\'',
  },
  python: {
    keywords: 'and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case',
    literals: 'True False None self', line: ['#'], quotes: '"\'', triple: true,
  },
  ruby: {
    keywords: 'alias and begin break case class def defined? do else elsif end ensure for if in module next not or redo rescue retry return then undef unless until when while yield require',
    literals: 'true false nil self', line: ['#'], quotes: '"\'',
  },
  bash: {
    keywords: 'if then else elif fi for while until do done case esac in function return exit export local readonly set unset echo cd source sudo',
    literals: 'true false', line: ['#'], quotes: '"\'', variables: true,
  },
  sql: {
    keywords: 'select from where and or not insert into values update set delete create table index view drop alter add column primary key foreign references join left right inner outer full on as group by order having limit offset distinct union all case when then else end is in like between exists returning with begin commit rollback grant revoke default unique constraint cascade',
    literals: 'null true false', line: ['--'], block: [['/*', '*/']], quotes: '\'"', caseless: true,
  },
  yaml: { keywords: '', literals: 'true false null yes no on off', line: ['#'], quotes: '"\'', keys: true },
  json: { keywords: '', literals: 'true false null', quotes: '"', keys: true },
  css: { keywords: '@media @import @keyframes @font-face !important', block: [['/*', '*/']], quotes: '"\'' },
  xml: { keywords: '', block: [['<!--', '-->']], quotes: '"\'' },
}

const ALIASES: Record<string, string> = {
  javascript: 'js', jsx: 'js', ts: 'js', typescript: 'js', tsx: 'js', mjs: 'js', cjs: 'js', golang: 'go',
  java: 'c', cpp: 'c', 'c++': 'c', h: 'c', cs: 'c', csharp: 'c', rust: 'c', rs: 'c', kotlin: 'c', kt: 'c',
  swift: 'c', scala: 'c', dart: 'c', php: 'c', py: 'python', rb: 'ruby', sh: 'bash', shell: 'bash',
  zsh: 'bash', console: 'bash', postgres: 'sql', postgresql: 'sql', mysql: 'sql', yml: 'yaml', scss: 'css',
  less: 'css', html: 'xml', svg: 'xml', vue: 'xml',
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

interface Compiled {
  grammar: Grammar
  pattern: RegExp
  keywords: Set<string>
  literals: Set<string>
}
const compiled = new Map<string, Compiled>()

function compile(name: string): Compiled {
  const known = compiled.get(name)
  if (known) return known
  const grammar = GRAMMARS[name]
  const parts: string[] = []
  for (const [open, close] of grammar.block ?? []) parts.push(`(?<c${parts.length}>${escapeRegex(open)}[\\s\\S]*?(?:${escapeRegex(close)}|$))`)
  for (const token of grammar.line ?? []) parts.push(`(?<c${parts.length}>${escapeRegex(token)}[^\\n]*)`)
  if (grammar.keys) parts.push(`(?<key>(?:^|\\n)[ \\t]*(?:-[ \\t]+)?[\\w.-]+(?=:(?:\\s|$))|"(?:[^"\\\\\\n]|\\\\.)*"(?=\\s*:))`)
  if (grammar.triple) parts.push(`(?<s0>"""[\\s\\S]*?(?:"""|$)|'''[\\s\\S]*?(?:'''|$))`)
  for (const quote of grammar.quotes) {
    const q = escapeRegex(quote)
    const body = quote === '`' ? `[^\\\\\`]|\\\\[\\s\\S]` : `[^\\\\${q}\\n]|\\\\.`
    parts.push(`(?<s${parts.length}>${q}(?:${body})*(?:${q}|$))`)
  }
  if (grammar.variables) parts.push(`(?<variable>\\$(?:\\{[^}\\n]*\\}|\\w+|[@#?$!*-]))`)
  if (name === 'xml') parts.push(`(?<tag></?[\\w:.-]+|/?>)`)
  parts.push(`(?<number>\\b(?:0[xX][0-9a-fA-F_]+|\\d[\\d_]*(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)\\b)`)
  parts.push(`(?<word>[@!]?[A-Za-z_$][\\w$?]*)`)
  const result: Compiled = {
    grammar,
    pattern: new RegExp(parts.join('|'), 'g'),
    keywords: new Set(grammar.caseless ? grammar.keywords.toLowerCase().split(' ') : grammar.keywords.split(' ')),
    literals: new Set((grammar.literals ?? '').split(' ')),
  }
  compiled.set(name, result)
  return result
}

/** The grammar a fence's info string names (`ts`, `Python`, `shell`), or undefined when we have none. */
export function grammarFor(lang: string | undefined): string | undefined {
  const name = (lang ?? '').trim().split(/\s/)[0].toLowerCase()
  if (Object.hasOwn(GRAMMARS, name)) return name
  return Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined
}

function classOf(groups: Record<string, string | undefined>, language: Compiled): string | undefined {
  for (const [group, value] of Object.entries(groups)) {
    if (value === undefined) continue
    if (group.startsWith('c')) return 'hljs-comment'
    if (group.startsWith('s')) return 'hljs-string'
    if (group === 'key') return 'hljs-attr'
    if (group === 'variable') return 'hljs-variable'
    if (group === 'tag') return 'hljs-tag'
    if (group === 'number') return 'hljs-number'
    const word = language.grammar.caseless ? value.toLowerCase() : value
    if (language.keywords.has(word)) return 'hljs-keyword'
    if (language.literals.has(word)) return 'hljs-literal'
    return undefined
  }
  return undefined
}

function highlightDiff(code: string): ComponentChildren[] {
  return code.split(/(?<=\n)/).map((line) => {
    const kind = line.startsWith('+') ? 'hljs-addition' : line.startsWith('-') ? 'hljs-deletion' : line.startsWith('@@') ? 'hljs-meta' : undefined
    return kind ? <span class={kind}>{line}</span> : line
  })
}

/** The code as text and `<span class="hljs-…">` nodes; plain text for a language we do not know. */
export function highlightCode(code: string, lang: string | undefined): ComponentChildren {
  const first = (lang ?? '').trim().toLowerCase()
  if (first === 'diff' || first === 'patch') return highlightDiff(code)
  const name = grammarFor(lang)
  if (!name) return code
  const language = compile(name)
  const out: ComponentChildren[] = []
  let plain = ''
  let last = 0
  for (const match of code.matchAll(language.pattern)) {
    const cls = classOf(match.groups ?? {}, language)
    if (!cls) continue
    let text = match[0]
    let start = match.index
    if (cls === 'hljs-attr' && match.groups?.key !== undefined) {
      // A YAML key's match starts with its line break and indent (a lookbehind instead would rescan
      // long runs of spaces at every position); those stay plain.
      const indent = /^[\s-]*/.exec(text)![0]
      text = text.slice(indent.length)
      start += indent.length
    }
    plain += code.slice(last, start)
    if (plain) out.push(plain)
    plain = ''
    out.push(<span class={cls}>{text}</span>)
    last = start + text.length
  }
  plain += code.slice(last)
  if (plain) out.push(plain)
  return out
}
