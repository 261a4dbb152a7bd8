/**
 * PagerDuty Webhooks v3 inbound: signature check, body schema, dedupe key.
 * Docs: https://developer.pagerduty.com/docs/webhooks/webhook-signatures/ and …/webhooks/v3-overview/
 */
import { z } from 'zod'
import type { VerifyResult, WebhookHeaders, WebhookRequest } from '../connector.ts'
import { readHeader } from '../headers.ts'
import { decodeJson, validate, type Decoded } from '../payload.ts'
import { digestOf, matchesAnySecret } from '../signature.ts'

export const SIGNATURE_HEADER = 'X-PagerDuty-Signature'
export const WEBHOOK_ID_HEADER = 'X-Webhook-Id'

/**
 * Verifies `X-PagerDuty-Signature`: a comma-separated list of `v1=<hex HMAC-SHA256 of the raw body>`.
 * PagerDuty sends one v1= signature per active secret during rotation; accept any match with any of ours.
 */
export function verifyPagerDutySignature(request: WebhookRequest, secrets: readonly string[]): VerifyResult {
  if (!secrets.some((s) => s !== '')) return { ok: false, reason: 'no webhook secret is configured for this connection' }
  const header = readHeader(request.headers, SIGNATURE_HEADER)
  if (!header) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` }
  const v1 = header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => s.slice(3))
  if (v1.length === 0) return { ok: false, reason: `${SIGNATURE_HEADER} holds no v1= signature` }
  let matched = false
  for (const candidate of v1) if (matchesAnySecret(candidate, request.rawBody, secrets)) matched = true
  return matched ? { ok: true } : { ok: false, reason: 'signature does not match' }
}

const reference = z.looseObject({ id: z.string(), type: z.string(), summary: z.string().nullish(), html_url: z.string().nullish() })

export const incidentSchema = z.looseObject({
  id: z.string().min(1),
  type: z.literal('incident'),
  html_url: z.string().optional(),
  number: z.number().int().optional(),
  status: z.enum(['triggered', 'acknowledged', 'resolved']),
  title: z.string(),
  urgency: z.enum(['high', 'low']).optional(),
  priority: reference.nullish(),
  service: reference.optional(),
  assignees: z.array(reference).default([]),
  escalation_policy: reference.optional(),
  teams: z.array(reference).default([]),
  incident_key: z.string().nullish(),
  created_at: z.string().optional(),
})

export const noteSchema = z.looseObject({
  id: z.string(),
  type: z.literal('incident_note'),
  incident: reference,
  content: z.string(),
  trimmed: z.boolean().optional(),
})

export const envelopeSchema = z.object({
  event: z.looseObject({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.string().min(1),
    occurred_at: z.string().min(1),
    agent: reference.nullish(),
    client: z.looseObject({ name: z.string().optional() }).nullish(),
    data: z.looseObject({ type: z.string() }),
  }),
})

export type PagerDutyEnvelope = z.infer<typeof envelopeSchema>

/** Reads the v3 envelope; v1/v2 bodies (`{"messages": [...]}`) get a message saying how to fix the subscription. */
export function readEnvelope(rawBody: Uint8Array): Decoded<{ envelope: PagerDutyEnvelope; raw: unknown }> {
  const decoded = decodeJson(rawBody)
  if (!decoded.ok) return decoded
  const raw = decoded.value
  if (raw !== null && typeof raw === 'object' && 'messages' in raw && !('event' in raw)) {
    return { ok: false, message: 'messages: this is a PagerDuty v1/v2 webhook; re-create it as a v3 webhook subscription' }
  }
  const checked = validate(envelopeSchema, raw)
  return checked.ok ? { ok: true, value: { envelope: checked.value, raw } } : checked
}

// Built once: a zod schema compiles itself on first use, which costs more than the parse.
const eventIdField = z.object({ event: z.object({ id: z.string().min(1) }) })

/** `X-Webhook-Id` is unique per webhook and repeated on every retry; the event id stands in if a proxy dropped it. */
export function pagerDutyDeliveryId(headers: WebhookHeaders, rawBody: Uint8Array): string {
  const header = readHeader(headers, WEBHOOK_ID_HEADER)
  if (header) return header
  const decoded = decodeJson(rawBody)
  const parsed = decoded.ok ? eventIdField.safeParse(decoded.value) : undefined
  return parsed?.success ? parsed.data.event.id : digestOf('body', Buffer.from(rawBody).toString('base64'))
}
