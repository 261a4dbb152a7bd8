/** Response writers: Mattermost clients parse JSON only when Content-Type is exactly application/json. */
import type { Response } from 'express'

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status)
  res.setHeader('Content-Type', 'application/json')
  res.end(JSON.stringify(body))
}

/** Mattermost's `{"status":"OK"}` success body. */
export function sendOk(res: Response, extra: Record<string, unknown> = {}): void {
  sendJson(res, 200, { status: 'OK', ...extra })
}
