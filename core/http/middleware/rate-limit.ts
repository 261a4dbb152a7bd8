/** A fixed-window limiter per key (e.g. client address) for sensitive routes such as login. */
import type { RequestHandler } from 'express'
import { AppError } from '../../errors.ts'

export function rateLimit(options: { windowMs: number; max: number; key?: (req: Parameters<RequestHandler>[0]) => string }): RequestHandler {
  const hits = new Map<string, { count: number; resetAt: number }>()
  return (req, res, next) => {
    const now = Date.now()
    const key = options.key ? options.key(req) : req.socket.remoteAddress ?? 'unknown'
    let entry = hits.get(key)
    if (!entry || entry.resetAt <= now) {
      // Dropping stale keys on the way keeps the map from growing without bound.
      if (hits.size > 10_000) for (const [k, e] of hits) if (e.resetAt <= now) hits.delete(k)
      entry = { count: 0, resetAt: now + options.windowMs }
      hits.set(key, entry)
    }
    entry.count += 1
    if (entry.count > options.max) {
      res.setHeader('Retry-After', String(Math.ceil((entry.resetAt - now) / 1000)))
      return next(new AppError('api.context.rate_limited.app_error', 'Too many requests. Please wait and try again.', 429))
    }
    next()
  }
}
