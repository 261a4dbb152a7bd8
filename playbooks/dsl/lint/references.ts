/**
 * People and channel references (`user:alice`, `group:qa`, `team:sre`, `role:commander`,
 * `oncall:primary`, `#channel`): each must have a known prefix, and `role:` must name a declared
 * role. A misspelt prefix would otherwise resolve to nobody at run time.
 */
import type { Path } from '../path.ts'
import { hasExpression } from '../expr/index.ts'
import type { LintContext } from './context.ts'

const REFERENCE = /^(?:(user|group|team|role|oncall):[A-Za-z0-9._@+-]+|#[a-z0-9][a-z0-9_-]*|@[A-Za-z0-9._-]+)$/
/** Keys whose values (or list items) are references, wherever they appear outside `with:` and tests. */
const REFERENCE_KEYS = new Set(['invite', 'broadcast', 'to', 'assignee', 'approvers', 'escalateTo', 'owner', 'publishTo', 'fallback', 'by', 'owners', 'channels'])
/** `to` of a quiet-hours window is a time, not a reference. */
const NOT_REFERENCES: readonly Path[] = [['quietHours', 'to']]

export function lintReferences(ctx: LintContext): void {
  const visit = (value: unknown, path: Path, referenceKey: boolean): void => {
    if (typeof value === 'string') {
      if (referenceKey) checkReference(ctx, value, path)
      else checkRoleReference(ctx, value, path)
      return
    }
    if (Array.isArray(value)) return value.forEach((v, i) => visit(v, [...path, i], referenceKey))
    if (value === null || typeof value !== 'object') return
    for (const [k, v] of Object.entries(value)) {
      if (k === 'with' || (path.length === 0 && (k === 'tests' || k === 'vars'))) continue
      const isTimeWindow = NOT_REFERENCES.some((p) => p[0] === path[path.length - 1] && p[1] === k)
      visit(v, [...path, k], REFERENCE_KEYS.has(k) && !isTimeWindow)
    }
  }
  visit(ctx.playbook, [], false)
  // A role's `from:` may be a reference or an expression; set.roles values are references.
  for (const [name, role] of Object.entries(ctx.playbook.roles ?? {})) if (role.from !== undefined) checkReference(ctx, role.from, ['roles', name, 'from'])
  for (const at of ctx.steps) for (const [name, ref] of Object.entries(at.step.set?.roles ?? {})) checkReference(ctx, ref, [...at.path, 'set', 'roles', name])
}

function checkReference(ctx: LintContext, value: string, path: Path): void {
  if (hasExpression(value)) return
  if (!REFERENCE.test(value)) {
    ctx.report(path, `"${value}" is not a reference (user:name, group:name, team:name, role:name, oncall:schedule, #channel)`)
    return
  }
  checkRoleReference(ctx, value, path)
}

function checkRoleReference(ctx: LintContext, value: string, path: Path): void {
  const m = /^role:(.*)$/.exec(value)
  if (m && !ctx.scope.roles.has(m[1]!)) ctx.report(path, `unknown role "${m[1]}"${ctx.scope.roles.size ? ` (roles: ${[...ctx.scope.roles].join(', ')})` : ' (no roles are declared)'}`)
}
