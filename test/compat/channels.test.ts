/** Channels of every type, membership and unread counts through Client4 (Mattermost api4/channel.go, app/channel.go). */
import { createHash } from 'node:crypto'
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectAppError, expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { makeChannel, makeChannelWith, makePost, makeTeamWithMembers, uniqueName, type TeamWorld, type UserSession } from '../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  /** A team with an owner and three members, shared by tests that only read or add their own channels. */
  let world: TeamWorld
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 3)
  })

  describe('POST /api/v4/channels', () => {
    it('creates a public channel in the team', async () => {
      const name = uniqueName('ch')
      const channel = await world.owner.client.createChannel({ team_id: world.team.id, name, display_name: 'Dev', type: 'O', purpose: 'p', header: 'h' } as Channel)
      expect(channel).to.include({ team_id: world.team.id, name, display_name: 'Dev', type: 'O', purpose: 'p', header: 'h', delete_at: 0, creator_id: world.owner.user.id })
      expect(channel.id).to.match(/^[a-z0-9]{26}$/)
    })

    it('answers 201 Created', async () => {
      const res = await rawRequest(ctx.server.url, '/api/v4/channels', {
        token: world.owner.token,
        body: { team_id: world.team.id, name: uniqueName('ch'), display_name: 'Dev', type: 'O' },
      })
      expect(res.status).to.equal(201)
    })

    it('creates a private channel of type P', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id, 'P')
      expect(channel.type).to.equal('P')
    })

    it('makes the creator a channel admin', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      const member = await world.owner.client.getChannelMember(channel.id, world.owner.user.id)
      expect(member.roles.split(' ')).to.include.members(['channel_user', 'channel_admin'])
      expect(member.scheme_admin).to.equal(true)
    })

    it('posts system_join_channel for the creator', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      const posts = await world.owner.client.getPosts(channel.id)
      expect(Object.values(posts.posts).map((p) => p.type)).to.include('system_join_channel')
    })

    it('rejects a name taken in the team with 400 store.sql_channel.save_channel.exists.app_error', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      await expectStatus(
        world.owner.client.createChannel({ team_id: world.team.id, name: channel.name, display_name: 'Again', type: 'O' } as Channel),
        400,
        'store.sql_channel.save_channel.exists.app_error',
      )
    })

    it('rejects an invalid name with 400 model.channel.is_valid.2_or_more.app_error', async () => {
      await expectStatus(
        world.owner.client.createChannel({ team_id: world.team.id, name: 'Not A Name!', display_name: 'Bad', type: 'O' } as Channel),
        400,
        'model.channel.is_valid.2_or_more.app_error',
      )
    })

    it('rejects a display_name longer than 64 characters with 400 model.channel.is_valid.display_name.app_error', async () => {
      await expectStatus(
        world.owner.client.createChannel({ team_id: world.team.id, name: uniqueName('ch'), display_name: 'x'.repeat(65), type: 'O' } as Channel),
        400,
        'model.channel.is_valid.display_name.app_error',
      )
    })
  })

  describe('POST /api/v4/channels/direct', () => {
    it('creates a D channel named with both ids sorted and joined by __', async () => {
      const [a, b] = world.members as [UserSession, UserSession]
      const dm = await a.client.createDirectChannel([a.user.id, b.user.id])
      expect(dm.type).to.equal('D')
      expect(dm.name).to.equal([a.user.id, b.user.id].sort().join('__'))
      expect(dm.team_id).to.equal('')
    })

    it('answers 201 Created', async () => {
      const [a, b] = world.members as [UserSession, UserSession]
      const res = await rawRequest(ctx.server.url, '/api/v4/channels/direct', { token: a.token, body: [a.user.id, b.user.id] })
      expect(res.status).to.equal(201)
    })

    it('returns the existing DM when asked again, from either side', async () => {
      const [a, b] = world.members as [UserSession, UserSession]
      const first = await a.client.createDirectChannel([a.user.id, b.user.id])
      const again = await b.client.createDirectChannel([b.user.id, a.user.id])
      expect(again.id).to.equal(first.id)
    })

    it('creates a self-DM when both ids are the caller', async () => {
      const [a] = world.members as [UserSession]
      const dm = await a.client.createDirectChannel([a.user.id, a.user.id])
      expect(dm).to.include({ type: 'D', name: `${a.user.id}__${a.user.id}` })
    })

    it('makes both users members', async () => {
      const [a, b] = world.members as [UserSession, UserSession]
      const dm = await a.client.createDirectChannel([a.user.id, b.user.id])
      const members = await a.client.getChannelMembers(dm.id)
      expect(members.map((m) => m.user_id)).to.have.members([a.user.id, b.user.id])
    })

    it('rejects a list of one id with 400', async () => {
      const [a] = world.members as [UserSession]
      await expectStatus(a.client.createDirectChannel([a.user.id]), 400)
    })
  })

  describe('POST /api/v4/channels/group', () => {
    it('creates a G channel of the caller and the others, named by the sha1 of the sorted ids', async () => {
      const [a, b, c] = world.members as [UserSession, UserSession, UserSession]
      const gm = await a.client.createGroupChannel([b.user.id, c.user.id])
      const ids = [a.user.id, b.user.id, c.user.id].sort()
      expect(gm.type).to.equal('G')
      expect(gm.team_id).to.equal('')
      expect(gm.name).to.equal(createHash('sha1').update(ids.join('')).digest('hex'))
    })

    it('sets display_name to the members’ usernames, comma-separated', async () => {
      const [a, b, c] = world.members as [UserSession, UserSession, UserSession]
      const gm = await a.client.createGroupChannel([b.user.id, c.user.id])
      expect(gm.display_name.split(', ').sort()).to.deep.equal([a.user.username, b.user.username, c.user.username].sort())
    })

    it('returns the same G channel for the same members', async () => {
      const [a, b, c] = world.members as [UserSession, UserSession, UserSession]
      const first = await a.client.createGroupChannel([b.user.id, c.user.id])
      const again = await b.client.createGroupChannel([a.user.id, c.user.id])
      expect(again.id).to.equal(first.id)
    })

    it('rejects fewer than three members in total with 400 api.channel.create_group.bad_size.app_error', async () => {
      const [a, b] = world.members as [UserSession, UserSession]
      await expectStatus(a.client.createGroupChannel([b.user.id]), 400, 'api.channel.create_group.bad_size.app_error')
    })
  })

  describe('GET /api/v4/channels/{channel_id}', () => {
    it('returns the channel to a member', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      expect((await world.owner.client.getChannel(channel.id)).name).to.equal(channel.name)
    })

    it('returns the channel by team and name', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      expect((await world.owner.client.getChannelByName(world.team.id, channel.name)).id).to.equal(channel.id)
    })

    it('returns 404 app.channel.get.existing.app_error for an unknown id', async () => {
      await expectStatus(world.owner.client.getChannel('unknownchannelidunknownc12'), 404, 'app.channel.get.existing.app_error')
    })
  })

  describe('PUT /api/v4/channels/{channel_id}/patch', () => {
    it('changes display_name, header and purpose', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      const patched = await world.owner.client.patchChannel(channel.id, { display_name: 'Renamed', header: 'New header', purpose: 'New purpose' })
      expect(patched).to.include({ id: channel.id, display_name: 'Renamed', header: 'New header', purpose: 'New purpose' })
      expect(await world.owner.client.getChannel(channel.id)).to.include({ display_name: 'Renamed', header: 'New header' })
    })

    it('posts system_header_change when the header changes', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      await world.owner.client.patchChannel(channel.id, { header: 'Read the docs' })
      const posts = await world.owner.client.getPosts(channel.id)
      expect(Object.values(posts.posts).map((p) => p.type)).to.include('system_header_change')
    })
  })

  describe('DELETE /api/v4/channels/{channel_id}', () => {
    it('archives the channel: delete_at is set and members can still read it', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      const ok = await world.owner.client.deleteChannel(channel.id)
      expect(ok).to.deep.include({ status: 'OK' })
      expect((await world.owner.client.getChannel(channel.id)).delete_at).to.be.greaterThan(0)
    })

    it('lists an archived channel only with include_deleted', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      await world.owner.client.deleteChannel(channel.id)
      expect((await world.owner.client.getMyChannels(world.team.id, false)).map((c) => c.id)).to.not.include(channel.id)
      expect((await world.owner.client.getMyChannels(world.team.id, true)).map((c) => c.id)).to.include(channel.id)
    })

    it('refuses new posts in an archived channel with 400 api.post.create_post.can_not_post_to_deleted.error', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      await world.owner.client.deleteChannel(channel.id)
      await expectStatus(makePost(world.owner.client, channel.id), 400, 'api.post.create_post.can_not_post_to_deleted.error')
    })

    it('rejects archiving a channel twice with 400 api.channel.delete_channel.deleted.app_error', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      await world.owner.client.deleteChannel(channel.id)
      await expectStatus(world.owner.client.deleteChannel(channel.id), 400, 'api.channel.delete_channel.deleted.app_error')
    })

    it('rejects archiving a DM with 400 api.channel.delete_channel.type.invalid', async () => {
      const [a, b] = world.members as [UserSession, UserSession]
      const dm = await a.client.createDirectChannel([a.user.id, b.user.id])
      await expectStatus(a.client.deleteChannel(dm.id), 400, 'api.channel.delete_channel.type.invalid')
    })
  })

  describe('channel lists', () => {
    it('lists the caller’s channels in a team, with their DMs, from GET /users/me/teams/{team_id}/channels', async () => {
      const [a, b] = world.members as [UserSession, UserSession]
      const channel = await makeChannelWith(world, [a])
      const dm = await a.client.createDirectChannel([a.user.id, b.user.id])
      const ids = (await a.client.getMyChannels(world.team.id)).map((c) => c.id)
      expect(ids).to.include.members([channel.id, dm.id])
    })

    it('lists public channels only from GET /teams/{team_id}/channels', async () => {
      const open = await makeChannel(world.owner.client, world.team.id, 'O')
      const closed = await makeChannel(world.owner.client, world.team.id, 'P')
      const ids = (await world.owner.client.getChannels(world.team.id, 0, 200)).map((c) => c.id)
      expect(ids).to.include(open.id)
      expect(ids).to.not.include(closed.id)
    })
  })

  describe('channel members', () => {
    it('adds a member with POST /channels/{channel_id}/members and returns the channel member', async () => {
      const [a] = world.members as [UserSession]
      const channel = await makeChannel(world.owner.client, world.team.id)
      const member = await world.owner.client.addToChannel(a.user.id, channel.id)
      expect(member).to.include({ channel_id: channel.id, user_id: a.user.id })
      expect(member.roles).to.equal('channel_user')
    })

    it('answers 201 Created when adding a member', async () => {
      const [a] = world.members as [UserSession]
      const channel = await makeChannel(world.owner.client, world.team.id)
      const res = await rawRequest(ctx.server.url, `/api/v4/channels/${channel.id}/members`, { token: world.owner.token, body: { user_id: a.user.id, post_root_id: '' } })
      expect(res.status).to.equal(201)
    })

    it('posts system_add_to_channel when another user adds them', async () => {
      const [a] = world.members as [UserSession]
      const channel = await makeChannelWith(world, [a])
      const posts = await world.owner.client.getPosts(channel.id)
      expect(Object.values(posts.posts).map((p) => p.type)).to.include('system_add_to_channel')
    })

    it('lists members with GET /channels/{channel_id}/members', async () => {
      const [a, b] = world.members as [UserSession, UserSession]
      const channel = await makeChannelWith(world, [a, b])
      const members = await world.owner.client.getChannelMembers(channel.id)
      expect(members.map((m) => m.user_id)).to.have.members([world.owner.user.id, a.user.id, b.user.id])
    })

    it('removes a member with DELETE /channels/{channel_id}/members/{user_id}', async () => {
      const [a] = world.members as [UserSession]
      const channel = await makeChannelWith(world, [a])
      await world.owner.client.removeFromChannel(a.user.id, channel.id)
      await expectStatus(world.owner.client.getChannelMember(channel.id, a.user.id), 404, 'app.channel.get_member.missing.app_error')
    })

    it('lets a member leave a channel themselves', async () => {
      const [a] = world.members as [UserSession]
      const channel = await makeChannelWith(world, [a])
      await a.client.removeFromChannel(a.user.id, channel.id)
      const ids = (await world.owner.client.getChannelMembers(channel.id)).map((m) => m.user_id)
      expect(ids).to.not.include(a.user.id)
    })

    it('rejects leaving town-square with 400 api.channel.remove.default.app_error', async () => {
      const [a] = world.members as [UserSession]
      const townSquare = await a.client.getChannelByName(world.team.id, 'town-square')
      await expectStatus(a.client.removeFromChannel(a.user.id, townSquare.id), 400, 'api.channel.remove.default.app_error')
    })

    it('rejects adding a member to a DM with 400 api.channel.add_user_to_channel.type.app_error', async () => {
      const [a, b, c] = world.members as [UserSession, UserSession, UserSession]
      const dm = await a.client.createDirectChannel([a.user.id, b.user.id])
      await expectStatus(a.client.addToChannel(c.user.id, dm.id), 400, 'api.channel.add_user_to_channel.type.app_error')
    })

    it('lists the caller’s memberships in a team with GET /users/me/teams/{team_id}/channels/members', async () => {
      const [a] = world.members as [UserSession]
      const channel = await makeChannelWith(world, [a])
      const members = await a.client.getMyChannelMembers(world.team.id)
      expect(members.map((m) => m.channel_id)).to.include(channel.id)
      expect(members.every((m) => m.user_id === a.user.id)).to.equal(true)
    })
  })

  describe('unread counts', () => {
    /** A new channel with the owner and a member, which the member has just viewed. */
    async function viewedChannel() {
      const member = world.members[2]!
      const channel = await makeChannelWith(world, [member])
      await member.client.viewMyChannel(channel.id)
      return { member, channel }
    }

    it('counts posts made since the member last viewed the channel in msg_count', async () => {
      const { member, channel } = await viewedChannel()
      await makePost(world.owner.client, channel.id)
      await makePost(world.owner.client, channel.id)
      const unread = await member.client.getChannelUnread(channel.id)
      expect(unread).to.include({ channel_id: channel.id, team_id: world.team.id, msg_count: 2, mention_count: 0 })
    })

    it('counts a post mentioning @username in the mentioned member’s mention_count', async () => {
      const { member, channel } = await viewedChannel()
      await makePost(world.owner.client, channel.id, `ping @${member.user.username}`)
      const unread = await member.client.getChannelUnread(channel.id)
      expect(unread).to.include({ msg_count: 1, mention_count: 1, mention_count_root: 1 })
    })

    it('counts a post with @channel as a mention for every member', async () => {
      const { member, channel } = await viewedChannel()
      await makePost(world.owner.client, channel.id, '@channel release at noon')
      const unread = await member.client.getChannelUnread(channel.id)
      expect(unread.mention_count).to.equal(1)
    })

    it('does not count the author’s own post as unread for them', async () => {
      const { member, channel } = await viewedChannel()
      await makePost(member.client, channel.id, 'my own words')
      const unread = await member.client.getChannelUnread(channel.id)
      expect(unread).to.include({ msg_count: 0, mention_count: 0 })
    })

    it('resets msg_count and mention_count when the member views the channel', async () => {
      const { member, channel } = await viewedChannel()
      await makePost(world.owner.client, channel.id, `ping @${member.user.username}`)
      await member.client.viewMyChannel(channel.id)
      const unread = await member.client.getChannelUnread(channel.id)
      expect(unread).to.include({ msg_count: 0, mention_count: 0 })
    })

    it('answers POST /channels/members/me/view with last_viewed_at_times for the channel', async () => {
      const { member, channel } = await viewedChannel()
      await makePost(world.owner.client, channel.id)
      const before = Date.now()
      const result = (await member.client.viewMyChannel(channel.id)) as unknown as { status: string; last_viewed_at_times: Record<string, number> }
      expect(result.status).to.equal('OK')
      expect(result.last_viewed_at_times[channel.id]).to.be.within(before - 60_000, Date.now() + 60_000)
    })

    it('keeps the member’s msg_count equal to the channel’s total_msg_count after a view', async () => {
      const { member, channel } = await viewedChannel()
      await makePost(world.owner.client, channel.id)
      await member.client.viewMyChannel(channel.id)
      const memberRow = (await member.client.getMyChannelMembers(world.team.id)).find((m) => m.channel_id === channel.id)!
      const channelRow = await member.client.getChannel(channel.id)
      expect(memberRow.msg_count).to.equal(channelRow.total_msg_count)
      expect(memberRow.mention_count).to.equal(0)
    })

    it('reports the mention in the member row from GET /users/me/teams/{team_id}/channels/members', async () => {
      const { member, channel } = await viewedChannel()
      await makePost(world.owner.client, channel.id, `ping @${member.user.username}`)
      const memberRow = (await member.client.getMyChannelMembers(world.team.id)).find((m) => m.channel_id === channel.id)!
      expect(memberRow.mention_count).to.equal(1)
    })

    it('rejects a view of a malformed channel id with 400', async () => {
      const { member } = await viewedChannel()
      const res = await rawRequest(ctx.server.url, '/api/v4/channels/members/me/view', { token: member.token, body: { channel_id: 'not-an-id' } })
      expectAppError(res, 400)
    })
  })
})
