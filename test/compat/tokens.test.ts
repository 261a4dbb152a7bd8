/**
 * Personal access tokens through Client4 (Mattermost api4/user.go token routes, model/user_access_token.go).
 * Mattermost gives create_user_access_token to admins only by default, so tokens here are made by admins.
 */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { getAdmin, makeClient, makeUser } from '../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)

  /** A client that authenticates with `token` as its bearer token. */
  function bearer(token: string | undefined) {
    if (!token) throw new Error('the token secret is missing from the create response')
    const client = makeClient(ctx.server.url)
    client.setToken(token)
    return client
  }

  describe('POST /api/v4/users/{user_id}/tokens', () => {
    it('creates an active token and returns its secret', async () => {
      const admin = await getAdmin(ctx.server)
      const created = await admin.client.createUserAccessToken(admin.user.id, 'ci')
      expect(created).to.include({ user_id: admin.user.id, description: 'ci', is_active: true })
      expect(created.id).to.match(/^[a-z0-9]{26}$/)
      expect(created.token).to.match(/^[a-z0-9]{26}$/)
    })

    it('authenticates requests that send the token as a Bearer', async () => {
      const admin = await getAdmin(ctx.server)
      const { token } = await admin.client.createUserAccessToken(admin.user.id, 'bearer')
      expect((await bearer(token).getMe()).id).to.equal(admin.user.id)
    })

    it('lets an admin create a token for another user, which acts as that user', async () => {
      const admin = await getAdmin(ctx.server)
      const { user } = await makeUser(ctx.server)
      const { token } = await admin.client.createUserAccessToken(user.id, 'for someone else')
      expect((await bearer(token).getMe()).id).to.equal(user.id)
    })

    it('rejects an empty description with 400 api.context.invalid_param.app_error', async () => {
      const admin = await getAdmin(ctx.server)
      await expectStatus(admin.client.createUserAccessToken(admin.user.id, ''), 400, 'api.context.invalid_param.app_error')
    })
  })

  describe('GET /api/v4/users/tokens/{token_id} and /users/{user_id}/tokens', () => {
    it('returns the token without its secret', async () => {
      const admin = await getAdmin(ctx.server)
      const created = await admin.client.createUserAccessToken(admin.user.id, 'read back')
      const read = await admin.client.getUserAccessToken(created.id)
      expect(read).to.include({ id: created.id, user_id: admin.user.id, description: 'read back', is_active: true })
      expect(read.token ?? '').to.equal('')
    })

    it('lists the user’s tokens without their secrets', async () => {
      const admin = await getAdmin(ctx.server)
      const created = await admin.client.createUserAccessToken(admin.user.id, 'listed')
      const list = await admin.client.getUserAccessTokensForUser(admin.user.id)
      const found = list.find((t) => t.id === created.id)
      expect(found).to.include({ description: 'listed' })
      expect(found!.token ?? '').to.equal('')
    })
  })

  describe('POST /api/v4/users/tokens/revoke', () => {
    it('revokes the token so that it then gets 401', async () => {
      const admin = await getAdmin(ctx.server)
      const created = await admin.client.createUserAccessToken(admin.user.id, 'short-lived')
      await bearer(created.token).getMe()
      expect(await admin.client.revokeUserAccessToken(created.id)).to.deep.include({ status: 'OK' })
      await expectStatus(bearer(created.token).getMe(), 401, 'api.context.session_expired.app_error')
    })

    it('no longer lists a revoked token', async () => {
      const admin = await getAdmin(ctx.server)
      const created = await admin.client.createUserAccessToken(admin.user.id, 'revoked')
      await admin.client.revokeUserAccessToken(created.id)
      const list = await admin.client.getUserAccessTokensForUser(admin.user.id)
      expect(list.map((t) => t.id)).to.not.include(created.id)
    })
  })

  describe('POST /api/v4/users/tokens/disable and /enable', () => {
    it('refuses a disabled token with 401', async () => {
      const admin = await getAdmin(ctx.server)
      const created = await admin.client.createUserAccessToken(admin.user.id, 'paused')
      await bearer(created.token).getMe()
      await admin.client.disableUserAccessToken(created.id)
      await expectStatus(bearer(created.token).getMe(), 401)
      expect((await admin.client.getUserAccessToken(created.id)).is_active).to.equal(false)
    })

    it('accepts the token again once enabled', async () => {
      const admin = await getAdmin(ctx.server)
      const created = await admin.client.createUserAccessToken(admin.user.id, 'resumed')
      await admin.client.disableUserAccessToken(created.id)
      await admin.client.enableUserAccessToken(created.id)
      expect((await bearer(created.token).getMe()).id).to.equal(admin.user.id)
    })
  })

  describe('personal access token sessions', () => {
    it('outlive a logout of the password session that created them', async () => {
      const admin = await getAdmin(ctx.server)
      const { user, password } = await makeUser(ctx.server)
      const { token } = await admin.client.createUserAccessToken(user.id, 'survives logout')
      expect(token).to.be.a('string')
      const session = makeClient(ctx.server.url)
      await session.login(user.username, password)
      await session.logout()
      const res = await rawRequest(ctx.server.url, '/api/v4/users/me', { token })
      expect(res.status).to.equal(200)
    })
  })
})
