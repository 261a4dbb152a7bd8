/** The Express application: /api/v4 routes, public routes (/hooks, public file links), error rendering, and (later) the web UI. */
import express, { Router } from 'express'
import { requestContext } from './middleware/request-context.ts'
import { authenticate } from './middleware/authenticate.ts'
import { errorHandler, notFoundHandler } from './middleware/error.ts'
import { rejectNulInUrl } from './middleware/reject-nul.ts'
import type { ApiDeps } from './api4/deps.ts'
import { systemRoutes } from './api4/system.ts'
import { userRoutes } from './api4/users.ts'
import { teamRoutes } from './api4/teams.ts'
import { channelRoutes } from './api4/channels.ts'
import { postRoutes } from './api4/posts.ts'
import { isUploadRequest, publicFileRoutes } from './api4/files.ts'

/** Adds routes of a module that plugs in later (reactions, threads, webhooks…). */
export type RouteModule = (router: Router, deps: ApiDeps) => void

/**
 * @param options.extraRoutes route modules mounted under /api/v4 (JSON bodies, sessions).
 * @param options.publicRoutes route modules mounted at the root, without a session or body parser (/hooks/{id}).
 */
export function createHttpApp(deps: ApiDeps, options: { versionId: string; extraRoutes?: RouteModule[]; publicRoutes?: RouteModule[] }) {
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  app.set('query parser', 'simple')
  app.use(requestContext({ log: deps.log, versionId: options.versionId }))

  const api = Router()
  // Mattermost reads JSON bodies whatever their Content-Type (curl sends form-encoded by default);
  // file uploads (multipart or raw bytes) are streamed by their own route instead.
  api.use(express.json({ limit: deps.config.maxBodyBytes, strict: false, type: (req) => !isUploadRequest(req as express.Request) }))
  api.use(rejectNulInUrl)
  api.use(authenticate((token) => deps.sessions.resolve(token)))
  for (const register of [systemRoutes, userRoutes, teamRoutes, channelRoutes, postRoutes, ...(options.extraRoutes ?? [])]) {
    register(api, deps)
  }
  api.use(notFoundHandler)
  app.use('/api/v4', api)
  // Public file links work without a session, outside /api/v4, as in Mattermost.
  const publicRoutes = Router()
  publicRoutes.use(rejectNulInUrl)
  for (const register of [publicFileRoutes, ...(options.publicRoutes ?? [])]) register(publicRoutes, deps)
  app.use(publicRoutes)
  app.use(errorHandler({ developerMode: deps.config.developerMode }))
  return app
}
