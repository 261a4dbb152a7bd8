/**
 * What starts a run (spec §2, §3.2): the `trigger` context every playbook expression sees, built
 * from a slash command or a connector's normalised event, and the matching of `on:` against it.
 */
import type { Playbook } from '../dsl/index.ts'
import { evaluateCondition, parseCondition } from '../dsl/index.ts'

/** The `trigger` context; a connector event (integrations/event.ts) has this shape. */
export interface IntegrationEventLike {
  source: string
  type: string
  vendorEvent?: string
  id: string
  correlationKey: string
  occurredAt: number
  title: string
  severity?: string
  status?: string
  url?: string
  actor?: { vendorId?: string; name?: string; email?: string; id?: string; username?: string }
  assignee?: { vendorId?: string; name?: string; email?: string; id?: string; username?: string }
  data: unknown
  raw?: unknown
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** `label: value`, or `label: "=~regex"`. */
function matchers(wanted: Record<string, string> | undefined, labels: unknown): boolean {
  if (!wanted) return true
  const have = isObject(labels) ? labels : {}
  return Object.entries(wanted).every(([key, want]) => {
    const value = have[key]
    if (typeof value !== 'string') return false
    if (want.startsWith('=~')) {
      try {
        return new RegExp(`^(?:${want.slice(2)})$`).test(value)
      } catch {
        return false
      }
    }
    return value === want
  })
}

function listed(list: string[] | undefined, value: string | undefined): boolean {
  return !list || list.length === 0 || (value !== undefined && list.includes(value))
}

/**
 * Whether the playbook's `on:` starts a run for this connector event; the trigger's `if:` is
 * evaluated over `trigger` alone (inputs and run do not exist yet).
 */
export function matchesEvent(playbook: Playbook, event: IntegrationEventLike): boolean {
  const on = playbook.on
  const data = isObject(event.data) ? event.data : {}
  const vendorEvent = event.vendorEvent ?? event.type.split('.').slice(1).join('.')
  let matched = false
  let condition: string | boolean | undefined
  switch (event.source) {
    case 'pagerduty':
      if (on.pagerduty && on.pagerduty.events.includes(vendorEvent)) {
        const service = isObject(data.service) ? String(data.service.id ?? '') : undefined
        matched = listed(on.pagerduty.services, service)
        condition = on.pagerduty.if
      }
      break
    case 'grafana':
    case 'alertmanager': {
      const rule = event.source === 'grafana' ? on.grafana : on.alertmanager
      if (rule) {
        const labels = isObject(data.labels) ? data.labels : isObject(data.alert) && isObject(data.alert.labels) ? data.alert.labels : {}
        matched = (!rule.status || rule.status === event.status) && matchers(rule.matchers, labels)
        condition = rule.if
      }
      break
    }
    case 'github':
      if (on.github && on.github.events.includes(vendorEvent)) {
        const repo = isObject(data.repository) ? String(data.repository.full_name ?? '') : isObject(event.raw) && isObject(event.raw.repository) ? String(event.raw.repository.full_name ?? '') : undefined
        matched = listed(on.github.repos, repo)
        condition = on.github.if
      }
      break
    case 'jira':
      if (on.jira && on.jira.events.includes(vendorEvent)) {
        matched = true
        condition = on.jira.if
      }
      break
    default:
      return false
  }
  if (!matched) return false
  if (condition === undefined) return true
  try {
    return evaluateCondition(parseCondition(condition), { values: { trigger: event } })
  } catch {
    // An `if` that cannot be evaluated on this event does not start a run (the linter checks the text).
    return false
  }
}

/** The trigger of a run started from a slash command or the API. */
export function commandTrigger(input: { command: string; userId: string; username: string; email: string; title: string; args: Record<string, unknown>; now: number; id: string }): IntegrationEventLike {
  return {
    source: 'command', type: `command${input.command.replace('/', '.')}`, id: input.id, correlationKey: '', occurredAt: input.now, title: input.title,
    actor: { id: input.userId, username: input.username, email: input.email, name: input.username }, data: input.args,
  }
}
