/**
 * A thin Grafana HTTP API client: a service-account token as `Authorization: Bearer`.
 * Docs: https://grafana.com/docs/grafana/latest/developers/http_api/annotations/
 */
import { ActionError } from '../../core/actions/index.ts'
import type { OutboundClient } from '../../core/outbound/client.ts'
import type { ConnectionForCall } from '../connections.ts'
import { callVendor, requireCredential } from '../vendor-http.ts'

const TIMEOUT_MS = 15_000

export function createGrafanaClient(outbound: OutboundClient, connection: ConnectionForCall) {
  const api = connection.settings.api_url
  if (!api) throw new ActionError(`the grafana connection "${connection.name}" has no api_url setting (e.g. https://grafana.example.com)`, { retryable: false })
  return {
    /** `POST /api/annotations` → `{message: "Annotation added", id}`. */
    async createAnnotation(annotation: { text: string; dashboardUID?: string; panelId?: number; time?: number; timeEnd?: number; tags?: string[] }): Promise<{ id: number }> {
      const response = await callVendor(outbound, 'grafana', {
        method: 'POST', url: `${api}/api/annotations`, timeoutMs: TIMEOUT_MS, json: annotation,
        headers: { authorization: `Bearer ${requireCredential(connection, 'grafana', 'token')}`, accept: 'application/json' },
      })
      return response.json as { id: number }
    },
  }
}
