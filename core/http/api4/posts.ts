/** /posts routes: create, read, edit, delete, threads, channel timelines, pins and unread posts. */
import type { Router } from 'express'
import { z } from 'zod'
import { AppError, invalidParam } from '../../errors.ts'
import { isValidId } from '../../ids.ts'
import { requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { idParam, pagination, parseBody, queryBool, queryInt, queryString, userIdParam, zId, zIdOrEmpty } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

const propsSchema = z.record(z.string(), z.unknown())

/** `metadata.priority` of a new post (Mattermost's PostPriority); other metadata is ignored. */
const priorityBody = z.object({
  priority: z.string().optional(),
  requested_ack: z.boolean().optional(),
  persistent_notifications: z.boolean().optional(),
})

const createPostBody = z.object({
  channel_id: zId,
  message: z.string().default(''),
  root_id: zIdOrEmpty.optional(),
  parent_id: zIdOrEmpty.optional(),
  file_ids: z.array(z.string()).max(10).optional(),
  props: propsSchema.optional(),
  pending_post_id: z.string().max(64).optional(),
  type: z.string().max(26).optional(),
  create_at: z.number().int().min(0).optional(),
  metadata: z.object({ priority: priorityBody.nullish() }).loose().nullish(),
})

const patchPostBody = z.object({
  message: z.string().optional(),
  is_pinned: z.boolean().optional(),
  props: propsSchema.optional(),
  file_ids: z.array(z.string()).max(10).optional(),
  has_reactions: z.boolean().optional(),
})

function optionalPostId(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined
  if (!isValidId(value)) throw invalidParam(name, 'expected a post id')
  return value
}

export function postRoutes(router: Router, deps: ApiDeps): void {
  const { posts } = deps

  router.post('/posts', async (req, res) => {
    const session = requireSession(req)
    const { metadata, ...input } = parseBody(createPostBody, req.body)
    const created = await posts.create(session, { ...input, root_id: input.root_id || input.parent_id || undefined, priority: metadata?.priority ?? undefined })
    sendJson(res, 201, posts.presentCreated(created))
  })

  router.get('/posts/:post_id', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, await posts.present(await posts.get(session, idParam(req, 'post_id'), queryBool(req, 'include_deleted'))))
  })

  router.put('/posts/:post_id/patch', async (req, res) => {
    const session = requireSession(req)
    const { has_reactions: _ignored, ...patch } = parseBody(patchPostBody, req.body)
    sendJson(res, 200, await posts.present(await posts.patch(session, idParam(req, 'post_id'), patch)))
  })

  router.put('/posts/:post_id', async (req, res) => {
    const session = requireSession(req)
    const body = parseBody(patchPostBody.extend({ id: zId }).loose(), req.body)
    const postId = idParam(req, 'post_id')
    if (body.id !== postId) throw invalidParam('id', 'the post id in the body must match the URL')
    sendJson(res, 200, await posts.present(await posts.patch(session, postId, { message: body.message, props: body.props, file_ids: body.file_ids, is_pinned: body.is_pinned })))
  })

  router.delete('/posts/:post_id', async (req, res) => {
    const session = requireSession(req)
    await posts.delete(session, idParam(req, 'post_id'))
    sendOk(res)
  })

  router.get('/posts/:post_id/thread', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, await posts.thread(session, idParam(req, 'post_id')))
  })

  router.post('/posts/:post_id/pin', async (req, res) => {
    const session = requireSession(req)
    await posts.setPinned(session, idParam(req, 'post_id'), true)
    sendOk(res)
  })

  router.post('/posts/:post_id/unpin', async (req, res) => {
    const session = requireSession(req)
    await posts.setPinned(session, idParam(req, 'post_id'), false)
    sendOk(res)
  })

  router.get('/channels/:channel_id/pinned', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, await posts.pinned(session, idParam(req, 'channel_id')))
  })

  router.get('/channels/:channel_id/posts', async (req, res) => {
    const session = requireSession(req)
    const { page, perPage } = pagination(req)
    const sinceRaw = queryString(req, 'since')
    const since = sinceRaw === undefined ? undefined : Number(sinceRaw)
    if (since !== undefined && (!Number.isFinite(since) || since < 0)) throw invalidParam('since')
    const before = optionalPostId(queryString(req, 'before'), 'before')
    const after = optionalPostId(queryString(req, 'after'), 'after')
    if (before && after) throw invalidParam('before', 'before and after cannot be combined')
    sendJson(res, 200, await posts.channelPosts(session, idParam(req, 'channel_id'), {
      page, perPage, since, before, after,
      collapsedThreads: queryBool(req, 'collapsedThreads'),
      skipFetchThreads: queryBool(req, 'skipFetchThreads'),
      includeDeleted: queryBool(req, 'include_deleted'),
    }))
  })

  router.get('/users/:user_id/channels/:channel_id/posts/unread', async (req, res) => {
    const session = requireSession(req)
    const limitBefore = queryInt(req, 'limit_before', 60)
    const limitAfter = queryInt(req, 'limit_after', 60)
    if (limitBefore > 200 || limitAfter > 200 || limitAfter < 1) {
      throw new AppError('api.context.invalid_url_param.app_error', 'limit_before and limit_after must be between 0/1 and 200.', 400)
    }
    sendJson(res, 200, await posts.unreadPosts(session, userIdParam(req), idParam(req, 'channel_id'), limitBefore, limitAfter, queryBool(req, 'collapsedThreads')))
  })

}
