/** GitHub connector: repository and organisation webhooks in (verify with @octokit/webhooks → normalise). */
import type { Connector } from '../connector.ts'
import { decodeJson } from '../payload.ts'
import { digestOf } from '../signature.ts'
import { gitHubDeliveryId, gitHubEventName, verifyGitHubSignature, EVENT_HEADER } from './receiver.ts'
import { normaliseGitHub } from './normalise.ts'

const FORM_ENCODED = /^payload=/

export const gitHubConnector: Connector = {
  id: 'github',
  name: 'GitHub',
  source: 'integrations/github',
  docsUrl: 'https://docs.github.com/en/webhooks/webhook-events-and-payloads',
  // GitHub caps payloads at 25 MB.
  maxBodyBytes: 25 * 1024 * 1024,
  verify: (request, secrets) => verifyGitHubSignature(request, secrets),
  parse(rawBody, headers, options = {}) {
    const event = gitHubEventName(headers)
    if (!event) return { kind: 'invalid', message: `${EVENT_HEADER}: missing header` }
    const decoded = decodeJson(rawBody)
    if (!decoded.ok) {
      if (FORM_ENCODED.test(Buffer.from(rawBody.subarray(0, 8)).toString('latin1'))) {
        return { kind: 'invalid', message: 'the webhook sends application/x-www-form-urlencoded; set its content type to application/json' }
      }
      return { kind: 'invalid', message: decoded.message }
    }
    const deliveryId = gitHubDeliveryId(headers) ?? digestOf('body', Buffer.from(rawBody).toString('base64'))
    return normaliseGitHub(event, decoded.value, deliveryId, options.receivedAt ?? Date.now())
  },
  dedupeKey: (request) => gitHubDeliveryId(request.headers) ?? digestOf('body', Buffer.from(request.rawBody).toString('base64')),
}
