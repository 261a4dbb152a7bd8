/** `bridgehead playbook simulate <file> --event <event.json> [--at <time>]`: the run plan, no side effects. */
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { compilePlaybook, formatDiagnostic, formatSimulation, hasErrors, loadPlaybook, simulateRun, type SimulatedEvent } from './dsl/index.ts'
import { templateReader } from './template-files.ts'

export async function simulateCommand(args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { event: { type: 'string' }, at: { type: 'string' } } })
  const [file] = positionals
  if (!file || !values.event) {
    err('playbook simulate needs a file and --event <event.json>')
    return 2
  }
  const at = values.at ? new Date(values.at) : new Date()
  if (Number.isNaN(at.getTime())) {
    err(`--at "${values.at}" is not a time (use ISO 8601, e.g. 2026-01-01T09:00:00Z)`)
    return 2
  }
  let event: SimulatedEvent
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
    event = JSON.parse(fs.readFileSync(values.event, 'utf8')) as SimulatedEvent
  } catch (e) {
    err(`cannot read input: ${(e as Error).message}`)
    return 2
  }
  if (typeof event?.source !== 'string') {
    err(`${values.event}: an event needs a "source" (pagerduty, grafana, command, …)`)
    return 2
  }
  const result = loadPlaybook(file, text, { readTemplate: templateReader(file) })
  for (const d of result.diagnostics) err(formatDiagnostic(d))
  if (hasErrors(result.diagnostics) || !result.playbook) return 1
  for (const line of formatSimulation(simulateRun(compilePlaybook(result.playbook), event, at))) out(line)
  return 0
}
