/** Search routes: POST /teams/{team_id}/posts/search, /teams/{team_id}/files/search, and /posts/search, /files/search (all the caller's teams). */
import type { ErrorRequestHandler, Request, Response, Router } from 'express'
import { z } from 'zod'
import { AppError, invalidParam } from '../../errors.ts'
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
  /** File search only: which tab of the web app searched ('' | 'files' | 'messages'); recorded by Mattermost, unused here. */
  modifier: z.string().optional(),
})

type SearchKind = 'posts' | 'files'

const invalidSearchBody = (kind: SearchKind, detailed: string) =>
  new AppError(`api.post.search_${kind}.invalid_body.app_error`, 'Unable to parse the search request body.', 400, { detailed })

/** Mattermost answers unparsable JSON on search with the search's own error id, not the generic body one. */
const unparsableSearchBody = (kind: SearchKind): ErrorRequestHandler => (err: { type?: string; message?: string }, _req, _res, next) => {
  next(err?.type === 'entity.parse.failed' ? invalidSearchBody(kind, err.message ?? '') : err)
}

export function searchRoutes(router: Router, deps: ApiDeps): void {
  const { search } = deps

  async function handle(req: Request, res: Response, kind: SearchKind, teamId: string | undefined): Promise<void> {
    const session = requireSession(req)
    const parsed = searchBody.safeParse(req.body ?? {})
    if (!parsed.success || parsed.data.terms.includes('\u0000')) {
      throw invalidSearchBody(kind, parsed.success ? 'terms: must not contain NUL' : `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`)
    }
    const body = parsed.data
    if (kind === 'files') {
      // api4/file.go searchFiles: terms are required and the modifier must be one it knows.
      if (body.terms === '') throw invalidParam('terms')
      if (body.modifier && body.modifier !== 'files' && body.modifier !== 'messages') throw invalidParam('modifier')
    }
    const perPage = body.per_page === undefined || body.per_page <= 0 ? 60 : Math.min(body.per_page, MAX_PER_PAGE)
    const run = kind === 'posts' ? search.searchPosts : search.searchFiles
    const result = await run(session, teamId, {
      terms: body.terms,
      isOrSearch: body.is_or_search ?? false,
      timeZoneOffset: Math.round(clamp(body.time_zone_offset ?? 0, -MAX_OFFSET_SECONDS, MAX_OFFSET_SECONDS)),
      includeDeletedChannels: body.include_deleted_channels ?? false,
      page: clamp(body.page ?? 0, 0, MAX_PAGE),
      perPage,
    })
    res.setHeader('Cache-Control', kind === 'posts' ? 'no-cache' : 'no-cache, no-store, must-revalidate')
    sendJson(res, 200, result)
  }

  for (const kind of ['posts', 'files'] as const) {
    router.use([`/teams/:team_id/${kind}/search`, `/${kind}/search`], unparsableSearchBody(kind))
    router.post(`/teams/:team_id/${kind}/search`, async (req, res) => handle(req, res, kind, idParam(req, 'team_id')))
    router.post(`/${kind}/search`, async (req, res) => handle(req, res, kind, undefined))
  }
}
