/**
 * A JSON body with a lone surrogate escape (`"\ud83d"`: half an emoji) is read with U+FFFD in its place, as
 * Mattermost's Go decoder reads it; stored as is, it made jsonb columns (post props, user props) fail with a 500.
 * Only bodies whose bytes hold such an escape are walked.
 */
import type { IncomingMessage } from 'node:http'
import type { RequestHandler } from 'express'
import { mayHoldSurrogateEscape, wellFormedDeep } from '../../well-formed.ts'

const MARK = Symbol('surrogate escape in body')

/** express.json's `verify`: notes a body that may need `wellFormedBody`. */
export function markSurrogateEscapes(req: IncomingMessage, _res: unknown, body: Buffer): void {
  if (mayHoldSurrogateEscape(body)) (req as unknown as Record<symbol, boolean>)[MARK] = true
}

export const wellFormedBody: RequestHandler = (req, _res, next) => {
  if ((req as unknown as Record<symbol, boolean>)[MARK]) req.body = wellFormedDeep(req.body as unknown)
  next()
}
