/** /channels routes: all four channel types, membership, viewing and unreads. */
import type { Router } from 'express'
import { z } from 'zod'
import { forbidden, invalidParam, notFound } from '../../errors.ts'
import { presentChannel, presentChannelMember } from '../../present/channel.ts'
import { requireSession } from '../context.ts'
import { sendJson, sendOk } from '../respond.ts'
import { idParam, pagination, parseBody, queryBool, userIdParam, zId, zIdOrEmpty } from '../validate.ts'
import { adminFromRolesBody, adminFromSchemeRolesBody } from '../member-roles.ts'
import type { ApiDeps } from './deps.ts'

const createChannelBody = z.object({
  team_id: zId,
  name: z.string().max(128),
  display_name: z.string().max(256),
  type: z.string().max(1),
  purpose: z.string().max(1024).optional(),
  header: z.string().max(4096).optional(),
})

const patchChannelBody = z.object({
  display_name: z.string().max(256).optional(),
  name: z.string().max(128).optional(),
  header: z.string().max(4096).optional(),
  purpose: z.string().max(1024).optional(),
  group_constrained: z.boolean().nullable().optional(),
})

export function channelRoutes(router: Router, deps: ApiDeps): void {
  const { channels, channelStore } = deps

  router.post('/channels', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 201, presentChannel(await channels.create(session, parseBody(createChannelBody, req.body))))
  })

  router.post('/channels/direct', async (req, res) => {
    const session = requireSession(req)
    const ids = parseBody(z.array(zId).length(2), req.body)
    const { channel } = await channels.createDirect(session, ids)
    sendJson(res, 201, presentChannel(channel))
  })

  router.post('/channels/group', async (req, res) => {
    const session = requireSession(req)
    const ids = parseBody(z.array(zId).min(1).max(8), req.body)
    const { channel } = await channels.createGroup(session, ids)
    sendJson(res, 201, presentChannel(channel))
  })

  router.post('/channels/members/:user_id/view', async (req, res) => {
    const session = requireSession(req)
    const body = parseBody(z.object({ channel_id: zIdOrEmpty.default(''), prev_channel_id: zIdOrEmpty.default(''), collapsed_threads_supported: z.boolean().optional() }), req.body)
    // Only the channel being opened is marked read; prev_channel_id was read when it was left.
    const times = await channels.view(session, userIdParam(req), body.channel_id ? [body.channel_id] : [])
    sendOk(res, { last_viewed_at_times: times })
  })

  router.get('/channels/:channel_id', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, presentChannel(await channels.getReadable(session, idParam(req, 'channel_id'))))
  })

  router.put('/channels/:channel_id/patch', async (req, res) => {
    const session = requireSession(req)
    const { group_constrained: _ignored, ...patch } = parseBody(patchChannelBody, req.body)
    sendJson(res, 200, presentChannel(await channels.patch(session, idParam(req, 'channel_id'), patch)))
  })

  router.delete('/channels/:channel_id', async (req, res) => {
    const session = requireSession(req)
    if (queryBool(req, 'permanent')) throw forbidden('permanent channel deletion is disabled (EnableAPIChannelDeletion)')
    await channels.archive(session, idParam(req, 'channel_id'))
    sendOk(res)
  })

  router.post('/channels/:channel_id/restore', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, presentChannel(await channels.unarchive(session, idParam(req, 'channel_id'))))
  })

  router.get('/teams/:team_id/channels/name/:name', async (req, res) => {
    const session = requireSession(req)
    const teamId = idParam(req, 'team_id')
    const channel = await channelStore.getByName(teamId, String(req.params.name))
    if (!channel || (channel.deleteAt > 0 && !queryBool(req, 'include_deleted'))) {
      throw notFound('channel', String(req.params.name), 'app.channel.get_by_name.missing.app_error')
    }
    sendJson(res, 200, presentChannel(await channels.getReadable(session, channel.id)))
  })

  router.get('/teams/:team_id/channels', async (req, res) => {
    const session = requireSession(req)
    const teamId = idParam(req, 'team_id')
    if (!session.isSystemAdmin && !(await channels.isTeamMember(teamId, session.userId))) throw forbidden(`channels of team ${teamId}`)
    const { page, perPage } = pagination(req)
    sendJson(res, 200, (await channelStore.listPublic(teamId, { offset: page * perPage, limit: perPage })).map(presentChannel))
  })

  router.get('/teams/:team_id/channels/deleted', async (req, res) => {
    const session = requireSession(req)
    const teamId = idParam(req, 'team_id')
    if (!session.isSystemAdmin && !(await channels.isTeamMember(teamId, session.userId))) throw forbidden(`archived channels of team ${teamId}`)
    const { page, perPage } = pagination(req)
    sendJson(res, 200, (await channelStore.listArchived(teamId, session.userId, { offset: page * perPage, limit: perPage })).map(presentChannel))
  })

  router.post('/teams/:team_id/channels/search', async (req, res) => {
    const session = requireSession(req)
    const teamId = idParam(req, 'team_id')
    const body = parseBody(z.object({ term: z.string().max(64) }), req.body)
    if (!body.term.trim()) throw invalidParam('term')
    if (!session.isSystemAdmin && !(await channels.isTeamMember(teamId, session.userId))) throw forbidden(`channels of team ${teamId}`)
    sendJson(res, 200, (await channelStore.listPublic(teamId, { offset: 0, limit: 100, prefix: body.term.trim().toLowerCase() })).map(presentChannel))
  })

  router.get('/users/:user_id/teams/:team_id/channels', async (req, res) => {
    const session = requireSession(req)
    const userId = userIdParam(req)
    const teamId = idParam(req, 'team_id')
    if (userId !== session.userId && !session.isSystemAdmin) throw forbidden('channels of another user')
    if (!session.isSystemAdmin && !(await channels.isTeamMember(teamId, userId))) throw forbidden(`channels of team ${teamId} for a non-member`)
    const list = await channelStore.listForUser(userId, teamId, queryBool(req, 'include_deleted'))
    sendJson(res, 200, list.map(presentChannel))
  })

  router.get('/users/:user_id/teams/:team_id/channels/members', async (req, res) => {
    const session = requireSession(req)
    const userId = userIdParam(req)
    const teamId = idParam(req, 'team_id')
    if (userId !== session.userId && !session.isSystemAdmin) throw forbidden('channel memberships of another user')
    if (!session.isSystemAdmin && !(await channels.isTeamMember(teamId, userId))) throw forbidden(`channel memberships in team ${teamId} for a non-member`)
    sendJson(res, 200, (await channelStore.membershipsForUser(userId, teamId)).map(presentChannelMember))
  })

  router.get('/users/:user_id/channels/:channel_id/unread', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, await channels.unread(session, userIdParam(req), idParam(req, 'channel_id')))
  })

  router.post('/channels/:channel_id/members', async (req, res) => {
    const session = requireSession(req)
    const channelId = idParam(req, 'channel_id')
    const body = parseBody(z.object({ user_id: zId.optional(), user_ids: z.array(zId).min(1).max(1000).optional(), post_root_id: zIdOrEmpty.optional() }), req.body)
    if (body.user_ids) {
      const members = []
      for (const userId of body.user_ids) members.push(presentChannelMember(await channels.addMember(session, channelId, userId)))
      return sendJson(res, 201, members)
    }
    if (!body.user_id) throw invalidParam('user_id')
    sendJson(res, 201, presentChannelMember(await channels.addMember(session, channelId, body.user_id)))
  })

  router.get('/channels/:channel_id/members', async (req, res) => {
    const session = requireSession(req)
    const channel = await channels.getReadable(session, idParam(req, 'channel_id'))
    const { page, perPage } = pagination(req)
    sendJson(res, 200, (await channelStore.members(channel.id, page * perPage, perPage)).map(presentChannelMember))
  })

  router.post('/channels/:channel_id/members/ids', async (req, res) => {
    const session = requireSession(req)
    const channel = await channels.getReadable(session, idParam(req, 'channel_id'))
    const ids = parseBody(z.array(zId).min(1).max(1000), req.body)
    const members = []
    for (const userId of new Set(ids)) {
      const member = await channelStore.getMember(channel.id, userId)
      if (member) members.push(presentChannelMember(member))
    }
    sendJson(res, 200, members)
  })

  router.get('/channels/:channel_id/members/:user_id', async (req, res) => {
    const session = requireSession(req)
    const channel = await channels.getReadable(session, idParam(req, 'channel_id'))
    const member = await channelStore.getMember(channel.id, userIdParam(req))
    if (!member) throw notFound('channel_member', channel.id, 'app.channel.get_member.missing.app_error')
    sendJson(res, 200, presentChannelMember(member))
  })

  router.put('/channels/:channel_id/members/:user_id/roles', async (req, res) => {
    const session = requireSession(req)
    await channels.setMemberAdmin(session, idParam(req, 'channel_id'), userIdParam(req), adminFromRolesBody(req.body, 'channel'))
    sendOk(res)
  })

  router.put('/channels/:channel_id/members/:user_id/schemeRoles', async (req, res) => {
    const session = requireSession(req)
    await channels.setMemberAdmin(session, idParam(req, 'channel_id'), userIdParam(req), adminFromSchemeRolesBody(req.body))
    sendOk(res)
  })

  router.put('/channels/:channel_id/members/:user_id/notify_props', async (req, res) => {
    const session = requireSession(req)
    const body = parseBody(z.record(z.string(), z.string().max(64)), req.body)
    const { channel_id: _c, user_id: _u, ...props } = body
    await channels.updateNotifyProps(session, idParam(req, 'channel_id'), userIdParam(req), props)
    sendOk(res)
  })

  router.delete('/channels/:channel_id/members/:user_id', async (req, res) => {
    const session = requireSession(req)
    await channels.removeMember(session, idParam(req, 'channel_id'), userIdParam(req))
    sendOk(res)
  })
}
