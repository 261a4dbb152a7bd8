/**
 * The WebSocket API through the official WebSocketClient (Mattermost api4/websocket.go,
 * app/platform/web_conn.go, model/websocket_message.go): hello, events, actions and resumption.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import type { UserProfile } from '@mattermost/types/users'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import {
  getAdmin, makeChannel, makeChannelWith, makePost, makeTeam, makeTeamWithMembers, makeUser, uniqueName,
  type TeamWorld, type UserSession,
} from '../helpers/factories.ts'
import { connectWs, openRawSocket, websocketUrl, type WsEvent, type WsSession } from '../helpers/ws-client.ts'

const parse = (value: unknown) => JSON.parse(String(value)) as Record<string, any>

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession
  let carol: UserSession
  const open: { close(): void }[] = []

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 3)
    ;[alice, bob, carol] = world.members as [UserSession, UserSession, UserSession]
  })
  afterEach(() => {
    for (const s of open.splice(0)) s.close()
  })

  async function ws(session: UserSession, options?: Parameters<typeof connectWs>[2]): Promise<WsSession> {
    const connected = await connectWs(ctx.server.url, session.token, options)
    open.push(connected)
    return connected
  }

  const postOf = (e: WsEvent) => parse(e.data.post)

  describe('connecting', () => {
    it('sends hello with seq 0, a connection_id and the server version after the authentication challenge', async () => {
      const socket = await ws(alice)
      const hello = socket.events[0]!
      expect(hello.event).to.equal('hello')
      expect(hello.seq).to.equal(0)
      expect(hello.data.connection_id).to.match(/^[a-z0-9]{26}$/)
      expect(hello.data.server_version).to.be.a('string').and.not.equal('')
      expect(hello.broadcast.user_id).to.equal(alice.user.id)
    })

    it('answers the authentication_challenge with status OK and seq_reply', async () => {
      const raw = openRawSocket(websocketUrl(ctx.server.url))
      open.push({ close: () => raw.socket.terminate() })
      await raw.opened
      raw.socket.send(JSON.stringify({ seq: 1, action: 'authentication_challenge', data: { token: alice.token } }))
      expect(await raw.next((m) => m.seq_reply === 1)).to.include({ status: 'OK', seq_reply: 1 })
      expect(await raw.next((m) => m.event === 'hello')).to.include({ seq: 0 })
    })

    it('authenticates the upgrade with an Authorization Bearer header', async () => {
      const raw = openRawSocket(websocketUrl(ctx.server.url), { Authorization: `Bearer ${alice.token}` })
      open.push({ close: () => raw.socket.terminate() })
      const hello = await raw.next((m) => m.event === 'hello')
      expect(hello.broadcast.user_id).to.equal(alice.user.id)
    })

    it('authenticates the upgrade with the MMAUTHTOKEN cookie', async () => {
      const raw = openRawSocket(websocketUrl(ctx.server.url), { Cookie: `MMAUTHTOKEN=${alice.token}` })
      open.push({ close: () => raw.socket.terminate() })
      const hello = await raw.next((m) => m.event === 'hello')
      expect(hello.broadcast.user_id).to.equal(alice.user.id)
    })

    it('sends no hello for an invalid token', async () => {
      const raw = openRawSocket(websocketUrl(ctx.server.url))
      open.push({ close: () => raw.socket.terminate() })
      await raw.opened
      raw.socket.send(JSON.stringify({ seq: 1, action: 'authentication_challenge', data: { token: 'invalidtokeninvalidtoken12' } }))
      // Whatever the server does (FAIL reply, close), a hello would come within this second.
      await Promise.race([new Promise((resolve) => raw.socket.once('close', resolve)), new Promise((resolve) => setTimeout(resolve, 1000))])
      expect(raw.messages.filter((m) => m.event === 'hello')).to.deep.equal([])
    })

    it('answers a ping action with pong', async () => {
      const socket = await ws(alice)
      const reply = await socket.request('ping', null)
      expect(reply.status).to.equal('OK')
      expect(reply.data).to.include({ text: 'pong' })
    })

    it('answers get_statuses_by_ids with the users’ statuses', async () => {
      const socket = await ws(alice)
      const reply = await socket.request('get_statuses_by_ids', { user_ids: [alice.user.id] })
      expect(reply.status).to.equal('OK')
      expect(reply.data).to.include({ [alice.user.id]: 'online' })
    })

    it('answers an unknown action with FAIL api.web_socket_router.bad_action.app_error', async () => {
      const socket = await ws(alice)
      const reply = await socket.request('no_such_action', {})
      expect(reply.status).to.equal('FAIL')
      expect(reply.error).to.include({ id: 'api.web_socket_router.bad_action.app_error' })
    })

    it('numbers the events of a connection consecutively from 0', async () => {
      const channel = await makeChannelWith(world, [alice])
      const socket = await ws(alice)
      const posts = [await makePost(world.owner.client, channel.id), await makePost(world.owner.client, channel.id)]
      for (const post of posts) await socket.waitFor('posted', (e) => postOf(e).id === post.id)
      expect(socket.events.map((e) => e.seq)).to.deep.equal(socket.events.map((_, i) => i))
    })
  })

  describe('posted', () => {
    it('delivers a new post to channel members with data.post as a JSON string', async () => {
      const channel = await makeChannelWith(world, [alice])
      const socket = await ws(alice)
      const post = await makePost(world.owner.client, channel.id, 'over the wire')
      const event = await socket.waitFor('posted', (e) => postOf(e).id === post.id)
      expect(event.data.post).to.be.a('string')
      expect(postOf(event)).to.include({ id: post.id, message: 'over the wire', channel_id: channel.id, user_id: world.owner.user.id })
      expect(event.broadcast.channel_id).to.equal(channel.id)
    })

    it('describes the channel and sender in the event data', async () => {
      const channel = await makeChannelWith(world, [alice])
      const socket = await ws(alice)
      const post = await makePost(world.owner.client, channel.id)
      const event = await socket.waitFor('posted', (e) => postOf(e).id === post.id)
      expect(event.data).to.include({
        channel_type: 'O',
        channel_name: channel.name,
        channel_display_name: channel.display_name,
        sender_name: `@${world.owner.user.username}`,
        team_id: world.team.id,
      })
    })

    it('puts mentions, holding only their own id, in the mentioned member’s copy', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const aliceSocket = await ws(alice)
      const post = await makePost(world.owner.client, channel.id, `hi @${alice.user.username}`)
      const event = await aliceSocket.waitFor('posted', (e) => postOf(e).id === post.id)
      expect(parse(event.data.mentions)).to.deep.equal([alice.user.id])
    })

    it('leaves mentions out of the copy for a member who was not mentioned', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const bobSocket = await ws(bob)
      const post = await makePost(world.owner.client, channel.id, `hi @${alice.user.username}`)
      const event = await bobSocket.waitFor('posted', (e) => postOf(e).id === post.id)
      expect(event.data).to.not.have.property('mentions')
    })

    it('describes a DM as type D with no team', async () => {
      const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id])
      const bobSocket = await ws(bob)
      const post = await makePost(alice.client, dm.id, 'just us')
      const event = await bobSocket.waitFor('posted', (e) => postOf(e).id === post.id)
      expect(event.data).to.include({ channel_type: 'D', team_id: '', sender_name: `@${alice.user.username}` })
    })
  })

  describe('post_edited and post_deleted', () => {
    it('sends post_edited with the new message to channel members', async () => {
      const channel = await makeChannelWith(world, [alice])
      const post = await makePost(world.owner.client, channel.id, 'first draft')
      const socket = await ws(alice)
      await world.owner.client.patchPost({ id: post.id, message: 'second draft' })
      const event = await socket.waitFor('post_edited', (e) => postOf(e).id === post.id)
      expect(postOf(event).message).to.equal('second draft')
    })

    it('sends post_edited when a post is pinned', async () => {
      const channel = await makeChannelWith(world, [alice])
      const post = await makePost(world.owner.client, channel.id, 'pin me')
      const socket = await ws(alice)
      await world.owner.client.pinPost(post.id)
      const event = await socket.waitFor('post_edited', (e) => postOf(e).id === post.id)
      expect(postOf(event).is_pinned).to.equal(true)
    })

    it('sends post_deleted with the post to channel members', async () => {
      const channel = await makeChannelWith(world, [alice])
      const post = await makePost(world.owner.client, channel.id, 'doomed')
      const socket = await ws(alice)
      await world.owner.client.deletePost(post.id)
      const event = await socket.waitFor('post_deleted', (e) => postOf(e).id === post.id)
      expect(postOf(event).channel_id).to.equal(channel.id)
    })
  })

  describe('reaction_added and reaction_removed', () => {
    it('sends reaction_added with the reaction as a JSON string', async () => {
      const channel = await makeChannelWith(world, [alice])
      const post = await makePost(world.owner.client, channel.id)
      const socket = await ws(alice)
      await world.owner.client.addReaction(world.owner.user.id, post.id, 'tada')
      const event = await socket.waitFor('reaction_added', (e) => parse(e.data.reaction).post_id === post.id)
      expect(parse(event.data.reaction)).to.include({ user_id: world.owner.user.id, emoji_name: 'tada' })
    })

    it('sends reaction_removed when the reaction is taken back', async () => {
      const channel = await makeChannelWith(world, [alice])
      const post = await makePost(world.owner.client, channel.id)
      await world.owner.client.addReaction(world.owner.user.id, post.id, 'tada')
      const socket = await ws(alice)
      await world.owner.client.removeReaction(world.owner.user.id, post.id, 'tada')
      const event = await socket.waitFor('reaction_removed', (e) => parse(e.data.reaction).post_id === post.id)
      expect(parse(event.data.reaction)).to.include({ user_id: world.owner.user.id, emoji_name: 'tada' })
    })
  })

  describe('channel events', () => {
    it('sends channel_created to the creator', async () => {
      const socket = await ws(world.owner)
      const channel = await makeChannel(world.owner.client, world.team.id)
      const event = await socket.waitFor('channel_created', (e) => e.data.channel_id === channel.id)
      expect(event.data.team_id).to.equal(world.team.id)
    })

    it('sends channel_updated with the channel as a JSON string to members', async () => {
      const channel = await makeChannelWith(world, [alice])
      const socket = await ws(alice)
      await world.owner.client.patchChannel(channel.id, { display_name: 'Renamed over WS' })
      const event = await socket.waitFor('channel_updated', (e) => parse(e.data.channel).id === channel.id)
      expect(parse(event.data.channel).display_name).to.equal('Renamed over WS')
    })

    it('sends channel_deleted with delete_at to team members when a public channel is archived', async () => {
      const channel = await makeChannelWith(world, [alice])
      const socket = await ws(alice)
      await world.owner.client.deleteChannel(channel.id)
      const event = await socket.waitFor('channel_deleted', (e) => e.data.channel_id === channel.id)
      expect(event.data.delete_at).to.be.greaterThan(0)
    })

    it('sends user_added with user_id and team_id to the channel', async () => {
      const channel = await makeChannelWith(world, [bob])
      const socket = await ws(bob)
      await world.owner.client.addToChannel(alice.user.id, channel.id)
      const event = await socket.waitFor('user_added', (e) => e.data.user_id === alice.user.id && e.broadcast.channel_id === channel.id)
      expect(event.data.team_id).to.equal(world.team.id)
    })

    it('sends user_removed with user_id and remover_id to the remaining members', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const socket = await ws(bob)
      await world.owner.client.removeFromChannel(alice.user.id, channel.id)
      const event = await socket.waitFor('user_removed', (e) => e.data.user_id === alice.user.id && e.broadcast.channel_id === channel.id)
      expect(event.data.remover_id).to.equal(world.owner.user.id)
    })

    it('sends user_removed with channel_id to the removed user', async () => {
      const channel = await makeChannelWith(world, [alice])
      const socket = await ws(alice)
      await world.owner.client.removeFromChannel(alice.user.id, channel.id)
      const event = await socket.waitFor('user_removed', (e) => e.data.channel_id === channel.id)
      expect(event.data.remover_id).to.equal(world.owner.user.id)
    })

    it('sends direct_added when a DM is created', async () => {
      const a = await makeUser(ctx.server)
      const b = await makeUser(ctx.server)
      const socket = await ws(b)
      const dm = await a.client.createDirectChannel([a.user.id, b.user.id])
      const event = await socket.waitFor('direct_added')
      // The webapp fetches the new DM by broadcast.channel_id (Mattermost publishes it channel-scoped).
      expect(event.broadcast.channel_id).to.equal(dm.id)
      expect(event.data).to.include({ creator_id: a.user.id, teammate_id: b.user.id })
    })

    it('sends multiple_channels_viewed (or the legacy channel_viewed) to the viewer', async () => {
      const channel = await makeChannelWith(world, [alice])
      await makePost(world.owner.client, channel.id)
      const socket = await ws(alice)
      await alice.client.viewMyChannel(channel.id)
      await Promise.any([
        socket.waitFor('multiple_channels_viewed', (e) => Boolean(e.data.channel_times?.[channel.id])),
        socket.waitFor('channel_viewed', (e) => e.data.channel_id === channel.id),
      ]).catch(() => {
        throw new Error(`neither multiple_channels_viewed nor channel_viewed arrived for ${channel.id} (received: ${socket.events.map((e) => e.event).join(', ')})`)
      })
    })
  })

  describe('team and user events', () => {
    it('sends added_to_team with team_id and user_id to the added user', async () => {
      const team = await makeTeam(world.owner.client)
      const socket = await ws(carol)
      await world.owner.client.addToTeam(team.id, carol.user.id)
      const event = await socket.waitFor('added_to_team', (e) => e.data.team_id === team.id)
      expect(event.data.user_id).to.equal(carol.user.id)
    })

    it('sends new_user to connected users when an account is created', async () => {
      const socket = await ws(alice)
      const admin = await getAdmin(ctx.server)
      const username = uniqueName('fresh')
      const created = await admin.client.createUser({ username, email: `${username}@example.com`, password: `Pw-${username}-9` } as UserProfile, '', '')
      await socket.waitFor('new_user', (e) => e.data.user_id === created.id)
    })

    it('sends status_change to the user who changed their status', async () => {
      const socket = await ws(alice)
      await alice.client.updateStatus({ user_id: alice.user.id, status: 'dnd' } as never)
      const event = await socket.waitFor('status_change', (e) => e.data.status === 'dnd')
      expect(event.data.user_id).to.equal(alice.user.id)
    })

    it('sends preferences_changed with the preferences as a JSON string', async () => {
      const socket = await ws(alice)
      const name = uniqueName('p')
      await alice.client.savePreferences(alice.user.id, [{ user_id: alice.user.id, category: 'custom', name, value: 'v' }])
      const event = await socket.waitFor('preferences_changed', (e) => String(e.data.preferences).includes(name))
      const preferences = JSON.parse(String(event.data.preferences)) as unknown[]
      expect(preferences).to.deep.include({ user_id: alice.user.id, category: 'custom', name, value: 'v' })
    })
  })

  describe('typing', () => {
    it('relays user_typing as typing to the other channel members', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const aliceSocket = await ws(alice)
      const bobSocket = await ws(bob)
      aliceSocket.client.userTyping(channel.id, '')
      const event = await bobSocket.waitFor('typing', (e) => e.data.user_id === alice.user.id)
      expect(event.data.parent_id).to.equal('')
      expect(event.broadcast.channel_id).to.equal(channel.id)
    })

    it('does not echo typing to the typist', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const aliceSocket = await ws(alice)
      const bobSocket = await ws(bob)
      aliceSocket.client.userTyping(channel.id, '')
      await bobSocket.waitFor('typing', (e) => e.data.user_id === alice.user.id)
      // bob types after alice: once alice sees bob's typing, her own echo would already have arrived.
      bobSocket.client.userTyping(channel.id, '')
      await aliceSocket.waitFor('typing', (e) => e.data.user_id === bob.user.id)
      expect(aliceSocket.received('typing', (e) => e.data.user_id === alice.user.id)).to.deep.equal([])
    })

    it('answers user_typing with status OK', async () => {
      const channel = await makeChannelWith(world, [alice])
      const socket = await ws(alice)
      const reply = await socket.request('user_typing', { channel_id: channel.id, parent_id: '' })
      expect(reply.status).to.equal('OK')
    })
  })

  describe('thread_updated', () => {
    it('tells a follower with collapsed threads on about a new reply', async () => {
      await alice.client.savePreferences(alice.user.id, [{ user_id: alice.user.id, category: 'display_settings', name: 'collapsed_reply_threads', value: 'on' }])
      const channel = await makeChannelWith(world, [alice, bob])
      const root = await makePost(alice.client, channel.id, 'thread root')
      const socket = await ws(alice)
      await makePost(bob.client, channel.id, 'reply', root.id)
      const event = await socket.waitFor('thread_updated', (e) => parse(e.data.thread).id === root.id)
      expect(parse(event.data.thread)).to.include({ reply_count: 1 })
      expect(event.broadcast.user_id).to.equal(alice.user.id)
    })
  })

  describe('ephemeral_message', () => {
    it('tells the author when an @mention reaches a team member outside the channel', async () => {
      const channel: Channel = await makeChannelWith(world, [alice])
      const socket = await ws(alice)
      await makePost(alice.client, channel.id, `see this @${carol.user.username}`)
      const event = await socket.waitFor('ephemeral_message', (e) => postOf(e).channel_id === channel.id)
      expect(postOf(event).type).to.equal('system_ephemeral')
      expect(postOf(event).message).to.include(carol.user.username)
      expect(event.broadcast.user_id).to.equal(alice.user.id)
    })
  })

  describe('resuming a connection', () => {
    it('replays the events missed while disconnected, on the same connection and without a new hello', async () => {
      const channel = await makeChannelWith(world, [alice])
      const socket = await ws(alice, { retryMs: 1500 })
      const before = await makePost(world.owner.client, channel.id, 'before the drop')
      await socket.waitFor('posted', (e) => postOf(e).id === before.id)

      await socket.dropConnection()
      const missed = await makePost(world.owner.client, channel.id, 'while away')
      await socket.waitForReconnect(1)
      await socket.waitFor('posted', (e) => postOf(e).id === missed.id)

      const resumeUrl = new URL(socket.urls.at(-1)!)
      expect(resumeUrl.searchParams.get('connection_id')).to.equal(socket.connectionId)
      expect(Number(resumeUrl.searchParams.get('sequence_number'))).to.be.greaterThan(0)
      expect(socket.received('hello')).to.have.length(1)
      expect(socket.resyncs).to.equal(0)
    })

    it('answers an unknown connection_id with a fresh hello, seq 0 and a new connection_id', async () => {
      const unknown = 'unknownconnectionidunknow1'
      const raw = openRawSocket(`${websocketUrl(ctx.server.url)}?connection_id=${unknown}&sequence_number=5`, { Authorization: `Bearer ${alice.token}` })
      open.push({ close: () => raw.socket.terminate() })
      const hello = await raw.next((m) => m.event === 'hello')
      expect(hello.seq).to.equal(0)
      expect(hello.data.connection_id).to.match(/^[a-z0-9]{26}$/).and.not.equal(unknown)
    })
  })

  describe('unauthenticated sockets', () => {
    it('receive no events', async () => {
      const channel = await makeChannelWith(world, [alice])
      const raw = openRawSocket(websocketUrl(ctx.server.url))
      open.push({ close: () => raw.socket.terminate() })
      await raw.opened
      const socket = await ws(alice)
      const post = await makePost(world.owner.client, channel.id, 'members only')
      // Once alice has the post, an unauthenticated socket that was going to get it would have too.
      await socket.waitFor('posted', (e) => postOf(e).id === post.id)
      expect(raw.messages.filter((m) => m.event !== undefined)).to.deep.equal([])
    })
  })
})
