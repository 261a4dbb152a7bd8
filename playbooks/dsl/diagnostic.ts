/** Lint findings: one shape for YAML, schema and semantic problems, printed as `file:line:column: message`. */

export type Severity = 'error' | 'warning'

export interface Diagnostic {
  file: string
  /** 1-based. */
  line: number
  /** 1-based, in characters. */
  column: number
  severity: Severity
  message: string
}

/** `file:line:column: message`, with `warning: ` before the message of a warning. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`
}

/** Source order, then errors before warnings, then by text, so output is stable. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) || a.message.localeCompare(b.message),
  )
}

export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === 'error')
}
