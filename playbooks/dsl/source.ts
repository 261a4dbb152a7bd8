/**
 * Reads a playbook file's YAML, keeping where every key and value sits so each later finding can
 * name its line and column. YAML 1.2 core schema: `on:`, `yes`, `no` stay strings (a YAML 1.1
 * loader turns `on:` into `true`). Bad YAML is reported as diagnostics, never thrown.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Node } from 'yaml'
import type { Diagnostic } from './diagnostic.ts'
import type { Path } from './path.ts'

/** Larger files are refused before parsing: a playbook is a page or two of YAML. */
export const MAX_SOURCE_BYTES = 1_000_000
/** Aliases expand on conversion; a small cap stops "billion laughs" documents. */
const MAX_ALIAS_COUNT = 100

export interface Position {
  line: number
  column: number
}

interface Located {
  key?: [number, number]
  value?: Node
}

export interface PlaybookSource {
  file: string
  text: string
  /** The document as plain data; `undefined` when the YAML could not be read. */
  value: unknown
  /** YAML syntax errors and warnings. */
  diagnostics: Diagnostic[]
  /** Where the value at `path` starts (or its key, with `at: 'key'`); the nearest known ancestor otherwise. */
  locate(path: Path, at?: 'key' | 'value'): Position
  /** Where character `offset` of the string value at `path` sits in the file. */
  locateInValue(path: Path, offset: number): Position
}

const pathKey = (path: Path) => JSON.stringify(path)

/** Parses `text` (the content of `file`); never throws. */
export function loadSource(file: string, text: string): PlaybookSource {
  const lineCounter = new LineCounter()
  const index = new Map<string, Located>()
  const diagnostics: Diagnostic[] = []
  const pos = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  const locate = (path: Path, at: 'key' | 'value' = 'value'): Position => {
    for (let n = path.length; n >= 0; n--) {
      const found = index.get(pathKey(path.slice(0, n)))
      if (!found) continue
      if (at === 'key' && n === path.length && found.key) return pos(found.key[0])
      if (found.value?.range) return pos(found.value.range[0])
      if (found.key) return pos(found.key[0])
    }
    return { line: 1, column: 1 }
  }
  const source: PlaybookSource = {
    file, text, value: undefined, diagnostics, locate,
    locateInValue: (path, offset) => {
      const node = index.get(pathKey(path))?.value
      if (!node || !isScalar(node) || !node.range) return locate(path)
      return pos(scalarOffset(text, node, offset))
    },
  }
  if (Buffer.byteLength(text) > MAX_SOURCE_BYTES) {
    diagnostics.push({ file, line: 1, column: 1, severity: 'error', message: `file is larger than ${MAX_SOURCE_BYTES} bytes` })
    return source
  }
  const doc = parseDocument(text, { version: '1.2', schema: 'core', lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false })
  for (const e of doc.errors) diagnostics.push({ file, ...pos(e.pos[0]), severity: 'error', message: yamlMessage(e.message) })
  for (const w of doc.warnings) diagnostics.push({ file, ...pos(w.pos[0]), severity: 'warning', message: yamlMessage(w.message) })
  if (doc.errors.length > 0) return source
  try {
    source.value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (err) {
    diagnostics.push({ file, line: 1, column: 1, severity: 'error', message: `cannot read the document: ${(err as Error).message}` })
    return source
  }
  if (doc.contents) indexNode(doc.contents, [], index)
  return source
}

function indexNode(node: Node, path: Path, index: Map<string, Located>): void {
  const entry = index.get(pathKey(path)) ?? {}
  entry.value = node
  index.set(pathKey(path), entry)
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const keyNode = pair.key as Node | null
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined
      if (key === undefined) continue
      const childPath = [...path, key]
      index.set(pathKey(childPath), { key: keyNode?.range ? [keyNode.range[0], keyNode.range[1]] : undefined })
      if (pair.value) indexNode(pair.value as Node, childPath, index)
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      if (item) indexNode(item as Node, [...path, i], index)
    })
  }
}

/**
 * Maps an offset in a scalar's value to an offset in the file. Exact for plain and quoted
 * one-line scalars without escapes (the usual home of `${{ }}`); block scalars map line by line.
 */
function scalarOffset(text: string, node: Scalar, offset: number): number {
  const [start, end] = node.range!
  const value = String(node.value)
  switch (node.type) {
    case Scalar.QUOTE_DOUBLE:
    case Scalar.QUOTE_SINGLE:
      return Math.min(start + 1 + offset, end)
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED: {
      const before = value.slice(0, offset)
      const lineInValue = before.split('\n').length - 1
      const column = offset - (before.lastIndexOf('\n') + 1)
      const lines = text.slice(start, end).split('\n')
      // lines[0] is the `|` header; content lines follow with their indentation.
      const contentLine = lines[1 + lineInValue]
      if (contentLine === undefined) return start
      const indent = /^ */.exec(lines[1] ?? '')![0].length
      return start + lines.slice(0, 1 + lineInValue).reduce((n, l) => n + l.length + 1, 0) + indent + column
    }
    default:
      return Math.min(start + offset, end)
  }
}

/** yaml's messages end in a code like ` at line 3, column 5` only with prettyErrors; keep them short. */
function yamlMessage(message: string): string {
  return message.replace(/\s+/g, ' ').trim()
}
