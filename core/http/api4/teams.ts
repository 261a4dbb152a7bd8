/** /teams routes: create, get, list, membership, unread summaries. */
import type { Router } from 'express'
import { z } from 'zod'
import { invalidParam } from '../../errors.ts'
import { presentTeam, presentTeamMember } from '../../present/team.ts'
import { requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { idParam, pagination, parseBody, queryString, userIdParam, zId } from '../validate.ts'
import { adminFromRolesBody, adminFromSchemeRolesBody } from '../member-roles.ts'
import type { ApiDeps } from './deps.ts'

const createTeamBody = z.object({
  name: z.string().max(128),
  display_name: z.string().max(256),
  type: z.enum(['O', 'I']).optional(),
  description: z.string().max(1024).optional(),
  allow_open_invite: z.boolean().optional(),
})

export function teamRoutes(router: Router, deps: ApiDeps): void {
  const { teams } = deps

  router.post('/teams', async (req, res) => {
    const session = requireSession(req)
    const team = await teams.create(session, parseBody(createTeamBody, req.body))
    sendJson(res, 201, presentTeam(team, { isSystemAdmin: session.isSystemAdmin, isTeamAdmin: true }))
  })

  router.get('/teams', async (req, res) => {
    const session = requireSession(req)
    const { page, perPage } = pagination(req)
    const list = await teams.list(session, page * perPage, perPage)
    sendJson(res, 200, list.map((t) => presentTeam(t, { isSystemAdmin: session.isSystemAdmin })))
  })

  router.get('/teams/name/:name', async (req, res) => {
    const session = requireSession(req)
    const team = await teams.getByName(session, String(req.params.name))
    sendJson(res, 200, presentTeam(team, { isSystemAdmin: session.isSystemAdmin, isTeamAdmin: await teams.isTeamAdmin(session, team.id) }))
  })

  router.get('/teams/:team_id', async (req, res) => {
    const session = requireSession(req)
    const team = await teams.get(session, idParam(req, 'team_id'))
    sendJson(res, 200, presentTeam(team, { isSystemAdmin: session.isSystemAdmin, isTeamAdmin: await teams.isTeamAdmin(session, team.id) }))
  })

  router.get('/users/:user_id/teams', async (req, res) => {
    const session = requireSession(req)
    const list = await teams.listForUser(session, userIdParam(req))
    sendJson(res, 200, list.map((t) => presentTeam(t, { isSystemAdmin: session.isSystemAdmin })))
  })

  router.get('/users/:user_id/teams/members', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, (await teams.membershipsOfUser(session, userIdParam(req))).map(presentTeamMember))
  })

  router.get('/users/:user_id/teams/unread', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, await teams.unreads(session, userIdParam(req), queryString(req, 'exclude_team')))
  })

  router.post('/teams/:team_id/members', async (req, res) => {
    const session = requireSession(req)
    const teamId = idParam(req, 'team_id')
    const body = parseBody(z.object({ team_id: zId, user_id: zId }), req.body)
    if (body.team_id !== teamId) throw invalidParam('team_id', 'team_id in the body must match the URL')
    sendJson(res, 201, presentTeamMember(await teams.addMember(session, teamId, body.user_id)))
  })

  router.post('/teams/:team_id/members/batch', async (req, res) => {
    const session = requireSession(req)
    const teamId = idParam(req, 'team_id')
    const body = parseBody(z.array(z.object({ team_id: zId, user_id: zId })).min(1).max(256), req.body)
    const added = []
    for (const m of body) {
      if (m.team_id !== teamId) throw invalidParam('team_id', 'team_id in the body must match the URL')
      added.push(presentTeamMember(await teams.addMember(session, teamId, m.user_id)))
    }
    sendJson(res, 201, added)
  })

  router.get('/teams/:team_id/members', async (req, res) => {
    const session = requireSession(req)
    const { page, perPage } = pagination(req)
    sendJson(res, 200, (await teams.members(session, idParam(req, 'team_id'), page * perPage, perPage)).map(presentTeamMember))
  })

  router.get('/teams/:team_id/members/:user_id', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, presentTeamMember(await teams.member(session, idParam(req, 'team_id'), userIdParam(req))))
  })

  router.put('/teams/:team_id/members/:user_id/roles', async (req, res) => {
    const session = requireSession(req)
    await teams.setMemberAdmin(session, idParam(req, 'team_id'), userIdParam(req), adminFromRolesBody(req.body, 'team'))
    sendOk(res)
  })

  router.put('/teams/:team_id/members/:user_id/schemeRoles', async (req, res) => {
    const session = requireSession(req)
    await teams.setMemberAdmin(session, idParam(req, 'team_id'), userIdParam(req), adminFromSchemeRolesBody(req.body))
    sendOk(res)
  })

  router.delete('/teams/:team_id/members/:user_id', async (req, res) => {
    const session = requireSession(req)
    await teams.removeMember(session, idParam(req, 'team_id'), userIdParam(req))
    sendOk(res)
  })
}
