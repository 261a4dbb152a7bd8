/** Gives each request an id, a child logger and Mattermost's standard response headers. */
import type { RequestHandler } from 'express'
import { newId } from '../../ids.ts'
import type { Logger } from '../../log.ts'
import { setContext } from '../context.ts'

export function requestContext(options: { log: Logger; versionId: string }): RequestHandler {
  return (req, res, next) => {
    const requestId = newId()
    setContext(req, { requestId, log: options.log.child({ requestId }) })
    res.setHeader('X-Request-ID', requestId)
    res.setHeader('X-Version-ID', options.versionId)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    if (req.method === 'GET') res.setHeader('Expires', '0')
    next()
  }
}
