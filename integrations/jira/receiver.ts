/**
 * Jira Cloud admin webhooks inbound: `X-Hub-Signature: sha256=<hex>` (WebSub style, set when the webhook has a
 * secret), body schema, dedupe key. Webhooks registered by OAuth/Connect apps are not HMAC-signed and are not
 * accepted here. Docs: https://developer.atlassian.com/cloud/jira/platform/webhooks/
 */
import { z } from 'zod'
import type { VerifyResult, WebhookHeaders, WebhookRequest } from '../connector.ts'
import { readHeader } from '../headers.ts'
import { digestOf, matchesAnySecret } from '../signature.ts'

export const SIGNATURE_HEADER = 'X-Hub-Signature'
export const IDENTIFIER_HEADER = 'X-Atlassian-Webhook-Identifier'

export function verifyJiraSignature(request: WebhookRequest, secrets: readonly string[]): VerifyResult {
  if (!secrets.some((s) => s !== '')) return { ok: false, reason: 'no webhook secret is configured for this connection' }
  const header = readHeader(request.headers, SIGNATURE_HEADER)
  if (!header) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header (set a secret on the Jira webhook)` }
  const separator = header.indexOf('=')
  const method = separator < 0 ? '' : header.slice(0, separator).trim().toLowerCase()
  if (method !== 'sha256') return { ok: false, reason: `${SIGNATURE_HEADER} is not sha256=<hex>` }
  return matchesAnySecret(header.slice(separator + 1).trim(), request.rawBody, secrets)
    ? { ok: true }
    : { ok: false, reason: 'signature does not match' }
}

const jiraUser = z.looseObject({
  accountId: z.string().optional(),
  displayName: z.string().optional(),
  emailAddress: z.string().optional(),
})

export const issueSchema = z.looseObject({
  id: z.string(),
  key: z.string().min(1),
  self: z.string(),
  fields: z.looseObject({
    summary: z.string(),
    status: z.looseObject({ name: z.string() }).optional(),
    priority: z.looseObject({ name: z.string() }).nullish(),
    assignee: jiraUser.nullish(),
    project: z.looseObject({ key: z.string() }).optional(),
    issuetype: z.looseObject({ name: z.string() }).optional(),
  }),
})

export const changelogSchema = z.looseObject({
  id: z.string().optional(),
  items: z.array(z.looseObject({ field: z.string(), fromString: z.string().nullish(), toString: z.string().nullish() })),
})

export const commentSchema = z.looseObject({
  id: z.string(),
  self: z.string().optional(),
  body: z.unknown(),
  author: jiraUser.optional(),
  created: z.string().optional(),
  updated: z.string().optional(),
})

export const envelopeSchema = z.looseObject({
  timestamp: z.number().int(),
  webhookEvent: z.string().min(1),
  user: jiraUser.optional(),
})

/** `X-Atlassian-Webhook-Identifier` is stable across retries; without it (Data Center, proxies) a hash of the body stands in. */
export function jiraDeliveryId(headers: WebhookHeaders, rawBody: Uint8Array): string {
  return readHeader(headers, IDENTIFIER_HEADER) ?? digestOf('body', Buffer.from(rawBody).toString('base64'))
}
