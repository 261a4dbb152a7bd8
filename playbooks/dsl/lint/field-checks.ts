/** Parse-and-check of one expression field or one template, reporting at the exact character. */
import { checkTemplate } from '../template/index.ts'
import { checkExpression as checkParsed, ExprError, hasExpression, parseCondition, parseInterpolated, type Embedded, type ExprProblem } from '../expr/index.ts'
import type { LintContext, TemplateFile } from './context.ts'
import { formatPath, type Path } from '../path.ts'

export interface Checker {
  ctx: LintContext
  /** Set when the text comes from a template file rather than the playbook itself. */
  file?: TemplateFile
}

/** Checks a condition or an interpolated value. */
export function checkExpression(c: Checker, value: string | boolean, path: Path, where: { condition: boolean; secrets: boolean }): void {
  if (!where.condition && (typeof value !== 'string' || !hasExpression(value))) return
  let embedded: Embedded[]
  try {
    embedded = where.condition ? [parseCondition(value)] : parseInterpolated(value as string).parts.filter((p): p is Embedded => typeof p !== 'string')
  } catch (err) {
    if (!(err instanceof ExprError)) throw err
    report(c, path, err.offset, err.message)
    return
  }
  const scope = { ...c.ctx.scope, ...where }
  for (const e of embedded) for (const p of checkParsed(e.expr, scope)) report(c, path, e.start + p.offset, p.message)
}

/** Checks a Handlebars text. */
export function checkTemplateField(c: Checker, text: string, path: Path): void {
  const problems: ExprProblem[] = checkTemplate(text, { ...c.ctx.scope, condition: false, secrets: false })
  for (const p of problems) report(c, path, p.offset, p.message)
}

function report(c: Checker, path: Path, offset: number, message: string): void {
  if (!c.file) return c.ctx.reportIn(path, offset, message)
  const before = c.file.text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - (before.lastIndexOf('\n') + 1) + 1
  c.ctx.diagnostics.push({ file: c.file.file, line, column, severity: 'error', message: `${formatPath(path)} (template): ${message}` })
}
