/**
 * Grafana and Alertmanager alerts as their bots post them: one post per alert, which its resolution edits in place.
 * Shared at the top of integrations/ because both senders use the Alertmanager notification shape.
 */
import type { AlertEventData } from './alert-group.ts'
import type { ChatMessage } from './chat-message.ts'
import { link } from './chat-message.ts'
import type { IntegrationEvent } from './event.ts'

/** Labels Grafana adds to every alert, not worth a line each. */
const HIDDEN_LABELS = new Set(['alertname', '__alert_rule_uid__', 'grafana_folder'])

export function formatAlertEvent(event: IntegrationEvent): ChatMessage | null {
  const alert = event.data as AlertEventData & { silenceURL?: string; dashboardURL?: string; panelURL?: string }
  if (!alert || typeof alert !== 'object' || !alert.fingerprint) return null
  const firing = alert.status === 'firing'
  const name = alert.labels['alertname'] ?? 'alert'
  const heading = `${firing ? ':fire:' : ':white_check_mark:'} **[${firing ? 'FIRING' : 'RESOLVED'}] ${link(name, event.url)}**`
  const lines = [heading]
  const summary = alert.annotations['summary'] ?? alert.annotations['description']
  if (summary) lines.push(summary)
  const labels = Object.entries(alert.labels).filter(([k]) => !HIDDEN_LABELS.has(k)).sort(([a], [b]) => a.localeCompare(b))
  if (labels.length > 0) lines.push(labels.map(([k, v]) => `\`${k}=${v}\``).join(' '))
  const links = [
    alert.annotations['runbook_url'] ? link('Runbook', alert.annotations['runbook_url']) : '',
    firing && alert.silenceURL ? link('Silence', alert.silenceURL) : '',
    alert.dashboardURL ? link('Dashboard', alert.dashboardURL) : '',
    alert.panelURL ? link('Panel', alert.panelURL) : '',
  ].filter(Boolean)
  if (links.length > 0) lines.push(links.join(' · '))
  return { text: lines.join('\n'), refKey: `alert:${alert.fingerprint}`, mode: firing ? 'post' : 'update' }
}
