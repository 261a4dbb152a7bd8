/** WebSocket hub: upgrade, authentication, hello and sequence numbers, keepalive. */
import { expect } from 'chai'
import { request, type IncomingHttpHeaders } from 'node:http'
import { connectAs, SERVER_VERSION, startHub, TestSocket, until, type HubFixture } from './hub-harness.ts'

describe('WebSocket hub: connecting', () => {
  let fx: HubFixture

  afterEach(() => fx.close())

  describe('authentication', () => {
    beforeEach(async () => {
      fx = await startHub({ authTimeoutMs: 200 })
    })

    it('sends hello with seq 0, a new connection id and the server version to a socket authenticated by a Bearer header', async () => {
      const { hello } = await connectAs(fx, 'alice')
      expect(hello).to.deep.equal({
        event: 'hello',
        data: { connection_id: hello.data.connection_id, server_version: SERVER_VERSION, server_hostname: 'test-node' },
        broadcast: { omit_users: null, user_id: 'alice', channel_id: '', team_id: '', connection_id: '', omit_connection_id: '' },
        seq: 0,
      })
      expect(hello.data.connection_id).to.match(/^[a-z0-9]{26}$/)
    })

    it('numbers the events after hello consecutively from 1', async () => {
      const { socket } = await connectAs(fx, 'alice')
      for (let i = 0; i < 3; i++) await fx.hub.broadcast({ event: 'status_change', data: { i }, audience: { userId: 'alice' } })
      const seqs = [await socket.next(), await socket.next(), await socket.next()].map((f) => f.seq)
      expect(seqs).to.deep.equal([1, 2, 3])
    })

    it('accepts the Authorization scheme in any case, as Client4 sends BEARER', async () => {
      const socket = new TestSocket(fx.url, { headers: { Authorization: `BEARER ${fx.login('alice')}` } })
      await socket.opened()
      expect((await socket.next()).event).to.equal('hello')
    })

    it('authenticates a socket by its MMAUTHTOKEN cookie', async () => {
      const socket = new TestSocket(fx.url, { headers: { Cookie: `MMUSERID=alice; MMAUTHTOKEN=${fx.login('alice')}` } })
      await socket.opened()
      const hello = await socket.next()
      expect(hello).to.include({ event: 'hello', seq: 0 })
      expect(hello.broadcast.user_id).to.equal('alice')
    })

    it('authenticates a socket by authentication_challenge, replying OK before hello', async () => {
      const socket = new TestSocket(fx.url)
      await socket.opened()
      socket.send({ seq: 1, action: 'authentication_challenge', data: { token: fx.login('bob') } })
      expect(await socket.next()).to.deep.equal({ status: 'OK', seq_reply: 1 })
      const hello = await socket.next()
      expect(hello).to.include({ event: 'hello', seq: 0 })
      expect(hello.broadcast.user_id).to.equal('bob')
    })

    it('answers an action sent right after the challenge once authentication is done, not with not_authenticated', async () => {
      const socket = new TestSocket(fx.url)
      await socket.opened()
      socket.send({ seq: 1, action: 'authentication_challenge', data: { token: fx.login('bob') } })
      socket.send({ seq: 2, action: 'ping' })
      const frames = [await socket.next(), await socket.next(), await socket.next()]
      expect(frames.map((f) => f.seq_reply ?? f.event)).to.deep.equal([1, 'hello', 2])
      expect(frames[2]).to.include({ status: 'OK' })
    })

    it('answers a challenge with an unknown token with FAIL and closes the socket', async () => {
      const socket = new TestSocket(fx.url)
      await socket.opened()
      socket.send({ seq: 1, action: 'authentication_challenge', data: { token: 'not-a-session' } })
      const reply = await socket.next()
      expect(reply).to.include({ status: 'FAIL', seq_reply: 1 })
      expect(reply.error.id).to.equal('api.context.session_expired.app_error')
      expect((await socket.closed).code).to.equal(1008)
    })

    it('answers a challenge without a token string with FAIL and closes the socket', async () => {
      const socket = new TestSocket(fx.url)
      await socket.opened()
      socket.send({ seq: 1, action: 'authentication_challenge', data: { token: 42 } })
      expect((await socket.next()).error.id).to.equal('api.websocket_handler.invalid_param.app_error')
      expect((await socket.closed).code).to.equal(1008)
    })

    it('refuses the upgrade with 401 and an AppError body when the Authorization header carries an unknown token', async () => {
      const response = await rawUpgrade(fx.url, { Authorization: 'Bearer nope' })
      expect(response.status).to.equal(401)
      expect(response.headers['content-type']).to.equal('application/json')
      const body = JSON.parse(response.body) as Record<string, unknown>
      expect(body).to.include({ id: 'api.context.session_expired.app_error', status_code: 401 })
    })

    it('answers actions of an unauthenticated socket with not_authenticated', async () => {
      const socket = new TestSocket(fx.url)
      await socket.opened()
      socket.send({ seq: 1, action: 'ping' })
      const reply = await socket.next()
      expect(reply).to.include({ status: 'FAIL', seq_reply: 1 })
      expect(reply.error).to.deep.equal({
        id: 'api.web_socket_router.not_authenticated.app_error',
        message: 'WebSocket connection is not authenticated. Please log in and try again.',
        detailed_error: '',
        status_code: 401,
      })
    })

    it('closes a socket that has not authenticated within authTimeoutMs', async () => {
      const socket = new TestSocket(fx.url)
      await socket.opened()
      const started = Date.now()
      const { code } = await socket.closed
      expect(code).to.equal(1008)
      expect(Date.now() - started).to.be.within(150, 1000)
    })

    it('keeps an authenticated socket open past authTimeoutMs', async () => {
      const { socket } = await connectAs(fx, 'alice')
      await socket.quiet(350)
      expect(socket.ws.readyState).to.equal(socket.ws.OPEN)
    })

    it('refuses an upgrade whose Origin names another host', async () => {
      const socket = new TestSocket(fx.url, { headers: { Authorization: `Bearer ${fx.login('alice')}` }, origin: 'https://evil.example' })
      const error = await socket.opened().then(() => null, (e: Error) => e)
      expect(error?.message).to.equal('upgrade refused with 400')
    })

    it('leaves upgrades of other paths to other listeners and answers 404 when there are none', async () => {
      const socket = new TestSocket(fx.url.replace('/api/v4/websocket', '/api/v4/elsewhere'))
      const error = await socket.opened().then(() => null, (e: Error) => e)
      expect(error?.message).to.equal('upgrade refused with 404')
    })
  })

  describe('keepalive', () => {
    it('answers the ping action with pong, the server version and the server time', async () => {
      fx = await startHub()
      const { socket } = await connectAs(fx, 'alice')
      const before = Date.now()
      socket.send({ seq: 5, action: 'ping' })
      const reply = await socket.next()
      expect(reply).to.deep.equal({
        status: 'OK',
        seq_reply: 5,
        data: { text: 'pong', version: SERVER_VERSION, server_time: reply.data.server_time, node_id: '' },
      })
      expect(reply.data.server_time).to.be.within(before, Date.now())
      expect(reply).not.to.have.property('seq')
    })

    it('sends ping frames and keeps a socket that answers them', async () => {
      fx = await startHub({ pingIntervalMs: 30 })
      const { socket } = await connectAs(fx, 'alice')
      let pings = 0
      socket.ws.on('ping', () => pings++)
      await socket.quiet(200)
      expect(pings).to.be.greaterThan(2)
      expect(socket.ws.readyState).to.equal(socket.ws.OPEN)
    })

    it('drops a socket that stops answering ping frames', async () => {
      fx = await startHub({ pingIntervalMs: 30 })
      const socket = new TestSocket(fx.url, { headers: { Authorization: `Bearer ${fx.login('alice')}` }, autoPong: false })
      await socket.opened()
      const { code } = await socket.closed
      expect(code).to.equal(1006)
      await until(() => fx.hub.connectionCount() === 0)
    })
  })

  describe('presence', () => {
    beforeEach(async () => {
      fx = await startHub()
    })

    it('reports a user online from the first connection until the last one closes', async () => {
      const first = await connectAs(fx, 'alice')
      const second = await connectAs(fx, 'alice')
      expect(fx.hub.isUserOnline('alice')).to.equal(true)
      await first.socket.close()
      await until(() => fx.hub.connectionCount() === 1)
      expect(fx.hub.isUserOnline('alice')).to.equal(true)
      await second.socket.close()
      await until(() => !fx.hub.isUserOnline('alice'))
      expect(fx.presence).to.deep.equal(['online:alice', 'offline:alice'])
    })

    it('counts open authenticated sockets only', async () => {
      await connectAs(fx, 'alice')
      await connectAs(fx, 'bob')
      const anonymous = new TestSocket(fx.url)
      await anonymous.opened()
      expect(fx.hub.connectionCount()).to.equal(2)
    })
  })

  describe('shutdown', () => {
    it('closes every socket with code 1001 and refuses new upgrades', async () => {
      fx = await startHub()
      const { socket } = await connectAs(fx, 'alice')
      const anonymous = new TestSocket(fx.url)
      await anonymous.opened()
      await fx.hub.close()
      expect((await socket.closed).code).to.equal(1001)
      expect((await anonymous.closed).code).to.equal(1001)
      expect(fx.hub.connectionCount()).to.equal(0)
      expect(fx.hub.isUserOnline('alice')).to.equal(false)
    })

    it('closes the sessions of disconnectSession and forgets their state', async () => {
      fx = await startHub()
      const alice = await connectAs(fx, 'alice')
      const token = fx.login('alice', 'other-session')
      const other = new TestSocket(fx.url, { headers: { Authorization: `Bearer ${token}` } })
      await other.opened()
      await other.next()
      const sessionId = fx.sessions.get([...fx.sessions.keys()][0]!)!.sessionId
      fx.hub.disconnectSession(sessionId)
      expect((await alice.socket.closed).code).to.equal(1008)
      expect(other.ws.readyState).to.equal(other.ws.OPEN)
      const again = new TestSocket(`${fx.url}?connection_id=${alice.hello.data.connection_id}&sequence_number=1`, {
        headers: { Authorization: `Bearer ${token}` },
      })
      await again.opened()
      expect((await again.next()).data.connection_id).not.to.equal(alice.hello.data.connection_id)
    })
  })
})

/** Sends a WebSocket upgrade request by hand, to read a refusal's status, headers and body. */
function rawUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace('ws:', 'http:'), {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (chunk) => (body += String(chunk)))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('upgrade', () => reject(new Error('the upgrade was accepted')))
    req.on('error', reject)
    req.end()
  })
}
