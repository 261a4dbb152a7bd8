/**
 * What a plain system_user may not do to other people's things or to the system: edit or delete
 * others' posts, change roles, act as another user, mint tokens or bots, or see users with whom
 * they share no team or channel. Mattermost answers a failed permission check with
 * 403 api.context.permissions.app_error.
 */
import { expect } from 'chai'
import type { Bot } from '@mattermost/types/bots'
import type { UserProfile } from '@mattermost/types/users'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectAppError, expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { getAdmin, makeChannelWith, makePost, makeTeamWithMembers, makeUser, uniqueName, type TeamWorld, type UserSession } from '../helpers/factories.ts'

const FORBIDDEN = 'api.context.permissions.app_error'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    ;[alice, bob] = world.members as [UserSession, UserSession]
  })

  describe('other people’s posts', () => {
    it('refuses PUT /posts/{post_id}/patch on another member’s post with 403', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const post = await makePost(alice.client, channel.id, 'alice wrote this')
      await expectStatus(bob.client.patchPost({ id: post.id, message: 'bob rewrote it' }), 403, FORBIDDEN)
      expect((await alice.client.getPost(post.id)).message).to.equal('alice wrote this')
    })

    it('refuses DELETE /posts/{post_id} on another member’s post with 403', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const post = await makePost(alice.client, channel.id, 'keep me')
      await expectStatus(bob.client.deletePost(post.id), 403, FORBIDDEN)
      expect((await alice.client.getPost(post.id)).id).to.equal(post.id)
    })

    it('refuses removing another user’s reaction with 403', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const post = await makePost(alice.client, channel.id)
      await alice.client.addReaction(alice.user.id, post.id, 'heart')
      await expectStatus(bob.client.removeReaction(alice.user.id, post.id, 'heart'), 403, FORBIDDEN)
    })

    it('refuses a reaction in another user’s name with 403 api.reaction.save_reaction.user_id.app_error', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const post = await makePost(alice.client, channel.id)
      await expectStatus(bob.client.addReaction(alice.user.id, post.id, 'heart'), 403, 'api.reaction.save_reaction.user_id.app_error')
    })
  })

  describe('other users’ accounts', () => {
    it('refuses PUT /users/{user_id}/roles to a system_user promoting themselves with 403', async () => {
      await expectStatus(alice.client.updateUserRoles(alice.user.id, 'system_user system_admin'), 403, FORBIDDEN)
      expect((await alice.client.getMe()).roles).to.equal('system_user')
    })

    it('refuses PUT /users/{user_id}/roles on another user with 403', async () => {
      await expectStatus(alice.client.updateUserRoles(bob.user.id, 'system_user system_admin'), 403, FORBIDDEN)
    })

    it('lets an admin change roles with PUT /users/{user_id}/roles', async () => {
      const admin = await getAdmin(ctx.server)
      const target = await makeUser(ctx.server)
      await admin.client.updateUserRoles(target.user.id, 'system_user system_admin')
      expect((await admin.client.getUser(target.user.id)).roles.split(' ')).to.include('system_admin')
    })

    it('refuses PUT /users/{user_id}/patch on another user with 403', async () => {
      await expectStatus(alice.client.patchUser({ id: bob.user.id, nickname: 'renamed by alice' } as UserProfile), 403, FORBIDDEN)
    })

    it('refuses PUT /users/{user_id}/status on another user with 403', async () => {
      await expectStatus(alice.client.updateStatus({ user_id: bob.user.id, status: 'offline' } as never), 403, FORBIDDEN)
    })

    it('refuses GET /users/{user_id}/preferences of another user with 403', async () => {
      await expectStatus(alice.client.getUserPreferences(bob.user.id), 403, FORBIDDEN)
    })

    it('refuses PUT /users/{user_id}/preferences of another user with 403', async () => {
      await expectStatus(
        alice.client.savePreferences(bob.user.id, [{ user_id: bob.user.id, category: 'display_settings', name: 'use_military_time', value: 'true' }]),
        403,
        FORBIDDEN,
      )
    })

    it('refuses GET /users/{user_id}/posts/flagged of another user with 403', async () => {
      await expectStatus(alice.client.getFlaggedPosts(bob.user.id), 403, FORBIDDEN)
    })

    it('refuses GET /users/{user_id}/teams/{team_id}/threads of another user with 403', async () => {
      await expectStatus(alice.client.getUserThreads(bob.user.id, world.team.id, {}), 403, FORBIDDEN)
    })

    it('refuses GET /users/{user_id}/channels/{channel_id}/unread of another user with 403', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      await expectStatus(alice.client.getChannelUnread(channel.id, bob.user.id), 403, FORBIDDEN)
    })
  })

  describe('tokens and bots', () => {
    it('refuses POST /users/{user_id}/tokens to a plain system_user with 403, as Mattermost does by default', async () => {
      await expectStatus(alice.client.createUserAccessToken(alice.user.id, 'mine'), 403, FORBIDDEN)
    })

    it('refuses POST /users/{user_id}/tokens for another user with 403', async () => {
      await expectStatus(alice.client.createUserAccessToken(bob.user.id, 'theirs'), 403, FORBIDDEN)
    })

    it('refuses POST /users/tokens/revoke of another user’s token with 403', async () => {
      const admin = await getAdmin(ctx.server)
      const token = await admin.client.createUserAccessToken(bob.user.id, 'bob keeps this')
      await expectStatus(alice.client.revokeUserAccessToken(token.id), 403, FORBIDDEN)
    })

    it('refuses POST /bots to a plain system_user with 403', async () => {
      await expectStatus(alice.client.createBot({ username: uniqueName('bot') } as Bot), 403, FORBIDDEN)
    })
  })

  describe('users who share no team or channel', () => {
    let stranger: UserSession
    before(async () => {
      stranger = await makeUser(ctx.server)
    })

    it('refuses GET /users/{user_id} with 403', async () => {
      await expectStatus(stranger.client.getUser(alice.user.id), 403, FORBIDDEN)
    })

    it('refuses GET /users/username/{username} with 403', async () => {
      await expectStatus(stranger.client.getUserByUsername(alice.user.username), 403, FORBIDDEN)
    })

    it('leaves them out of POST /users/ids', async () => {
      const users = await stranger.client.getProfilesByIds([alice.user.id, stranger.user.id])
      expect(users.map((u) => u.id)).to.deep.equal([stranger.user.id])
    })

    it('leaves them out of POST /users/usernames', async () => {
      const users = await stranger.client.getProfilesByUsernames([alice.user.username])
      expect(users).to.deep.equal([])
    })

    it('leaves them out of GET /users', async () => {
      const users = await stranger.client.getProfiles(0, 200)
      expect(users.map((u) => u.id)).to.not.include(alice.user.id)
    })

    it('leaves them out of POST /users/search', async () => {
      const users = await stranger.client.searchUsers(alice.user.username, {})
      expect(users.map((u) => u.id)).to.not.include(alice.user.id)
    })

    it('still shows team mates to each other', async () => {
      expect((await alice.client.getUser(bob.user.id)).id).to.equal(bob.user.id)
    })

    it('shows users who share only a DM', async () => {
      const pen = await makeUser(ctx.server)
      const admin = await getAdmin(ctx.server)
      // An admin opens the DM: a stranger could not see the other user to start one.
      const dm = await admin.client.createDirectChannel([pen.user.id, stranger.user.id])
      expect(dm.type).to.equal('D')
      expect((await stranger.client.getUser(pen.user.id)).id).to.equal(pen.user.id)
    })
  })

  describe('unauthenticated requests', () => {
    it('are refused GET /users/{user_id} with 401', async () => {
      const res = await rawRequest(ctx.server.url, `/api/v4/users/${alice.user.id}`)
      expectAppError(res, 401, 'api.context.session_expired.app_error')
    })
  })
})
