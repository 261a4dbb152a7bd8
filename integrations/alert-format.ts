/**
 * Grafana and Alertmanager alerts as their bots post them: one post per alert group (the group key, per connection)
 * listing its alerts with their status. A later delivery for the group edits that post: new alerts are added,
 * resolved ones marked, and once every alert has resolved the post says so; a group that fires again after that gets
 * a new post. The group's alerts are kept in the post's props (`alert_group`), since a delivery carries only the
 * alerts Alertmanager still sends (a resolved alert is sent once, then dropped).
 * Shared at the top of integrations/ because both senders use the Alertmanager notification shape.
 */
import { z } from 'zod'
import type { AlertEventData } from './alert-group.ts'
import type { ChatMessage } from './chat-message.ts'
import { link } from './chat-message.ts'
import type { IntegrationEvent } from './event.ts'
import { digestOf } from './signature.ts'

/** Labels Grafana adds to every alert, not worth a line each. */
const HIDDEN_LABELS = new Set(['alertname', '__alert_rule_uid__', 'grafana_folder'])
/** Alerts listed in the post; a bigger group says how many more there are. */
const MAX_LISTED = 30
/** Alerts remembered in the post's props; beyond this the oldest resolved ones are forgotten. */
const MAX_KEPT = 100
const PROP = 'alert_group'

const listedAlert = z.object({
  fingerprint: z.string(),
  status: z.enum(['firing', 'resolved']),
  name: z.string(),
  url: z.string().optional(),
  summary: z.string().optional(),
  labels: z.array(z.tuple([z.string(), z.string()])),
  links: z.array(z.tuple([z.string(), z.string()])),
  silence: z.string().optional(),
})
const groupState = z.object({ title: z.string(), alerts: z.array(listedAlert) })

type ListedAlert = z.infer<typeof listedAlert>
type GroupState = z.infer<typeof groupState>

type AlertData = AlertEventData & { silenceURL?: string; dashboardURL?: string; panelURL?: string }

function listed(event: IntegrationEvent, alert: AlertData): ListedAlert {
  const summary = alert.annotations['summary'] ?? alert.annotations['description']
  const links: [string, string][] = []
  if (alert.annotations['runbook_url']) links.push(['Runbook', alert.annotations['runbook_url']])
  if (alert.dashboardURL) links.push(['Dashboard', alert.dashboardURL])
  if (alert.panelURL) links.push(['Panel', alert.panelURL])
  return {
    fingerprint: alert.fingerprint,
    status: alert.status,
    name: alert.labels['alertname'] ?? 'alert',
    ...(event.url ? { url: event.url } : {}),
    ...(summary ? { summary } : {}),
    labels: Object.entries(alert.labels).filter(([k]) => !HIDDEN_LABELS.has(k)).sort(([a], [b]) => a.localeCompare(b)),
    links,
    ...(alert.silenceURL ? { silence: alert.silenceURL } : {}),
  }
}

/** As Alertmanager's default title: the group labels' values, else the alert name they share, else the receiver. */
function titleOf(alerts: AlertData[]): string {
  const first = alerts[0]!
  const grouped = Object.keys(first.groupLabels).sort().map((k) => first.groupLabels[k]!).join(' ')
  if (grouped) return grouped
  const names = new Set(alerts.map((a) => a.labels['alertname'] ?? ''))
  const shared = first.commonLabels['alertname'] ?? (names.size === 1 ? [...names][0] : '')
  return shared || first.receiver || 'Alerts'
}

/**
 * The state after this delivery: its alerts replace the ones with the same fingerprint, new ones are added. A group
 * whose status is `resolved` has no firing alert left, including any this post still shows firing (its resolution
 * went to a delivery we missed). The title stays the first delivery's: a later one may hold a single alert and would
 * name the group after it.
 */
function merge(earlier: GroupState | null, title: string, incoming: ListedAlert[], groupResolved: boolean): GroupState {
  const alerts = (earlier?.alerts ?? []).map((a): ListedAlert => (groupResolved ? { ...a, status: 'resolved' } : a))
  for (const alert of incoming) {
    const at = alerts.findIndex((a) => a.fingerprint === alert.fingerprint)
    if (at >= 0) alerts[at] = alert
    else alerts.push(alert)
  }
  while (alerts.length > MAX_KEPT) {
    const resolved = alerts.findIndex((a) => a.status === 'resolved')
    alerts.splice(resolved >= 0 ? resolved : 0, 1)
  }
  return { title: earlier?.title ?? title, alerts }
}

function alertLine(alert: ListedAlert): string {
  const firing = alert.status === 'firing'
  const parts = [`${firing ? ':fire:' : ':white_check_mark:'} **${link(alert.name, alert.url)}**${firing ? '' : ' resolved'}${alert.summary ? `: ${alert.summary}` : ''}`]
  if (alert.labels.length > 0) parts.push(alert.labels.map(([k, v]) => `\`${k}=${v}\``).join(' '))
  const links = [...alert.links.map(([text, url]) => link(text, url)), ...(firing && alert.silence ? [link('Silence', alert.silence)] : [])]
  if (links.length > 0) parts.push(links.join(' · '))
  return `- ${parts.join(' · ')}`
}

/** The post's text: a heading with the group's state, then its alerts, firing ones first. */
export function renderAlertGroup(state: GroupState): string {
  const firing = state.alerts.filter((a) => a.status === 'firing')
  const resolved = state.alerts.filter((a) => a.status === 'resolved')
  const heading = firing.length > 0
    ? `:fire: **[FIRING:${firing.length}] ${state.title}**${resolved.length > 0 ? ` · ${resolved.length} resolved` : ''}`
    : `:white_check_mark: **[RESOLVED] ${state.title}**: ${resolved.length === 1 ? 'the alert has' : `all ${resolved.length} alerts have`} resolved`
  const ordered = [...firing, ...resolved]
  const lines = [heading, ...ordered.slice(0, MAX_LISTED).map(alertLine)]
  if (ordered.length > MAX_LISTED) lines.push(`- … and ${ordered.length - MAX_LISTED} more`)
  return lines.join('\n')
}

/** The alert group a post's props remember, or null for a post without one (or one this version cannot read). */
function stateOf(props: Record<string, unknown>): GroupState | null {
  const parsed = groupState.safeParse(props[PROP])
  return parsed.success ? parsed.data : null
}

/**
 * The group post for one delivery's events (all of one group): edits the group's latest post, or starts one when
 * there is none or the group had resolved and fires again. `id` is what the post claim is keyed on.
 */
export function formatAlertGroupEvents(events: IntegrationEvent[]): { id: string; event: IntegrationEvent; message: ChatMessage }[] {
  const alerts = events.map((e) => e.data as AlertData).filter((a) => a && typeof a === 'object' && a.fingerprint && a.groupKey)
  if (alerts.length === 0 || alerts.length !== events.length) return []
  const title = titleOf(alerts)
  const incoming = events.map((e, i) => listed(e, alerts[i]!))
  const anyFiring = incoming.some((a) => a.status === 'firing')
  const groupResolved = alerts[0]!.groupStatus === 'resolved'
  const fresh = merge(null, title, incoming, groupResolved)
  const message: ChatMessage = {
    text: renderAlertGroup(fresh),
    props: { [PROP]: fresh },
    // Group keys can outgrow the ref_key column; their digest cannot.
    refKey: `alert-group:${digestOf(alerts[0]!.groupKey)}`,
    mode: 'update',
    mergeWith(earlierProps) {
      const earlier = stateOf(earlierProps)
      if (earlier && anyFiring && earlier.alerts.every((a) => a.status === 'resolved')) return null
      const next = merge(earlier, title, incoming, groupResolved)
      return { text: renderAlertGroup(next), props: { ...earlierProps, [PROP]: next } }
    },
  }
  return [{ id: `alert-group:${digestOf(...events.map((e) => e.id))}`, event: events[0]!, message }]
}
