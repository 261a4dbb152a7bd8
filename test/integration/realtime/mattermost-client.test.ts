/** WebSocket hub with the official `@mattermost/client` WebSocketClient, unchanged, as a Node client. */
import { expect } from 'chai'
import mm from '@mattermost/client'
import { WebSocket as WsWebSocket } from 'ws'
import { startHub, until, type HubFixture } from './hub-harness.ts'

const { WebSocketClient } = mm
type Client = InstanceType<typeof WebSocketClient>
type Message = { event: string; seq: number; data: Record<string, any> }

// The client reads `WebSocket.OPEN` and builds `CloseEvent`s from globals that Node 20 lacks.
class CloseEventShim {
  readonly type: string
  readonly code: number
  constructor(type: string, init: { code?: number } = {}) {
    this.type = type
    this.code = init.code ?? 0
  }
}

describe('WebSocket hub with @mattermost/client WebSocketClient', () => {
  let fx: HubFixture
  let client: Client
  let messages: Message[]
  let missed: number
  let reconnects: number
  const saved = { WebSocket: globalThis.WebSocket, CloseEvent: (globalThis as any).CloseEvent, log: console.log }

  before(() => {
    ;(globalThis as any).WebSocket ??= WsWebSocket
    ;(globalThis as any).CloseEvent ??= CloseEventShim
    // The client logs every connect and reconnect.
    console.log = () => undefined
  })

  after(() => {
    ;(globalThis as any).WebSocket = saved.WebSocket
    ;(globalThis as any).CloseEvent = saved.CloseEvent
    console.log = saved.log
  })

  beforeEach(async () => {
    fx = await startHub()
    messages = []
    missed = 0
    reconnects = 0
    client = new WebSocketClient({
      newWebSocketFn: (url: string) => new WsWebSocket(url) as unknown as WebSocket,
      minWebSocketRetryTime: 300,
      reconnectJitterRange: 0,
      clientPingInterval: 60_000,
    })
    client.addMessageListener((msg) => void messages.push(msg as unknown as Message))
    client.addMissedMessageListener(() => void missed++)
    client.addReconnectListener(() => void reconnects++)
    client.initialize(fx.url, fx.login('alice'))
    await until(() => messages.length === 1)
  })

  afterEach(async () => {
    client.close()
    await fx.close()
  })

  function drop(): void {
    ;(client as unknown as { conn: WsWebSocket }).conn.close()
  }

  it('receives hello with seq 0 after authenticating with its token', () => {
    expect(messages[0]).to.include({ event: 'hello', seq: 0 })
    expect(fx.hub.isUserOnline('alice')).to.equal(true)
  })

  it('receives events with consecutive seq and stays connected', async () => {
    fx.channels.set('town', ['alice'])
    for (let i = 0; i < 3; i++) await fx.hub.broadcast({ event: 'posted', data: { i }, audience: { channelId: 'town' } })
    await until(() => messages.length === 4)
    expect(messages.map((m) => [m.event, m.seq])).to.deep.equal([['hello', 0], ['posted', 1], ['posted', 2], ['posted', 3]])
    expect(fx.hub.connectionCount()).to.equal(1)
  })

  it('gets the pong reply to its ping', async () => {
    const reply = await new Promise<Record<string, any>>((resolve) => client.ping(resolve))
    expect(reply).to.include({ status: 'OK' })
    expect(reply.data.text).to.equal('pong')
  })

  it('gets an OK reply to userTyping, which reaches handleAction', async () => {
    // Typed `() => void` in the library, though it is called with the reply.
    const reply = await new Promise<Record<string, any>>((resolve) => client.userTyping('town', '', resolve as () => void))
    expect(reply.status).to.equal('OK')
    expect(fx.actions.map((a) => [a.action, a.data])).to.deep.equal([['user_typing', { channel_id: 'town', parent_id: '' }]])
  })

  it('gets statuses through getStatuses', async () => {
    const reply = await new Promise<Record<string, any>>((resolve) => client.getStatuses(resolve as () => void))
    expect(reply.data).to.deep.equal({ alice: 'online' })
  })

  it('reconnects after a drop and receives the events it missed, without a resync', async () => {
    drop()
    await until(() => fx.hub.connectionCount() === 0)
    await fx.hub.broadcast({ event: 'posted', data: { n: 1 }, audience: { userId: 'alice' } })
    await fx.hub.broadcast({ event: 'posted', data: { n: 2 }, audience: { userId: 'alice' } })
    await until(() => messages.length === 3)
    expect(messages.map((m) => [m.event, m.seq])).to.deep.equal([['hello', 0], ['posted', 1], ['posted', 2]])
    expect(reconnects).to.equal(1)
    expect(missed).to.equal(0)
  })

  it('resyncs with a new hello when the server no longer has its connection', async () => {
    const firstId = messages[0]!.data.connection_id as string
    const sessionId = [...fx.sessions.values()][0]!.sessionId
    fx.hub.disconnectSession(sessionId)
    await until(() => messages.length === 2, 3000)
    expect(messages[1]).to.include({ event: 'hello', seq: 0 })
    expect(messages[1]!.data.connection_id).not.to.equal(firstId)
    expect(missed).to.equal(1)
  })
})
