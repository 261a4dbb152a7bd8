/**
 * Where the embedded database's time goes, by statement (BENCH_SQL_TRACE=1). PGlite keeps no
 * pg_stat_statements; it runs each protocol message synchronously inside this process, so wrapping
 * `execProtocolRawSync` times each one exactly. A message is charged to the statement it belongs to:
 * the text of the last Parse (or the named statement a Bind refers to), or a simple Query's text.
 * Bench-only: it patches the library's prototype for every PGlite in the process.
 */
import { PGlite } from '@electric-sql/pglite'
import { fmt } from './stats.ts'

interface StatementCost {
  ms: number
  /** Parse, simple Query or Bind of a named statement: one per execution. */
  calls: number
  /** ms per message type: P(arse), B(ind), D(escribe), E(xecute), S(ync), Q(uery)… */
  byType: Map<string, number>
}

export interface StatementTrace {
  /** Forgets what was timed so far. */
  reset(): void
  /** The `top` costliest statements, as lines, with the total they share. */
  report(top: number): string[]
}

const decoder = new TextDecoder()

/** The zero-terminated string at `from` in a protocol message, and where the next field starts. */
function cString(message: Uint8Array, from: number): [string, number] {
  let end = from
  while (end < message.length && message[end] !== 0) end++
  return [decoder.decode(message.subarray(from, end)), end + 1]
}

const shorten = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 120)

export function traceStatements(): StatementTrace {
  const costs = new Map<string, StatementCost>()
  const named = new Map<string, string>()
  let current = '(before the first statement)'
  const proto = PGlite.prototype as unknown as { execProtocolRawSync(message: Uint8Array): Uint8Array }
  const original = proto.execProtocolRawSync
  proto.execProtocolRawSync = function (this: unknown, message: Uint8Array): Uint8Array {
    const type = String.fromCharCode(message[0]!)
    let starts = false
    // Type byte, then a 4-byte length: fields start at 5.
    if (type === 'P') {
      const [name, next] = cString(message, 5)
      current = shorten(cString(message, next)[0])
      if (name) named.set(name, current)
      starts = true
    } else if (type === 'Q') {
      current = shorten(cString(message, 5)[0])
      starts = true
    } else if (type === 'B') {
      const statement = cString(message, cString(message, 5)[1])[0]
      if (statement) {
        current = named.get(statement) ?? `(prepared ${statement})`
        starts = true
      }
    }
    const started = performance.now()
    try {
      return original.call(this, message)
    } finally {
      const ms = performance.now() - started
      let cost = costs.get(current)
      if (!cost) costs.set(current, (cost = { ms: 0, calls: 0, byType: new Map() }))
      cost.ms += ms
      if (starts) cost.calls++
      cost.byType.set(type, (cost.byType.get(type) ?? 0) + ms)
    }
  }
  return {
    reset: () => costs.clear(),
    report(top) {
      const all = [...costs.entries()].sort((a, b) => b[1].ms - a[1].ms)
      const total = all.reduce((sum, [, c]) => sum + c.ms, 0)
      const byType = new Map<string, number>()
      for (const [, c] of all) for (const [t, ms] of c.byType) byType.set(t, (byType.get(t) ?? 0) + ms)
      const types = [...byType.entries()].sort((a, b) => b[1] - a[1]).map(([t, ms]) => `${t} ${fmt((ms / total) * 100, 0)}%`).join(', ')
      return [
        `PGlite executed for ${fmt(total, 0)} ms (by message: ${types}); the costliest statements, ms / calls / ms per call / share:`,
        ...all.slice(0, top).map(([sql, c]) => `  ${fmt(c.ms, 0).padStart(7)} ${String(c.calls).padStart(6)} ${fmt(c.ms / Math.max(1, c.calls), 2).padStart(7)} ${fmt((c.ms / total) * 100, 1).padStart(5)}%  ${sql}`),
      ]
    },
  }
}
