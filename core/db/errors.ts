/** Recognises database errors that services map to AppErrors, whether they came through Prisma or raw pg. */

interface UniqueViolation {
  /** Index name, e.g. `channels_team_id_name_key`. */
  index?: string
  /** Column names, when the database reported them. */
  columns?: string[]
  table?: string
}

/**
 * True when `err` (or any error in its `cause` chain) is a unique-constraint violation: Prisma
 * P2002 or PostgreSQL 23505. With `fields`, only a violation of the unique key on exactly those
 * fields counts; give Prisma field names or column names, in the order of the `@@unique`
 * (`['teamId', 'name']`), or one field for `@unique`.
 */
export function isUniqueViolation(err: unknown, fields?: string[]): boolean {
  for (let current = err, depth = 0; current && depth < 10; current = (current as { cause?: unknown }).cause, depth++) {
    const violation = readUniqueViolation(current)
    if (violation) return fields === undefined || matchesFields(violation, fields.map(toColumnName))
  }
  return false
}

function readUniqueViolation(err: unknown): UniqueViolation | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const e = err as { code?: unknown; meta?: Record<string, unknown>; constraint?: unknown; detail?: unknown; table?: unknown }
  if (e.code === 'P2002') {
    const meta = e.meta ?? {}
    // Prisma 7 with a driver adapter reports the database's own error under driverAdapterError.
    const cause = (meta.driverAdapterError as { cause?: { constraint?: { index?: string; fields?: string[] }; table?: string } })?.cause
    if (cause) return { index: cause.constraint?.index, columns: cause.constraint?.fields, table: cause.table }
    const target = meta.target
    if (Array.isArray(target)) return { columns: target.map(String) }
    if (typeof target === 'string') return { index: target }
    return {}
  }
  if (e.code === '23505') {
    const columns = typeof e.detail === 'string' ? /Key \(([^)]+)\)=/.exec(e.detail)?.[1]?.split(', ') : undefined
    return {
      index: typeof e.constraint === 'string' ? e.constraint : undefined,
      columns,
      table: typeof e.table === 'string' ? e.table : undefined,
    }
  }
  return undefined
}

function matchesFields(violation: UniqueViolation, columns: string[]): boolean {
  if (violation.columns) {
    const reported = violation.columns.map(toColumnName)
    return reported.length === columns.length && columns.every((c) => reported.includes(c))
  }
  if (violation.index) {
    // Index names follow Prisma's `<table>_<columns>_key`. PostgreSQL always names the table;
    // without it a suffix match could mistake `channels_team_id_name_key` for a key on `name`.
    const suffix = `_${columns.join('_')}_key`
    if (violation.table) return violation.index === `${violation.table}${suffix}`
    return violation.index.endsWith(suffix)
  }
  return false
}

function toColumnName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/**
 * True when `err` (or an error in its `cause` chain) is PostgreSQL's 54000 program_limit_exceeded,
 * e.g. "string is too long for tsvector", whether raw pg or Prisma (P2039 with the driver's error).
 */
export function isProgramLimitExceeded(err: unknown): boolean {
  for (let current = err, depth = 0; current && depth < 10; current = (current as { cause?: unknown }).cause, depth++) {
    if (typeof current !== 'object') return false
    const e = current as { code?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } }
    if (e.code === '54000' || e.meta?.driverAdapterError?.cause?.originalCode === '54000') return true
  }
  return false
}
