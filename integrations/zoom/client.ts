/**
 * A thin Zoom client: server-to-server OAuth (an account-level app's `account_id`, `client_id` and `client_secret`
 * traded for an hour-long bearer token) and the one meeting endpoint the actions need.
 * Docs: https://developers.zoom.us/docs/internal-apps/s2s-oauth/, https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/users/{userId}/meetings
 */
import { ActionError } from '../../core/actions/index.ts'
import type { OutboundClient } from '../../core/outbound/client.ts'
import type { ConnectionForCall } from '../connections.ts'
import { callVendor, requireCredential } from '../vendor-http.ts'
import type { ZoomTokenCache } from './tokens.ts'

export const ZOOM_API_URL = 'https://api.zoom.us'
export const ZOOM_OAUTH_URL = 'https://zoom.us'
const TIMEOUT_MS = 15_000

/** What Zoom answers to a meeting create (201), the fields we use. `start_url` lets its holder host: never posted. */
export interface ZoomMeeting {
  id: number | string
  join_url: string
  start_url?: string
  password?: string
  topic?: string
}

export function createZoomClient(outbound: OutboundClient, connection: ConnectionForCall, tokens: ZoomTokenCache) {
  const api = connection.settings.api_url ?? ZOOM_API_URL
  const oauth = connection.settings.oauth_url ?? ZOOM_OAUTH_URL

  /** `POST {oauth}/oauth/token?grant_type=account_credentials&account_id=…` with Basic `client_id:client_secret`. */
  async function fetchToken(): Promise<{ token: string; expiresInMs: number }> {
    const accountId = requireCredential(connection, 'zoom', 'account_id')
    const basic = Buffer.from(`${requireCredential(connection, 'zoom', 'client_id')}:${requireCredential(connection, 'zoom', 'client_secret')}`).toString('base64')
    const response = await callVendor(outbound, 'zoom', {
      method: 'POST', url: `${oauth}/oauth/token?grant_type=account_credentials&account_id=${encodeURIComponent(accountId)}`,
      headers: { authorization: `Basic ${basic}`, accept: 'application/json' }, timeoutMs: TIMEOUT_MS,
    })
    const body = (response.json ?? {}) as { access_token?: unknown; expires_in?: unknown }
    if (typeof body.access_token !== 'string' || body.access_token === '') throw new ActionError('zoom POST /oauth/token answered without an access_token', { retryable: false, status: response.status })
    return { token: body.access_token, expiresInMs: (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000 }
  }

  /** Calls with the cached token; a 401 (revoked or expired early) drops it and tries once more with a new one. */
  async function withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    try {
      return await call(await tokens.get(connection, fetchToken))
    } catch (err) {
      if (!(err instanceof ActionError) || err.status !== 401) throw err
      tokens.drop(connection.id)
      return call(await tokens.get(connection, fetchToken))
    }
  }

  return {
    /** `POST {api}/v2/users/me/meetings` → 201 with the meeting; `me` is the app's account owner for S2S apps. */
    async createMeeting(meeting: { topic: string; type: 2; start_time: string; duration?: number; agenda?: string }): Promise<ZoomMeeting> {
      return withToken(async (token) => {
        const response = await callVendor(outbound, 'zoom', {
          method: 'POST', url: `${api}/v2/users/me/meetings`, headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, json: meeting, timeoutMs: TIMEOUT_MS,
        })
        const body = (response.json ?? {}) as Partial<ZoomMeeting>
        if ((typeof body.id !== 'number' && typeof body.id !== 'string') || typeof body.join_url !== 'string') {
          throw new ActionError('zoom POST /v2/users/me/meetings answered without a meeting id and join_url', { retryable: false, status: response.status })
        }
        return body as ZoomMeeting
      })
    },
  }
}
