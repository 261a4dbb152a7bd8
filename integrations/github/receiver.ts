/**
 * GitHub webhooks inbound: `X-Hub-Signature-256` checked with @octokit/webhooks, event headers, dedupe key.
 * Docs: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 */
import { Webhooks } from '@octokit/webhooks'
import type { VerifyResult, WebhookHeaders, WebhookRequest } from '../connector.ts'
import { readHeader } from '../headers.ts'

export const SIGNATURE_HEADER = 'X-Hub-Signature-256'
export const EVENT_HEADER = 'X-GitHub-Event'
export const DELIVERY_HEADER = 'X-GitHub-Delivery'

const SIGNATURE_FORMAT = /^sha256=[0-9a-f]{64}$/i
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Octokit verifies the raw string, never re-serialised JSON. Its `verify` knows one secret, so each active secret
 * gets its own check, all of them run so timing does not tell which matched. The format is checked first because
 * octokit throws on a signature that is not hex.
 */
export async function verifyGitHubSignature(request: WebhookRequest, secrets: readonly string[]): Promise<VerifyResult> {
  const usable = secrets.filter((s) => s !== '')
  if (usable.length === 0) return { ok: false, reason: 'no webhook secret is configured for this connection' }
  const signature = readHeader(request.headers, SIGNATURE_HEADER)
  if (!signature) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header (set a secret on the GitHub webhook)` }
  if (!SIGNATURE_FORMAT.test(signature)) return { ok: false, reason: `${SIGNATURE_HEADER} is not sha256=<hex>` }
  if (request.rawBody.length === 0) return { ok: false, reason: 'the body is empty' }
  let payload: string
  try {
    payload = utf8.decode(request.rawBody)
  } catch {
    return { ok: false, reason: 'the body is not UTF-8 text' }
  }
  const results = await Promise.all(usable.map((secret) => new Webhooks({ secret }).verify(payload, signature.toLowerCase())))
  return results.includes(true) ? { ok: true } : { ok: false, reason: 'signature does not match' }
}

/** `X-GitHub-Delivery` is a GUID per delivery, kept on manual redeliveries. */
export function gitHubDeliveryId(headers: WebhookHeaders): string | undefined {
  return readHeader(headers, DELIVERY_HEADER)
}

export function gitHubEventName(headers: WebhookHeaders): string | undefined {
  return readHeader(headers, EVENT_HEADER)
}
