/** The import report: counts per kind, skipped items with reasons, warnings, time taken (§4.4 step 5). */

const MAX_LISTED = 200

export type ImportReportJson = {
  team: string
  counts: Record<string, number>
  subtypes: Record<string, number>
  skipped: Record<string, number>
  warnings: string[]
  warnings_total: number
  per_channel: Record<string, number>
  started_at: number
  duration_ms: number
}

/** Collects what an import did; warnings beyond the first 200 are counted, not kept, so memory stays bounded. */
export class ImportReport {
  readonly counts: Record<string, number> = {}
  readonly subtypes: Record<string, number> = {}
  readonly skipped: Record<string, number> = {}
  readonly warnings: string[] = []
  readonly perChannel: Record<string, number> = {}
  warningsTotal = 0
  readonly startedAt = Date.now()
  #seen = new Set<string>()

  constructor(readonly team: string) {}

  count(kind: string, n = 1): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + n
  }

  subtype(name: string): void {
    this.subtypes[name] = (this.subtypes[name] ?? 0) + 1
  }

  /** Something not imported; `reason` is the key the report groups by. */
  skip(reason: string, detail?: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1
    if (detail) this.warn(`${reason}: ${detail}`)
  }

  /** A warning, listed once however often it recurs (e.g. one unknown user id in many messages). */
  warn(message: string): void {
    if (this.#seen.has(message)) return
    this.#seen.add(message)
    this.warningsTotal += 1
    if (this.warnings.length < MAX_LISTED) this.warnings.push(redactTokens(message))
  }

  toJSON(): ImportReportJson {
    return {
      team: this.team, counts: this.counts, subtypes: this.subtypes, skipped: this.skipped, warnings: this.warnings,
      warnings_total: this.warningsTotal, per_channel: this.perChannel, started_at: this.startedAt, duration_ms: Date.now() - this.startedAt,
    }
  }

  /** The human summary the CLI prints at the end. */
  summary(): string {
    const json = this.toJSON()
    const lines = [`Slack import into team "${this.team}" took ${(json.duration_ms / 1000).toFixed(1)} s`]
    lines.push(`Imported: ${Object.entries(json.counts).map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing'}`)
    const skipped = Object.entries(json.skipped)
    if (skipped.length) lines.push(`Skipped: ${skipped.map(([k, v]) => `${v} ${k}`).join(', ')}`)
    if (json.warnings_total) {
      lines.push(`Warnings (${json.warnings_total}):`)
      for (const w of json.warnings.slice(0, 20)) lines.push(`  ${w}`)
      if (json.warnings_total > 20) lines.push(`  … ${json.warnings_total - 20} more (see --report)`)
    }
    return lines.join('\n')
  }
}

/** Export URLs carry the export token in `t=`/`token=` (§2.4): never log or report it. */
export function redactTokens(text: string): string {
  return text.replace(/([?&](?:t|token)=)[^&\s"]+/g, '$1REDACTED')
}
