/**
 * The one way connectors' clients call a vendor: through core's outbound client (address policy, deadline, answer
 * cap), with failures as ActionErrors a playbook's retry policy understands: 429, 5xx, timeouts and network errors
 * are retryable (honouring Retry-After), other 4xx are not and carry the vendor's own message.
 */
import { ActionError } from '../core/actions/index.ts'
import { OutboundError, type OutboundClient } from '../core/outbound/client.ts'
import { parseJson } from '../core/well-formed.ts'

export interface VendorRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  url: string
  headers: Record<string, string>
  /** Sent as JSON. */
  json?: unknown
  timeoutMs?: number
}

export interface VendorResponse {
  status: number
  json: unknown
  headers: Record<string, string | string[] | undefined>
}

/** `Retry-After` in seconds or as an HTTP date, as milliseconds from now. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value
  if (!raw) return undefined
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000
  const at = Date.parse(raw)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** The vendor's error text from a JSON error body (PagerDuty `error.message`/`errors`, GitHub `message`, Jira `errorMessages`/`errors`). */
function vendorMessage(json: unknown, text: string): string {
  if (json && typeof json === 'object') {
    const body = json as Record<string, unknown>
    const parts: string[] = []
    const error = body.error as Record<string, unknown> | string | undefined
    if (typeof error === 'string') parts.push(error)
    else if (error && typeof error.message === 'string') parts.push(error.message, ...(Array.isArray(error.errors) ? error.errors.map(String) : []))
    if (typeof body.message === 'string') parts.push(body.message)
    if (Array.isArray(body.errorMessages)) parts.push(...body.errorMessages.map(String))
    if (body.errors && typeof body.errors === 'object' && !Array.isArray(body.errors)) parts.push(...Object.entries(body.errors).map(([k, v]) => `${k}: ${String(v)}`))
    if (Array.isArray(body.errors)) parts.push(...body.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))))
    if (parts.length > 0) return parts.join('; ').slice(0, 500)
  }
  return text.slice(0, 200)
}

/**
 * Makes the call; `vendor` names it in errors (never a credential: URLs lose their query string).
 * @throws ActionError for refused, failed or non-2xx calls.
 */
export async function callVendor(outbound: OutboundClient, vendor: string, request: VendorRequest): Promise<VendorResponse> {
  const shown = `${vendor} ${request.method} ${request.url.split('?')[0]}`
  const headers: Record<string, string> = { ...request.headers }
  let body: string | undefined
  if (request.json !== undefined) {
    body = JSON.stringify(request.json)
    headers['content-type'] ??= 'application/json'
  }
  let response
  try {
    response = await outbound.request(request.url, { method: request.method, headers, ...(body !== undefined ? { body } : {}), ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}) })
  } catch (err) {
    if (err instanceof OutboundError) throw new ActionError(`${shown}: ${err.message}`, { retryable: err.reason === 'timeout' || err.reason === 'network', cause: err })
    throw err
  }
  const text = response.body.toString('utf8')
  let json: unknown = null
  try {
    json = text ? parseJson(text) : null
  } catch {
    // Not JSON; the text is in the error message below when it matters.
  }
  if (response.status === 429 || response.status >= 500) {
    const wait = retryAfterMs(response.headers['retry-after'])
    throw new ActionError(`${shown} answered ${response.status}: ${vendorMessage(json, text)}`, { retryable: true, status: response.status, ...(wait !== undefined ? { retryAfterMs: wait } : {}) })
  }
  if (response.status >= 400) throw new ActionError(`${shown} answered ${response.status}: ${vendorMessage(json, text)}`, { retryable: false, status: response.status })
  return { status: response.status, json, headers: response.headers }
}

/** A credential the call needs. @throws ActionError naming the missing credential (never its value). */
export function requireCredential(connection: { name: string; credentials: Record<string, string> }, vendor: string, name: string): string {
  const value = connection.credentials[name]
  if (!value) throw new ActionError(`the ${vendor} connection "${connection.name}" has no ${name} credential`, { retryable: false })
  return value
}
