/** HMAC-SHA256 signing and timing-safe comparison shared by the signed webhooks (PagerDuty, Grafana, Jira). */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

const HEX_SHA256 = /^[0-9a-f]{64}$/i

/** Lower-case hex HMAC-SHA256 of `message` under `secret`. */
export function hmacSha256Hex(secret: string, message: Uint8Array | string): string {
  return createHmac('sha256', secret).update(message).digest('hex')
}

/**
 * Whether `candidate` (hex, any case) is the HMAC of `message` under one of `secrets`.
 * Every secret is tried even after a match, so timing says nothing about which one matched.
 */
export function matchesAnySecret(candidate: string, message: Uint8Array | string, secrets: readonly string[]): boolean {
  if (!HEX_SHA256.test(candidate)) return false
  const given = Buffer.from(candidate, 'hex')
  let matched = false
  for (const secret of secrets) {
    if (secret === '') continue
    const expected = createHmac('sha256', secret).update(message).digest()
    if (timingSafeEqual(expected, given)) matched = true
  }
  return matched
}

/** Constant-time equality of two strings of any length (hashed first so lengths do not leak through timing). */
export function equalsConstantTime(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest()
  const right = createHash('sha256').update(b).digest()
  return timingSafeEqual(left, right)
}

/** Short stable id derived from parts, for vendors that send no delivery id. */
export function digestOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32)
}
