/** Plain-text tables and the verdict line every scenario prints (measured, limit, ratio, target). */

export function table(header: string[], rows: string[][], indent = '  '): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => indent + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

export interface Verdict {
  scenario: string
  backend: string
  metric: string
  unit: string
  measured: number
  limit: number
  ratio: number
  target: string
  met: boolean | null
  extra?: Record<string, unknown>
}

const started = performance.now()

/** A section heading, with the seconds since the bench started. */
export function section(title: string): void {
  const t = `[${((performance.now() - started) / 1000).toFixed(0)} s]`
  console.log(`\n=== ${title} ${'='.repeat(Math.max(3, 92 - title.length - t.length))} ${t}`)
}

export function note(text: string): void {
  for (const line of text.split('\n')) console.log(`  ${line}`)
}
