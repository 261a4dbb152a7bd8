/**
 * A real HTTP server on 127.0.0.1 that plays an integration (a slash command's URL, a webhook
 * target): it records every request and answers with whatever the test sets for that path.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  method: string
  /** Path and query, e.g. `/weather?text=paris`. */
  url: string
  headers: http.IncomingHttpHeaders
  body: string
  /** Form fields of a urlencoded body, or the query string's for a GET. */
  fields: URLSearchParams
}

export interface ReceiverAnswer {
  status?: number
  contentType?: string
  body?: string | object
  /** Milliseconds to wait before answering (to outlast the server's timeout). */
  delayMs?: number
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>
}

export interface HttpReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string
  received: ReceivedRequest[]
  /** Sets the answer for a path (default: 200 `application/json` `{}`). */
  answer(path: string, answer: ReceiverAnswer | ((req: ReceivedRequest) => ReceiverAnswer)): void
  /** Resolves with the first request to `path` (earlier ones included). */
  next(path: string, timeoutMs?: number): Promise<ReceivedRequest>
  close(): Promise<void>
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const received: ReceivedRequest[] = []
  const answers = new Map<string, ReceiverAnswer | ((req: ReceivedRequest) => ReceiverAnswer)>()
  const waiters = new Set<() => void>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const url = new URL(req.url ?? '/', 'http://receiver')
      const fields = req.method === 'GET' ? url.searchParams : new URLSearchParams(body)
      const request: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, fields }
      received.push(request)
      for (const wake of [...waiters]) wake()
      const configured = answers.get(url.pathname)
      const answer = typeof configured === 'function' ? configured(request) : configured ?? {}
      const send = () => {
        if (res.destroyed) return
        const payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {})
        res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json', ...answer.headers })
        res.end(payload)
      }
      if (answer.delayMs) setTimeout(send, answer.delayMs)
      else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (path, answer) => void answers.set(path, answer),
    next(path, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const find = () => received.find((r) => new URL(r.url, 'http://receiver').pathname === path)
        const found = find()
        if (found) return resolve(found)
        const wake = () => {
          const hit = find()
          if (!hit) return
          waiters.delete(wake)
          clearTimeout(timer)
          resolve(hit)
        }
        const timer = setTimeout(() => {
          waiters.delete(wake)
          reject(new Error(`no request to ${path} within ${timeoutMs} ms (got ${received.map((r) => r.url).join(', ') || 'none'})`))
        }, timeoutMs)
        waiters.add(wake)
      })
    },
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
