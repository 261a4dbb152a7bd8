/** Grafana connector: unified alerting webhooks in, one event per alert, correlated by group key. */
import type { Connector } from '../connector.ts'
import { alertGroupDedupeKey, parseAlertGroup } from '../alert-group.ts'
import { decodeJson } from '../payload.ts'
import { grafanaBodySchema, isLegacyGrafanaBody, verifyGrafanaRequest, type GrafanaVerifyOptions } from './receiver.ts'

export type { GrafanaVerifyOptions } from './receiver.ts'

/** A Grafana connector; options tune the timestamp check (tests pin the clock). */
export function createGrafanaConnector(options: GrafanaVerifyOptions = {}): Connector {
  return {
    id: 'grafana',
    name: 'Grafana Alerting',
    source: 'integrations/grafana',
    docsUrl: 'https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/',
    // A whole alert group per request; large groups should be capped at the sender with maxAlerts.
    maxBodyBytes: 10 * 1024 * 1024,
    verify: async (request, secrets) => verifyGrafanaRequest(request, secrets, options),
    parse(rawBody, _headers, parseOptions = {}) {
      const decoded = decodeJson(rawBody)
      if (!decoded.ok) return { kind: 'invalid', message: decoded.message }
      if (isLegacyGrafanaBody(decoded.value)) {
        return { kind: 'ignored', vendorEvent: 'legacy-alert', reason: 'legacy (pre-unified) Grafana alert notifications are not handled; use a unified alerting contact point' }
      }
      return parseAlertGroup('grafana', grafanaBodySchema, decoded.value, parseOptions.receivedAt ?? Date.now(), parseOptions.connectionId)
    },
    dedupeKey: (request) => alertGroupDedupeKey(request.rawBody),
  }
}

export const grafanaConnector = createGrafanaConnector()
