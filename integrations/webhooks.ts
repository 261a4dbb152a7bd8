/**
 * The inbound pipeline (connectors spec §0): verify before parsing, refuse what cannot be read, drop redeliveries,
 * and hand the rest to a durable job so the vendor gets its 2xx within its few seconds.
 */
import { AppError, notFound } from '../core/errors.ts'
import { groupCommit } from '../core/group-commit.ts'
import type { EnqueueInput, JobService } from '../core/jobs/index.ts'
import type { Logger } from '../core/log.ts'
import type { Registry } from '../core/registry.ts'
import type { Connector, WebhookHeaders } from './connector.ts'
import type { ConnectionService } from './connections.ts'

export const PROCESS_JOB = 'integrations.webhook.process'

/** What the job gets: the delivery as received (the body re-parsed there), minus credentials. */
export interface DeliveryJobData {
  vendor: string
  connectionId: string
  deliveryKey: string
  body: string
  headers: Record<string, string>
  receivedAt: number
}

export type DeliveryOutcome = 'queued' | 'duplicate' | 'ignored'

/** Headers that carry credentials, never stored with the job. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie'])

function keptHeaders(headers: WebhookHeaders): Record<string, string> {
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (SECRET_HEADERS.has(lower) || value === undefined) continue
    kept[lower] = typeof value === 'string' ? value : value.join(', ')
  }
  return kept
}

export function createWebhookReceiver(options: { connectors: Registry<Connector>; connections: ConnectionService; jobs: JobService; log: Logger; now: () => number }) {
  const { connectors, connections, jobs, log } = options
  // Deliveries arriving together (a vendor's burst) are queued with one INSERT; each answer still waits for its own row.
  const enqueue = groupCommit((inputs: EnqueueInput<DeliveryJobData>[]) => jobs.enqueueEach(inputs), { max: 100 })

  return {
    /** The connector for a vendor path segment. @throws AppError 404. */
    connector(vendor: string): Connector {
      const connector = connectors.get(vendor)
      if (!connector) throw new AppError('api.integrations.vendor.not_found.app_error', `Unknown integration vendor "${vendor}".`, 404, { context: { vendor } })
      return connector
    },

    /**
     * Handles one delivery.
     * @throws AppError 404 unknown connection, 401 missing or bad signature, 400 unreadable body (naming the field),
     *   503 when the delivery cannot be queued (the vendor retries).
     */
    async receive(vendor: string, connectionId: string, headers: WebhookHeaders, rawBody: Buffer): Promise<DeliveryOutcome> {
      const connector = this.connector(vendor)
      if (connector.inbound === false) {
        throw new AppError('api.integrations.webhook.outbound_only.app_error', `${connector.name} connections receive no webhooks.`, 404, { context: { vendor, connectionId } })
      }
      const connection = await connections.forWebhook(vendor, connectionId)
      if (!connection) throw notFound('integration_connection', connectionId, 'api.integrations.connection.not_found.app_error')
      const verified = await connector.verify({ headers, rawBody }, connections.activeSecrets(connection))
      if (!verified.ok) {
        throw new AppError('api.integrations.webhook.signature.app_error', 'The webhook signature or credentials are missing or invalid.', 401, { detailed: verified.reason, context: { vendor, connectionId } })
      }
      const receivedAt = options.now()
      const parsed = connector.parse(rawBody, headers, { receivedAt })
      if (parsed.kind === 'invalid') {
        throw new AppError('api.integrations.webhook.invalid_body.app_error', `Invalid ${connector.name} webhook body: ${parsed.message}`, 400, { detailed: parsed.message, context: { vendor, connectionId } })
      }
      const deliveryKey = connector.dedupeKey({ headers, rawBody })
      if (parsed.kind === 'ignored') {
        log.info({ vendor, connectionId, vendorEvent: parsed.vendorEvent, reason: parsed.reason }, 'webhook event ignored')
        return 'ignored'
      }
      const data: DeliveryJobData = { vendor, connectionId, deliveryKey, body: rawBody.toString('utf8'), headers: keptHeaders(headers), receivedAt }
      let created: boolean
      try {
        // The job's dedupe key is the delivery's: a redelivery finds the first job (kept 7 days after it ends, more
        // than GitHub's 3-day redelivery window and PagerDuty's 48 h of retries).
        created = await enqueue({ type: PROCESS_JOB, data, dedupeKey: `integration:${connectionId}:${deliveryKey}`.slice(0, 256) })
      } catch (err) {
        throw new AppError('api.integrations.webhook.queue.app_error', 'The webhook could not be queued; try again.', 503, { cause: err, context: { vendor, connectionId } })
      }
      log.debug({ vendor, connectionId, deliveryKey, duplicate: !created }, created ? 'webhook delivery queued' : 'webhook delivery already received')
      return created ? 'queued' : 'duplicate'
    },
  }
}

export type WebhookReceiver = ReturnType<typeof createWebhookReceiver>
