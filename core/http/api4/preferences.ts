/** /users/{user_id}/preferences routes and the flagged-post list (Mattermost api4/preference.go, api4/post.go). */
import type { Request, Router } from 'express'
import { z } from 'zod'
import { invalidUrlParam } from '../../errors.ts'
import { isValidId } from '../../ids.ts'
import { presentPreference } from '../../present/preference.ts'
import { requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { pagination, parseBody, queryString, userIdParam } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

// Mattermost decodes missing fields as "" and lets Preference.IsValid reject them.
const preferencesBody = z.array(
  z.object({
    user_id: z.string().default(''),
    category: z.string().default(''),
    name: z.string().default(''),
    value: z.string().default(''),
  }),
).max(1000)

const KEY_PATTERN = /^[A-Za-z0-9_]+$/

function keyParam(req: Request, name: string): string {
  const value = req.params[name]
  if (typeof value !== 'string' || !KEY_PATTERN.test(value)) throw invalidUrlParam(name)
  return value
}

function optionalIdQuery(req: Request, name: string): string | undefined {
  const value = queryString(req, name)
  if (value !== undefined && !isValidId(value)) throw invalidUrlParam(name)
  return value
}

export function preferenceRoutes(router: Router, deps: ApiDeps): void {
  const { preferences } = deps

  router.get('/users/:user_id/preferences', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, (await preferences.getAll(session, userIdParam(req))).map(presentPreference))
  })

  router.put('/users/:user_id/preferences', async (req, res) => {
    const session = requireSession(req)
    const userId = userIdParam(req)
    await preferences.save(session, userId, parseBody(preferencesBody, req.body))
    sendOk(res)
  })

  router.post('/users/:user_id/preferences/delete', async (req, res) => {
    const session = requireSession(req)
    const userId = userIdParam(req)
    await preferences.delete(session, userId, parseBody(preferencesBody, req.body))
    sendOk(res)
  })

  router.get('/users/:user_id/preferences/:category', async (req, res) => {
    const session = requireSession(req)
    const found = await preferences.getCategory(session, userIdParam(req), keyParam(req, 'category'))
    sendJson(res, 200, found.map(presentPreference))
  })

  router.get('/users/:user_id/preferences/:category/name/:name', async (req, res) => {
    const session = requireSession(req)
    const found = await preferences.get(session, userIdParam(req), keyParam(req, 'category'), keyParam(req, 'name'))
    sendJson(res, 200, presentPreference(found))
  })

  router.get('/users/:user_id/posts/flagged', async (req, res) => {
    const session = requireSession(req)
    const { page, perPage } = pagination(req)
    sendJson(res, 200, await preferences.flaggedPosts(session, userIdParam(req), {
      channelId: optionalIdQuery(req, 'channel_id'),
      teamId: optionalIdQuery(req, 'team_id'),
      page,
      perPage,
    }))
  })
}
