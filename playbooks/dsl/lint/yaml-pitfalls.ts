/**
 * YAML traps the schema cannot see where keys are free (`with:`, `vars:`, `set:`): in a flow
 * mapping, `{ reason: Not approved, or it timed out }` silently becomes two keys, the second a
 * sentence with no value. A key with spaces and a null value is almost always that.
 */
import type { Path } from '../path.ts'
import type { LintContext } from './context.ts'

export function lintYamlPitfalls(ctx: LintContext): void {
  const visit = (value: unknown, path: Path): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => visit(v, [...path, i]))
    if (value === null || typeof value !== 'object') return
    for (const [k, v] of Object.entries(value)) {
      if (path.length === 0 && k === 'tests') continue
      if (v === null && /\s/.test(k.trim())) {
        ctx.report([...path, k], 'a key with spaces and no value: a comma in an unquoted value split it in two; quote the value', { at: 'key' })
      }
      visit(v, [...path, k])
    }
  }
  visit(ctx.playbook, [])
}
