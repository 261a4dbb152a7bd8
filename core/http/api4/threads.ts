/** Collapsed reply threads routes under /users/{user_id}/teams/{team_id}/threads (Mattermost api4/user.go). */
import type { Request, Router } from 'express'
import { invalidUrlParam } from '../../errors.ts'
import { isValidId } from '../../ids.ts'
import { requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { idParam, pagination, queryBool, queryString, userIdParam } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

const BASE = '/users/:user_id/teams/:team_id/threads'

function optionalThreadId(req: Request, name: string): string | undefined {
  const value = queryString(req, name)
  if (value !== undefined && !isValidId(value)) throw invalidUrlParam(name)
  return value
}

/** A non-negative whole number of milliseconds from the query or path; invalid → 400. */
function millis(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^[0-9]{1,16}$/.test(value)) throw invalidUrlParam(name)
  return Number(value)
}

export function threadRoutes(router: Router, deps: ApiDeps): void {
  const { threads } = deps

  router.get(BASE, async (req, res) => {
    const session = requireSession(req)
    const { perPage } = pagination(req)
    sendJson(res, 200, await threads.list(session, userIdParam(req), idParam(req, 'team_id'), {
      before: optionalThreadId(req, 'before'),
      after: optionalThreadId(req, 'after'),
      perPage,
      since: millis(queryString(req, 'since'), 'since', 0),
      deleted: queryBool(req, 'deleted'),
      unread: queryBool(req, 'unread'),
      extended: queryBool(req, 'extended'),
      totalsOnly: queryBool(req, 'totalsOnly'),
      threadsOnly: queryBool(req, 'threadsOnly'),
    }))
  })

  router.put(`${BASE}/read`, async (req, res) => {
    const session = requireSession(req)
    await threads.markAllRead(session, userIdParam(req), idParam(req, 'team_id'))
    sendOk(res)
  })

  router.get(`${BASE}/:thread_id`, async (req, res) => {
    const session = requireSession(req)
    const userId = userIdParam(req)
    // Checked for shape only: a thread is found by its id, whatever team the URL names.
    idParam(req, 'team_id')
    sendJson(res, 200, await threads.get(session, userId, idParam(req, 'thread_id'), queryBool(req, 'extended')))
  })

  for (const [method, following] of [['put', true], ['delete', false]] as const) {
    router[method](`${BASE}/:thread_id/following`, async (req, res) => {
      const session = requireSession(req)
      await threads.setFollowing(session, userIdParam(req), idParam(req, 'team_id'), idParam(req, 'thread_id'), following)
      sendOk(res)
    })
  }

  router.put(`${BASE}/:thread_id/read/:timestamp`, async (req, res) => {
    const session = requireSession(req)
    const timestamp = millis(String(req.params.timestamp), 'timestamp', 0)
    sendJson(res, 200, await threads.markRead(session, userIdParam(req), idParam(req, 'team_id'), idParam(req, 'thread_id'), timestamp))
  })

  router.post(`${BASE}/:thread_id/set_unread/:post_id`, async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, await threads.markUnreadFrom(session, userIdParam(req), idParam(req, 'team_id'), idParam(req, 'thread_id'), idParam(req, 'post_id')))
  })
}
