/**
 * Zoom connector: outbound only (meetings through server-to-server OAuth). Zoom's webhooks need an answer the shared
 * receiver does not give (the `endpoint.url_validation` challenge), and nothing in Bridgehead waits on a Zoom event,
 * so a Zoom connection has no webhook URL and its receiver path answers 404 (see README.md).
 */
import type { Connector } from '../connector.ts'

export const zoomConnector: Connector = {
  id: 'zoom',
  name: 'Zoom',
  source: 'integrations/zoom',
  docsUrl: 'https://developers.zoom.us/docs/internal-apps/s2s-oauth/',
  inbound: false,
  // The receiver refuses outbound-only vendors before verifying or parsing; these never run.
  maxBodyBytes: 64 * 1024,
  verify: async () => ({ ok: false, reason: 'Zoom connections take no webhooks' }),
  parse: () => ({ kind: 'ignored', vendorEvent: '', reason: 'Zoom connections take no webhooks' }),
  dedupeKey: () => '',
}
