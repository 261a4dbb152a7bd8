/** PostgreSQL text cannot hold U+0000: a URL carrying one (e.g. `%00` in a name) is a clear 400, not a 500. */
import type { RequestHandler } from 'express'
import { invalidUrlParam } from '../../errors.ts'

export const rejectNulInUrl: RequestHandler = (req, _res, next) => {
  let decoded: string
  try {
    decoded = decodeURIComponent(req.originalUrl)
  } catch {
    return next(invalidUrlParam('url'))
  }
  if (decoded.includes('\u0000')) return next(invalidUrlParam('url'))
  next()
}
