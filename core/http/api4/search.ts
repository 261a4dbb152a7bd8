/** Post search routes: POST /teams/{team_id}/posts/search and POST /posts/search (all the caller's teams). */
import type { ErrorRequestHandler, Request, Response, Router } from 'express'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import { requireSession } from '../context.ts'
import { sendJson } from '../respond.ts'
import { idParam } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

const MAX_PER_PAGE = 200
// Out-of-range numbers would overflow bigint in SQL; clamp them to what a client can mean.
const MAX_PAGE = 100_000
const MAX_OFFSET_SECONDS = 86_400
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value))

const searchBody = z.object({
  terms: z.string(),
  is_or_search: z.boolean().optional(),
  time_zone_offset: z.number().finite().optional(),
  include_deleted_channels: z.boolean().optional(),
  page: z.number().int().optional(),
  per_page: z.number().int().optional(),
})

const invalidSearchBody = (detailed: string) =>
  new AppError('api.post.search_posts.invalid_body.app_error', 'Unable to parse the search request body.', 400, { detailed })

/** Mattermost answers unparsable JSON on search with the search's own error id, not the generic body one. */
const unparsableSearchBody: ErrorRequestHandler = (err: { type?: string; message?: string }, _req, _res, next) => {
  next(err?.type === 'entity.parse.failed' ? invalidSearchBody(err.message ?? '') : err)
}

export function searchRoutes(router: Router, deps: ApiDeps): void {
  const { search } = deps

  async function handle(req: Request, res: Response, teamId: string | undefined): Promise<void> {
    const session = requireSession(req)
    const parsed = searchBody.safeParse(req.body ?? {})
    if (!parsed.success || parsed.data.terms.includes('\u0000')) {
      throw invalidSearchBody(parsed.success ? 'terms: must not contain NUL' : `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`)
    }
    const body = parsed.data
    const perPage = body.per_page === undefined || body.per_page <= 0 ? 60 : Math.min(body.per_page, MAX_PER_PAGE)
    const result = await search.searchPosts(session, teamId, {
      terms: body.terms,
      isOrSearch: body.is_or_search ?? false,
      timeZoneOffset: Math.round(clamp(body.time_zone_offset ?? 0, -MAX_OFFSET_SECONDS, MAX_OFFSET_SECONDS)),
      includeDeletedChannels: body.include_deleted_channels ?? false,
      page: clamp(body.page ?? 0, 0, MAX_PAGE),
      perPage,
    })
    res.setHeader('Cache-Control', 'no-cache')
    sendJson(res, 200, result)
  }

  router.use(['/teams/:team_id/posts/search', '/posts/search'], unparsableSearchBody)
  router.post('/teams/:team_id/posts/search', async (req, res) => handle(req, res, idParam(req, 'team_id')))
  router.post('/posts/search', async (req, res) => handle(req, res, undefined))
}
