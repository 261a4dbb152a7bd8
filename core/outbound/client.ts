/**
 * HTTP requests to integrations (outgoing webhooks, custom slash commands, interactive actions):
 * only to addresses the policy allows, checked on the address actually connected to (so a name
 * that resolves differently a second time cannot slip past), with a deadline for the whole
 * exchange and a cap on the answer's size. Redirects are not followed: an integration answers
 * its own URL.
 */
import dns from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type { LookupFunction } from 'node:net'
import type { AddressPolicy } from './address-policy.ts'

export type OutboundFailure = 'bad_url' | 'blocked' | 'timeout' | 'network' | 'too_large'

/** Why an outbound request got no answer; `url` has its query string removed (tokens live there). */
export class OutboundError extends Error {
  constructor(
    readonly reason: OutboundFailure,
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'OutboundError'
  }
}

export interface OutboundRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  headers?: Record<string, string>
  body?: string | Buffer
  /** Whole exchange, connect to last byte (default: the client's). */
  timeoutMs?: number
  /** Longest answer read (default: the client's). */
  maxResponseBytes?: number
}

export interface OutboundResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

export interface OutboundClient {
  /** @throws OutboundError when the URL is unusable or refused, or the exchange fails, times out or answers too much. */
  request(url: string, request?: OutboundRequest): Promise<OutboundResponse>
}

export interface OutboundClientOptions {
  policy: AddressPolicy
  timeoutMs: number
  maxResponseBytes?: number
  userAgent?: string
}

const DEFAULT_MAX_RESPONSE = 1024 * 1024

function withoutQuery(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`
}

export function createOutboundClient(options: OutboundClientOptions): OutboundClient {
  const { policy } = options

  /** dns.lookup, with every answer checked; the first allowed one is connected to. */
  const checkedLookup = (host: string, state: { refused?: string }): LookupFunction => (hostname, lookupOptions, callback) => {
    dns.lookup(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
      if (err) return (callback as (e: Error) => void)(err)
      const refusals: string[] = []
      const allowed = (addresses as dns.LookupAddress[]).filter((a) => {
        const refusal = policy.refusal(host, a.address)
        if (refusal) refusals.push(refusal)
        return refusal === null
      })
      if (allowed.length === 0) {
        state.refused = refusals[0] ?? `${hostname} has no address`
        return (callback as (e: Error) => void)(new Error(state.refused))
      }
      if ((lookupOptions as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, allowed)
      return callback(null, allowed[0]!.address, allowed[0]!.family)
    })
  }

  return {
    request(rawUrl, request = {}) {
      let url: URL
      try {
        url = new URL(rawUrl)
      } catch {
        return Promise.reject(new OutboundError('bad_url', rawUrl.slice(0, 200), `"${rawUrl.slice(0, 200)}" is not a URL`))
      }
      const shownUrl = withoutQuery(url)
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return Promise.reject(new OutboundError('bad_url', shownUrl, `${shownUrl}: only http and https URLs can be called`))
      }
      const host = url.hostname.replace(/^\[|\]$/g, '')
      // A literal address is connected to without a lookup, so it is checked here.
      if (net.isIP(host)) {
        const refusal = policy.refusal(host, host)
        if (refusal) return Promise.reject(new OutboundError('blocked', shownUrl, refusal))
      }
      const timeoutMs = request.timeoutMs ?? options.timeoutMs
      const maxBytes = request.maxResponseBytes ?? options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE
      const lookupState: { refused?: string } = {}
      const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body)

      return new Promise<OutboundResponse>((resolve, reject) => {
        let settled = false
        const fail = (err: OutboundError) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          req.destroy()
          reject(err)
        }
        const transport = url.protocol === 'https:' ? https : http
        const req = transport.request(url, {
          method: request.method ?? 'GET',
          headers: {
            'user-agent': options.userAgent ?? 'Bridgehead',
            ...(body ? { 'content-length': String(body.length) } : {}),
            ...request.headers,
          },
          lookup: checkedLookup(host, lookupState),
          agent: false,
        }, (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size > maxBytes) {
              fail(new OutboundError('too_large', shownUrl, `${shownUrl} answered more than ${maxBytes} bytes`))
              return
            }
            chunks.push(chunk)
          })
          res.on('end', () => {
            if (settled) return
            settled = true
            clearTimeout(timer)
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
          })
          res.on('error', (err) => fail(new OutboundError('network', shownUrl, `${shownUrl}: the answer broke off (${err.message})`, { cause: err })))
        })
        const timer = setTimeout(() => fail(new OutboundError('timeout', shownUrl, `${shownUrl} did not answer within ${timeoutMs} ms`)), timeoutMs)
        req.on('error', (err) => {
          if (lookupState.refused) return fail(new OutboundError('blocked', shownUrl, lookupState.refused, { cause: err }))
          fail(new OutboundError('network', shownUrl, `${shownUrl}: ${err.message}`, { cause: err }))
        })
        req.end(body)
      })
    },
  }
}
