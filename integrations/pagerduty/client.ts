/**
 * A thin PagerDuty client: REST API v2 (`Authorization: Token token=…`, the versioned Accept header, `From:` a valid
 * user's email on writes) and Events API v2 (the routing key in the body, no auth header).
 * Docs: https://developer.pagerduty.com/docs/authentication, …/docs/versioning, https://developer.pagerduty.com/api-reference/
 */
import { ActionError } from '../../core/actions/index.ts'
import type { OutboundClient } from '../../core/outbound/client.ts'
import type { ConnectionForCall } from '../connections.ts'
import { callVendor, requireCredential } from '../vendor-http.ts'

export const PAGERDUTY_API_URL = 'https://api.pagerduty.com'
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com'
const TIMEOUT_MS = 15_000

/** `from`: the email the change is recorded as, instead of the connection's `from_email`. */
export function createPagerDutyClient(outbound: OutboundClient, connection: ConnectionForCall, from?: string) {
  const api = connection.settings.api_url ?? PAGERDUTY_API_URL
  const events = connection.settings.events_url ?? PAGERDUTY_EVENTS_URL

  function restHeaders(): Record<string, string> {
    return {
      authorization: `Token token=${requireCredential(connection, 'pagerduty', 'api_token')}`,
      accept: 'application/vnd.pagerduty+json;version=2',
      // Required on writes made with an account-level token: the user the change is recorded as.
      from: from ?? requireCredential(connection, 'pagerduty', 'from_email'),
    }
  }

  /** Reads need no `From:`, so a connection without `from_email` can still read schedules. */
  function readHeaders(): Record<string, string> {
    return { authorization: `Token token=${requireCredential(connection, 'pagerduty', 'api_token')}`, accept: 'application/vnd.pagerduty+json;version=2' }
  }

  return {
    /**
     * `GET /oncalls?schedule_ids[]=…&include[]=users&earliest=true`: the users on call now at each escalation level of
     * the schedule, first level first, without duplicates.
     */
    async onCallEmails(scheduleId: string): Promise<string[]> {
      const query = new URLSearchParams([['schedule_ids[]', scheduleId], ['include[]', 'users'], ['earliest', 'true']])
      const response = await callVendor(outbound, 'pagerduty', { method: 'GET', url: `${api}/oncalls?${query}`, headers: readHeaders(), timeoutMs: TIMEOUT_MS })
      const oncalls = ((response.json as { oncalls?: unknown } | null)?.oncalls ?? []) as { escalation_level?: unknown; user?: { email?: unknown } }[]
      if (!Array.isArray(oncalls)) return []
      const ordered = [...oncalls].sort((a, b) => Number(a.escalation_level ?? 0) - Number(b.escalation_level ?? 0))
      return [...new Set(ordered.map((o) => o.user?.email).filter((e): e is string => typeof e === 'string' && e !== ''))]
    },

    /** `GET /schedules?query=…`: the id of the schedule named `name` (case-insensitively), or null. */
    async scheduleIdByName(name: string): Promise<string | null> {
      const response = await callVendor(outbound, 'pagerduty', { method: 'GET', url: `${api}/schedules?${new URLSearchParams({ query: name })}`, headers: readHeaders(), timeoutMs: TIMEOUT_MS })
      const schedules = ((response.json as { schedules?: unknown } | null)?.schedules ?? []) as { id?: unknown; name?: unknown }[]
      const found = Array.isArray(schedules) ? schedules.find((s) => typeof s.name === 'string' && s.name.toLowerCase() === name.toLowerCase()) : undefined
      return typeof found?.id === 'string' ? found.id : null
    },

    /** `PUT /incidents/{id}` with `{incident: {type: "incident_reference", …fields}}`. */
    async updateIncident(incidentId: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
      const response = await callVendor(outbound, 'pagerduty', {
        method: 'PUT', url: `${api}/incidents/${encodeURIComponent(incidentId)}`, headers: restHeaders(), timeoutMs: TIMEOUT_MS,
        json: { incident: { type: 'incident_reference', ...fields } },
      })
      return ((response.json as { incident?: Record<string, unknown> } | null)?.incident) ?? {}
    },

    /**
     * `POST /incidents` with `{incident: {type: "incident", title, service, …}}`. PagerDuty refuses a second incident
     * with an open incident's `incident_key` (400): that answer means it exists, and is returned as `null`.
     */
    async createIncident(incident: Record<string, unknown>): Promise<Record<string, unknown> | null> {
      try {
        const response = await callVendor(outbound, 'pagerduty', { method: 'POST', url: `${api}/incidents`, headers: restHeaders(), timeoutMs: TIMEOUT_MS, json: { incident: { type: 'incident', ...incident } } })
        return ((response.json as { incident?: Record<string, unknown> } | null)?.incident) ?? {}
      } catch (err) {
        if (err instanceof ActionError && err.status === 400 && /incident key|matching dedup|already exists/i.test(err.message) && incident.incident_key) return null
        throw err
      }
    },

    /** `POST /incidents/{id}/notes` with `{note: {content}}`. */
    async addNote(incidentId: string, content: string): Promise<Record<string, unknown>> {
      const response = await callVendor(outbound, 'pagerduty', {
        method: 'POST', url: `${api}/incidents/${encodeURIComponent(incidentId)}/notes`, headers: restHeaders(), timeoutMs: TIMEOUT_MS,
        json: { note: { content } },
      })
      return ((response.json as { note?: Record<string, unknown> } | null)?.note) ?? {}
    },

    /** `POST https://events.pagerduty.com/v2/enqueue`; answers 202 `{status, message, dedup_key}`. */
    async enqueueEvent(event: Record<string, unknown>): Promise<{ status: string; dedup_key: string }> {
      const response = await callVendor(outbound, 'pagerduty', {
        method: 'POST', url: `${events}/v2/enqueue`, headers: { accept: 'application/json' }, timeoutMs: TIMEOUT_MS,
        json: { routing_key: requireCredential(connection, 'pagerduty', 'routing_key'), ...event },
      })
      const body = (response.json ?? {}) as { status?: string; dedup_key?: string }
      return { status: body.status ?? '', dedup_key: body.dedup_key ?? '' }
    },

    /**
     * `POST https://events.pagerduty.com/v2/change/enqueue` with `{routing_key, payload, links}`; answers 202
     * `{status, message}`. `routingKey` defaults to the connection's `routing_key` credential.
     */
    async enqueueChange(change: { payload: Record<string, unknown>; links?: unknown[] }, routingKey?: string): Promise<{ status: string }> {
      const response = await callVendor(outbound, 'pagerduty', {
        method: 'POST', url: `${events}/v2/change/enqueue`, headers: { accept: 'application/json' }, timeoutMs: TIMEOUT_MS,
        json: { routing_key: routingKey ?? requireCredential(connection, 'pagerduty', 'routing_key'), ...change },
      })
      return { status: ((response.json ?? {}) as { status?: string }).status ?? '' }
    },
  }
}
