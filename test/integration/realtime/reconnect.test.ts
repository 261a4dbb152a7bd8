/** WebSocket hub: resuming a connection with connection_id + sequence_number, and when it falls back to a new hello. */
import { expect } from 'chai'
import { connectAs, startHub, TestSocket, until, type Frame, type HubFixture } from './hub-harness.ts'

describe('WebSocket hub: reconnecting', () => {
  let fx: HubFixture

  afterEach(() => fx.close())

  /** Connects alice, reads `events` events, disconnects, and waits until the hub has seen the close. */
  async function connectThenDrop(events: number): Promise<{ connectionId: string; nextSeq: number }> {
    const { socket, hello } = await connectAs(fx, 'alice')
    for (let i = 0; i < events; i++) await fx.hub.broadcast({ event: 'status_change', data: { i }, audience: { userId: 'alice' } })
    for (let i = 0; i < events; i++) await socket.next()
    await socket.close()
    await until(() => fx.hub.connectionCount() === 0)
    return { connectionId: hello.data.connection_id as string, nextSeq: events + 1 }
  }

  function reconnect(connectionId: string, sequenceNumber: number | string, token = fx.login('alice')): TestSocket {
    return new TestSocket(`${fx.url}?connection_id=${connectionId}&sequence_number=${sequenceNumber}`, {
      headers: { Authorization: `Bearer ${token}` },
    })
  }

  async function missWhileAway(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await fx.hub.broadcast({ event: 'posted', data: { n: i }, audience: { userId: 'alice' } })
  }

  describe('within the retention time', () => {
    beforeEach(async () => {
      fx = await startHub({ deadQueueSize: 8 })
    })

    it('replays events missed while disconnected when the client reconnects with its connection_id', async () => {
      const { connectionId, nextSeq } = await connectThenDrop(2)
      await missWhileAway(3)
      const socket = reconnect(connectionId, nextSeq)
      await socket.opened()
      const frames: Frame[] = [await socket.next(), await socket.next(), await socket.next()]
      expect(frames.map((f) => [f.event, f.seq, f.data.n])).to.deep.equal([
        ['posted', 3, 0],
        ['posted', 4, 1],
        ['posted', 5, 2],
      ])
      expect(await socket.quiet()).to.deep.equal([])
    })

    it('continues the same sequence for events after the replay', async () => {
      const { connectionId, nextSeq } = await connectThenDrop(1)
      await missWhileAway(1)
      const socket = reconnect(connectionId, nextSeq)
      await socket.opened()
      await socket.next()
      await fx.hub.broadcast({ event: 'typing', data: {}, audience: { userId: 'alice' } })
      expect(await socket.next()).to.include({ event: 'typing', seq: 3 })
    })

    it('re-sends events the client did not get before the drop, from its sequence_number on', async () => {
      const { connectionId } = await connectThenDrop(4)
      const socket = reconnect(connectionId, 3)
      await socket.opened()
      expect([(await socket.next()).seq, (await socket.next()).seq]).to.deep.equal([3, 4])
    })

    it('sends neither hello nor replay when the client already has every event', async () => {
      const { connectionId, nextSeq } = await connectThenDrop(2)
      const socket = reconnect(connectionId, nextSeq)
      await socket.opened()
      expect(await socket.quiet()).to.deep.equal([])
      await fx.hub.broadcast({ event: 'typing', data: {}, audience: { userId: 'alice' } })
      expect(await socket.next()).to.include({ event: 'typing', seq: 3 })
    })

    it('resumes after authentication_challenge too, replying OK and then replaying', async () => {
      const { connectionId, nextSeq } = await connectThenDrop(1)
      await missWhileAway(1)
      const socket = new TestSocket(`${fx.url}?connection_id=${connectionId}&sequence_number=${nextSeq}`)
      await socket.opened()
      socket.send({ seq: 1, action: 'authentication_challenge', data: { token: fx.login('alice') } })
      expect(await socket.next()).to.deep.equal({ status: 'OK', seq_reply: 1 })
      expect(await socket.next()).to.include({ event: 'posted', seq: 2 })
    })

    it('takes over a connection whose previous socket the server still thinks open', async () => {
      const { socket: old, hello } = await connectAs(fx, 'alice')
      const socket = reconnect(hello.data.connection_id, 1)
      await socket.opened()
      expect((await old.closed).code).to.equal(1006)
      await fx.hub.broadcast({ event: 'typing', data: {}, audience: { userId: 'alice' } })
      expect(await socket.next()).to.include({ event: 'typing', seq: 1 })
      expect(fx.hub.connectionCount()).to.equal(1)
      expect(fx.presence).to.deep.equal(['online:alice'])
    })

    it('sends a new connection id and hello seq 0 to a client reconnecting with an unknown connection_id', async () => {
      const socket = reconnect('ybndrfg8ejkmcpqxot1uwisza3', 7)
      await socket.opened()
      const hello = await socket.next()
      expect(hello).to.include({ event: 'hello', seq: 0 })
      expect(hello.data.connection_id).not.to.equal('ybndrfg8ejkmcpqxot1uwisza3')
    })

    it('replays when the missed events exactly fill the dead queue', async () => {
      const { connectionId, nextSeq } = await connectThenDrop(1)
      await missWhileAway(8)
      const socket = reconnect(connectionId, nextSeq)
      await socket.opened()
      const frames = await socket.quiet(150)
      expect(frames.map((f) => f.seq)).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9])
    })

    it('sends a new hello when the missed events no longer fit in the dead queue', async () => {
      const { connectionId, nextSeq } = await connectThenDrop(1)
      // deadQueueSize is 8: the ninth missed event pushes the first one out.
      await missWhileAway(9)
      const socket = reconnect(connectionId, nextSeq)
      await socket.opened()
      const hello = await socket.next()
      expect(hello).to.include({ event: 'hello', seq: 0 })
      expect(hello.data.connection_id).not.to.equal(connectionId)
      expect(await socket.quiet()).to.deep.equal([])
    })

    it('sends a new hello when the sequence_number is ahead of what was sent', async () => {
      const { connectionId } = await connectThenDrop(1)
      const socket = reconnect(connectionId, 50)
      await socket.opened()
      expect(await socket.next()).to.include({ event: 'hello', seq: 0 })
    })

    it('sends a new hello when the sequence_number is missing or not a number', async () => {
      const { connectionId } = await connectThenDrop(1)
      const socket = reconnect(connectionId, 'abc')
      await socket.opened()
      expect(await socket.next()).to.include({ event: 'hello', seq: 0 })
    })

    it('does not resume a connection id of another user', async () => {
      const { connectionId, nextSeq } = await connectThenDrop(1)
      await missWhileAway(1)
      const socket = reconnect(connectionId, nextSeq, fx.login('mallory'))
      await socket.opened()
      const hello = await socket.next()
      expect(hello).to.include({ event: 'hello', seq: 0 })
      expect(hello.broadcast.user_id).to.equal('mallory')
      expect(await socket.quiet()).to.deep.equal([])
    })

    it('queues channel events for a disconnected member, resolved at delivery time', async () => {
      fx.channels.set('town', ['alice'])
      const { connectionId, nextSeq } = await connectThenDrop(0)
      await fx.hub.broadcast({ event: 'posted', data: {}, audience: { channelId: 'town' } })
      const socket = reconnect(connectionId, nextSeq)
      await socket.opened()
      expect(await socket.next()).to.include({ event: 'posted', seq: 1 })
    })
  })

  describe('after the retention time', () => {
    it('forgets a closed connection and answers its resume with a new hello', async () => {
      fx = await startHub({ reconnectRetentionMs: 50 })
      const { connectionId, nextSeq } = await connectThenDrop(1)
      await new Promise((resolve) => setTimeout(resolve, 120))
      const socket = reconnect(connectionId, nextSeq)
      await socket.opened()
      const hello = await socket.next()
      expect(hello).to.include({ event: 'hello', seq: 0 })
      expect(hello.data.connection_id).not.to.equal(connectionId)
    })
  })
})
