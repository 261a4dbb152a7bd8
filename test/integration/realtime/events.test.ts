/** WebSocket hub: who receives an event, and in what shape. */
import { expect } from 'chai'
import { createLogger } from '../../../core/log.ts'
import { createMemoryBus } from '../../../core/realtime/index.ts'
import { connectAs, startHub, TestSocket, type HubFixture } from './hub-harness.ts'

const post = JSON.stringify({ id: 'p1', message: 'hi @bob' })

describe('WebSocket hub: event delivery', () => {
  let fx: HubFixture
  let alice: TestSocket
  let bob: TestSocket
  let carol: TestSocket

  beforeEach(async () => {
    fx = await startHub()
    fx.channels.set('town', ['alice', 'bob'])
    fx.teams.set('core', ['alice', 'carol'])
    alice = (await connectAs(fx, 'alice')).socket
    bob = (await connectAs(fx, 'bob')).socket
    carol = (await connectAs(fx, 'carol')).socket
  })

  afterEach(() => fx.close())

  it('writes the event envelope exactly in Mattermost\'s shape and key order', async () => {
    await fx.hub.broadcast({ event: 'posted', data: { post, channel_type: 'O' }, audience: { channelId: 'town' } })
    await alice.next()
    expect(alice.raw[1]).to.equal(
      `{"event":"posted","data":{"post":${JSON.stringify(post)},"channel_type":"O"},` +
        '"broadcast":{"omit_users":null,"user_id":"","channel_id":"town","team_id":"","connection_id":"","omit_connection_id":""},"seq":1}',
    )
  })

  it('delivers a channel event only to members of the channel', async () => {
    await fx.hub.broadcast({ event: 'posted', data: { post }, audience: { channelId: 'town' } })
    expect((await alice.next()).event).to.equal('posted')
    expect((await bob.next()).event).to.equal('posted')
    expect(await carol.quiet()).to.deep.equal([])
  })

  it('resolves channel membership when the event is delivered, not when the socket connected', async () => {
    fx.channels.set('town', ['alice', 'bob', 'carol'])
    await fx.hub.broadcast({ event: 'posted', data: { post }, audience: { channelId: 'town' } })
    expect((await carol.next()).event).to.equal('posted')
  })

  it('delivers a team event only to members of the team', async () => {
    await fx.hub.broadcast({ event: 'channel_created', data: { channel_id: 'x' }, audience: { teamId: 'core' } })
    expect((await alice.next()).event).to.equal('channel_created')
    expect((await carol.next()).event).to.equal('channel_created')
    expect(await bob.quiet()).to.deep.equal([])
  })

  it('delivers a user event to every connection of that user and nobody else', async () => {
    const aliceAgain = (await connectAs(fx, 'alice')).socket
    await fx.hub.broadcast({ event: 'preferences_changed', data: { preferences: '[]' }, audience: { userId: 'alice' } })
    expect((await alice.next()).broadcast.user_id).to.equal('alice')
    expect((await aliceAgain.next()).event).to.equal('preferences_changed')
    expect(await bob.quiet()).to.deep.equal([])
  })

  it('delivers an event for everyone to every connected user', async () => {
    await fx.hub.broadcast({ event: 'new_user', data: { user_id: 'dave' }, audience: { all: true } })
    for (const socket of [alice, bob, carol]) expect((await socket.next()).event).to.equal('new_user')
  })

  it('delivers an event without any audience to nobody', async () => {
    await fx.hub.broadcast({ event: 'new_user', data: { user_id: 'dave' }, audience: {} })
    expect(await alice.quiet()).to.deep.equal([])
  })

  it('skips the users in omitUsers and lists them in broadcast.omit_users', async () => {
    await fx.hub.broadcast({ event: 'posted', data: { post }, audience: { channelId: 'town', omitUsers: ['bob'] } })
    expect((await alice.next()).broadcast.omit_users).to.deep.equal({ bob: true })
    expect(await bob.quiet()).to.deep.equal([])
  })

  it('skips the connection named in omitConnectionId but not the same user\'s other connections', async () => {
    const { socket: typing, hello } = await connectAs(fx, 'alice')
    const connectionId = hello.data.connection_id as string
    await fx.hub.broadcast({ event: 'typing', data: { user_id: 'alice', parent_id: '' }, audience: { channelId: 'town', omitConnectionId: connectionId } })
    expect((await alice.next()).broadcast.omit_connection_id).to.equal(connectionId)
    expect((await bob.next()).event).to.equal('typing')
    expect(await typing.quiet()).to.deep.equal([])
  })

  it('delivers an event addressed to one connection to that connection only', async () => {
    const { socket: second, hello } = await connectAs(fx, 'alice')
    await fx.hub.broadcast({ event: 'response', data: {}, audience: { connectionId: hello.data.connection_id } })
    expect((await second.next()).broadcast.connection_id).to.equal(hello.data.connection_id)
    expect(await alice.quiet()).to.deep.equal([])
  })

  it('merges perUser data into that user\'s copy only', async () => {
    await fx.hub.broadcast({
      event: 'posted',
      data: { post },
      audience: { channelId: 'town' },
      perUser: { bob: { mentions: '["bob"]' } },
    })
    expect((await bob.next()).data).to.deep.equal({ post, mentions: '["bob"]' })
    expect((await alice.next()).data).to.deep.equal({ post })
  })

  it('keeps the order of broadcasts even when their membership lookups finish out of order', async () => {
    await fx.close()
    const delays: Record<string, number> = { slow: 60, fast: 0 }
    fx = await startHub({
      channelMemberIds: async (id) => {
        await new Promise((resolve) => setTimeout(resolve, delays[id]))
        return ['alice']
      },
    })
    alice = (await connectAs(fx, 'alice')).socket
    await Promise.all([
      fx.hub.broadcast({ event: 'posted', data: {}, audience: { channelId: 'slow' } }),
      fx.hub.broadcast({ event: 'post_edited', data: {}, audience: { channelId: 'fast' } }),
    ])
    expect([(await alice.next()).event, (await alice.next()).event]).to.deep.equal(['posted', 'post_edited'])
  })

  it('rejects a broadcast whose membership lookup fails and still delivers the next one', async () => {
    await fx.close()
    fx = await startHub({
      channelMemberIds: async (id) => {
        if (id === 'broken') throw new Error('database down')
        return ['alice']
      },
    })
    alice = (await connectAs(fx, 'alice')).socket
    const failed = fx.hub.broadcast({ event: 'posted', data: {}, audience: { channelId: 'broken' } })
    const next = fx.hub.broadcast({ event: 'post_edited', data: {}, audience: { channelId: 'ok' } })
    const error = await failed.then(() => null, (e: Error) => e)
    expect(error?.message).to.include('posted')
    await next
    expect(await alice.next()).to.include({ event: 'post_edited', seq: 1 })
  })

  it('cuts a client that stops reading once its unsent data passes the limit, keeping the events for its resume', async () => {
    const { socket: stalled, hello } = await connectAs(fx, 'dave')
    // @ts-expect-error private field of ws: the raw TCP socket, paused so the client reads nothing more
    ;(stalled.ws._socket as import('node:net').Socket).pause()
    const big = 'x'.repeat(1024 * 1024)
    let sent = 0
    while (fx.hub.connectionCount() === 4 && sent < 64) {
      await fx.hub.broadcast({ event: 'posted', data: { big }, audience: { userId: 'dave' } })
      sent++
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(fx.hub.connectionCount()).to.equal(3)
    const resumed = new TestSocket(`${fx.url}?connection_id=${hello.data.connection_id}&sequence_number=${sent - 3}`, {
      headers: { Authorization: `Bearer ${fx.login('dave')}` },
    })
    await resumed.opened()
    const frames = [await resumed.next(), await resumed.next(), await resumed.next(), await resumed.next()]
    expect(frames.map((f) => f.seq)).to.deep.equal([sent - 3, sent - 2, sent - 1, sent])
  })

  it('broadcasts the ws part of DomainEvents published on the bus', async () => {
    const bus = createMemoryBus({ log: createLogger({ level: 'silent' }) })
    bus.subscribe(fx.hub.subscriber())
    await bus.publish({
      type: 'post.created',
      payload: { postId: 'p1' },
      ws: { event: 'posted', data: { post }, audience: { channelId: 'town' } },
    })
    await bus.publish({ type: 'job.finished', payload: {} })
    expect(await alice.next()).to.include({ event: 'posted', seq: 1 })
    expect(await alice.quiet()).to.deep.equal([])
    await bus.close()
  })
})
