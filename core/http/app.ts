/** The Express application: /api/v4 routes, public routes (/hooks, public file links), error rendering, and the web UI. */
import express, { Router } from 'express'
import { requestContext } from './middleware/request-context.ts'
import { authenticate } from './middleware/authenticate.ts'
import { errorHandler, notFoundHandler } from './middleware/error.ts'
import { rejectNulInUrl } from './middleware/reject-nul.ts'
import { markSurrogateEscapes, wellFormedBody } from './middleware/well-formed-body.ts'
import type { ApiDeps } from './api4/deps.ts'
import { systemRoutes } from './api4/system.ts'
import { userRoutes } from './api4/users.ts'
import { teamRoutes } from './api4/teams.ts'
import { channelRoutes } from './api4/channels.ts'
import { postRoutes } from './api4/posts.ts'
import { isUploadRequest, publicFileRoutes } from './api4/files.ts'
import { staticUiRoutes } from './static-ui.ts'

/** Adds routes of a module that plugs in later (reactions, threads, webhooks…). */
export type RouteModule = (router: Router, deps: ApiDeps) => void

/**
 * @param options.extraRoutes route modules mounted under /api/v4 (JSON bodies, sessions).
 * @param options.publicRoutes route modules mounted at the root, without a session or body parser (/hooks/{id}).
 * @param options.pluginRoutes route modules mounted at their own path with JSON bodies and sessions (/plugins/playbooks/api/v0).
 */
export function createHttpApp(deps: ApiDeps, options: { versionId: string; extraRoutes?: RouteModule[]; publicRoutes?: RouteModule[]; pluginRoutes?: { path: string; routes: RouteModule[] }[] }) {
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  app.set('query parser', 'simple')
  app.use(requestContext({ log: deps.log, versionId: options.versionId }))

  /** A router with JSON bodies and sessions, as /api/v4 has (plugin APIs such as Playbooks' are shaped the same way). */
  const sessionRouter = (routes: RouteModule[]) => {
    const router = Router()
    // Mattermost reads JSON bodies whatever their Content-Type (curl sends form-encoded by default);
    // file uploads (multipart or raw bytes) are streamed by their own route instead.
    router.use(express.json({ limit: deps.config.maxBodyBytes, strict: false, type: (req) => !isUploadRequest(req as express.Request), verify: markSurrogateEscapes }))
    router.use(wellFormedBody)
    router.use(rejectNulInUrl)
    router.use(authenticate((token) => deps.sessions.resolve(token)))
    for (const register of routes) register(router, deps)
    router.use(notFoundHandler)
    return router
  }
  app.use('/api/v4', sessionRouter([systemRoutes, userRoutes, teamRoutes, channelRoutes, postRoutes, ...(options.extraRoutes ?? [])]))
  for (const plugin of options.pluginRoutes ?? []) app.use(plugin.path, sessionRouter(plugin.routes))
  // Public file links work without a session, outside /api/v4, as in Mattermost.
  const publicRoutes = Router()
  publicRoutes.use(rejectNulInUrl)
  for (const register of [publicFileRoutes, ...(options.publicRoutes ?? [])]) register(publicRoutes, deps)
  app.use(publicRoutes)
  app.use(staticUiRoutes(deps.config.uiDir, (message) => deps.log.warn(message)))
  app.use(errorHandler({ developerMode: deps.config.developerMode }))
  return app
}
