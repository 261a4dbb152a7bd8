/** Preferences and flagged posts through Client4 and the WebSocket (Mattermost api4/preference.go, app/preference.go). */
import { expect } from 'chai'
import type { PreferenceType } from '@mattermost/types/preferences'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { expectStatus, rawRequest } from '../../helpers/expect-status.ts'
import { makeChannelWith, makePost, makeTeamWithMembers, makeUser, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { useWebSockets } from './ws-sessions.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    alice = world.members[0]!
    bob = world.members[1]!
  })

  const ws = useWebSockets(() => ctx.server.url)

  const pref = (session: UserSession, category: string, name: string, value: string): PreferenceType => ({ user_id: session.user.id, category, name, value })
  const flag = (session: UserSession, postId: string) => pref(session, 'flagged_post', postId, 'true')

  describe('PUT and GET /api/v4/users/{user_id}/preferences', () => {
    it('returns saved preferences', async () => {
      const user = await makeUser(ctx.server)
      await user.client.savePreferences(user.user.id, [pref(user, 'display_settings', 'collapsed_reply_threads', 'on')])
      expect(await user.client.getMyPreferences()).to.deep.equal([pref(user, 'display_settings', 'collapsed_reply_threads', 'on')])
    })

    it('replaces the value of a preference saved again', async () => {
      const user = await makeUser(ctx.server)
      await user.client.savePreferences(user.user.id, [pref(user, 'display_settings', 'use_military_time', 'false')])
      await user.client.savePreferences(user.user.id, [pref(user, 'display_settings', 'use_military_time', 'true')])
      expect(await user.client.getMyPreferences()).to.deep.equal([pref(user, 'display_settings', 'use_military_time', 'true')])
    })

    it('rejects a preference naming another user with 403 api.preference.update_preferences.set.app_error', async () => {
      await expectStatus(alice.client.savePreferences(alice.user.id, [pref(bob, 'display_settings', 'x', 'y')]), 403, 'api.preference.update_preferences.set.app_error')
    })

    it('rejects saving another user\'s preferences with 403 api.context.permissions.app_error', async () => {
      await expectStatus(alice.client.savePreferences(bob.user.id, [pref(bob, 'display_settings', 'x', 'y')]), 403, 'api.context.permissions.app_error')
    })

    it('rejects reading another user\'s preferences with 403', async () => {
      await expectStatus(alice.client.getUserPreferences(bob.user.id), 403, 'api.context.permissions.app_error')
    })

    it('rejects a category longer than 32 characters with 400 model.preference.is_valid.category.app_error', async () => {
      await expectStatus(alice.client.savePreferences(alice.user.id, [pref(alice, 'c'.repeat(33), 'x', 'y')]), 400, 'model.preference.is_valid.category.app_error')
    })

    it('rejects a value containing NUL with 400 api.context.invalid_body_param.app_error', async () => {
      await expectStatus(alice.client.savePreferences(alice.user.id, [pref(alice, 'display_settings', 'x', 'a\u0000b')]), 400, 'api.context.invalid_body_param.app_error')
    })

    it('rejects a theme that is not a JSON object with 400 model.preference.is_valid.theme.app_error', async () => {
      await expectStatus(alice.client.savePreferences(alice.user.id, [pref(alice, 'theme', '', 'not json')]), 400, 'model.preference.is_valid.theme.app_error')
    })

    it('replaces theme colours that are not #rgb or #rrggbb with white', async () => {
      const user = await makeUser(ctx.server)
      await user.client.savePreferences(user.user.id, [pref(user, 'theme', '', JSON.stringify({ type: 'Custom', sidebarBg: '#123456', linkColor: 'red' }))])
      // Client4 types getMyPreferences as one PreferenceType; the server returns an array.
      const [saved] = (await user.client.getMyPreferences()) as unknown as PreferenceType[]
      expect(JSON.parse(saved!.value!)).to.deep.equal({ type: 'Custom', sidebarBg: '#123456', linkColor: '#ffffff' })
    })

    it('sends preferences_changed to the user alone, with the preferences as a JSON string', async () => {
      const mine = await ws(alice)
      const theirs = await ws(bob)
      await alice.client.savePreferences(alice.user.id, [pref(alice, 'display_settings', 'colorize_usernames', 'true')])
      const event = await mine.waitFor('preferences_changed')
      expect(JSON.parse(event.data.preferences as string)).to.deep.equal([pref(alice, 'display_settings', 'colorize_usernames', 'true')])
      // bob's own later event proves alice's would have reached him first.
      await bob.client.savePreferences(bob.user.id, [pref(bob, 'display_settings', 'colorize_usernames', 'false')])
      await theirs.waitFor('preferences_changed', (e) => (e.data.preferences as string).includes(bob.user.id))
      expect(theirs.received('preferences_changed', (e) => (e.data.preferences as string).includes(alice.user.id))).to.have.length(0)
    })
  })

  describe('GET /api/v4/users/{user_id}/preferences/{category}[/name/{name}]', () => {
    it('returns the preferences of one category', async () => {
      const user = await makeUser(ctx.server)
      await user.client.savePreferences(user.user.id, [pref(user, 'sidebar_settings', 'show_unread_section', 'true'), pref(user, 'display_settings', 'x', 'y')])
      const res = await rawRequest(ctx.server.url, `/api/v4/users/me/preferences/sidebar_settings`, { token: user.token })
      expect(res.json).to.deep.equal([pref(user, 'sidebar_settings', 'show_unread_section', 'true')])
    })

    it('answers 404 api.preference.preferences_category.get.app_error for an empty category', async () => {
      const res = await rawRequest(ctx.server.url, `/api/v4/users/me/preferences/nothing_here`, { token: alice.token })
      expect(res.status).to.equal(404)
      expect((res.json as { id: string }).id).to.equal('api.preference.preferences_category.get.app_error')
    })

    it('returns one preference by category and name', async () => {
      const user = await makeUser(ctx.server)
      await user.client.savePreferences(user.user.id, [pref(user, 'display_settings', 'message_display', 'compact')])
      const res = await rawRequest(ctx.server.url, `/api/v4/users/me/preferences/display_settings/name/message_display`, { token: user.token })
      expect(res.json).to.deep.equal(pref(user, 'display_settings', 'message_display', 'compact'))
    })

    it('answers 400 app.preference.get.app_error for a missing preference, as Mattermost', async () => {
      const res = await rawRequest(ctx.server.url, `/api/v4/users/me/preferences/display_settings/name/missing`, { token: alice.token })
      expect(res.status).to.equal(400)
      expect((res.json as { id: string }).id).to.equal('app.preference.get.app_error')
    })
  })

  describe('POST /api/v4/users/{user_id}/preferences/delete', () => {
    it('removes the named preferences', async () => {
      const user = await makeUser(ctx.server)
      await user.client.savePreferences(user.user.id, [pref(user, 'display_settings', 'a', '1'), pref(user, 'display_settings', 'b', '2')])
      await user.client.deletePreferences(user.user.id, [pref(user, 'display_settings', 'a', '1')])
      expect(await user.client.getMyPreferences()).to.deep.equal([pref(user, 'display_settings', 'b', '2')])
    })

    it('rejects a preference naming another user with 403 api.preference.delete_preferences.delete.app_error', async () => {
      await expectStatus(alice.client.deletePreferences(alice.user.id, [pref(bob, 'display_settings', 'a', '1')]), 403, 'api.preference.delete_preferences.delete.app_error')
    })

    it('sends preferences_deleted to the user', async () => {
      const socket = await ws(alice)
      await alice.client.deletePreferences(alice.user.id, [pref(alice, 'display_settings', 'gone', 'x')])
      const event = await socket.waitFor('preferences_deleted')
      expect(JSON.parse(event.data.preferences as string)).to.deep.equal([pref(alice, 'display_settings', 'gone', 'x')])
    })
  })

  describe('flagged posts', () => {
    it('rejects flagging an unknown post with 400 api.context.invalid_param.app_error', async () => {
      await expectStatus(alice.client.savePreferences(alice.user.id, [flag(alice, 'p'.repeat(26))]), 400, 'api.context.invalid_param.app_error')
    })

    it('rejects flagging a post of a private channel the user is not in with 403', async () => {
      const channel = await makeChannelWith(world, [bob], 'P')
      const post = await makePost(bob.client, channel.id)
      await expectStatus(alice.client.savePreferences(alice.user.id, [flag(alice, post.id)]), 403, 'api.context.permissions.app_error')
    })

    /** A new team member who flagged two posts, the second written strictly later. */
    async function userWithTwoFlags() {
      const user = await makeUser(ctx.server)
      await world.owner.client.addToTeam(world.team.id, user.user.id)
      const channel = await makeChannelWith(world, [user])
      const older = await makePost(world.owner.client, channel.id, 'older')
      while (Date.now() <= older.create_at) await new Promise((resolve) => setTimeout(resolve, 1))
      const newer = await makePost(world.owner.client, channel.id, 'newer')
      await user.client.savePreferences(user.user.id, [flag(user, older.id), flag(user, newer.id)])
      return { user, older, newer }
    }

    it('lists flagged posts newest first', async () => {
      const { user, older, newer } = await userWithTwoFlags()
      expect((await user.client.getFlaggedPosts(user.user.id)).order).to.deep.equal([newer.id, older.id])
    })

    it('pages with page and per_page', async () => {
      const { user, older } = await userWithTwoFlags()
      expect((await user.client.getFlaggedPosts(user.user.id, '', '', 1, 1)).order).to.deep.equal([older.id])
    })

    it('leaves out posts of a private channel the user has left', async () => {
      const channel = await makeChannelWith(world, [alice], 'P')
      const post = await makePost(world.owner.client, channel.id, 'was visible')
      await alice.client.savePreferences(alice.user.id, [flag(alice, post.id)])
      await alice.client.removeFromChannel(alice.user.id, channel.id)
      expect((await alice.client.getFlaggedPosts(alice.user.id)).order).to.not.include(post.id)
    })

    it('filters by team_id, keeping direct messages', async () => {
      const channel = await makeChannelWith(world, [alice])
      const inTeam = await makePost(world.owner.client, channel.id, 'team post')
      const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id])
      const direct = await makePost(bob.client, dm.id, 'direct post')
      await alice.client.savePreferences(alice.user.id, [flag(alice, inTeam.id), flag(alice, direct.id)])
      const other = await makeTeamWithMembers(ctx.server, 0)
      expect((await alice.client.getFlaggedPosts(alice.user.id, '', world.team.id)).order).to.include.members([inTeam.id, direct.id])
      const elsewhere = (await alice.client.getFlaggedPosts(alice.user.id, '', other.team.id)).order
      expect(elsewhere).to.include(direct.id)
      expect(elsewhere).to.not.include(inTeam.id)
    })
  })
})
