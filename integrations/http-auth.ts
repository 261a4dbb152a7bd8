/** Credential checks for unsigned webhooks (Alertmanager, and Grafana without HMAC): bearer token or basic auth. */
import type { VerifyResult, WebhookHeaders } from './connector.ts'
import { readHeader } from './headers.ts'
import { equalsConstantTime } from './signature.ts'

/**
 * Accepts `Authorization: Bearer <secret>` or `Authorization: Basic base64(<secret>)` where the secret is stored as
 * `user:password`. Each secret is a whole credential, so rotating one means adding the new one beside the old.
 */
export function verifyAuthorization(headers: WebhookHeaders, secrets: readonly string[]): VerifyResult {
  const usable = secrets.filter((s) => s !== '')
  if (usable.length === 0) return { ok: false, reason: 'no credentials are configured for this connection' }
  const header = readHeader(headers, 'authorization')
  if (!header) return { ok: false, reason: 'missing Authorization header' }
  const match = /^(\S+)\s+(.+)$/.exec(header.trim())
  if (!match) return { ok: false, reason: 'malformed Authorization header' }
  const scheme = match[1]!.toLowerCase()
  let presented: string
  if (scheme === 'bearer') presented = match[2]!
  else if (scheme === 'basic') presented = Buffer.from(match[2]!, 'base64').toString('utf8')
  else return { ok: false, reason: `unsupported Authorization scheme ${match[1]}` }
  let matched = false
  for (const secret of usable) if (equalsConstantTime(presented, secret)) matched = true
  return matched ? { ok: true } : { ok: false, reason: scheme === 'bearer' ? 'bearer token does not match' : 'basic credentials do not match' }
}
