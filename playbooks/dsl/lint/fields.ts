/**
 * Checks every text field by what it is: a condition (`if:`, `until:`, `unless:`), a Handlebars
 * template (message and status text, reminders, channel header, retrospective, template files),
 * or a value with `${{ }}` in it. `with:` is the only place `secrets.*` may appear.
 */
import { checkExpression, checkTemplateField, type Checker } from './field-checks.ts'
import type { LintContext } from './context.ts'
import type { Path } from '../path.ts'

/** Keys whose value is a condition, wherever they appear. */
const CONDITION_KEYS = new Set(['if', 'until', 'unless'])
/** Parents whose `text` is a Handlebars template. */
const TEMPLATE_PARENTS = new Set(['message', 'status_update', 'approval', 'retrospective'])
/** Parts of the file that hold data, not expressions. */
const SKIPPED_ROOTS = new Set(['$schema', 'apiVersion', 'kind', 'metadata', 'vars', 'tests'])

export function lintFields(ctx: LintContext): void {
  const check: Checker = { ctx }
  const visit = (value: unknown, path: Path, inWith: boolean): void => {
    if (typeof value === 'string' || typeof value === 'boolean') {
      const key = path[path.length - 1]
      const parent = path[path.length - 2]
      if (typeof key === 'string' && CONDITION_KEYS.has(key) && !inWith) return checkExpression(check, value, path, { condition: true, secrets: false })
      if (typeof value !== 'string') return
      if (isTemplateField(path, key, parent)) {
        if (key === 'template') return checkTemplateFile(ctx, value, path)
        return checkTemplateField(check, value, path)
      }
      return checkExpression(check, value, path, { condition: false, secrets: inWith })
    }
    if (Array.isArray(value)) return value.forEach((v, i) => visit(v, [...path, i], inWith))
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (path.length === 0 && SKIPPED_ROOTS.has(k)) continue
        visit(v, [...path, k], inWith || k === 'with')
      }
    }
  }
  visit(ctx.playbook, [], false)
}

function isTemplateField(path: Path, key: string | number | undefined, parent: string | number | undefined): boolean {
  if (path.length === 2 && path[0] === 'channel' && key === 'header') return true
  if (key !== 'text' && key !== 'template') return false
  if (path[0] === 'reminders' && path.length === 3) return true
  if (path[0] === 'channel' && parent === 'header') return true
  if (typeof parent === 'string' && TEMPLATE_PARENTS.has(parent)) return true
  // `with: { description: { template: x.hbs } }` renders a file into an action input.
  return key === 'template' && path.includes('with')
}

function checkTemplateFile(ctx: LintContext, relativePath: string, path: Path): void {
  const read = ctx.options.readTemplate
  if (!read) return
  const found = read(relativePath)
  if (!found) {
    ctx.report(path, `template file "${relativePath}" not found`)
    return
  }
  checkTemplateField({ ctx, file: found }, found.text, path)
}
