/**
 * `bridgehead playbook simulate <file> --event <event.json> [--at <time>] [--answer step=decision…]
 * [--clock 2h] [--people <people.json|yaml>]`: the run plan on the engine's planner and a virtual
 * clock, no side effects. The people file says who `group:`, `team:` and `oncall:` references name.
 */
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { compilePlaybook, formatDiagnostic, hasErrors, loadPlaybook, parseDuration } from './dsl/index.ts'
import { parse as parseYaml } from 'yaml'
import { parsePeopleMap, PeopleFileError, type PeopleMap } from './engine/dry-run-people.ts'
import { formatSimulation, simulateRun, type SimulatedEvent } from './engine/simulate.ts'
import { templateReader } from './template-files.ts'

export async function simulateCommand(args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args, allowPositionals: true,
    options: { event: { type: 'string' }, at: { type: 'string' }, answer: { type: 'string', multiple: true }, clock: { type: 'string' }, people: { type: 'string' } },
  })
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
  const answers: Record<string, unknown> = {}
  for (const a of values.answer ?? []) {
    const m = /^([A-Za-z_][\w-]*)=(approved|rejected|all-closed)$/.exec(a)
    if (!m) {
      err(`--answer "${a}": expected <step id>=approved, rejected or all-closed`)
      return 2
    }
    // Without `by`, as many simulated approvers vote as the approval's quorum needs.
    answers[m[1]!] = m[2] === 'all-closed' ? 'all-closed' : { decision: m[2] }
  }
  const clockMs = values.clock === undefined ? undefined : parseDuration(values.clock)
  if (values.clock !== undefined && clockMs === undefined) {
    err(`--clock "${values.clock}" is not a duration (30s, 15m, 2h, 1d)`)
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
  let people: PeopleMap | undefined
  if (values.people !== undefined) {
    try {
      people = readPeople(values.people)
    } catch (e) {
      err(e instanceof PeopleFileError ? e.message : `${values.people}: cannot read the people file: ${(e as Error).message}`)
      return 2
    }
  }
  const result = loadPlaybook(file, text, { readTemplate: templateReader(file) })
  for (const d of result.diagnostics) err(formatDiagnostic(d))
  if (hasErrors(result.diagnostics) || !result.playbook) return 1
  const readTemplate = templateReader(file)
  for (const line of formatSimulation(simulateRun(compilePlaybook(result.playbook), event, at, { answers, clockMs, ...(people ? { people } : {}) }, { readTemplate: (p) => readTemplate(p)?.text }))) out(line)
  return 0
}

/** A people file: JSON, or YAML (a superset of JSON) for the `.yaml`/`.yml` ones. */
function readPeople(file: string): PeopleMap {
  const text = fs.readFileSync(file, 'utf8')
  let value: unknown
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text)
  } catch (e) {
    throw new PeopleFileError(`${file}: cannot parse the people file: ${(e as Error).message}`)
  }
  return parsePeopleMap(value, file)
}
