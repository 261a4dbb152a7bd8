/** Reading untyped export JSON: object and string checks, and the entries of an index file that have an id. */
import type { ImportReport } from './report.ts'

export type Obj = Record<string, unknown>

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A string field, numbers coerced (exports mix them); anything else is ''. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')

/**
 * The entries of an index file (`users.json`, `channels.json`, …) that are objects with an `id`,
 * with their positions; the rest are skipped, each reported as `file[i]`.
 */
export function entriesWithId(json: unknown, file: string, what: string, report: ImportReport): { raw: Obj & { id: string }; i: number }[] {
  if (!Array.isArray(json)) {
    report.warn(`${file}: expected an array of ${what}s, got ${typeof json}`)
    return []
  }
  const out: { raw: Obj & { id: string }; i: number }[] = []
  json.forEach((raw, i) => {
    if (isObj(raw) && typeof raw.id === 'string' && raw.id !== '') out.push({ raw: raw as Obj & { id: string }, i })
    else report.skip(`${what} without an id`, `${file}[${i}]`)
  })
  return out
}
