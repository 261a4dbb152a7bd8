/**
 * The one way the app talks to the server: fetch with the session cookie and the CSRF header
 * Mattermost requires of cookie-authenticated writes (X-Requested-With, plus X-CSRF-Token from the
 * MMCSRF cookie), and errors thrown as ApiError carrying the server's Mattermost error body.
 */
import type { ApiErrorBody } from './types.ts'

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: ApiErrorBody, readonly where: string) {
    super(body.message || `${where} failed with ${status}`)
    this.name = 'ApiError'
  }
}

export function readCookie(name: string, cookies: string = typeof document === 'undefined' ? '' : document.cookie): string | undefined {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return undefined
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { 'X-Requested-With': 'XMLHttpRequest', ...extra }
  const csrf = readCookie('MMCSRF')
  if (csrf) h['X-CSRF-Token'] = csrf
  return h
}

/** Called when the server says the session is gone, so the app can show the login page. */
let onSessionExpired: () => void = () => {}
export function whenSessionExpires(handler: () => void): void {
  onSessionExpired = handler
}

/**
 * @param options.probe a request that may well be refused because nobody is signed in (the boot
 *   check): its 401 is an answer, not a session that just expired.
 */
export async function request<T>(method: string, path: string, body?: unknown, options: { probe?: boolean } = {}): Promise<T> {
  const where = `${method} ${path}`
  let res: Response
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (err) {
    throw new ApiError(0, { id: 'app.network', message: `The server cannot be reached (${(err as Error).message}).`, status_code: 0 }, where)
  }
  return readResponse<T>(res, where, options.probe ?? false)
}

async function readResponse<T>(res: Response, where: string, probe: boolean): Promise<T> {
  const text = await res.text()
  let data: unknown = undefined
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = text
    }
  }
  if (!res.ok) {
    const body = (data && typeof data === 'object' ? data : { id: 'app.http', message: `${where}: ${res.status} ${res.statusText}`, status_code: res.status }) as ApiErrorBody
    if (res.status === 401 && !probe && !where.includes('/users/login')) onSessionExpired()
    throw new ApiError(res.status, body, where)
  }
  return data as T
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  /** A GET whose 401 means "not signed in" rather than "session expired". */
  probe: <T>(path: string) => request<T>('GET', path, undefined, { probe: true }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  del: <T>(path: string) => request<T>('DELETE', path),
}

export const v4 = (path: string) => `/api/v4${path}`

/**
 * Uploads files to a channel with progress (fetch has no upload progress; XMLHttpRequest does).
 * @returns the created FileInfos' ids.
 */
export function uploadFiles(channelId: string, files: File[], onProgress: (fraction: number) => void): Promise<{ file_infos: { id: string; name: string }[] }> {
  return new Promise((resolve, reject) => {
    const form = new FormData()
    form.append('channel_id', channelId)
    for (const f of files) form.append('files', f, f.name)
    const xhr = new XMLHttpRequest()
    xhr.open('POST', v4('/files'))
    for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v)
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    xhr.onload = () => {
      let body: unknown
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = { id: 'app.http', message: `upload failed with ${xhr.status}`, status_code: xhr.status }
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as { file_infos: { id: string; name: string }[] })
      else reject(new ApiError(xhr.status, body as ApiErrorBody, 'POST /api/v4/files'))
    }
    xhr.onerror = () => reject(new ApiError(0, { id: 'app.network', message: 'The upload was interrupted.', status_code: 0 }, 'POST /api/v4/files'))
    xhr.send(form)
  })
}
