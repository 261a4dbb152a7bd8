/**
 * Users outside a team, or outside a private channel, can neither read nor change its content
 * through the API, and get none of its WebSocket events. Statuses are Mattermost's: a failed
 * permission check is 403 api.context.permissions.app_error (api4/context.go SetPermissionError).
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import type { Post } from '@mattermost/types/posts'
import type { Team } from '@mattermost/types/teams'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { makeChannel, makeChannelWith, makePost, makeTeam, makeTeamWithMembers, makeUser, uniqueName, type TeamWorld, type UserSession } from '../helpers/factories.ts'
import { connectWs, type WsEvent, type WsSession } from '../helpers/ws-client.ts'

const FORBIDDEN = 'api.context.permissions.app_error'

interface Fixture {
  world: TeamWorld
  /** Team member who is in the private channel. */
  insider: UserSession
  /** Team member who is not in the private channel. */
  bystander: UserSession
  /** Member of another team only; shares nothing with `world`. */
  outsider: UserSession
  outsiderTeam: Team
  outsiderChannel: Channel
  publicChannel: Channel
  privateChannel: Channel
  publicPost: Post
  privatePost: Post
}

interface Case {
  route: string
  call: (f: Fixture, as: UserSession) => Promise<unknown>
  /**
   * The request would change the shared fixture if wrongly allowed (a join, a delete), so it
   * runs against fresh channels and posts, and by a fresh user, lest one server bug cascade.
   */
  isolated?: true
}

/** Requests a user outside the team must be refused; `{…}` ids are the team's resources. */
const outsideTeamCases: Case[] = [
  { route: 'GET /teams/{team_id}', call: (f, as) => as.client.getTeam(f.world.team.id) },
  { route: 'GET /teams/name/{name}', call: (f, as) => as.client.getTeamByName(f.world.team.name) },
  { route: 'GET /teams/{team_id}/members', call: (f, as) => as.client.getTeamMembers(f.world.team.id) },
  { route: 'GET /teams/{team_id}/members/{user_id}', call: (f, as) => as.client.getTeamMember(f.world.team.id, f.world.owner.user.id) },
  { route: 'POST /teams/{team_id}/members (adding themselves)', call: (f, as) => as.client.addToTeam(f.world.team.id, as.user.id), isolated: true },
  { route: 'GET /teams/{team_id}/channels', call: (f, as) => as.client.getChannels(f.world.team.id) },
  { route: 'GET /users/me/teams/{team_id}/channels', call: (f, as) => as.client.getMyChannels(f.world.team.id) },
  { route: 'GET /teams/{team_id}/channels/name/{name} of a public channel', call: (f, as) => as.client.getChannelByName(f.world.team.id, f.publicChannel.name) },
  { route: 'POST /channels in the team', call: (f, as) => as.client.createChannel({ team_id: f.world.team.id, name: uniqueName('ch'), display_name: 'Intruder', type: 'O' } as Channel) },
  { route: 'GET /channels/{channel_id} of a public channel', call: (f, as) => as.client.getChannel(f.publicChannel.id) },
  { route: 'PUT /channels/{channel_id}/patch of a public channel', call: (f, as) => as.client.patchChannel(f.publicChannel.id, { header: 'defaced' }) },
  { route: 'DELETE /channels/{channel_id} of a public channel', call: (f, as) => as.client.deleteChannel(f.publicChannel.id), isolated: true },
  { route: 'GET /channels/{channel_id}/members of a public channel', call: (f, as) => as.client.getChannelMembers(f.publicChannel.id) },
  { route: 'GET /channels/{channel_id}/members/{user_id} of a public channel', call: (f, as) => as.client.getChannelMember(f.publicChannel.id, f.world.owner.user.id) },
  { route: 'POST /channels/{channel_id}/members joining a public channel', call: (f, as) => as.client.addToChannel(as.user.id, f.publicChannel.id), isolated: true },
  { route: 'DELETE /channels/{channel_id}/members/{user_id} of a public channel', call: (f, as) => as.client.removeFromChannel(f.insider.user.id, f.publicChannel.id), isolated: true },
  { route: 'GET /users/me/channels/{channel_id}/unread of a public channel', call: (f, as) => as.client.getChannelUnread(f.publicChannel.id) },
  { route: 'POST /posts in a public channel', call: (f, as) => makePost(as.client, f.publicChannel.id, 'intrusion') },
  { route: 'POST /posts replying in a public channel', call: (f, as) => makePost(as.client, f.publicChannel.id, 'intrusion', f.publicPost.id) },
  { route: 'GET /posts/{post_id} in a public channel', call: (f, as) => as.client.getPost(f.publicPost.id) },
  { route: 'GET /posts/{post_id}/thread in a public channel', call: (f, as) => as.client.getPostThread(f.publicPost.id) },
  { route: 'GET /channels/{channel_id}/posts of a public channel', call: (f, as) => as.client.getPosts(f.publicChannel.id) },
  { route: 'GET /channels/{channel_id}/posts?since of a public channel', call: (f, as) => as.client.getPostsSince(f.publicChannel.id, 1) },
  { route: 'PUT /posts/{post_id}/patch in a public channel', call: (f, as) => as.client.patchPost({ id: f.publicPost.id, message: 'defaced' }) },
  { route: 'DELETE /posts/{post_id} in a public channel', call: (f, as) => as.client.deletePost(f.publicPost.id), isolated: true },
  { route: 'POST /posts/{post_id}/pin in a public channel', call: (f, as) => as.client.pinPost(f.publicPost.id) },
  { route: 'POST /posts/{post_id}/unpin in a public channel', call: (f, as) => as.client.unpinPost(f.publicPost.id) },
  { route: 'GET /channels/{channel_id}/pinned of a public channel', call: (f, as) => as.client.getPinnedPosts(f.publicChannel.id) },
  { route: 'POST /reactions on a post in a public channel', call: (f, as) => as.client.addReaction(as.user.id, f.publicPost.id, 'eyes') },
  { route: 'GET /posts/{post_id}/reactions in a public channel', call: (f, as) => as.client.getReactionsForPost(f.publicPost.id) },
  { route: 'PUT /users/me/teams/{team_id}/threads/{thread_id}/following in a public channel', call: (f, as) => as.client.updateThreadFollowForUser(as.user.id, f.world.team.id, f.publicPost.id, true) },
]

/** Requests a team member outside the private channel must be refused. */
const outsidePrivateChannelCases: Case[] = [
  { route: 'GET /channels/{channel_id}', call: (f, as) => as.client.getChannel(f.privateChannel.id) },
  { route: 'GET /teams/{team_id}/channels/name/{name}', call: (f, as) => as.client.getChannelByName(f.world.team.id, f.privateChannel.name) },
  { route: 'PUT /channels/{channel_id}/patch', call: (f, as) => as.client.patchChannel(f.privateChannel.id, { header: 'defaced' }) },
  { route: 'DELETE /channels/{channel_id}', call: (f, as) => as.client.deleteChannel(f.privateChannel.id), isolated: true },
  { route: 'GET /channels/{channel_id}/members', call: (f, as) => as.client.getChannelMembers(f.privateChannel.id) },
  { route: 'GET /channels/{channel_id}/members/{user_id}', call: (f, as) => as.client.getChannelMember(f.privateChannel.id, f.insider.user.id) },
  { route: 'POST /channels/{channel_id}/members (adding themselves)', call: (f, as) => as.client.addToChannel(as.user.id, f.privateChannel.id), isolated: true },
  { route: 'DELETE /channels/{channel_id}/members/{user_id}', call: (f, as) => as.client.removeFromChannel(f.insider.user.id, f.privateChannel.id), isolated: true },
  { route: 'GET /users/me/channels/{channel_id}/unread', call: (f, as) => as.client.getChannelUnread(f.privateChannel.id) },
  { route: 'POST /posts', call: (f, as) => makePost(as.client, f.privateChannel.id, 'intrusion') },
  { route: 'POST /posts replying to a post', call: (f, as) => makePost(as.client, f.privateChannel.id, 'intrusion', f.privatePost.id) },
  { route: 'GET /posts/{post_id}', call: (f, as) => as.client.getPost(f.privatePost.id) },
  { route: 'GET /posts/{post_id}/thread', call: (f, as) => as.client.getPostThread(f.privatePost.id) },
  { route: 'GET /channels/{channel_id}/posts', call: (f, as) => as.client.getPosts(f.privateChannel.id) },
  { route: 'GET /channels/{channel_id}/posts?before', call: (f, as) => as.client.getPostsBefore(f.privateChannel.id, f.privatePost.id) },
  { route: 'PUT /posts/{post_id}/patch', call: (f, as) => as.client.patchPost({ id: f.privatePost.id, message: 'defaced' }) },
  { route: 'DELETE /posts/{post_id}', call: (f, as) => as.client.deletePost(f.privatePost.id), isolated: true },
  { route: 'POST /posts/{post_id}/pin', call: (f, as) => as.client.pinPost(f.privatePost.id) },
  { route: 'GET /channels/{channel_id}/pinned', call: (f, as) => as.client.getPinnedPosts(f.privateChannel.id) },
  { route: 'POST /reactions', call: (f, as) => as.client.addReaction(as.user.id, f.privatePost.id, 'eyes') },
  { route: 'GET /posts/{post_id}/reactions', call: (f, as) => as.client.getReactionsForPost(f.privatePost.id) },
  { route: 'PUT /users/me/teams/{team_id}/threads/{thread_id}/following', call: (f, as) => as.client.updateThreadFollowForUser(as.user.id, f.world.team.id, f.privatePost.id, true) },
]

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let f: Fixture

  before(async () => {
    // Open teams that allow open invites are readable and joinable by anyone; this one is not.
    const world = await makeTeamWithMembers(ctx.server, 2, { type: 'O', allow_open_invite: false })
    const [insider, bystander] = world.members as [UserSession, UserSession]
    const outsider = await makeUser(ctx.server)
    const outsiderTeam = await makeTeam(outsider.client)
    const outsiderChannel = await makeChannel(outsider.client, outsiderTeam.id)
    const publicChannel = await makeChannelWith(world, [insider, bystander])
    const privateChannel = await makeChannelWith(world, [insider], 'P')
    const publicPost = await makePost(world.owner.client, publicChannel.id, 'public root')
    const privatePost = await makePost(world.owner.client, privateChannel.id, 'private root')
    f = { world, insider, bystander, outsider, outsiderTeam, outsiderChannel, publicChannel, privateChannel, publicPost, privatePost }
  })

  /** Fresh channels and posts in the same team, and a fresh user in the role of `as`. */
  async function isolatedFixture(role: 'outsider' | 'bystander'): Promise<{ fixture: Fixture; as: UserSession }> {
    const as = await makeUser(ctx.server)
    if (role === 'bystander') await f.world.owner.client.addToTeam(f.world.team.id, as.user.id)
    const publicChannel = await makeChannelWith(f.world, [f.insider])
    const privateChannel = await makeChannelWith(f.world, [f.insider], 'P')
    const publicPost = await makePost(f.world.owner.client, publicChannel.id, 'public root')
    const privatePost = await makePost(f.world.owner.client, privateChannel.id, 'private root')
    return { fixture: { ...f, publicChannel, privateChannel, publicPost, privatePost }, as }
  }

  function refuses(c: Case, role: 'outsider' | 'bystander'): void {
    it(`is refused ${c.route} with 403`, async () => {
      const { fixture, as } = c.isolated ? await isolatedFixture(role) : { fixture: f, as: f[role] }
      await expectStatus(c.call(fixture, as), 403, FORBIDDEN)
    })
  }

  describe('a user outside the team', () => {
    for (const c of outsideTeamCases) refuses(c, 'outsider')

    it('is refused the private channel’s posts too with 403', async () => {
      await expectStatus(f.outsider.client.getPosts(f.privateChannel.id), 403, FORBIDDEN)
    })

    it('sees no trace of the team in GET /users/me/teams', async () => {
      const ids = (await f.outsider.client.getMyTeams()).map((t) => t.id)
      expect(ids).to.not.include(f.world.team.id)
    })

    it('is refused a flagged_post preference for a post it cannot read with 403', async () => {
      const flag = { user_id: f.outsider.user.id, category: 'flagged_post', name: f.privatePost.id, value: 'true' }
      await expectStatus(f.outsider.client.savePreferences(f.outsider.user.id, [flag]), 403, FORBIDDEN)
    })
  })

  describe('a team member outside a private channel', () => {
    for (const c of outsidePrivateChannelCases) refuses(c, 'bystander')

    it('does not find the private channel in GET /teams/{team_id}/channels', async () => {
      const ids = (await f.bystander.client.getChannels(f.world.team.id, 0, 200)).map((c) => c.id)
      expect(ids).to.not.include(f.privateChannel.id)
    })

    it('does not find the private channel in GET /users/me/teams/{team_id}/channels', async () => {
      const ids = (await f.bystander.client.getMyChannels(f.world.team.id)).map((c) => c.id)
      expect(ids).to.not.include(f.privateChannel.id)
    })

    it('can read a public channel it has not joined, as Mattermost allows', async () => {
      const other = await makeChannel(f.world.owner.client, f.world.team.id, 'O')
      expect((await f.bystander.client.getChannel(other.id)).id).to.equal(other.id)
    })

    it('cannot post in a public channel it has not joined (403)', async () => {
      const other = await makeChannel(f.world.owner.client, f.world.team.id, 'O')
      await expectStatus(makePost(f.bystander.client, other.id, 'not a member'), 403, FORBIDDEN)
    })
  })

  describe('WebSocket events', () => {
    const sockets: WsSession[] = []
    afterEach(() => {
      for (const s of sockets.splice(0)) s.close()
    })

    async function listen(session: UserSession): Promise<WsSession> {
      const socket = await connectWs(ctx.server.url, session.token)
      sockets.push(socket)
      return socket
    }

    /**
     * Waits for a post the listener is entitled to (made after the activity), so that any event
     * of the earlier activity would already have arrived, then returns what did arrive.
     */
    async function settle(socket: WsSession, listener: UserSession, channelId: string): Promise<WsEvent[]> {
      const marker = await makePost(listener.client, channelId, `barrier ${uniqueName('b')}`)
      await socket.waitFor('posted', (e) => JSON.parse(String(e.data.post)).id === marker.id)
      return socket.events
    }

    /** Every event in `events` that names one of `ids` anywhere in it. */
    const leaking = (events: WsEvent[], ids: string[]) => events.filter((e) => ids.some((id) => JSON.stringify(e).includes(id)))

    it('gives a user outside the team none of the team’s channel, post, reaction and typing events', async () => {
      const socket = await listen(f.outsider)
      const insiderSocket = await listen(f.insider)
      const channel = await makeChannelWith(f.world, [f.insider])
      const post = await makePost(f.world.owner.client, channel.id, 'team only')
      await f.world.owner.client.addReaction(f.world.owner.user.id, post.id, 'lock')
      await f.world.owner.client.patchPost({ id: post.id, message: 'team only, edited' })
      await f.world.owner.client.patchChannel(channel.id, { header: 'team only header' })
      insiderSocket.client.userTyping(channel.id, '')
      await f.world.owner.client.deletePost(post.id)
      await f.world.owner.client.deleteChannel(channel.id)
      const events = await settle(socket, f.outsider, f.outsiderChannel.id)
      expect(leaking(events, [f.world.team.id, channel.id, post.id])).to.deep.equal([])
    })

    it('gives a user outside the team no event when someone joins the team', async () => {
      const socket = await listen(f.outsider)
      const newcomer = await makeUser(ctx.server)
      await f.world.owner.client.addToTeam(f.world.team.id, newcomer.user.id)
      const events = await settle(socket, f.outsider, f.outsiderChannel.id)
      expect(leaking(events, [f.world.team.id])).to.deep.equal([])
    })

    it('gives a team member outside a private channel none of its events', async () => {
      const socket = await listen(f.bystander)
      const insiderSocket = await listen(f.insider)
      const post = await makePost(f.world.owner.client, f.privateChannel.id, 'insiders only')
      await f.world.owner.client.addReaction(f.world.owner.user.id, post.id, 'lock')
      await f.world.owner.client.patchPost({ id: post.id, message: 'insiders only, edited' })
      await f.world.owner.client.patchChannel(f.privateChannel.id, { purpose: 'secret purpose' })
      insiderSocket.client.userTyping(f.privateChannel.id, '')
      await f.world.owner.client.deletePost(post.id)
      const events = await settle(socket, f.bystander, f.publicChannel.id)
      expect(leaking(events, [f.privateChannel.id, post.id])).to.deep.equal([])
    })

    it('gives a team member no event for a private channel created without them', async () => {
      const socket = await listen(f.bystander)
      const secret = await makeChannel(f.world.owner.client, f.world.team.id, 'P')
      await f.world.owner.client.addToChannel(f.insider.user.id, secret.id)
      const events = await settle(socket, f.bystander, f.publicChannel.id)
      expect(leaking(events, [secret.id])).to.deep.equal([])
    })

    it('gives a user no event of a DM between two others', async () => {
      const socket = await listen(f.bystander)
      const dm = await f.world.owner.client.createDirectChannel([f.world.owner.user.id, f.insider.user.id])
      const post = await makePost(f.world.owner.client, dm.id, 'just the two of us')
      const events = await settle(socket, f.bystander, f.publicChannel.id)
      expect(leaking(events, [dm.id, post.id])).to.deep.equal([])
    })

    it('lets a member outside the channel send no typing event into it', async () => {
      const socket = await listen(f.bystander)
      const insiderSocket = await listen(f.insider)
      const reply = await socket.request('user_typing', { channel_id: f.privateChannel.id, parent_id: '' })
      expect(reply.status).to.equal('FAIL')
      await settle(insiderSocket, f.insider, f.privateChannel.id)
      expect(insiderSocket.received('typing', (e) => e.data.user_id === f.bystander.user.id)).to.deep.equal([])
    })
  })

  describe('unauthenticated requests', () => {
    it('are refused a channel’s posts with 401', async () => {
      const res = await rawRequest(ctx.server.url, `/api/v4/channels/${f.publicChannel.id}/posts`)
      expect(res.status).to.equal(401)
    })
  })
})
