/** Raw SQL through the pool for what Prisma cannot express (full-text search, bulk counters), with int8 read as number. */
import pg from 'pg'
import type { Database } from './open-database.ts'
import { parseJson } from '../well-formed.ts'

const INT8 = 20
const INT8_ARRAY = 1016

function toSafeNumber(text: string): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} does not fit a JavaScript number`)
  return value
}

// Per query, never on the global pg.types: Prisma shares pg and expects int8 as text for BigInt.
export const int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 && format !== 'binary') return toSafeNumber
    if (oid === INT8_ARRAY && format !== 'binary') {
      const parseArray = (pg.types.getTypeParser as (oid: number, format: 'text') => (text: string) => (string | null)[])(INT8_ARRAY, 'text')
      return (text: string) => parseArray(text).map((item) => (item === null ? null : toSafeNumber(item)))
    }
    return pg.types.getTypeParser(oid, format)
  }) as typeof pg.types.getTypeParser,
}

/**
 * Runs one statement with `$1…` parameters and returns its rows; bigint (int8) columns come back
 * as numbers, `numeric` (e.g. `sum(bigint)`) stays a string.
 *
 * Not for use inside `withTransaction`: this takes a pool connection, and the embedded database
 * has only one, held by the transaction. Use `tx.$queryRaw` there.
 * @throws pg's DatabaseError (with `code`) for SQL errors; RangeError for an int8 beyond 2^53.
 */
export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(
  db: Pick<Database, 'pool'>,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result = await db.pool.query<T>({ text, values: params, types: int8AsNumber })
  return result.rows
}

/**
 * `value` as JSON text for a `$n::jsonb` parameter (e.g. rows for `jsonb_to_recordset`, which spares pg escaping
 * every element of a text[] parameter). A lone surrogate (a string cut inside an emoji) becomes U+FFFD, as it does
 * in a text parameter: PostgreSQL's jsonb refuses the escape JSON.stringify writes for it. Such text is rare, so
 * only then is it read back through `parseJson`, which makes the strings well-formed, and written again.
 */
export function jsonParam(value: unknown): string {
  // As JSON.stringify: undefined (no value, e.g. an action that returned nothing) gives undefined, a NULL parameter.
  const text = JSON.stringify(value) as string | undefined
  if (text === undefined) return text as unknown as string
  // JSON.stringify escapes a lone surrogate in lower case only: one scan of the text, not mayHoldSurrogateEscape's two.
  return text.includes('\\ud') ? JSON.stringify(parseJson(text)) : text
}
