/** PagerDuty events as the PagerDuty bot posts them: the trigger as a root post, every later change as a reply in its thread. */
import type { ChatMessage } from '../chat-message.ts'
import { link } from '../chat-message.ts'
import type { IntegrationEvent } from '../event.ts'

interface IncidentData {
  id: string
  number?: number
  title?: string
  html_url?: string
  urgency?: string
  service?: { summary?: string | null }
  assignees?: { summary?: string | null }[]
  priority?: { summary?: string | null } | null
}

interface NoteData {
  content?: string
  incident?: { id: string }
}

const VERBS: Record<string, [icon: string, verb: string]> = {
  'incident.triggered': [':rotating_light:', 'triggered'],
  'incident.acknowledged': [':eyes:', 'acknowledged'],
  'incident.unacknowledged': [':warning:', 'unacknowledged'],
  'incident.escalated': [':arrow_double_up:', 'escalated'],
  'incident.resolved': [':white_check_mark:', 'resolved'],
  'incident.reassigned': [':busts_in_silhouette:', 'reassigned'],
  'incident.delegated': [':busts_in_silhouette:', 'delegated'],
  'incident.reopened': [':leftwards_arrow_with_hook:', 'reopened'],
  'incident.priority_updated': [':arrow_up_down:', 'priority updated'],
  'incident.service_updated': [':twisted_rightwards_arrows:', 'moved to another service'],
}

/** The ref key of an incident's posts; `/pagerduty` reads the incident id back from it. */
export function incidentRefKey(incidentId: string): string {
  return `incident:${incidentId}`
}

export function formatPagerDutyEvent(event: IntegrationEvent): ChatMessage | null {
  const by = event.actor?.name ? ` by ${event.actor.name}` : ''
  if (event.vendorEvent === 'incident.annotated') {
    const note = event.data as NoteData
    const quoted = (note.content ?? '').split('\n').map((line) => `> ${line}`).join('\n')
    return { text: `:memo: Note on ${link(event.title.replace(/^Note on /, ''), event.url)}${by}:\n${quoted}`, refKey: incidentRefKey(event.correlationKey), mode: 'reply' }
  }
  const verb = VERBS[event.vendorEvent]
  if (!verb) return null
  const incident = event.data as IncidentData
  const name = `${incident.number !== undefined ? `#${incident.number} ` : ''}${incident.title ?? event.title}`
  const lines = [`${verb[0]} **Incident ${verb[1]}**${by}: ${link(name, incident.html_url ?? event.url)}`]
  const facts: string[] = []
  if (incident.service?.summary) facts.push(`Service: ${incident.service.summary}`)
  if (incident.priority?.summary) facts.push(`Priority: ${incident.priority.summary}`)
  if (incident.urgency) facts.push(`Urgency: ${incident.urgency}`)
  const assignees = (incident.assignees ?? []).map((a) => a.summary).filter(Boolean)
  if (assignees.length > 0) facts.push(`Assigned to: ${assignees.join(', ')}`)
  if (facts.length > 0 && (event.vendorEvent === 'incident.triggered' || event.vendorEvent === 'incident.reassigned' || event.vendorEvent === 'incident.escalated' || event.vendorEvent === 'incident.priority_updated')) {
    lines.push(facts.join(' · '))
  }
  return { text: lines.join('\n'), refKey: incidentRefKey(incident.id), mode: event.vendorEvent === 'incident.triggered' ? 'post' : 'reply' }
}
