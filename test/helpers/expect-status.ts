/**
 * Assertions on API failures: a Client4 call that must fail with a given status and Mattermost
 * error id, and raw HTTP requests (for what Client4 cannot send) checked for the AppError shape.
 */
import { expect } from 'chai'
import mm from '@mattermost/client'

const { ClientError } = mm
type ClientErrorType = InstanceType<typeof ClientError>

/**
 * Awaits a Client4 call that must be rejected with `status` (and `errorId`, when given).
 * Client4 fills `status_code` and `server_error_id` from the JSON error body, so this also
 * checks that the server answered with Mattermost's AppError JSON.
 * @returns the ClientError, for further checks.
 */
export async function expectStatus(promise: Promise<unknown>, status: number, errorId?: string): Promise<ClientErrorType> {
  let result: unknown
  try {
    result = await promise
  } catch (err) {
    if (!(err instanceof ClientError)) throw err
    const got = `status_code=${String(err.status_code)} id=${String(err.server_error_id)} message="${err.message}" url=${String(err.url)}`
    expect(err.status_code, `expected HTTP ${status}${errorId ? ` ${errorId}` : ''}, got ${got}`).to.equal(status)
    if (errorId !== undefined) {
      expect(err.server_error_id, `expected error id ${errorId}, got ${got}`).to.equal(errorId)
    }
    return err
  }
  throw new Error(`expected the request to fail with ${status}${errorId ? ` ${errorId}` : ''}, but it succeeded with ${preview(result)}`)
}

/** Asserts one of several statuses, for routes where Mattermost answers 403 or 404 by case. */
export async function expectStatusIn(promise: Promise<unknown>, statuses: number[]): Promise<ClientErrorType> {
  let result: unknown
  try {
    result = await promise
  } catch (err) {
    if (!(err instanceof ClientError)) throw err
    const got = `status_code=${String(err.status_code)} id=${String(err.server_error_id)} url=${String(err.url)}`
    expect(statuses, `expected one of ${statuses.join('/')}, got ${got}`).to.include(err.status_code)
    return err
  }
  throw new Error(`expected the request to fail with one of ${statuses.join('/')}, but it succeeded with ${preview(result)}`)
}

export interface RawResponse {
  status: number
  headers: Headers
  /** Parsed JSON when Content-Type is exactly application/json, else undefined. */
  json: unknown
  text: string
}

export interface RawRequest {
  method?: string
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string
  /** JSON-encoded unless `rawBody` is used. */
  body?: unknown
  /** Sent as-is (for invalid JSON, oversize bodies). */
  rawBody?: string | Buffer
  headers?: Record<string, string>
  signal?: AbortSignal
}

/** Sends one request to `baseUrl + path` with fetch, for what Client4 cannot express. */
export async function rawRequest(baseUrl: string, path: string, request: RawRequest = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...request.headers }
  if (request.token) headers.Authorization = `Bearer ${request.token}`
  let body: string | Buffer | undefined
  if (request.rawBody !== undefined) {
    body = request.rawBody
    headers['Content-Type'] ??= 'application/json'
  } else if (request.body !== undefined) {
    body = JSON.stringify(request.body)
    headers['Content-Type'] ??= 'application/json'
  }
  const response = await fetch(baseUrl + path, {
    method: request.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    redirect: 'manual',
    signal: request.signal,
  })
  const text = await response.text()
  let json: unknown
  if (response.headers.get('content-type') === 'application/json' && text !== '') {
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
  }
  return { status: response.status, headers: response.headers, json, text }
}

/**
 * Asserts a raw response is a Mattermost AppError: `Content-Type: application/json` exactly and
 * a body `{id, message, detailed_error, request_id, status_code}` whose status_code equals the
 * HTTP status; with `status`/`errorId`, also those.
 */
export function expectAppError(res: RawResponse, status?: number, errorId?: string): void {
  const where = `HTTP ${res.status} ${res.text.slice(0, 300)}`
  if (status !== undefined) expect(res.status, where).to.equal(status)
  expect(res.headers.get('content-type'), `Content-Type of ${where}`).to.equal('application/json')
  expect(res.json, `JSON body of ${where}`).to.be.an('object')
  const body = res.json as Record<string, unknown>
  expect(body, where).to.include.keys('id', 'message', 'detailed_error', 'request_id', 'status_code')
  expect(body.id, `id of ${where}`).to.be.a('string').and.not.equal('')
  expect(body.message, `message of ${where}`).to.be.a('string')
  expect(body.detailed_error, `detailed_error of ${where}`).to.be.a('string')
  expect(body.request_id, `request_id of ${where}`).to.be.a('string')
  expect(body.status_code, `status_code of ${where}`).to.equal(res.status)
  if (errorId !== undefined) expect(body.id, where).to.equal(errorId)
}

function preview(value: unknown): string {
  const text = value instanceof Response ? `Response ${value.status}` : JSON.stringify(value)
  return (text ?? String(value)).slice(0, 200)
}
