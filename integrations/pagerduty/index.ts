/** PagerDuty connector: Webhooks v3 in (verify → dedupe → normalise). */
import type { Connector } from '../connector.ts'
import { readEnvelope, pagerDutyDeliveryId, verifyPagerDutySignature } from './receiver.ts'
import { normalisePagerDuty } from './normalise.ts'

export const pagerDutyConnector: Connector = {
  id: 'pagerduty',
  name: 'PagerDuty',
  source: 'integrations/pagerduty',
  docsUrl: 'https://developer.pagerduty.com/docs/webhooks/v3-overview/',
  // One event per request, no batching; connectors spec §1.1 caps it at 2 MB.
  maxBodyBytes: 2 * 1024 * 1024,
  verify: async (request, secrets) => verifyPagerDutySignature(request, secrets),
  parse(rawBody, headers) {
    const read = readEnvelope(rawBody)
    if (!read.ok) return { kind: 'invalid', message: read.message }
    return normalisePagerDuty(read.value.envelope, read.value.raw, pagerDutyDeliveryId(headers, rawBody))
  },
  dedupeKey: (request) => pagerDutyDeliveryId(request.headers, request.rawBody),
}
