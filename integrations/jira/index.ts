/** Jira Cloud connector: signed admin webhooks in (verify → dedupe → normalise). */
import type { Connector } from '../connector.ts'
import { decodeJson } from '../payload.ts'
import { jiraDeliveryId, verifyJiraSignature } from './receiver.ts'
import { normaliseJira } from './normalise.ts'

export const jiraConnector: Connector = {
  id: 'jira',
  name: 'Jira Cloud',
  source: 'integrations/jira',
  docsUrl: 'https://developer.atlassian.com/cloud/jira/platform/webhooks/',
  // Issue bodies carry every field, custom fields included.
  maxBodyBytes: 10 * 1024 * 1024,
  verify: async (request, secrets) => verifyJiraSignature(request, secrets),
  parse(rawBody, headers) {
    const decoded = decodeJson(rawBody)
    if (!decoded.ok) return { kind: 'invalid', message: decoded.message }
    return normaliseJira(decoded.value, jiraDeliveryId(headers, rawBody))
  },
  dedupeKey: (request) => jiraDeliveryId(request.headers, request.rawBody),
}
