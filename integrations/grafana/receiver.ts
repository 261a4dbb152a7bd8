/**
 * Grafana unified alerting webhook contact point: HMAC (or basic/bearer) check, payload `version: "1"` schema.
 * Signing, from grafana/alerting `http/hmac.go`: lower-case hex HMAC-SHA256 of the body, or of
 * `<unix seconds>:<body>` when the contact point names a timestamp header. No `sha256=` prefix.
 * Docs: https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
 */
import { z } from 'zod'
import type { VerifyResult, WebhookRequest } from '../connector.ts'
import { alertGroupFields, alertSchema } from '../alert-group.ts'
import { readHeader } from '../headers.ts'
import { verifyAuthorization } from '../http-auth.ts'
import { matchesAnySecret } from '../signature.ts'

export const SIGNATURE_HEADER = 'X-Grafana-Alerting-Signature'
/** Grafana has no default timestamp header; our README tells admins to enter this name. */
export const TIMESTAMP_HEADER = 'X-Grafana-Alerting-Signature-Timestamp'

export interface GrafanaVerifyOptions {
  /** Reject deliveries without a signed timestamp (set once the contact point sends one). Default false. */
  requireTimestamp?: boolean
  /** Largest accepted distance between the signed timestamp and now; Grafana itself enforces none. Default 300. */
  maxSkewSeconds?: number
  now?: () => number
}

/**
 * With a signature header: HMAC over the body, or over `timestamp:body` when the timestamp header is present, which
 * must then be within the skew window (it is what makes a captured delivery unreplayable). Without one: the
 * contact point's basic or bearer credentials.
 */
export function verifyGrafanaRequest(request: WebhookRequest, secrets: readonly string[], options: GrafanaVerifyOptions = {}): VerifyResult {
  const signature = readHeader(request.headers, SIGNATURE_HEADER)
  if (!signature) {
    if (readHeader(request.headers, 'authorization')) return verifyAuthorization(request.headers, secrets)
    return { ok: false, reason: `missing ${SIGNATURE_HEADER} header (or Authorization credentials)` }
  }
  if (!secrets.some((s) => s !== '')) return { ok: false, reason: 'no webhook secret is configured for this connection' }
  const timestamp = readHeader(request.headers, TIMESTAMP_HEADER)
  if (timestamp === undefined) {
    if (options.requireTimestamp) return { ok: false, reason: `missing ${TIMESTAMP_HEADER} header` }
    return matchesAnySecret(signature.trim(), request.rawBody, secrets) ? { ok: true } : { ok: false, reason: 'signature does not match' }
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} is not a Unix time in seconds` }
  const skew = Math.abs((options.now ?? Date.now)() / 1000 - Number(timestamp))
  if (skew > (options.maxSkewSeconds ?? 300)) return { ok: false, reason: `${TIMESTAMP_HEADER} is ${Math.round(skew)} s away from now` }
  const signed = Buffer.concat([Buffer.from(`${timestamp}:`), request.rawBody])
  return matchesAnySecret(signature.trim(), signed, secrets) ? { ok: true } : { ok: false, reason: 'signature does not match' }
}

const labelSet = z.record(z.string(), z.string())

export const grafanaAlertSchema = alertSchema.extend({
  silenceURL: z.string().optional(),
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
  imageURL: z.string().optional(),
  values: z.record(z.string(), z.number()).nullish(),
  valueString: z.string().optional(),
})

export const grafanaBodySchema = z.looseObject({
  ...alertGroupFields,
  version: z.literal('1'),
  alerts: z.array(grafanaAlertSchema),
  orgId: z.number().int().optional(),
  title: z.string().optional(),
  state: z.string().optional(),
  message: z.string().optional(),
  commonAnnotations: labelSet.default({}),
})

/** Grafana's legacy (pre-unified) alert notification, removed in Grafana 11. */
export function isLegacyGrafanaBody(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !('version' in value) && ('ruleId' in value || 'evalMatches' in value)
}
