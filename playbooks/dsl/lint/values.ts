/**
 * Rules about single values: durations, times, cron and time zones, input and property
 * definitions, reminders without an end, and test expectations that name
 * steps the playbook does not have.
 */
import { isTimeZone, validateCron, CronError } from '../../../core/jobs/cron.ts'
import type { Input } from '../../schema/playbook.ts'
import { parseDuration } from '../duration.ts'
import { hasExpression } from '../expr/index.ts'
import type { Path } from '../path.ts'
import { collectSteps, type LintContext } from './context.ts'

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

export function lintValues(ctx: LintContext): void {
  const { playbook: pb } = ctx
  const duration = (value: string | undefined, path: Path, extra: string[] = []) => {
    if (value === undefined || hasExpression(value) || extra.includes(value)) return
    if (parseDuration(value) === undefined) ctx.report(path, `"${value}" is not a duration (30s, 15m, 2h, 1d${extra.map((e) => `, ${e}`).join('')})`)
  }

  for (const at of ctx.steps) {
    const { step, path } = at
    duration(step.timeout, [...path, 'timeout'])
    duration(step.retry?.initial, [...path, 'retry', 'initial'])
    duration(step.retry?.maxDelay, [...path, 'retry', 'maxDelay'])
    duration(step.approval?.timeout, [...path, 'approval', 'timeout'])
    duration(step.wait?.for, [...path, 'wait', 'for'])
    duration(step.wait?.timeout, [...path, 'wait', 'timeout'])
    step.checklist?.items.forEach((item, i) => {
      const due = item.due
      if (due === undefined || hasExpression(due)) return
      if (parseDuration(due) === undefined && !(ISO_WITH_OFFSET.test(due) && !Number.isNaN(Date.parse(due)))) {
        ctx.report([...path, 'checklist', 'items', i, 'due'], `"${due}" is neither a duration (15m) nor an ISO 8601 time with offset`)
      }
    })
  }

  pb.reminders?.forEach((r, i) => {
    const path = ['reminders', i]
    duration(r.every, [...path, 'every'], ['never'])
    r.snooze?.forEach((s, j) => duration(s, [...path, 'snooze', j]))
    if (r.quietHours && !isTimeZone(r.quietHours.timezone)) ctx.report([...path, 'quietHours', 'timezone'], `unknown time zone "${r.quietHours.timezone}"`)
    if (r.every !== 'never' && r.until === undefined) ctx.report([...path, 'every'], 'reminder without until: keeps firing until the run finishes', { severity: 'warning', at: 'key' })
    if (r.text === undefined && r.template === undefined && (r.about ?? 'status') === 'status') ctx.report(path, 'needs text or template')
  })
  const ids = new Set<string>()
  pb.reminders?.forEach((r, i) => {
    if (ids.has(r.id)) ctx.report(['reminders', i, 'id'], `duplicate reminder id "${r.id}"`)
    ids.add(r.id)
  })
  duration(pb.retrospective?.reminderEvery, ['retrospective', 'reminderEvery'])
  pb.metrics?.forEach((m, i) => {
    if (m.type === 'duration' && typeof m.target === 'string') duration(m.target, ['metrics', i, 'target'])
  })

  const schedule = pb.on.schedule
  if (schedule) lintSchedule(ctx, schedule.cron, schedule.timezone)

  for (const [name, input] of Object.entries(pb.inputs ?? {})) lintInput(ctx, input, ['inputs', name])
  for (const [name, input] of Object.entries(pb.on.command?.args ?? {})) lintInput(ctx, input, ['on', 'command', 'args', name])
  for (const [name, prop] of Object.entries(pb.properties ?? {})) lintInput(ctx, prop, ['properties', name])
  if (schedule) {
    for (const [name, input] of Object.entries(pb.inputs ?? {})) {
      if (input.required && input.default === undefined) ctx.report(['inputs', name, 'required'], `a schedule trigger cannot supply required input "${name}"; give it a default`)
    }
  }

  lintTests(ctx)
}

function lintSchedule(ctx: LintContext, cron: string, timezone: string | undefined): void {
  const fields = cron.trim().split(/\s+/)
  if (fields.length !== 5) {
    ctx.report(['on', 'schedule', 'cron'], `"${cron}" has ${fields.length} fields; expected 5 (minute hour day-of-month month day-of-week)`)
    return
  }
  try {
    validateCron(cron, timezone ?? 'UTC')
  } catch (err) {
    if (!(err instanceof CronError)) throw err
    ctx.report(['on', 'schedule', err.field === 'cron' ? 'cron' : 'timezone'], err.field === 'cron' ? `invalid cron expression "${cron}": ${(err.cause as Error).message}` : `unknown time zone "${timezone}"`)
  }
}

function lintInput(ctx: LintContext, input: Input, path: Path): void {
  if (input.type === 'choice' && !input.options) ctx.report([...path, 'type'], 'a choice needs options')
  if (input.type !== 'choice' && input.options) ctx.report([...path, 'options'], `options are only for type choice (this is ${input.type})`, { at: 'key' })
  const d = input.default
  if (d === undefined || (typeof d === 'string' && hasExpression(d))) {
    if (input.required && d !== undefined) ctx.report([...path, 'required'], 'an input with a default is never missing; required: has no effect', { severity: 'warning', at: 'key' })
    return
  }
  if (input.required) ctx.report([...path, 'required'], 'an input with a default is never missing; required: has no effect', { severity: 'warning', at: 'key' })
  if (input.options && !input.options.some((o) => o === d)) ctx.report([...path, 'default'], `default ${JSON.stringify(d)} is not one of the options`)
  const expected = input.type === 'number' ? 'number' : input.type === 'boolean' ? 'boolean' : input.type === 'choice' ? undefined : 'string'
  if (expected && typeof d !== expected) ctx.report([...path, 'default'], `default ${JSON.stringify(d)} is not a ${expected}`)
}

function lintTests(ctx: LintContext): void {
  ctx.playbook.tests?.forEach((t, i) => {
    const path = ['tests', i]
    if ((t.event === undefined) === (t.command === undefined)) ctx.report(path, 'a test starts with exactly one of event or command')
    for (const id of Object.keys(t.expect.steps ?? {})) if (!ctx.scope.steps.has(id)) ctx.report([...path, 'expect', 'steps', id], `unknown step "${id}"`, { at: 'key' })
    for (const id of Object.keys(t.answers ?? {})) if (!ctx.scope.steps.has(id)) ctx.report([...path, 'answers', id], `unknown step "${id}"`, { at: 'key' })
    t.expect.calls?.forEach((c, j) => {
      // `call <playbook>` expects a call step's child run, as the dry run records it.
      const called = /^call (.+)$/.exec(c.uses)?.[1]
      if (called !== undefined) {
        if (!collectSteps(ctx.playbook).some((s) => s.step.call?.playbook === called)) ctx.report([...path, 'expect', 'calls', j, 'uses'], `no call step calls "${called}"`)
      } else if (!ctx.catalog.get(c.uses)) ctx.report([...path, 'expect', 'calls', j, 'uses'], `unknown action "${c.uses}"`)
    })
    if (t.clock !== undefined && parseDuration(t.clock) === undefined) ctx.report([...path, 'clock'], `"${t.clock}" is not a duration`)
    t.events?.forEach((e, j) => {
      if (e.at !== undefined && parseDuration(e.at) === undefined) ctx.report([...path, 'events', j, 'at'], `"${e.at}" is not a duration`)
    })
  })
}
