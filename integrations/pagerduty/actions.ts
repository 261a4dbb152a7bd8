/**
 * PagerDuty actions: acknowledge, resolve, note and reassign an incident (REST API v2), trigger an alert and record a
 * change (Events API v2).
 */
import { z } from 'zod'
import type { ActionDefinition } from '../../core/actions/index.ts'
import { connectionRef, type ConnectorActionDeps } from '../action-deps.ts'
import { createPagerDutyClient } from './client.ts'

const incidentId = z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'expected a PagerDuty incident id such as Q0INC1')
const SOURCE = 'integrations/pagerduty'
/** Who the change is recorded as in PagerDuty (the `From:` header); default the connection's `from_email`. */
const from = z.string().email('expected the email of a PagerDuty user').optional()

/** Ties a channel to an incident, so `/pagerduty` typed there acts on it (a playbook run's channel, say). */
export type LinkIncident = (session: Parameters<ActionDefinition['run']>[1]['session'], link: { connectionId: string; teamId: string; incidentId: string; channelId: string }) => Promise<void>

export function pagerDutyActions(deps: ConnectorActionDeps, linkIncident: LinkIncident): ActionDefinition[] {
  const clientFor = async (session: Parameters<ActionDefinition['run']>[1]['session'], ref: string, from?: string) =>
    createPagerDutyClient(deps.outbound, await deps.connections.forAction(session, 'pagerduty', ref), from)

  const setStatus = (status: 'acknowledged' | 'resolved', description: string): ActionDefinition =>
    ({
      id: `pagerduty.incident.${status === 'acknowledged' ? 'acknowledge' : 'resolve'}@v1`,
      source: SOURCE,
      description,
      input: z.object({ connection: connectionRef, incident_id: incidentId, from, ...(status === 'resolved' ? { resolution: z.string().max(4096).optional() } : {}) }),
      outputs: ['incidentId', 'status'],
      sideEffect: true,
      async run(input: { connection: string; incident_id: string; from?: string; resolution?: string }, ctx) {
        const client = await clientFor(ctx.session, input.connection, input.from)
        const incident = await client.updateIncident(input.incident_id, { status, ...(input.resolution ? { resolution: input.resolution } : {}) })
        return { incidentId: input.incident_id, status: typeof incident.status === 'string' ? incident.status : status }
      },
    }) satisfies ActionDefinition

  return [
    {
      id: 'pagerduty.incident.link@v1',
      source: SOURCE,
      description: 'Links a channel (e.g. a run channel) to a PagerDuty incident, so /pagerduty ack|resolve|note typed there acts on it',
      input: z.object({ connection: connectionRef, incident_id: incidentId, channel_id: z.string().regex(/^[a-z0-9]{26}$/, 'expected a 26-character id') }),
      outputs: [],
      sideEffect: true,
      async run(input: { connection: string; incident_id: string; channel_id: string }, ctx) {
        const connection = await deps.connections.forAction(ctx.session, 'pagerduty', input.connection)
        await linkIncident(ctx.session, { connectionId: connection.id, teamId: connection.teamId, incidentId: input.incident_id, channelId: input.channel_id })
        return {}
      },
    },
    {
      id: 'pagerduty.incident.create@v1',
      source: SOURCE,
      description: "Opens a PagerDuty incident on a service; its incident_key (default: the call's idempotency key) makes a retry find the same incident",
      input: z.object({
        connection: connectionRef,
        from,
        service_id: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'expected a PagerDuty service id such as PSVC123'),
        title: z.string().min(1, 'must not be empty').max(1024),
        urgency: z.enum(['high', 'low']).optional(),
        incident_key: z.string().min(1).max(255).optional(),
        details: z.string().max(25_000).optional(),
        escalation_policy_id: z.string().regex(/^[A-Za-z0-9]{1,64}$/).optional(),
      }),
      outputs: ['incidentId', 'url', 'existed'],
      sideEffect: true,
      async run(input: { connection: string; from?: string; service_id: string; title: string; urgency?: 'high' | 'low'; incident_key?: string; details?: string; escalation_policy_id?: string }, ctx) {
        const incidentKey = input.incident_key ?? (ctx.idempotencyKey ? ctx.idempotencyKey.slice(0, 255) : undefined)
        const created = await (await clientFor(ctx.session, input.connection, input.from)).createIncident({
          title: input.title,
          service: { id: input.service_id, type: 'service_reference' },
          ...(input.urgency ? { urgency: input.urgency } : {}),
          ...(incidentKey ? { incident_key: incidentKey } : {}),
          ...(input.details ? { body: { type: 'incident_body', details: input.details } } : {}),
          ...(input.escalation_policy_id ? { escalation_policy: { id: input.escalation_policy_id, type: 'escalation_policy_reference' } } : {}),
        })
        if (!created) return { incidentId: '', url: '', existed: true }
        return { incidentId: typeof created.id === 'string' ? created.id : '', url: typeof created.html_url === 'string' ? created.html_url : '', existed: false }
      },
    },
    setStatus('acknowledged', 'Acknowledges a PagerDuty incident'),
    setStatus('resolved', 'Resolves a PagerDuty incident, with an optional resolution note'),
    {
      id: 'pagerduty.incident.note@v1',
      source: SOURCE,
      description: 'Adds a note to a PagerDuty incident',
      input: z.object({ connection: connectionRef, incident_id: incidentId, from, content: z.string().min(1, 'must not be empty').max(25_000) }),
      outputs: ['noteId'],
      sideEffect: true,
      async run(input: { connection: string; incident_id: string; from?: string; content: string }, ctx) {
        const note = await (await clientFor(ctx.session, input.connection, input.from)).addNote(input.incident_id, input.content)
        return { noteId: typeof note.id === 'string' ? note.id : '' }
      },
    },
    {
      id: 'pagerduty.incident.reassign@v1',
      source: SOURCE,
      description: 'Reassigns a PagerDuty incident to users or to an escalation policy',
      input: z.object({
        connection: connectionRef,
        incident_id: incidentId,
        from,
        assignee_ids: z.array(z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'expected PagerDuty user ids')).min(1).max(20).optional(),
        escalation_policy_id: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'expected a PagerDuty escalation policy id').optional(),
      }).refine((i) => (i.assignee_ids === undefined) !== (i.escalation_policy_id === undefined), { message: 'give assignee_ids or escalation_policy_id, not both', path: ['assignee_ids'] }),
      outputs: ['incidentId'],
      sideEffect: true,
      async run(input: { connection: string; incident_id: string; from?: string; assignee_ids?: string[]; escalation_policy_id?: string }, ctx) {
        const fields = input.assignee_ids
          ? { assignments: input.assignee_ids.map((id) => ({ assignee: { id, type: 'user_reference' } })) }
          : { escalation_policy: { id: input.escalation_policy_id, type: 'escalation_policy_reference' } }
        await (await clientFor(ctx.session, input.connection, input.from)).updateIncident(input.incident_id, fields)
        return { incidentId: input.incident_id }
      },
    },
    {
      id: 'pagerduty.event.trigger@v1',
      source: SOURCE,
      description: 'Triggers an alert through the Events API v2 (the connection\'s routing_key); the dedup key is the call\'s idempotency key unless given',
      input: z.object({
        connection: connectionRef,
        summary: z.string().min(1).max(1024),
        source: z.string().min(1).max(255),
        severity: z.enum(['critical', 'error', 'warning', 'info']),
        dedup_key: z.string().min(1).max(255).optional(),
        component: z.string().max(255).optional(),
        group: z.string().max(255).optional(),
        class: z.string().max(255).optional(),
        custom_details: z.record(z.string(), z.unknown()).optional(),
        links: z.array(z.object({ href: z.string().url(), text: z.string().optional() })).max(20).optional(),
      }),
      outputs: ['dedupKey', 'status'],
      sideEffect: true,
      async run(input: { connection: string; summary: string; source: string; severity: string; dedup_key?: string; component?: string; group?: string; class?: string; custom_details?: Record<string, unknown>; links?: { href: string; text?: string }[] }, ctx) {
        // The idempotency key as dedup key: a retried trigger updates the same PagerDuty alert instead of opening another.
        const dedupKey = input.dedup_key ?? (ctx.idempotencyKey ? ctx.idempotencyKey.slice(0, 255) : undefined)
        const payload: Record<string, unknown> = { summary: input.summary, source: input.source, severity: input.severity }
        for (const key of ['component', 'group', 'class', 'custom_details'] as const) if (input[key] !== undefined) payload[key] = input[key]
        const answer = await (await clientFor(ctx.session, input.connection)).enqueueEvent({
          event_action: 'trigger',
          ...(dedupKey ? { dedup_key: dedupKey } : {}),
          payload,
          ...(input.links ? { links: input.links } : {}),
        })
        return { dedupKey: answer.dedup_key, status: answer.status }
      },
    },
    {
      id: 'pagerduty.change_event@v1',
      source: SOURCE,
      description: "Records a change (a deploy, a config change) on a PagerDuty service through the Events API v2; it shows beside the service's incidents and pages no one",
      input: z.object({
        connection: connectionRef,
        /** The service's Change Events integration key, when it is not the connection's `routing_key`. */
        routing_key: z.string().regex(/^[A-Za-z0-9]{32}$/, 'expected a 32-character integration key').optional(),
        summary: z.string().min(1, 'must not be empty').max(1024),
        source: z.string().min(1).max(255).optional(),
        /** When the change happened (ISO 8601); default now. */
        timestamp: z.string().datetime({ offset: true, message: 'expected an ISO 8601 time such as 2024-05-01T10:00:00Z' }).optional(),
        custom_details: z.record(z.string(), z.unknown()).optional(),
        links: z.array(z.object({ href: z.string().url(), text: z.string().optional() })).max(20).optional(),
      }),
      outputs: ['status'],
      sideEffect: true,
      async run(input: { connection: string; routing_key?: string; summary: string; source?: string; timestamp?: string; custom_details?: Record<string, unknown>; links?: { href: string; text?: string }[] }, ctx) {
        const payload: Record<string, unknown> = { summary: input.summary, timestamp: input.timestamp ?? new Date().toISOString() }
        if (input.source !== undefined) payload.source = input.source
        if (input.custom_details !== undefined) payload.custom_details = input.custom_details
        const answer = await (await clientFor(ctx.session, input.connection)).enqueueChange({ payload, ...(input.links ? { links: input.links } : {}) }, input.routing_key)
        return { status: answer.status }
      },
    },
  ]
}
