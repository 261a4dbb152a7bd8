/**
 * Checks a document against the published JSON Schema and turns each problem into a diagnostic
 * at the offending key or value, worded with the field path (`steps[2].mesage: unknown key`).
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js'
import { publishedSchema } from '../schema/publish.ts'
import type { Diagnostic } from './diagnostic.ts'
import { formatPath, type Path } from './path.ts'
import { closest } from './suggest.ts'
import type { PlaybookSource } from './source.ts'

let compiled: ReturnType<Ajv2020['compile']> | undefined

function validator(): ReturnType<Ajv2020['compile']> {
  // Compiled once per process: ajv generates code for the schema, which costs milliseconds.
  compiled ??= new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(publishedSchema())
  return compiled
}

/** Schema problems of `source.value`, one per offending field. */
export function validateShape(source: PlaybookSource): Diagnostic[] {
  const validate = validator()
  if (validate(source.value)) return []
  const errors = validate.errors ?? []
  // A union (anyOf) reports each branch's failure too; the anyOf error alone says it better.
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath))
  const out: Diagnostic[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && unionPaths.has(e.instancePath)) continue
    if (e.keyword === 'if' || e.keyword === '$ref') continue
    const path = pointerToPath(e.instancePath)
    const { at, message } = describe(e, path, source)
    const key = `${at.line}:${at.column}:${message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ file: source.file, ...at, severity: 'error', message })
  }
  return out
}

function describe(e: ErrorObject, path: Path, source: PlaybookSource): { at: { line: number; column: number }; message: string } {
  const p = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty)
      const keyPath = [...path, key]
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {})
      const hint = closest(key, known)
      // A map whose keys follow a pattern (a test's `people`) says what its keys should be.
      const keys = known.length === 0 ? (e.parentSchema as { description?: string } | undefined)?.description : undefined
      if (keys) return { at: source.locate(keyPath, 'key'), message: `${formatPath(keyPath)}: unknown key; expected ${keys}` }
      return { at: source.locate(keyPath, 'key'), message: `${formatPath(keyPath)}: unknown key${hint ? ` (did you mean ${hint}?)` : ''}` }
    }
    case 'required': {
      const key = String(p.missingProperty)
      return { at: source.locate(path), message: `${formatPath([...path, key])}: required` }
    }
    case 'anyOf':
      return { at: source.locate(path), message: `${formatPath(path)}: expected ${unionDescription(e, source)}` }
    case 'const':
      return { at: source.locate(path), message: `${formatPath(path)}: expected ${JSON.stringify(p.allowedValue)}` }
    case 'type':
      return { at: source.locate(path), message: `${formatPath(path)}: expected ${String(p.type).replace(/,/g, ' or ')}` }
    case 'pattern':
      return { at: source.locate(path), message: `${formatPath(path)}: ${JSON.stringify(valueAt(source.value, path))} does not match ${String(p.pattern)}` }
    case 'minItems':
      return { at: source.locate(path), message: `${formatPath(path)}: needs at least ${String(p.limit)} item(s)` }
    case 'minProperties':
      return { at: source.locate(path), message: `${formatPath(path)}: needs at least ${String(p.limit)} key(s)` }
    default:
      return { at: source.locate(path), message: `${formatPath(path)}: ${e.message ?? e.keyword}` }
  }
}

/** For a union of literals, "one of a, b, c"; otherwise the union's types. */
function unionDescription(e: ErrorObject, source: PlaybookSource): string {
  const branches = (e.parentSchema as { anyOf?: { const?: unknown; type?: string }[] } | undefined)?.anyOf ?? []
  const value = valueAt(source.value, pointerToPath(e.instancePath))
  if (branches.length > 0 && branches.every((b) => b.const !== undefined)) {
    return `one of ${branches.map((b) => String(b.const)).join(', ')} (got ${JSON.stringify(value)})`
  }
  return [...new Set(branches.map((b) => b.type ?? 'object'))].join(' or ')
}

function pointerToPath(pointer: string): Path {
  if (!pointer) return []
  return pointer.slice(1).split('/').map((s) => {
    const part = s.replace(/~1/g, '/').replace(/~0/g, '~')
    return /^\d+$/.test(part) ? Number(part) : part
  })
}

function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root
  for (const part of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[part] : undefined
  return v
}
