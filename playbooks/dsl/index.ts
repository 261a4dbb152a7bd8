/**
 * The playbook DSL: load a file, lint it, compile it to a plan, evaluate `${{ }}` expressions
 * and render Handlebars text. Everything here is pure: no database, no network, no clock unless
 * one is passed in. The run engine and the CLI import from this file only.
 */
import { hasErrors, type Diagnostic } from './diagnostic.ts'
import { lintSource, type LintOptions } from './lint/index.ts'
import { loadSource } from './source.ts'
import type { Playbook } from '../schema/playbook.ts'

export type { Playbook, Step, ChecklistItem, Triggers, Input, Role, Reminder, Retry, PlaybookTest, HookEvent, StepKind } from '../schema/playbook.ts'
export { HOOK_EVENTS, STEP_KINDS } from '../schema/playbook.ts'
export { publishedSchema, SCHEMA_ID } from '../schema/publish.ts'
export { formatDiagnostic, hasErrors, sortDiagnostics, type Diagnostic, type Severity } from './diagnostic.ts'
export { formatPath, type Path } from './path.ts'
export { loadSource, MAX_SOURCE_BYTES, type PlaybookSource, type Position } from './source.ts'
export { lintSource, stepKind, type LintOptions, type TemplateFile } from './lint/index.ts'
export { BUILTIN_ACTIONS, createActionCatalog, defaultActionCatalog, splitActionId, type ActionCatalog, type ActionInfo } from './catalog.ts'
export { parseDuration, formatDuration } from './duration.ts'
export { slugify } from './slug.ts'
export * from './expr/index.ts'
export { renderTemplate, TemplateError, checkTemplate, HELPER_NAMES } from './template/index.ts'
export { FieldError } from './field-error.ts'
export { resolveValue, type ResolveOptions } from './resolve.ts'

/** The outcome of reading and linting one file: the playbook when there is no error. */
export interface LoadResult {
  file: string
  diagnostics: Diagnostic[]
  playbook?: Playbook
}

/**
 * Reads and lints a playbook's text in one call (what the server does on load and the CLI on
 * `lint`). Never throws on bad input: problems come back as diagnostics.
 */
export function loadPlaybook(file: string, text: string, options: LintOptions = {}): LoadResult {
  const { diagnostics, playbook } = lintSource(loadSource(file, text), options)
  return { file, diagnostics, playbook: hasErrors(diagnostics) ? undefined : playbook }
}
export { compilePlaybook, planDuration, DEFAULT_ACTION_TIMEOUT_MS, DEFAULT_RETRY, type PlaybookPlan, type PlanStep, type PlanRetry, type PlanReminder, type PlanDuration } from './compile.ts'
