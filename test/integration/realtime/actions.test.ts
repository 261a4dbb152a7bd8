/** WebSocket hub: client actions, their replies, and frames that are wrong or hostile. */
import { expect } from 'chai'
import { AppError } from '../../../core/errors.ts'
import { connectAs, startHub, TestSocket, type HubFixture } from './hub-harness.ts'

describe('WebSocket hub: client actions', () => {
  let fx: HubFixture
  let socket: TestSocket
  let connectionId: string

  beforeEach(async () => {
    fx = await startHub({
      maxPayloadBytes: 1024,
      handleAction: async (action, data, ctx) => {
        fx.actions.push({ action, data, ...ctx })
        if (action === 'get_statuses_by_ids') throw new AppError('api.websocket_handler.invalid_param.app_error', 'Invalid user_ids parameter.', 400)
        if (action === 'user_update_active_status') throw new Error('store unavailable')
        return action === 'get_statuses' ? { alice: 'online' } : undefined
      },
    })
    const connected = await connectAs(fx, 'alice')
    socket = connected.socket
    connectionId = connected.hello.data.connection_id as string
  })

  afterEach(() => fx.close())

  async function pingWorks(): Promise<void> {
    socket.send({ seq: 99, action: 'ping' })
    expect(await socket.next()).to.include({ status: 'OK', seq_reply: 99 })
  }

  it('forwards user_typing to handleAction with the user and connection ids and replies OK', async () => {
    socket.send({ seq: 1, action: 'user_typing', data: { channel_id: 'town', parent_id: '' } })
    expect(await socket.next()).to.deep.equal({ status: 'OK', seq_reply: 1 })
    expect(fx.actions).to.deep.equal([
      { action: 'user_typing', data: { channel_id: 'town', parent_id: '' }, userId: 'alice', connectionId },
    ])
  })

  it('replies with the data returned by the action handler', async () => {
    socket.send({ seq: 2, action: 'get_statuses' })
    expect(await socket.next()).to.deep.equal({ status: 'OK', seq_reply: 2, data: { alice: 'online' } })
  })

  it('replies FAIL with the AppError thrown by the action handler, without its detail', async () => {
    socket.send({ seq: 3, action: 'get_statuses_by_ids', data: { user_ids: 'nope' } })
    expect(await socket.next()).to.deep.equal({
      status: 'FAIL',
      seq_reply: 3,
      error: { id: 'api.websocket_handler.invalid_param.app_error', message: 'Invalid user_ids parameter.', detailed_error: '', status_code: 400 },
    })
  })

  it('replies FAIL with a 500 when the action handler fails unexpectedly', async () => {
    socket.send({ seq: 4, action: 'user_update_active_status', data: { user_is_active: true, manual: false } })
    const reply = await socket.next()
    expect(reply).to.include({ status: 'FAIL', seq_reply: 4 })
    expect(reply.error.status_code).to.equal(500)
  })

  it('acknowledges presence and posted_notify_ack without calling the action handler', async () => {
    socket.send({ seq: 5, action: 'presence', data: { channel_id: 'town' } })
    socket.send({ seq: 6, action: 'posted_notify_ack', data: { post_id: 'p1' } })
    expect([await socket.next(), await socket.next()]).to.deep.equal([
      { status: 'OK', seq_reply: 5 },
      { status: 'OK', seq_reply: 6 },
    ])
    expect(fx.actions).to.deep.equal([])
  })

  it('replies bad_action to an unknown action', async () => {
    socket.send({ seq: 7, action: 'launch_rockets' })
    const reply = await socket.next()
    expect(reply).to.include({ status: 'FAIL', seq_reply: 7 })
    expect(reply.error).to.include({ id: 'api.web_socket_router.bad_action.app_error', status_code: 500 })
    expect(fx.actions).to.deep.equal([])
  })

  it('ignores custom_ actions, which Mattermost hands to plugins only', async () => {
    socket.send({ seq: 8, action: 'custom_com.example_thing' })
    expect(await socket.quiet()).to.deep.equal([])
  })

  it('replies bad_seq without seq_reply to a frame whose seq is not a positive integer', async () => {
    for (const seq of [0, -1, 1.5, '3', null]) socket.send({ seq, action: 'ping' })
    socket.send({ action: 'ping' })
    const replies = await socket.quiet(150)
    expect(replies).to.have.length(6)
    for (const reply of replies) {
      expect(reply).not.to.have.property('seq_reply')
      expect(reply.error.id).to.equal('api.web_socket_router.bad_seq.app_error')
    }
  })

  it('replies no_action, with seq_reply, to a frame without an action', async () => {
    socket.send({ seq: 9, data: {} })
    const reply = await socket.next()
    expect(reply).to.include({ status: 'FAIL', seq_reply: 9 })
    expect(reply.error.id).to.equal('api.web_socket_router.no_action.app_error')
  })

  it('replies no_action to a frame that is not JSON and keeps the connection usable', async () => {
    socket.send('{"seq": 1, "action": "ping"')
    expect((await socket.next()).error.id).to.equal('api.web_socket_router.no_action.app_error')
    await pingWorks()
  })

  it('replies no_action to JSON that is not an object and keeps the connection usable', async () => {
    for (const frame of ['[]', 'null', '42', '"ping"']) socket.send(frame)
    const replies = await socket.quiet(150)
    expect(replies.map((r) => r.error.id)).to.deep.equal(Array(4).fill('api.web_socket_router.no_action.app_error'))
    await pingWorks()
  })

  it('answers binary frames like text ones', async () => {
    socket.ws.send(Buffer.from(JSON.stringify({ seq: 10, action: 'ping' })), { binary: true })
    expect(await socket.next()).to.include({ status: 'OK', seq_reply: 10 })
  })

  it('survives garbage: invalid UTF-8, deep nesting, odd types, a flood of bad frames', async () => {
    socket.ws.send(Buffer.from([0xff, 0xfe, 0x00, 0x7b]), { binary: true })
    socket.send('['.repeat(500) + ']'.repeat(500))
    socket.send({ seq: 11, action: { nested: true }, data: 'x' })
    socket.send({ seq: 12, action: 'user_typing', data: ['not', 'an', 'object'] })
    socket.send({ seq: 13, action: 'ping', __proto__: { polluted: true } })
    for (let i = 0; i < 200; i++) socket.send('garbage')
    await socket.quiet(200)
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined)
    await pingWorks()
  })

  it('closes only the sender of a frame over maxPayload, with 1009, and keeps serving others', async () => {
    const other = (await connectAs(fx, 'bob')).socket
    socket.send(JSON.stringify({ seq: 14, action: 'ping', data: { pad: 'x'.repeat(2000) } }))
    expect((await socket.closed).code).to.equal(1009)
    other.send({ seq: 1, action: 'ping' })
    expect(await other.next()).to.include({ status: 'OK', seq_reply: 1 })
  })

  it('closes only the sender of a text frame that is not UTF-8, with 1007', async () => {
    const other = (await connectAs(fx, 'bob')).socket
    // @ts-expect-error private field of ws: the raw TCP socket, to write a frame ws itself would refuse to send
    const tcp = other.ws._socket as import('node:net').Socket
    // A masked text frame (FIN, opcode 1) of two bytes that are not UTF-8.
    tcp.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xff, 0xfe]))
    expect((await other.closed).code).to.equal(1007)
    await pingWorks()
  })

  it('survives a client that drops its TCP connection mid-frame', async () => {
    const rude = new TestSocket(fx.url)
    await rude.opened()
    // @ts-expect-error private field of ws: the raw TCP socket
    const tcp = rude.ws._socket as import('node:net').Socket
    tcp.write(Buffer.from([0x81, 0xfe, 0x10, 0x00, 0x01]))
    tcp.destroy()
    await rude.closed
    await pingWorks()
  })
})
