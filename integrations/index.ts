/** The inbound connectors, one line each; the HTTP receiver (mounted from `core/main.ts`) serves one route per entry. */
import { Registry } from '../core/registry.ts'
import type { Connector } from './connector.ts'
import { alertmanagerConnector } from './alertmanager/index.ts'
import { gitHubConnector } from './github/index.ts'
import { grafanaConnector } from './grafana/index.ts'
import { jiraConnector } from './jira/index.ts'
import { pagerDutyConnector } from './pagerduty/index.ts'
import { zoomConnector } from './zoom/index.ts'

export type { Connector, ParseOptions, ParseResult, VerifyResult, WebhookHeaders, WebhookRequest } from './connector.ts'
export type { IntegrationEvent, IntegrationSource, Severity, VendorPerson } from './event.ts'
export { createGrafanaConnector, type GrafanaVerifyOptions } from './grafana/index.ts'

/** A registry of every connector, built fresh so tests and servers do not share state. */
export function createConnectorRegistry(): Registry<Connector> {
  const registry = new Registry<Connector>('connector')
  registry.register(pagerDutyConnector)
  registry.register(grafanaConnector)
  registry.register(alertmanagerConnector)
  registry.register(gitHubConnector)
  registry.register(jiraConnector)
  registry.register(zoomConnector)
  return registry
}

/** The path a vendor posts to, relative to SITE_URL. */
export function webhookPath(vendor: Connector['id'], connectionId: string): string {
  return `/integrations/${vendor}/${encodeURIComponent(connectionId)}/webhook`
}
