/** Alertmanager connector: webhook notifications in, one event per alert, correlated by group key. */
import type { Connector } from '../connector.ts'
import { alertGroupDedupeKey, parseAlertGroup } from '../alert-group.ts'
import { decodeJson } from '../payload.ts'
import { alertmanagerBodySchema, verifyAlertmanagerRequest } from './receiver.ts'

export const alertmanagerConnector: Connector = {
  id: 'alertmanager',
  name: 'Prometheus Alertmanager',
  source: 'integrations/alertmanager',
  docsUrl: 'https://prometheus.io/docs/alerting/latest/configuration/#webhook_config',
  // A whole alert group per request; large groups should be capped at the sender with max_alerts.
  maxBodyBytes: 10 * 1024 * 1024,
  verify: async (request, secrets) => verifyAlertmanagerRequest(request, secrets),
  parse(rawBody, _headers, options = {}) {
    const decoded = decodeJson(rawBody)
    if (!decoded.ok) return { kind: 'invalid', message: decoded.message }
    return parseAlertGroup('alertmanager', alertmanagerBodySchema, decoded.value, options.receivedAt ?? Date.now(), options.connectionId)
  },
  dedupeKey: (request) => alertGroupDedupeKey(request.rawBody),
}
