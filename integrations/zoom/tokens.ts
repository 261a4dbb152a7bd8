/**
 * Zoom access tokens per connection, kept until shortly before they expire: Zoom rate-limits the token endpoint,
 * and an hour-long token serves every meeting a connection makes in that hour.
 */
import { createHash } from 'node:crypto'

/** Renew this long before Zoom's expiry, so a token never lapses between the check and the call. */
const RENEW_EARLY_MS = 60_000

export interface ZoomTokenCache {
  /** The connection's cached token, or a new one from `fetch` (concurrent callers share one fetch). */
  get(connection: { id: string; credentials: Record<string, string> }, fetch: () => Promise<{ token: string; expiresInMs: number }>): Promise<string>
  /** Forgets a connection's token (Zoom refused it). */
  drop(connectionId: string): void
}

export function createZoomTokenCache(now: () => number = Date.now): ZoomTokenCache {
  // Keyed by connection; `credentials` is a digest of what the token was made with, so replaced credentials get a new one.
  const entries = new Map<string, { credentials: string; token: Promise<string>; expiresAt: number }>()
  const digest = (credentials: Record<string, string>) =>
    createHash('sha256').update(JSON.stringify([credentials.account_id, credentials.client_id, credentials.client_secret])).digest('hex')

  return {
    async get(connection, fetch) {
      const credentials = digest(connection.credentials)
      const cached = entries.get(connection.id)
      if (cached && cached.credentials === credentials && cached.expiresAt > now()) return cached.token
      const entry = { credentials, expiresAt: Number.POSITIVE_INFINITY, token: Promise.resolve('') }
      entry.token = fetch().then(
        ({ token, expiresInMs }) => {
          entry.expiresAt = now() + Math.max(0, expiresInMs - RENEW_EARLY_MS)
          return token
        },
        (err: unknown) => {
          if (entries.get(connection.id) === entry) entries.delete(connection.id)
          throw err
        },
      )
      entries.set(connection.id, entry)
      return entry.token
    },
    drop(connectionId) {
      entries.delete(connectionId)
    },
  }
}
