/** Coercions of the expression language, after GitHub Actions: truthiness, text, loose comparison. */

/** Falsy: false, 0, -0, NaN, '', null (and undefined, which expressions see as null). */
export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return false
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v)
  return true
}

/** How a value reads inside text: null as '', objects and arrays as JSON. */
export function toText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return JSON.stringify(v)
}

function toNumber(v: unknown): number {
  if (v === null || v === undefined) return 0
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'number') return v
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v)
  return NaN
}

/**
 * `==`: same-typed primitives compare directly (strings case-sensitively, unlike GitHub: ids and
 * statuses here are case-sensitive); mixed primitives compare as numbers; objects by identity.
 */
export function looseEquals(a: unknown, b: unknown): boolean {
  const na = a === undefined ? null : a
  const nb = b === undefined ? null : b
  if (typeof na === typeof nb && (typeof na !== 'object' || na === null || nb === null)) return na === nb
  if (typeof na === 'object' && na !== null) return na === nb
  if (typeof nb === 'object' && nb !== null) return false
  return toNumber(na) === toNumber(nb)
}

/** `<`: strings compare as strings, anything else as numbers (NaN compares false). */
export function lessThan(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a < b
  return toNumber(a) < toNumber(b)
}
