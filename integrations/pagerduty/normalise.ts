/** PagerDuty v3 event → IntegrationEvent (pure). Correlation: the incident id (playbooks spec §9.1). */
import { z } from 'zod'
import type { IntegrationEvent, Severity } from '../event.ts'
import type { ParseResult } from '../connector.ts'
import { isoToMs, validate } from '../payload.ts'
import { incidentSchema, noteSchema, type PagerDutyEnvelope } from './receiver.ts'

/** Event types whose `data` is the incident itself. */
const INCIDENT_EVENTS = new Set([
  'incident.triggered',
  'incident.acknowledged',
  'incident.unacknowledged',
  'incident.escalated',
  'incident.resolved',
  'incident.reassigned',
  'incident.delegated',
  'incident.reopened',
  'incident.priority_updated',
  'incident.service_updated',
])

type Incident = z.infer<typeof incidentSchema>

// Built once: a zod schema compiles itself on first use, which costs more than the parse.
const incidentEnvelope = z.object({ event: z.object({ data: incidentSchema }) })
const noteEnvelope = z.object({ event: z.object({ data: noteSchema }) })

/** P1 → critical, P2 → high; otherwise urgency high → high, low → warning (connectors spec §6). */
export function incidentSeverity(incident: Incident): Severity | undefined {
  const priority = incident.priority?.summary?.toUpperCase()
  if (priority === 'P1') return 'critical'
  if (priority === 'P2') return 'high'
  if (incident.urgency === 'high') return 'high'
  if (incident.urgency === 'low') return 'warning'
  return undefined
}

export function normalisePagerDuty(envelope: PagerDutyEnvelope, raw: unknown, deliveryId: string): ParseResult {
  const { event } = envelope
  const occurredAt = isoToMs(event.occurred_at)
  if (occurredAt === undefined) return { kind: 'invalid', message: 'event.occurred_at: expected an ISO 8601 time' }
  const base = {
    source: 'pagerduty' as const,
    type: `pagerduty.${event.event_type}`,
    vendorEvent: event.event_type,
    id: deliveryId,
    occurredAt,
    ...(event.agent ? { actor: { vendorId: event.agent.id, ...(event.agent.summary ? { name: event.agent.summary } : {}) } } : {}),
    raw,
  }

  if (INCIDENT_EVENTS.has(event.event_type)) {
    const checked = validate(incidentEnvelope, raw)
    if (!checked.ok) return { kind: 'invalid', message: checked.message }
    const incident = checked.value.event.data
    const assignee = incident.assignees[0]
    const severity = incidentSeverity(incident)
    const normalised: IntegrationEvent = {
      ...base,
      correlationKey: incident.id,
      title: incident.title,
      status: incident.status,
      ...(severity ? { severity } : {}),
      ...(incident.html_url ? { url: incident.html_url } : {}),
      ...(assignee ? { assignee: { vendorId: assignee.id, ...(assignee.summary ? { name: assignee.summary } : {}) } } : {}),
      data: event.data,
    }
    return { kind: 'events', events: [normalised] }
  }

  if (event.event_type === 'incident.annotated') {
    const checked = validate(noteEnvelope, raw)
    if (!checked.ok) return { kind: 'invalid', message: checked.message }
    const note = checked.value.event.data
    const normalised: IntegrationEvent = {
      ...base,
      correlationKey: note.incident.id,
      title: note.incident.summary ? `Note on ${note.incident.summary}` : `Note on incident ${note.incident.id}`,
      ...(note.incident.html_url ? { url: note.incident.html_url } : {}),
      data: event.data,
    }
    return { kind: 'events', events: [normalised] }
  }

  return { kind: 'ignored', vendorEvent: event.event_type, reason: `PagerDuty ${event.event_type} events are not handled` }
}

