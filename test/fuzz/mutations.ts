/**
 * Deterministic request mutations for the API fuzzer: a seeded PRNG and generators of malformed
 * JSON bodies, path segments and query strings derived from a valid request.
 */
import { randomId, type Random } from './random.ts'

/** One request to send: `body` is the raw text (undefined = no body). */
export interface Mutation {
  /** Short human description, shown when the server mishandles it. */
  label: string
  path: string
  body?: string
  contentType?: string
}

/** A route with a valid request to mutate. Path params are written `{name}`; `params` fills them. */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  /** A valid body (omitted for routes without one). */
  body?: unknown
  /** Query string of a valid request, without `?`. */
  query?: string
  /** Only garbage may go into the path params (the valid request would destroy the fixture). */
  destructive?: true
  /** Send without a session (login, sign-up). */
  anonymous?: true
}

/** Bodies no JSON parser should accept, or that are JSON of the wrong kind entirely. */
const RAW_BODIES: [string, string][] = [
  ['empty body', ''],
  ['unterminated object', '{'],
  ['unterminated string', '{"message":"abc'],
  ['trailing garbage', '{"a":1}}'],
  ['bare word', 'not json'],
  ['single quotes', "{'a':1}"],
  ['NUL byte', '\u0000'],
  ['lone surrogate escape', '"\\ud800"'],
  ['null', 'null'],
  ['true', 'true'],
  ['number', '42'],
  ['huge number', '1e400'],
  ['string', '"just a string"'],
  ['empty object', '{}'],
  ['empty array', '[]'],
  ['array of nulls', '[null,null]'],
  ['nested empty', '[[[]]]'],
  ['BOM then object', '\ufeff{}'],
]

/** Values a field of any type is replaced with. */
const WRONG_VALUES: [string, unknown][] = [
  ['null', null],
  ['zero', 0],
  ['negative', -1],
  ['float', 1.5],
  ['huge number', 1e308],
  ['true', true],
  ['empty string', ''],
  ['short string', 'x'],
  ['empty array', []],
  ['array of numbers', [1, 2, 3]],
  ['empty object', {}],
  ['object', { nested: { deeper: 1 } }],
  ['unicode', '☃\u202e\ud83d\ude00'],
  ['NUL byte', 'a\u0000b'],
  ['sql-ish', "' OR 1=1 --"],
  ['html', '<script>alert(1)</script>'],
  ['path', '../../etc/passwd'],
]

/** Path segment replacements for `{param}`s. */
const BAD_SEGMENTS: [string, string][] = [
  ['unknown id', ''], // filled with a fresh random id at generation time
  ['27-character id', 'a'.repeat(27)],
  ['25-character id', 'a'.repeat(25)],
  ['upper-case id', 'A'.repeat(26)],
  ['dot-dot', '..'],
  ['encoded slash', '..%2F..%2Fsystem%2Fping'],
  ['encoded NUL', 'abc%00def'],
  ['encoded unicode', '%E2%98%83%E2%98%83'],
  ['bad percent encoding', '%E0%A4%A'],
  ['long segment', 'z'.repeat(2000)],
  ['me', 'me'],
  ['zero', '0'],
]

/** Query strings that parsers and paginators must survive. */
const BAD_QUERIES: [string, string][] = [
  ['negative page', 'page=-1&per_page=-5'],
  ['huge per_page', 'page=0&per_page=100000000'],
  ['non-numeric paging', 'page=abc&per_page=xyz'],
  ['float paging', 'page=1.5&per_page=2.5'],
  ['huge page', 'page=99999999999999999999'],
  ['since not a number', 'since=yesterday'],
  ['since negative', 'since=-100'],
  ['before and after garbage', 'before=..&after=%00'],
  ['before and after both set', `before=${'b'.repeat(26)}&after=${'a'.repeat(26)}`],
  ['repeated parameter', 'page=1&page=2&per_page=1&per_page=2'],
  ['array-style parameter', 'page[]=1&per_page[a]=2'],
  ['booleans garbage', 'include_deleted=maybe&skipFetchThreads=2&collapsedThreads=yes&extended=%00'],
  ['empty values', 'page=&per_page=&since=&before=&after='],
  ['long value', `in_team=${'x'.repeat(3000)}`],
]

/** `[[[…]]]` nested `depth` deep. */
export function deepArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth)
}

/** `{"a":{"a":…}}` nested `depth` deep. */
export function deepObject(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
}

/** Replaces `{name}` placeholders in every string of a body template. */
export function fillTemplate(value: unknown, params: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole)
  if (Array.isArray(value)) return value.map((item) => fillTemplate(item, params))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillTemplate(item, params)]))
  }
  return value
}

function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`no fixture value for {${name}} in ${path}`)
    return encodeURIComponent(value)
  })
}

/** Serialized bodies that swap each top-level field (or every element) of a valid body. */
function fieldMutations(body: unknown, random: Random): [string, string][] {
  const out: [string, unknown][] = []
  const raw: [string, string][] = []
  if (Array.isArray(body)) {
    for (const [name, value] of WRONG_VALUES) out.push([`element → ${name}`, body.map(() => value)])
    out.push(['unknown ids', body.map(() => randomId(random))])
    out.push(['thousands of elements', Array.from({ length: 5000 }, () => randomId(random))])
    out.push(['array → object', { items: body }])
  } else if (body !== null && typeof body === 'object') {
    const record = body as Record<string, unknown>
    for (const key of Object.keys(record)) {
      for (const [name, value] of WRONG_VALUES) out.push([`${key} → ${name}`, { ...record, [key]: value }])
      out.push([`${key} → 200 KB string`, { ...record, [key]: 'A'.repeat(200_000) }])
      out.push([`${key} → 50 000 emoji`, { ...record, [key]: '\u{1F600}'.repeat(50_000) }])
      out.push([`${key} → unknown id`, { ...record, [key]: randomId(random) }])
      const { [key]: _omitted, ...without } = record
      out.push([`${key} missing`, without])
    }
    out.push(['object → array', [record]])
    out.push(['unknown extra field', { ...record, extra: 'field' }])
    // JSON.stringify drops __proto__ keys, so this one is written by hand.
    const rest = JSON.stringify(record).slice(1)
    raw.push(['prototype-pollution keys', `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}${rest === '}' ? '}' : `,${rest}`}`])
  }
  return [...out.map(([label, value]): [string, string] => [label, JSON.stringify(value)]), ...raw]
}

/** The route's valid request with a JSON body just over `bytes` long. */
export function oversizeMutation(route: RouteSpec, params: Record<string, string>, bytes: number): Mutation {
  return { label: `body over ${bytes} bytes`, path: fillPath(route.path, params), body: JSON.stringify({ message: 'x'.repeat(bytes) }) }
}

/**
 * Every mutation of one route's valid request, in a fixed order; the caller samples them with the
 * same seeded PRNG so a run is reproducible.
 */
export function mutationsFor(template: RouteSpec, params: Record<string, string>, random: Random): Mutation[] {
  const route: RouteSpec = {
    ...template,
    body: fillTemplate(template.body, params),
    query: template.query === undefined ? undefined : (fillTemplate(template.query, params) as string),
  }
  const validPath = fillPath(route.path, params) + (route.query ? `?${route.query}` : '')
  const out: Mutation[] = []
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)

  for (const name of names) {
    for (const [label, segment] of BAD_SEGMENTS) {
      const value = label === 'unknown id' ? randomId(random) : segment
      // Raw segments are spliced in unencoded on purpose: they are malformed URLs by design.
      const path = route.path.replace(/\{(\w+)\}/g, (_, n: string) => (n === name ? value : encodeURIComponent(params[n] ?? '')))
      out.push({ label: `{${name}} = ${label}`, path, body: route.body === undefined ? undefined : JSON.stringify(route.body) })
    }
  }
  if (route.destructive) return out

  if (route.method === 'GET') {
    // Appended to the valid query, so a required parameter such as format=old stays in place.
    for (const [label, query] of BAD_QUERIES) out.push({ label: `query: ${label}`, path: `${validPath}${route.query ? '&' : '?'}${query}` })
  }
  if (route.body !== undefined || route.method !== 'GET') {
    for (const [label, raw] of RAW_BODIES) out.push({ label: `body: ${label}`, path: validPath, body: raw })
    for (const [label, body] of fieldMutations(route.body, random)) out.push({ label: `body: ${label}`, path: validPath, body })
    out.push({ label: 'body: arrays 100 000 deep', path: validPath, body: deepArray(100_000) })
    out.push({ label: 'body: objects 20 000 deep', path: validPath, body: deepObject(20_000) })
    out.push({ label: 'body: valid JSON as text/plain', path: validPath, body: JSON.stringify(route.body ?? {}), contentType: 'text/plain' })
    out.push({ label: 'body: form-encoded', path: validPath, body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' })
  }
  return out
}
