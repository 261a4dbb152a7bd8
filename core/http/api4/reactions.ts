/** Reaction routes (Mattermost api4/reaction.go). */
import type { Request, Router } from 'express'
import { z } from 'zod'
import { invalidUrlParam } from '../../errors.ts'
import { presentReaction } from '../../present/reaction.ts'
import { EMOJI_NAME_MAX_LENGTH, EMOJI_NAME_PATTERN } from '../../reactions/service.ts'
import { requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { idParam, parseBody, userIdParam, zId } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

// The service checks these fields itself, to answer with Mattermost's reaction error ids.
const reactionBody = z.object({
  user_id: z.string().default(''),
  post_id: z.string().default(''),
  emoji_name: z.string().default(''),
})

function emojiNameParam(req: Request): string {
  const value = req.params.emoji_name
  if (typeof value !== 'string' || value.length > EMOJI_NAME_MAX_LENGTH || !EMOJI_NAME_PATTERN.test(value)) throw invalidUrlParam('emoji_name')
  return value
}

export function reactionRoutes(router: Router, deps: ApiDeps): void {
  const { reactions } = deps

  router.post('/reactions', async (req, res) => {
    const session = requireSession(req)
    const reaction = await reactions.save(session, parseBody(reactionBody, req.body))
    sendJson(res, 200, presentReaction(reaction))
  })

  router.delete('/users/:user_id/posts/:post_id/reactions/:emoji_name', async (req, res) => {
    const session = requireSession(req)
    await reactions.delete(session, userIdParam(req), idParam(req, 'post_id'), emojiNameParam(req))
    sendOk(res)
  })

  router.get('/posts/:post_id/reactions', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, (await reactions.forPost(session, idParam(req, 'post_id'))).map(presentReaction))
  })

  router.post('/posts/ids/reactions', async (req, res) => {
    const session = requireSession(req)
    const ids = parseBody(z.array(zId).max(1000), req.body)
    const byPost = await reactions.forPosts(session, ids)
    sendJson(res, 200, Object.fromEntries([...byPost].map(([postId, list]) => [postId, list.map(presentReaction)])))
  })
}
