/** /users routes: sign-up, login/logout, profiles, listing, search, autocomplete, roles, activation. */
import type { Response, Router } from 'express'
import { z } from 'zod'
import { AppError, invalidParam, invalidUrlParam } from '../../errors.ts'
import type { AuthSession } from '../../auth/session-types.ts'
import { presentUser } from '../../present/user.ts'
import type { UserRecord } from '../../users/store.ts'
import { getContext, requireSession } from '../context.ts'
import { rateLimit } from '../middleware/rate-limit.ts'
import { sendJson, sendOk } from '../respond.ts'
import { pagination, parseBody, queryBool, queryInt, queryString, userIdParam, zId } from '../validate.ts'
import type { ApiDeps } from './deps.ts'

const createUserBody = z.object({
  email: z.string().max(256),
  username: z.string().max(128),
  password: z.string().max(256).optional(),
  first_name: z.string().max(256).optional(),
  last_name: z.string().max(256).optional(),
  nickname: z.string().max(256).optional(),
  position: z.string().max(256).optional(),
  locale: z.string().max(32).optional(),
})

const loginBody = z.object({
  login_id: z.string().max(256).default(''),
  password: z.string().max(256).default(''),
  token: z.string().max(64).optional(),
  device_id: z.string().max(512).optional(),
  deviceId: z.string().max(512).optional(),
  ldap_only: z.string().optional(),
  id: z.string().optional(),
})

const stringMap = z.record(z.string(), z.string().max(4096))

const patchBody = z.object({
  username: z.string().max(128).optional(),
  email: z.string().max(256).optional(),
  password: z.string().max(256).optional(),
  nickname: z.string().max(256).optional(),
  first_name: z.string().max(256).optional(),
  last_name: z.string().max(256).optional(),
  position: z.string().max(256).optional(),
  locale: z.string().max(32).optional(),
  props: stringMap.optional(),
  notify_props: stringMap.optional(),
  timezone: stringMap.optional(),
})

const searchBody = z.object({
  term: z.string().max(256),
  team_id: z.string().optional(),
  not_in_team_id: z.string().optional(),
  in_channel_id: z.string().optional(),
  not_in_channel_id: z.string().optional(),
  allow_inactive: z.boolean().optional(),
  without_team: z.boolean().optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  role: z.string().optional(),
})

function viewerOf(session: AuthSession) {
  return { userId: session.userId, isSystemAdmin: session.isSystemAdmin }
}

function sendUsers(res: Response, session: AuthSession, users: UserRecord[]): void {
  sendJson(res, 200, users.map((u) => presentUser(u, viewerOf(session))))
}

function setLoginCookies(res: Response, deps: ApiDeps, token: string, userId: string, csrf: string): void {
  const maxAge = deps.config.sessionLengthHours * 3600
  const secure = deps.config.siteUrl.startsWith('https:') ? '; Secure' : ''
  const base = `Path=/; Max-Age=${maxAge}; SameSite=Lax${secure}`
  res.append('Set-Cookie', `MMAUTHTOKEN=${token}; ${base}; HttpOnly`)
  res.append('Set-Cookie', `MMUSERID=${userId}; ${base}`)
  res.append('Set-Cookie', `MMCSRF=${csrf}; ${base}`)
}

export function userRoutes(router: Router, deps: ApiDeps): void {
  const { users, sessions } = deps

  router.post('/users', async (req, res) => {
    const input = parseBody(createUserBody, req.body)
    const session = getContext(req).session
    const user = await users.create(input, session)
    sendJson(res, 201, presentUser(user, session ? viewerOf(session) : { userId: user.id, isSystemAdmin: false }))
  })

  router.post(
    '/users/login',
    rateLimit({ windowMs: 60_000, max: 30, key: (req) => `${req.socket.remoteAddress}|${String((req.body as { login_id?: unknown } | undefined)?.login_id ?? '').toLowerCase()}` }),
    async (req, res) => {
      const input = parseBody(loginBody, req.body)
      if (!input.login_id) throw new AppError('api.user.login.blank_login_id.app_error', 'Enter your email or username.', 400)
      const { user, session } = await sessions.login(input.login_id, input.password, input.device_id ?? input.deviceId ?? '')
      res.setHeader('Token', session.token)
      if (req.headers['x-requested-with'] === 'XMLHttpRequest') {
        setLoginCookies(res, deps, session.token, user.id, session.props.csrf ?? '')
      }
      sendJson(res, 200, presentUser(user, { userId: user.id, isSystemAdmin: user.roles.includes('system_admin') }))
    },
  )

  router.post('/users/logout', async (req, res) => {
    const session = getContext(req).session
    if (session) await sessions.logout(session)
    const expired = 'Path=/; Max-Age=0'
    res.append('Set-Cookie', `MMAUTHTOKEN=; ${expired}; HttpOnly`)
    res.append('Set-Cookie', `MMUSERID=; ${expired}`)
    res.append('Set-Cookie', `MMCSRF=; ${expired}`)
    sendOk(res)
  })

  router.get('/users/me', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, presentUser(await users.requireUser(session.userId), viewerOf(session)))
  })

  router.post('/users/ids', async (req, res) => {
    const session = requireSession(req)
    const ids = parseBody(z.array(zId).min(1).max(1000), req.body)
    const since = queryInt(req, 'since', 0)
    const found = await deps.userStore.getByIds([...new Set(ids)], since)
    sendUsers(res, session, await users.filterVisible(session, found))
  })

  router.post('/users/usernames', async (req, res) => {
    const session = requireSession(req)
    const names = parseBody(z.array(z.string().max(64)).min(1).max(1000), req.body)
    const found = await deps.userStore.getByUsernames([...new Set(names.map((n) => n.toLowerCase()))])
    sendUsers(res, session, await users.filterVisible(session, found))
  })

  router.get('/users', async (req, res) => {
    const session = requireSession(req)
    const { page, perPage } = pagination(req)
    const inTeam = queryString(req, 'in_team')
    const notInChannel = queryString(req, 'not_in_channel')
    const sort = queryString(req, 'sort')
    if (notInChannel && !inTeam) throw invalidUrlParam('in_team')
    if ((sort === 'last_activity_at' || sort === 'create_at') && !inTeam) throw invalidUrlParam('sort')
    const inactive = queryBool(req, 'inactive') ? true : queryBool(req, 'active') ? false : undefined
    const list = await users.list(session, {
      inTeam,
      notInTeam: queryString(req, 'not_in_team'),
      inChannel: queryString(req, 'in_channel'),
      inGroup: queryString(req, 'in_group'),
      notInChannel,
      withoutTeam: queryBool(req, 'without_team'),
      inactive,
      role: queryString(req, 'role'),
      sort: sort === 'create_at' || sort === 'last_activity_at' ? sort : 'username',
      offset: page * perPage,
      limit: perPage,
    })
    sendUsers(res, session, list)
  })

  router.post('/users/search', async (req, res) => {
    const session = requireSession(req)
    const input = parseBody(searchBody, req.body)
    if (!input.term.trim()) throw invalidParam('term')
    if (input.not_in_channel_id && !input.team_id) throw invalidParam('team_id', 'not_in_channel_id needs team_id')
    const list = await users.list(session, {
      term: input.term.trim(),
      inTeam: input.team_id || undefined,
      notInTeam: input.not_in_team_id || undefined,
      inChannel: input.in_channel_id || undefined,
      notInChannel: input.not_in_channel_id || undefined,
      withoutTeam: input.without_team,
      inactive: input.allow_inactive ? undefined : false,
      role: input.role || undefined,
      offset: 0,
      limit: input.limit ?? 100,
    })
    sendUsers(res, session, list)
  })

  router.get('/users/autocomplete', async (req, res) => {
    const session = requireSession(req)
    const inTeam = queryString(req, 'in_team')
    const inChannel = queryString(req, 'in_channel')
    if (inChannel && !inTeam) {
      throw new AppError('api.user.autocomplete_users.missing_team_id.app_error', 'Team id parameter is required to autocomplete by channel.', 400)
    }
    const limit = queryInt(req, 'limit', 100, 1000)
    const term = queryString(req, 'name') ?? ''
    const base = { term: term || undefined, inactive: false as const, offset: 0, limit }
    const viewer = viewerOf(session)
    if (inChannel) {
      const inside = await users.list(session, { ...base, inChannel })
      const outside = await users.list(session, { ...base, inTeam, notInChannel: inChannel })
      return sendJson(res, 200, { users: inside.map((u) => presentUser(u, viewer)), out_of_channel: outside.map((u) => presentUser(u, viewer)) })
    }
    const found = await users.list(session, { ...base, inTeam })
    sendJson(res, 200, { users: found.map((u) => presentUser(u, viewer)) })
  })

  router.get('/users/username/:username', async (req, res) => {
    const session = requireSession(req)
    const username = String(req.params.username)
    if (!/^[A-Za-z0-9.\-_]+$/.test(username)) throw invalidUrlParam('username')
    sendJson(res, 200, presentUser(await users.getVisibleByUsername(session, username), viewerOf(session)))
  })

  router.get('/users/email/:email', async (req, res) => {
    const session = requireSession(req)
    const user = await deps.userStore.getByEmail(String(req.params.email).toLowerCase())
    if (!user) throw new AppError('app.user.missing_account.const', 'Unable to find the user.', 404)
    sendJson(res, 200, presentUser(await users.getVisible(session, user.id), viewerOf(session)))
  })

  router.get('/users/:user_id', async (req, res) => {
    const session = requireSession(req)
    sendJson(res, 200, presentUser(await users.getVisible(session, userIdParam(req)), viewerOf(session)))
  })

  router.put('/users/:user_id/patch', async (req, res) => {
    const session = requireSession(req)
    const patch = parseBody(patchBody, req.body)
    sendJson(res, 200, presentUser(await users.patch(session, userIdParam(req), patch), viewerOf(session)))
  })

  router.put('/users/:user_id', async (req, res) => {
    const session = requireSession(req)
    const patch = parseBody(patchBody.extend({ id: z.string().optional() }).loose(), req.body)
    const { id: _id, ...rest } = patch
    sendJson(res, 200, presentUser(await users.patch(session, userIdParam(req), rest), viewerOf(session)))
  })

  router.put('/users/:user_id/password', async (req, res) => {
    const session = requireSession(req)
    const body = parseBody(z.object({ current_password: z.string().max(256).default(''), new_password: z.string().max(256) }), req.body)
    await users.updatePassword(session, userIdParam(req), body.current_password, body.new_password)
    sendOk(res)
  })

  router.put('/users/:user_id/roles', async (req, res) => {
    const session = requireSession(req)
    const body = parseBody(z.object({ roles: z.string().max(256) }), req.body)
    await users.setRoles(session, userIdParam(req), body.roles)
    sendOk(res)
  })

  router.put('/users/:user_id/active', async (req, res) => {
    const session = requireSession(req)
    const body = parseBody(z.object({ active: z.boolean() }), req.body)
    await users.setActive(session, userIdParam(req), body.active)
    sendOk(res)
  })

  router.delete('/users/:user_id', async (req, res) => {
    const session = requireSession(req)
    await users.setActive(session, userIdParam(req), false)
    sendOk(res)
  })

  // Personal access tokens (model/user_access_token.go).
  router.post('/users/:user_id/tokens', async (req, res) => {
    const session = requireSession(req)
    const body = parseBody(z.object({ description: z.string().max(512), expires_at: z.number().int().min(0).optional() }), req.body)
    const token = await sessions.createAccessToken(session, userIdParam(req), body.description, body.expires_at ?? 0)
    sendJson(res, 200, { id: token.id, token: token.token, user_id: token.userId, description: token.description, is_active: token.isActive, expires_at: token.expiresAt })
  })

  router.get('/users/:user_id/tokens', async (req, res) => {
    const session = requireSession(req)
    const { page, perPage } = pagination(req)
    const tokens = await sessions.listAccessTokens(session, userIdParam(req), page * perPage, perPage)
    sendJson(res, 200, tokens.map((t) => ({ id: t.id, user_id: t.userId, description: t.description, is_active: t.isActive, expires_at: t.expiresAt })))
  })

  router.get('/users/tokens/:token_id', async (req, res) => {
    const session = requireSession(req)
    const t = await sessions.getAccessToken(session, String(req.params.token_id))
    sendJson(res, 200, { id: t.id, user_id: t.userId, description: t.description, is_active: t.isActive, expires_at: t.expiresAt })
  })

  for (const state of ['revoke', 'disable', 'enable'] as const) {
    router.post(`/users/tokens/${state}`, async (req, res) => {
      const session = requireSession(req)
      const body = parseBody(z.object({ token_id: zId }), req.body)
      await sessions.setAccessTokenState(session, body.token_id, state)
      sendOk(res)
    })
  }
}
