/**
 * Serves the built web app: hashed assets under /static with a year-long immutable cache, and
 * index.html (never cached, so a new build is picked up) for every other GET that a browser
 * navigates to, so client-side routes such as /myteam/channels/town-square survive a reload.
 * API, webhook and plugin paths are never answered with the page: a wrong API path stays a JSON 404.
 */
import fs from 'node:fs'
import path from 'node:path'
import express, { type RequestHandler, Router } from 'express'
import { notFoundHandler } from './middleware/error.ts'

/** Path prefixes that belong to the server, not the app. */
const SERVER_PREFIXES = ['/api/', '/hooks/', '/plugins/', '/files/', '/static/']

export function isAppPath(urlPath: string): boolean {
  if (urlPath === '/api' || urlPath === '/hooks' || urlPath === '/plugins') return false
  return !SERVER_PREFIXES.some((prefix) => urlPath.startsWith(prefix))
}

/**
 * @param dir the build output (ui/dist); when it has no index.html the app is not served and a
 *   warning says how to build it, but the API works.
 */
export function staticUiRoutes(dir: string, warn: (message: string) => void): Router {
  const router = Router()
  const indexFile = path.join(dir, 'index.html')
  if (!fs.existsSync(indexFile)) {
    warn(`no web app at ${dir} (run "npm run build"); serving the API only`)
    return router
  }
  router.use('/static', express.static(path.join(dir, 'static'), { immutable: true, maxAge: '365d', index: false }), notFoundHandler)
  const sendIndex: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isAppPath(req.path)) return next()
    res.setHeader('Cache-Control', 'no-cache')
    res.setHeader('X-Frame-Options', 'SAMEORIGIN')
    res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self'; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'")
    res.sendFile(indexFile, { dotfiles: 'deny' }, (err) => err && next(err))
  }
  router.use(sendIndex)
  return router
}
