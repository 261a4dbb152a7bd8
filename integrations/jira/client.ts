/**
 * A small typed Jira Cloud REST v3 client over core's outbound client, with basic `email:api_token` auth.
 * Not `jira-client` (stale, calls the removed /rest/api/2/search) nor `jira.js` 6 (needs Node 22); see issue 6.
 * Docs: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/
 */
import { ActionError } from '../../core/actions/index.ts'
import type { OutboundClient } from '../../core/outbound/client.ts'
import type { ConnectionForCall } from '../connections.ts'
import { callVendor, requireCredential } from '../vendor-http.ts'

const TIMEOUT_MS = 15_000

/** Atlassian Document Format: the minimal document v3 wants for descriptions and comments, one paragraph per line. */
export interface Adf {
  type: 'doc'
  version: 1
  content: { type: 'paragraph'; content: { type: 'text'; text: string }[] }[]
}

export function toAdf(text: string): Adf {
  return {
    type: 'doc',
    version: 1,
    content: text.split('\n').map((line) => ({ type: 'paragraph' as const, content: line === '' ? [] : [{ type: 'text' as const, text: line }] })),
  }
}

export interface JiraTransition {
  id: string
  name: string
  to?: { name?: string }
}

export function createJiraClient(outbound: OutboundClient, connection: ConnectionForCall) {
  const site = connection.settings.api_url
  if (!site) throw new ActionError(`the jira connection "${connection.name}" has no api_url setting (e.g. https://acme.atlassian.net)`, { retryable: false })
  const headers = () => {
    const email = requireCredential(connection, 'jira', 'email')
    const token = requireCredential(connection, 'jira', 'api_token')
    return { authorization: `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`, accept: 'application/json' }
  }
  const issuePath = (key: string) => `${site}/rest/api/3/issue/${encodeURIComponent(key)}`

  return {
    browseUrl: (key: string) => `${site}/browse/${encodeURIComponent(key)}`,

    /** `POST /rest/api/3/issue` → 201 `{id, key, self}`. */
    async createIssue(fields: { project: string; type: string; summary: string; description?: string; labels?: string[]; priority?: string; assigneeAccountId?: string }): Promise<{ id: string; key: string; self: string }> {
      const body = {
        fields: {
          project: { key: fields.project },
          issuetype: { name: fields.type },
          summary: fields.summary,
          ...(fields.description ? { description: toAdf(fields.description) } : {}),
          ...(fields.labels ? { labels: fields.labels } : {}),
          ...(fields.priority ? { priority: { name: fields.priority } } : {}),
          ...(fields.assigneeAccountId ? { assignee: { accountId: fields.assigneeAccountId } } : {}),
        },
      }
      const response = await callVendor(outbound, 'jira', { method: 'POST', url: `${site}/rest/api/3/issue`, headers: headers(), json: body, timeoutMs: TIMEOUT_MS })
      return response.json as { id: string; key: string; self: string }
    },

    /** `POST /rest/api/3/issue/{key}/comment` with an ADF body → 201 with the comment. */
    async addComment(key: string, text: string): Promise<{ id: string }> {
      const response = await callVendor(outbound, 'jira', { method: 'POST', url: `${issuePath(key)}/comment`, headers: headers(), json: { body: toAdf(text) }, timeoutMs: TIMEOUT_MS })
      return response.json as { id: string }
    },

    /** `GET /rest/api/3/issue/{key}/transitions`. */
    async listTransitions(key: string): Promise<JiraTransition[]> {
      const response = await callVendor(outbound, 'jira', { method: 'GET', url: `${issuePath(key)}/transitions`, headers: headers(), timeoutMs: TIMEOUT_MS })
      return ((response.json as { transitions?: JiraTransition[] } | null)?.transitions) ?? []
    },

    /**
     * Moves an issue: transition ids differ per workflow, so the transition is found by its name or its target
     * status's name (case-insensitive), then `POST …/transitions` `{transition: {id}}` → 204.
     * @throws ActionError (not retryable) listing the available transitions when none matches.
     */
    async transition(key: string, to: string): Promise<JiraTransition> {
      const wanted = to.trim().toLowerCase()
      const transitions = await this.listTransitions(key)
      const match = transitions.find((t) => t.name.toLowerCase() === wanted) ?? transitions.find((t) => t.to?.name?.toLowerCase() === wanted)
      if (!match) {
        const names = transitions.map((t) => t.to?.name ?? t.name).join(', ') || 'none'
        throw new ActionError(`jira issue ${key} has no transition to "${to}" (available: ${names})`, { retryable: false, status: 400 })
      }
      await callVendor(outbound, 'jira', { method: 'POST', url: `${issuePath(key)}/transitions`, headers: headers(), json: { transition: { id: match.id } }, timeoutMs: TIMEOUT_MS })
      return match
    },
  }
}
