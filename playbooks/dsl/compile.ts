/**
 * Compiles a linted playbook into the plan the run engine executes: every step (nested ones too)
 * with a stable id, its resolved dependencies, parsed condition, durations in milliseconds where
 * they are literal, retry policy with defaults filled in, and its idempotency key. Pure.
 */
import type { HookEvent, Playbook, Reminder, Step, StepKind, Triggers } from '../schema/playbook.ts'
import { defaultActionCatalog, type ActionCatalog } from './catalog.ts'
import { parseDuration } from './duration.ts'
import { callsStatusFunction, parseCondition, type Embedded } from './expr/index.ts'
import { stepKind } from './lint/index.ts'
import { formatPath, type Path } from './path.ts'

/** A duration as written: milliseconds when literal, the expression text when it is `${{ }}`. */
export type PlanDuration = { ms: number } | { expression: string }

export interface PlanRetry {
  /** Retries after the first attempt. */
  max: number
  backoff: 'fixed' | 'exponential'
  initialMs: number
  maxDelayMs: number
  /** `429`, `5xx`, `timeout`, `network`, … as strings. */
  on: string[]
}

export interface PlanStep {
  /** The step's `id`, or its path (`steps[3].parallel[1]`) when it has none; unique in the plan. */
  id: string
  explicitId: boolean
  /** Where it is in the file, for messages: `steps[3].parallel[1]`. */
  field: string
  path: Path
  kind: StepKind
  name?: string
  /** The parsed `if:`; undefined means always (while nothing before it failed). */
  condition?: Embedded
  /** Its condition calls failure()/always()/cancelled(): it may run after a failure. */
  statusAware: boolean
  /** Ids of the steps in the same list it waits for (the previous one unless `needs:` says otherwise). */
  needs: string[]
  timeout?: PlanDuration
  retry?: PlanRetry
  continueOnError: boolean | string
  /** Only for `uses` steps: the explicit key, or `${{ run.id }}:<id>`. */
  idempotencyKey?: string
  /** The action calls outside the run (from the catalog). */
  sideEffects: boolean
  /** The step as written, for its kind's body (`message`, `approval`, `with`, …). */
  step: Step
  parallel: PlanStep[]
  onError: PlanStep[]
}

export interface PlanReminder {
  reminder: Reminder
  every: PlanDuration | 'never'
  until?: Embedded
}

export interface PlaybookPlan {
  name: string
  version: number
  title: string
  playbook: Playbook
  triggers: (keyof Triggers)[]
  steps: PlanStep[]
  hooks: Partial<Record<HookEvent, PlanStep[]>>
  finally: PlanStep[]
  reminders: PlanReminder[]
}

/** A `uses` step without `timeout:` gets this per attempt (spec 7.1); human steps get none. */
export const DEFAULT_ACTION_TIMEOUT_MS = 5 * 60_000
export const DEFAULT_RETRY = { backoff: 'exponential', initialMs: 10_000, maxDelayMs: 10 * 60_000, on: ['429', '5xx', 'timeout', 'network'] } as const

/**
 * @throws Error when the playbook has lint errors the plan cannot hold (a step with no kind, an
 * unparsable condition): compile only what `loadPlaybook` returned as valid.
 */
export function compilePlaybook(playbook: Playbook, catalog: ActionCatalog = defaultActionCatalog): PlaybookPlan {
  const compileList = (list: readonly Step[] | undefined, listPath: Path): PlanStep[] => {
    const compiled = (list ?? []).map((step, index) => compileStep(step, [...listPath, index], catalog, compileList))
    const inParallel = listPath[listPath.length - 1] === 'parallel'
    compiled.forEach((s, i) => {
      if (s.step.needs) s.needs = [...s.step.needs]
      else if (i > 0 && !inParallel) s.needs = [compiled[i - 1]!.id]
    })
    return compiled
  }
  const hooks: Partial<Record<HookEvent, PlanStep[]>> = {}
  for (const [event, list] of Object.entries(playbook.hooks ?? {}) as [HookEvent, Step[] | undefined][]) hooks[event] = compileList(list, ['hooks', event])
  return {
    name: playbook.metadata.name,
    version: playbook.metadata.version,
    title: playbook.metadata.title ?? playbook.metadata.name,
    playbook,
    triggers: Object.keys(playbook.on) as (keyof Triggers)[],
    steps: compileList(playbook.steps, ['steps']),
    hooks,
    finally: compileList(playbook.finally, ['finally']),
    reminders: (playbook.reminders ?? []).map((reminder) => ({
      reminder,
      every: reminder.every === 'never' ? 'never' : planDuration(reminder.every)!,
      until: reminder.until === undefined ? undefined : parseCondition(reminder.until),
    })),
  }
}

function compileStep(step: Step, path: Path, catalog: ActionCatalog, compileList: (l: readonly Step[] | undefined, p: Path) => PlanStep[]): PlanStep {
  const field = formatPath(path)
  const kind = stepKind(step)
  if (!kind) throw new Error(`${field}: a step needs exactly one kind; lint the playbook before compiling it`)
  const id = step.id ?? field
  const condition = step.if === undefined ? undefined : parseCondition(step.if)
  const callable = kind === 'uses' || kind === 'call'
  return {
    id, explicitId: step.id !== undefined, field, path, kind, name: step.name,
    condition,
    statusAware: condition !== undefined && callsStatusFunction(condition.expr),
    needs: [],
    timeout: step.timeout !== undefined ? planDuration(step.timeout) : kind === 'uses' ? { ms: DEFAULT_ACTION_TIMEOUT_MS } : undefined,
    retry: step.retry && callable
      ? {
          max: step.retry.max,
          backoff: step.retry.backoff ?? DEFAULT_RETRY.backoff,
          initialMs: step.retry.initial !== undefined ? parseDuration(step.retry.initial) ?? DEFAULT_RETRY.initialMs : DEFAULT_RETRY.initialMs,
          maxDelayMs: step.retry.maxDelay !== undefined ? parseDuration(step.retry.maxDelay) ?? DEFAULT_RETRY.maxDelayMs : DEFAULT_RETRY.maxDelayMs,
          on: (step.retry.on ?? DEFAULT_RETRY.on).map(String),
        }
      : undefined,
    continueOnError: step['continue-on-error'] ?? false,
    idempotencyKey: kind === 'uses' ? step.idempotencyKey ?? `\${{ run.id }}:${id}` : undefined,
    sideEffects: kind === 'uses' && (catalog.get(step.uses!)?.sideEffects ?? true),
    step,
    parallel: compileList(step.parallel, [...path, 'parallel']),
    onError: compileList(step.onError, [...path, 'onError']),
  }
}

/** Literal durations become milliseconds; `${{ }}` stays an expression for run time. */
export function planDuration(text: string): PlanDuration | undefined {
  if (text.includes('${{')) return { expression: text }
  const ms = parseDuration(text)
  return ms === undefined ? undefined : { ms }
}
