/** Accounts, sessions and statuses through Client4 (Mattermost api4/user.go, api4/status.go, app/login.go). */
import { expect } from 'chai'
import type { UserProfile } from '@mattermost/types/users'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectAppError, expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { getAdmin, login, makeClient, makeUser, uniqueName, type UserSession } from '../helpers/factories.ts'

interface Cookie {
  value: string
  attributes: string[]
}

/** Set-Cookie headers of a response, by cookie name. */
function cookiesOf(headers: Headers): Record<string, Cookie> {
  const cookies: Record<string, Cookie> = {}
  for (const line of headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
    const eq = pair.indexOf('=')
    cookies[pair.slice(0, eq)] = { value: decodeURIComponent(pair.slice(eq + 1)), attributes: attributes.map((a) => a.toLowerCase()) }
  }
  return cookies
}

function newAccount(): { username: string; email: string; password: string } {
  const username = uniqueName('signup')
  return { username, email: `${username}@example.com`, password: `Pw-${username}-9` }
}

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let member: UserSession
  let second: UserSession
  /** Takes the failed logins, so that no lockout can reach the others. */
  let victim: UserSession
  before(async () => {
    member = await makeUser(ctx.server)
    second = await makeUser(ctx.server)
    victim = await makeUser(ctx.server)
  })

  describe('POST /api/v4/users', () => {
    it('makes the first account of a fresh server a system admin', async () => {
      // getAdmin signs the first account up without a session and keeps the 201 body.
      const admin = await getAdmin(ctx.server)
      expect(admin.signup.roles.split(' ')).to.have.members(['system_admin', 'system_user'])
    })

    it('creates a later sign-up as a plain system_user', async () => {
      await getAdmin(ctx.server)
      const account = newAccount()
      const created = await makeClient(ctx.server.url).createUser(account as UserProfile, '', '')
      expect(created.roles).to.equal('system_user')
      expect(created.username).to.equal(account.username)
      expect(created.id).to.match(/^[a-z0-9]{26}$/)
    })

    it('answers 201 Created', async () => {
      await getAdmin(ctx.server)
      const res = await rawRequest(ctx.server.url, '/api/v4/users', { body: newAccount() })
      expect(res.status).to.equal(201)
    })

    it('never returns the password', async () => {
      await getAdmin(ctx.server)
      const created = await makeClient(ctx.server.url).createUser(newAccount() as UserProfile, '', '')
      expect(created).to.not.have.property('password')
    })

    it('rejects a taken username with 400 app.user.save.username_exists.app_error', async () => {
      const admin = await getAdmin(ctx.server)
      const account = { ...newAccount(), username: admin.user.username }
      await expectStatus(makeClient(ctx.server.url).createUser(account as UserProfile, '', ''), 400, 'app.user.save.username_exists.app_error')
    })

    it('rejects a taken email with 400 app.user.save.email_exists.app_error', async () => {
      const admin = await getAdmin(ctx.server)
      const account = { ...newAccount(), email: admin.user.email }
      await expectStatus(makeClient(ctx.server.url).createUser(account as UserProfile, '', ''), 400, 'app.user.save.email_exists.app_error')
    })

    it('rejects a username with spaces with 400 model.user.is_valid.username.app_error', async () => {
      const account = { ...newAccount(), username: 'not a username' }
      await expectStatus(makeClient(ctx.server.url).createUser(account as UserProfile, '', ''), 400, 'model.user.is_valid.username.app_error')
    })

    it('rejects an invalid email with 400 model.user.is_valid.email.app_error', async () => {
      const account = { ...newAccount(), email: 'not-an-email' }
      await expectStatus(makeClient(ctx.server.url).createUser(account as UserProfile, '', ''), 400, 'model.user.is_valid.email.app_error')
    })
  })

  describe('POST /api/v4/users/login', () => {
    it('returns the user and a Token header that Client4 keeps as its session', async () => {
      const { user, password } = member
      const client = makeClient(ctx.server.url)
      const loggedIn = await client.login(user.username, password)
      expect(loggedIn.id).to.equal(user.id)
      expect(client.getToken()).to.match(/^[a-z0-9]{26}$/)
      expect((await client.getMe()).id).to.equal(user.id)
    })

    it('accepts the email address as login_id', async () => {
      const { user, password } = member
      const session = await login(ctx.server.url, user.email, password)
      expect(session.user.id).to.equal(user.id)
    })

    it('never returns the password', async () => {
      const { user, password } = member
      const session = await login(ctx.server.url, user.username, password)
      expect(session.user).to.not.have.property('password')
    })

    it('rejects a wrong password with 401 api.user.login.invalid_credentials_email_username', async () => {
      const { user } = victim
      await expectStatus(makeClient(ctx.server.url).login(user.username, 'wrong-password-1'), 401, 'api.user.login.invalid_credentials_email_username')
    })

    it('rejects an unknown login_id with the same 401 as a wrong password', async () => {
      await expectStatus(makeClient(ctx.server.url).login(uniqueName('nobody'), 'wrong-password-1'), 401, 'api.user.login.invalid_credentials_email_username')
    })

    it('rejects a blank password with 400 api.user.login.blank_pwd.app_error', async () => {
      const { user } = victim
      await expectStatus(makeClient(ctx.server.url).login(user.username, ''), 400, 'api.user.login.blank_pwd.app_error')
    })

    it('sets MMAUTHTOKEN, MMUSERID and MMCSRF cookies when X-Requested-With is XMLHttpRequest', async () => {
      const { user, password } = member
      const res = await rawRequest(ctx.server.url, '/api/v4/users/login', {
        body: { login_id: user.username, password },
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      })
      expect(res.status).to.equal(200)
      const cookies = cookiesOf(res.headers)
      expect(cookies).to.include.keys('MMAUTHTOKEN', 'MMUSERID', 'MMCSRF')
      expect(cookies.MMAUTHTOKEN!.value).to.equal(res.headers.get('token'))
      expect(cookies.MMUSERID!.value).to.equal(user.id)
      expect(cookies.MMCSRF!.value).to.match(/^[a-z0-9]{26}$/)
    })

    it('marks MMAUTHTOKEN HttpOnly and leaves MMCSRF readable by scripts', async () => {
      const { user, password } = member
      const res = await rawRequest(ctx.server.url, '/api/v4/users/login', {
        body: { login_id: user.username, password },
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      })
      const cookies = cookiesOf(res.headers)
      expect(cookies.MMAUTHTOKEN!.attributes).to.include('httponly')
      expect(cookies.MMCSRF!.attributes).to.not.include('httponly')
    })

    it('sets no session cookies without X-Requested-With', async () => {
      const { user, password } = member
      const res = await rawRequest(ctx.server.url, '/api/v4/users/login', { body: { login_id: user.username, password } })
      expect(res.status).to.equal(200)
      expect(res.headers.get('token')).to.match(/^[a-z0-9]{26}$/)
      expect(cookiesOf(res.headers)).to.not.have.any.keys('MMAUTHTOKEN', 'MMCSRF')
    })
  })

  describe('cookie sessions and CSRF', () => {
    async function cookieLogin() {
      const { user, password } = member
      const res = await rawRequest(ctx.server.url, '/api/v4/users/login', {
        body: { login_id: user.username, password },
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      })
      const cookies = cookiesOf(res.headers)
      return { user, cookie: `MMAUTHTOKEN=${cookies.MMAUTHTOKEN!.value}; MMUSERID=${user.id}; MMCSRF=${cookies.MMCSRF!.value}`, csrf: cookies.MMCSRF!.value }
    }

    it('authenticates GET /users/me with the MMAUTHTOKEN cookie alone', async () => {
      const { user, cookie } = await cookieLogin()
      const res = await rawRequest(ctx.server.url, '/api/v4/users/me', { headers: { Cookie: cookie } })
      expect(res.status).to.equal(200)
      expect((res.json as UserProfile).id).to.equal(user.id)
    })

    it('rejects a cookie-authenticated POST with neither X-CSRF-Token nor X-Requested-With with 401', async () => {
      const { user, cookie } = await cookieLogin()
      const res = await rawRequest(ctx.server.url, '/api/v4/users/ids', { body: [user.id], headers: { Cookie: cookie } })
      expectAppError(res, 401, 'api.context.session_expired.app_error')
    })

    it('accepts a cookie-authenticated POST whose X-CSRF-Token equals MMCSRF', async () => {
      const { user, cookie, csrf } = await cookieLogin()
      const res = await rawRequest(ctx.server.url, '/api/v4/users/ids', { body: [user.id], headers: { Cookie: cookie, 'X-CSRF-Token': csrf } })
      expect(res.status).to.equal(200)
    })

    it('rejects a cookie-authenticated POST whose X-CSRF-Token is wrong and without X-Requested-With with 401', async () => {
      const { user, cookie } = await cookieLogin()
      const res = await rawRequest(ctx.server.url, '/api/v4/users/ids', { body: [user.id], headers: { Cookie: cookie, 'X-CSRF-Token': 'wrongwrongwrongwrongwrong1' } })
      expectAppError(res, 401, 'api.context.session_expired.app_error')
    })

    it('accepts a cookie-authenticated POST with X-Requested-With: XMLHttpRequest', async () => {
      const { user, cookie } = await cookieLogin()
      const res = await rawRequest(ctx.server.url, '/api/v4/users/ids', { body: [user.id], headers: { Cookie: cookie, 'X-Requested-With': 'XMLHttpRequest' } })
      expect(res.status).to.equal(200)
    })

    it('never applies CSRF checks to a Bearer token', async () => {
      const { user, token } = member
      const res = await rawRequest(ctx.server.url, '/api/v4/users/ids', { body: [user.id], token })
      expect(res.status).to.equal(200)
    })
  })

  describe('GET /api/v4/users/me', () => {
    it('returns the session user with notify_props and without password', async () => {
      const { client, user } = member
      const me = await client.getMe()
      expect(me.id).to.equal(user.id)
      expect(me.username).to.equal(user.username)
      expect(me.notify_props).to.be.an('object').that.includes.keys('email', 'push', 'desktop', 'mention_keys', 'channel')
      expect(me).to.not.have.property('password')
      expect(me.roles).to.equal('system_user')
    })

    it('uses millisecond timestamps', async () => {
      const { client } = member
      const me = await client.getMe()
      expect(me.create_at).to.be.within(Date.now() - 3_600_000, Date.now() + 60_000)
    })

    it('rejects a request without a session with 401 api.context.session_expired.app_error', async () => {
      await expectStatus(makeClient(ctx.server.url).getMe(), 401, 'api.context.session_expired.app_error')
    })

    it('rejects an unknown token with 401 api.context.session_expired.app_error', async () => {
      const client = makeClient(ctx.server.url)
      client.setToken('unknowntokenunknowntoken12')
      await expectStatus(client.getMe(), 401, 'api.context.session_expired.app_error')
    })

    it('accepts the token in an "Authorization: Token" header', async () => {
      const { token, user } = member
      const res = await rawRequest(ctx.server.url, '/api/v4/users/me', { headers: { Authorization: `Token ${token}` } })
      expect(res.status).to.equal(200)
      expect((res.json as UserProfile).id).to.equal(user.id)
    })

    it('rejects a session token passed as ?access_token= with 401 api.context.token_provided.app_error', async () => {
      const { token } = member
      const res = await rawRequest(ctx.server.url, `/api/v4/users/me?access_token=${token}`)
      expectAppError(res, 401, 'api.context.token_provided.app_error')
    })
  })

  describe('POST /api/v4/users/logout', () => {
    it('revokes the session so that its token then gets 401', async () => {
      const { client, token } = await login(ctx.server.url, member.user.username, member.password)
      await client.logout()
      const stale = makeClient(ctx.server.url)
      stale.setToken(token)
      await expectStatus(stale.getMe(), 401, 'api.context.session_expired.app_error')
    })

    it('leaves the user’s other sessions working', async () => {
      const { user, password } = member
      const { client } = await login(ctx.server.url, user.username, password)
      const other = await login(ctx.server.url, user.username, password)
      await client.logout()
      expect((await other.client.getMe()).id).to.equal(user.id)
    })
  })

  describe('GET /api/v4/users/{user_id}', () => {
    it('returns another user without password or notify_props', async () => {
      const admin = await getAdmin(ctx.server)
      const { user } = member
      const other = await admin.client.getUser(user.id)
      expect(other.id).to.equal(user.id)
      expect(other).to.not.have.property('password')
      expect(other.notify_props ?? {}).to.deep.equal({})
    })

    it('returns 404 app.user.missing_account.const for an unknown id', async () => {
      const admin = await getAdmin(ctx.server)
      await expectStatus(admin.client.getUser('unknownuseridunknownuser12'), 404, 'app.user.missing_account.const')
    })

    it('rejects a malformed id with 400 api.context.invalid_url_param.app_error', async () => {
      const admin = await getAdmin(ctx.server)
      await expectStatus(admin.client.getUser('not-an-id'), 400, 'api.context.invalid_url_param.app_error')
    })
  })

  describe('GET /api/v4/users/username/{username}', () => {
    it('returns the user with that username', async () => {
      const admin = await getAdmin(ctx.server)
      const { user } = member
      expect((await admin.client.getUserByUsername(user.username)).id).to.equal(user.id)
    })

    it('returns 404 for an unknown username', async () => {
      const admin = await getAdmin(ctx.server)
      await expectStatus(admin.client.getUserByUsername(uniqueName('nobody')), 404)
    })
  })

  describe('POST /api/v4/users/ids and /users/usernames', () => {
    it('returns the users with the given ids', async () => {
      const admin = await getAdmin(ctx.server)
      const a = member
      const b = second
      const users = await admin.client.getProfilesByIds([a.user.id, b.user.id])
      expect(users.map((u) => u.id)).to.have.members([a.user.id, b.user.id])
    })

    it('returns the users with the given usernames', async () => {
      const admin = await getAdmin(ctx.server)
      const a = member
      const b = second
      const users = await admin.client.getProfilesByUsernames([a.user.username, b.user.username])
      expect(users.map((u) => u.id)).to.have.members([a.user.id, b.user.id])
    })

    it('rejects an empty id list with 400', async () => {
      const admin = await getAdmin(ctx.server)
      await expectStatus(admin.client.getProfilesByIds([]), 400)
    })
  })

  describe('PUT /api/v4/users/{user_id}/patch', () => {
    it('changes the caller’s nickname and position and returns the user', async () => {
      const { client, user } = member
      const patched = await client.patchMe({ nickname: 'Nick', position: 'Engineer' })
      expect(patched.id).to.equal(user.id)
      expect(patched).to.include({ nickname: 'Nick', position: 'Engineer' })
      expect(await client.getMe()).to.include({ nickname: 'Nick', position: 'Engineer' })
    })
  })

  describe('user status', () => {
    it('returns a status object for GET /users/{user_id}/status', async () => {
      const { client, user } = member
      const status = await client.getStatus(user.id)
      expect(status.user_id).to.equal(user.id)
      expect(['online', 'away', 'offline', 'dnd']).to.include(status.status)
      expect(status).to.have.property('manual')
      expect(status).to.have.property('last_activity_at')
    })

    it('sets dnd manually through PUT /users/{user_id}/status', async () => {
      const { client, user } = member
      const updated = await client.updateStatus({ user_id: user.id, status: 'dnd' } as never)
      expect(updated).to.include({ user_id: user.id, status: 'dnd' })
      const read = await client.getStatus(user.id)
      expect(read).to.include({ status: 'dnd', manual: true })
    })

    it('rejects an unknown status value with 400 api.context.invalid_param.app_error', async () => {
      const { client, user } = member
      await expectStatus(client.updateStatus({ user_id: user.id, status: 'busy' } as never), 400, 'api.context.invalid_param.app_error')
    })

    it('rejects a body whose user_id differs from the URL with 400 api.context.invalid_param.app_error', async () => {
      const { user, token } = member
      const other = second
      const res = await rawRequest(ctx.server.url, `/api/v4/users/${user.id}/status`, {
        method: 'PUT',
        token,
        body: { user_id: other.user.id, status: 'away' },
      })
      expectAppError(res, 400, 'api.context.invalid_param.app_error')
    })

    it('returns the statuses of several users from POST /users/status/ids', async () => {
      const a = member
      const b = second
      await b.client.updateStatus({ user_id: b.user.id, status: 'away' } as never)
      const statuses = await a.client.getStatusesByIds([a.user.id, b.user.id])
      expect(statuses.map((s) => s.user_id)).to.have.members([a.user.id, b.user.id])
      expect(statuses.find((s) => s.user_id === b.user.id)?.status).to.equal('away')
    })
  })
})
