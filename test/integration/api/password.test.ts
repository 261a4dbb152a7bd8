/** Changing one's password through Client4 (Mattermost api4/user.go updatePassword, app.UpdatePassword). */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { expectStatus } from '../../helpers/expect-status.ts'
import { login, makeUser } from '../../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)

  describe('PUT /api/v4/users/{user_id}/password', () => {
    it('keeps the session that changed the password signed in and ends the others, as TerminateSessionsOnPasswordChange does', async () => {
      const user = await makeUser(ctx.server)
      const elsewhere = await login(ctx.server.url, user.user.username, user.password)
      await user.client.updateUserPassword(user.user.id, user.password, 'a-brand-new-password')
      expect((await user.client.getMe()).id).to.equal(user.user.id)
      await expectStatus(elsewhere.client.getMe(), 401)
      await login(ctx.server.url, user.user.username, 'a-brand-new-password')
    })

    it('refuses a wrong current password with 400 and the message the web app shows, and changes nothing', async () => {
      const user = await makeUser(ctx.server)
      const err = await expectStatus(user.client.updateUserPassword(user.user.id, 'not-the-password', 'a-brand-new-password'), 400, 'api.user.update_password.incorrect.app_error')
      expect(err.message).to.match(/^The "Current Password" you entered is incorrect\./)
      await login(ctx.server.url, user.user.username, user.password)
    })
  })
})
