/** The linter: YAML, then the schema, then the semantic rules, all as diagnostics with positions. */
import type { Playbook } from '../../schema/playbook.ts'
import { defaultActionCatalog } from '../catalog.ts'
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostic.ts'
import type { PlaybookSource } from '../source.ts'
import { validateShape } from '../validate.ts'
import { collectSteps, createLintContext, type LintOptions } from './context.ts'
import { lintFields } from './fields.ts'
import { lintReferences } from './references.ts'
import { lintSteps } from './steps.ts'
import { lintValues } from './values.ts'
import { lintYamlPitfalls } from './yaml-pitfalls.ts'

export type { LintOptions, TemplateFile } from './context.ts'
export { stepKind } from './steps.ts'

/**
 * Every problem of a loaded playbook file, sorted by position. The semantic rules run only on a
 * document that fits the schema: they rely on its types.
 */
export function lintSource(source: PlaybookSource, options: LintOptions = {}): { diagnostics: Diagnostic[]; playbook?: Playbook } {
  if (hasErrors(source.diagnostics)) return { diagnostics: sortDiagnostics(source.diagnostics) }
  const shape = validateShape(source)
  if (shape.length > 0) return { diagnostics: sortDiagnostics([...source.diagnostics, ...shape]) }
  const playbook = source.value as Playbook
  const ctx = createLintContext(source, playbook, options, options.catalog ?? defaultActionCatalog, collectSteps(playbook))
  lintSteps(ctx)
  lintValues(ctx)
  lintReferences(ctx)
  lintYamlPitfalls(ctx)
  lintFields(ctx)
  const diagnostics = sortDiagnostics([...source.diagnostics, ...ctx.diagnostics])
  return { diagnostics, playbook: hasErrors(diagnostics) ? undefined : playbook }
}
