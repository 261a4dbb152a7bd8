/** Row conversion: the database keeps millisecond times as BIGINT; the app works with numbers. */

export type Numeric<T> = { [K in keyof T]: T[K] extends bigint ? number : T[K] extends bigint | null ? number | null : T[K] }

/** Converts every bigint property to a number (millisecond timestamps fit in 2^53). */
export function toNumbers<T extends object>(row: T): Numeric<T> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row)) out[key] = typeof value === 'bigint' ? Number(value) : value
  return out as Numeric<T>
}
