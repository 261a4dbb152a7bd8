/** Custom user group routes (Mattermost api4/group.go, source "custom"). */
import type { Router } from 'express'
import { z } from 'zod'
import type { GroupService } from '../../groups/service.ts'
import { presentGroup, presentGroupMember } from '../../present/group.ts'
import { presentUser } from '../../present/user.ts'
import { requireSession } from '../context.ts'
import { sendJson } from '../respond.ts'
import { idParam, pagination, parseBody, queryBool, queryString, zId } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

const createBody = z.object({
  name: z.string().optional(),
  display_name: z.string(),
  description: z.string().optional(),
  source: z.string(),
  allow_reference: z.boolean().optional(),
  remote_id: z.string().nullable().optional(),
  user_ids: z.array(zId).max(1000).optional(),
})

const patchBody = z.object({
  name: z.string().optional(),
  display_name: z.string().optional(),
  description: z.string().optional(),
  allow_reference: z.boolean().optional(),
})

const membersBody = z.object({ user_ids: z.array(zId).min(1).max(1000) })

/** Registers the routes; `groups` comes from the composition root (core/main.ts). */
export function groupRoutes(groups: GroupService) {
  return (router: Router, _deps: ApiDeps): void => {
    router.post('/groups', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 201, presentGroup(await groups.create(session, parseBody(createBody, req.body))))
    })

    router.get('/groups', async (req, res) => {
      const session = requireSession(req)
      const { page, perPage } = pagination(req)
      const list = await groups.list(session, {
        q: queryString(req, 'q') ?? '', page, perPage,
        includeMemberCount: queryBool(req, 'include_member_count'), includeArchived: queryBool(req, 'include_archived'),
      })
      sendJson(res, 200, list.map(presentGroup))
    })

    router.get('/groups/:group_id', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, presentGroup(await groups.get(session, idParam(req, 'group_id'), queryBool(req, 'include_member_count'))))
    })

    router.put('/groups/:group_id/patch', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, presentGroup(await groups.patch(session, idParam(req, 'group_id'), parseBody(patchBody, req.body))))
    })

    router.delete('/groups/:group_id', async (req, res) => {
      const session = requireSession(req)
      sendJson(res, 200, presentGroup(await groups.remove(session, idParam(req, 'group_id'))))
    })

    router.get('/groups/:group_id/members', async (req, res) => {
      const session = requireSession(req)
      const { page, perPage } = pagination(req)
      const { members, total } = await groups.members(session, idParam(req, 'group_id'), page, perPage)
      const viewer = { userId: session.userId, isSystemAdmin: session.isSystemAdmin }
      sendJson(res, 200, { members: members.map((u) => presentUser(u, viewer)), total_member_count: total })
    })

    router.post('/groups/:group_id/members', async (req, res) => {
      const session = requireSession(req)
      const { user_ids } = parseBody(membersBody, req.body)
      sendJson(res, 200, (await groups.addMembers(session, idParam(req, 'group_id'), user_ids)).map(presentGroupMember))
    })

    router.delete('/groups/:group_id/members', async (req, res) => {
      const session = requireSession(req)
      const { user_ids } = parseBody(membersBody, req.body)
      sendJson(res, 200, (await groups.removeMembers(session, idParam(req, 'group_id'), user_ids)).map(presentGroupMember))
    })
  }
}
