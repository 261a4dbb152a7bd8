/** Alertmanager connector: webhook notifications in, one event per alert, correlated by group key. */
import type { Connector } from '../connector.ts'
import { alertGroupDedupeKey, normaliseAlertGroup } from '../alert-group.ts'
import { decodeJson, validate } from '../payload.ts'
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
    const checked = validate(alertmanagerBodySchema, decoded.value)
    if (!checked.ok) return { kind: 'invalid', message: checked.message }
    if (checked.value.alerts.length === 0) return { kind: 'ignored', vendorEvent: `alert.${checked.value.status}`, reason: 'the notification holds no alerts' }
    return { kind: 'events', events: normaliseAlertGroup('alertmanager', checked.value, decoded.value, options.receivedAt ?? Date.now()) }
  },
  dedupeKey: (request) => alertGroupDedupeKey(request.rawBody),
}
