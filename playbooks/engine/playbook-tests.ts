/**
 * Runs a playbook's `tests:` on the engine's planner (simulate.ts): start event or command,
 * people's answers, later events on the virtual clock, then the expectations (step states, calls,
 * messages, run status, timeline). Connectors are mocked: every action succeeds with no outputs
 * unless the test's answers say otherwise. A test's `people` say who its `group:`, `team:` and
 * `oncall:` references name (dry-run-people.ts).
 */
import type { PlaybookPlan, PlaybookTest } from '../dsl/index.ts'
import { parseDuration } from '../dsl/index.ts'
import { parsePeopleMap, type PeopleMap } from './dry-run-people.ts'
import { simulateRun, type SimulatedEvent, type Simulation, type SimulationFiles } from './simulate.ts'

export interface TestResult {
  name: string
  passed: boolean
  /** One line per unmet expectation. */
  failures: string[]
  simulation: Simulation
}

/** Reads an event file named by a test (`file:`), relative to the playbook; undefined when missing. */
export type EventFileReader = (path: string) => unknown

const NORMALISED = ['id', 'title', 'severity', 'status', 'url', 'actor', 'assignee', 'correlationKey'] as const

/**
 * A test event as a normalised event: a file or `data` holding a normalised event (it has
 * `source`) is used as it is; other data becomes `trigger.data`, with its string `id`, `title`,
 * `status`, … lifted to the trigger as a connector would.
 */
function toEvent(e: { source: string; type?: string; file?: string; data?: unknown }, read?: EventFileReader): SimulatedEvent {
  const body = e.file !== undefined ? read?.(e.file) : e.data
  if (e.file !== undefined && body === undefined) throw new Error(`event file "${e.file}" not found`)
  if (body !== null && typeof body === 'object' && typeof (body as SimulatedEvent).source === 'string') return body as SimulatedEvent
  const event: SimulatedEvent = { source: e.source, type: e.type, data: body }
  if (body !== null && typeof body === 'object') {
    for (const k of NORMALISED) {
      const v = (body as Record<string, unknown>)[k]
      if (typeof v === 'string') event[k] = v
    }
  }
  return event
}

/** Runs every test of the plan's playbook at `at` (default: 2026-01-05T09:00:00Z, a Monday), with its template files when given. */
export function runPlaybookTests(plan: PlaybookPlan, read?: EventFileReader, at = new Date('2026-01-05T09:00:00Z'), files: SimulationFiles = {}): TestResult[] {
  return (plan.playbook.tests ?? []).map((t, i) => runOne(plan, t, `tests[${i}]`, read, at, files))
}

function runOne(plan: PlaybookPlan, t: PlaybookTest, path: string, read: EventFileReader | undefined, at: Date, files: SimulationFiles): TestResult {
  const failures: string[] = []
  let start: SimulatedEvent
  let later: { atMs: number; event: SimulatedEvent }[]
  let people: PeopleMap | undefined
  try {
    // Lint checks the shape too; this keeps a playbook loaded without lint from running on a bad one.
    people = t.people === undefined ? undefined : parsePeopleMap(t.people, `${path}.people`)
    start = t.command ? { source: 'command', inputs: t.command.args ?? {} } : toEvent(t.event!, read)
    later = (t.events ?? []).map((e) => ({ atMs: e.at !== undefined ? parseDuration(e.at) ?? 0 : 0, event: toEvent(e, read) }))
  } catch (err) {
    const simulation = simulateRun(plan, { source: 'command' }, at)
    return { name: t.name, passed: false, failures: [(err as Error).message], simulation }
  }
  const clockMs = t.clock !== undefined ? parseDuration(t.clock) : undefined
  const sim = simulateRun(plan, start, at, { answers: t.answers, events: later, clockMs, ...(people ? { people } : {}), peopleHint: 'give the test people: to simulate it' }, files)
  if (sim.notStarted) failures.push(`the run did not start: ${sim.notStarted}`)
  // A hook's or compensation step also answers to the id it declares (its last firing): `notify` for `hooks.run.resolved#1/notify`.
  const all = [...(sim.steps ?? []), ...(sim.finally ?? []), ...(sim.hooks ?? [])]
  const states = new Map([...all.filter((s) => s.id.includes('/')).map((s) => [s.id.slice(s.id.lastIndexOf('/') + 1), s.state] as const), ...all.map((s) => [s.id, s.state] as const)])
  for (const [id, want] of Object.entries(t.expect.steps ?? {})) {
    const got = states.get(id)
    if (got !== want) failures.push(`steps.${id}: expected ${want}, got ${got ?? 'no such step'}`)
  }
  t.expect.calls?.forEach((want, i) => {
    if (!(sim.calls ?? []).some((c) => c.uses === want.uses && isSubset(want.with ?? {}, c.with))) {
      failures.push(`calls[${i}]: no call of ${want.uses}${want.with ? ` with ${JSON.stringify(want.with)}` : ''} (calls: ${(sim.calls ?? []).map((c) => c.uses).join(', ') || 'none'})`)
    }
  })
  t.expect.messages?.forEach((want, i) => {
    let pattern: RegExp
    try {
      pattern = new RegExp(want.matches)
    } catch (err) {
      failures.push(`messages[${i}]: ${(err as Error).message}`)
      return
    }
    if (!(sim.messages ?? []).some((m) => (want.to === undefined || m.to === want.to) && pattern.test(m.text))) {
      failures.push(`messages[${i}]: no message${want.to ? ` to ${want.to}` : ''} matching /${want.matches}/`)
    }
  })
  if (t.expect.status !== undefined && sim.runStatus !== t.expect.status) failures.push(`status: expected ${t.expect.status}, got ${sim.runStatus}`)
  const missing = missingInOrder(t.expect.timeline ?? [], (sim.timeline ?? []).map((e) => e.type))
  if (missing !== undefined) failures.push(`timeline: no ${missing} event in that order (timeline: ${[...new Set((sim.timeline ?? []).map((e) => e.type))].join(', ') || 'empty'})`)
  return { name: t.name, passed: failures.length === 0, failures, simulation: sim }
}

/** The first of `want` (event types, in order) that `got` does not hold after the ones before it. */
function missingInOrder(want: string[], got: string[]): string | undefined {
  let from = 0
  for (const type of want) {
    const i = got.indexOf(type, from)
    if (i < 0) return type
    from = i + 1
  }
  return undefined
}

/** Whether every key of `want` is in `got` with a matching value (recursively; lists element by element). */
function isSubset(want: unknown, got: unknown): boolean {
  if (want === null || typeof want !== 'object') return want === got
  if (got === null || typeof got !== 'object') return false
  if (Array.isArray(want)) return Array.isArray(got) && want.length === got.length && want.every((w, i) => isSubset(w, got[i]))
  return Object.entries(want).every(([k, v]) => isSubset(v, (got as Record<string, unknown>)[k]))
}
