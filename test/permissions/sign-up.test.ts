/**
 * Account creation with open sign-up off (enableOpenServer: false, Mattermost's
 * TeamSettings.EnableOpenServer): only the first account and admins may create accounts
 * (app/user.go CreateUserFromSignup → 403 api.user.create_user.no_open_server).
 */
import { expect } from 'chai'
import type { UserProfile } from '@mattermost/types/users'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus } from '../helpers/expect-status.ts'
import { getAdmin, makeClient, makeUser, uniqueName } from '../helpers/factories.ts'

function newAccount(): UserProfile {
  const username = uniqueName('closed')
  return { username, email: `${username}@example.com`, password: `Pw-${username}-9` } as UserProfile
}

forEachBackend((backend) => {
  const ctx = useTestServer(backend, { enableOpenServer: false })

  describe('POST /api/v4/users with open sign-up off', () => {
    it('still lets the first account sign up, as system admin', async () => {
      const admin = await getAdmin(ctx.server)
      expect(admin.signup.roles.split(' ')).to.include('system_admin')
    })

    it('refuses an anonymous sign-up with 403 api.user.create_user.no_open_server', async () => {
      await getAdmin(ctx.server)
      await expectStatus(makeClient(ctx.server.url).createUser(newAccount(), '', ''), 403, 'api.user.create_user.no_open_server')
    })

    it('refuses account creation by a plain system_user with 403 api.user.create_user.no_open_server', async () => {
      const { client } = await makeUser(ctx.server)
      await expectStatus(client.createUser(newAccount(), '', ''), 403, 'api.user.create_user.no_open_server')
    })

    it('lets an admin create accounts', async () => {
      const admin = await getAdmin(ctx.server)
      const account = newAccount()
      const created = await admin.client.createUser(account, '', '')
      expect(created).to.include({ username: account.username, roles: 'system_user' })
    })

    it('reports EnableOpenServer "false" in the client config', async () => {
      const config = (await makeClient(ctx.server.url).getClientConfig()) as unknown as Record<string, string>
      expect(config.EnableOpenServer).to.equal('false')
    })
  })
})
