/**
 * Zoom connections end to end against a local double of Zoom's OAuth and REST APIs: server-to-server OAuth with Basic
 * client credentials, a cached bearer token renewed before expiry and after a 401, `zoom.meeting.create@v1` posting the
 * join link as the Zoom bot, and `/zoom start [topic]` with its errors. Zoom connections are outbound only.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeChannel, makeTeamWithMembers, uniqueName, type TeamWorld } from '../../helpers/factories.ts'
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../../helpers/http-receiver.ts'
import { api, channelPosts, createConnection, deliver, rejection, sessionOf } from './support.ts'

const ACCOUNT_ID = 'lAAAAAAAAAAAAAAAAAA'
const CLIENT_ID = 'Xy9zClientId'
const CLIENT_SECRET = 'sEcReT-0123456789'
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`
const JOIN_URL = 'https://us05web.zoom.us/j/81234567890?pwd=abc123'

/** Zoom's documented create-meeting answer (201), trimmed to what a meeting always carries. */
const meetingAnswer = (req: ReceivedRequest) => ({
  status: 201,
  body: { id: 81234567890, uuid: 'aDYlohsHRtCd4ii1uC2+hA==', host_id: 'KDcuGIm1QgePTO8WbOqwIQ', topic: JSON.parse(req.body).topic, type: 2, join_url: JOIN_URL, start_url: 'https://us05web.zoom.us/s/81234567890?zak=host-only', password: 'abc123' },
})

forEachBackend((backend) => {
  const ctx = useTestServer(backend, { allowedUntrustedInternalConnections: '127.0.0.1' })
  let world: TeamWorld
  let zoom: HttpReceiver
  let tokenCount = 0

  before(async () => {
    zoom = await startHttpReceiver()
    world = await makeTeamWithMembers(ctx.server, 1)
  })
  after(async () => zoom?.close())
  beforeEach(() => {
    zoom.answer('/oauth/token', () => ({ body: { access_token: `token-${++tokenCount}`, token_type: 'bearer', expires_in: 3599, scope: 'meeting:write:meeting:admin' } }))
    zoom.answer('/v2/users/me/meetings', meetingAnswer)
  })

  async function setUp(credentials: Record<string, string> = { account_id: ACCOUNT_ID, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }): Promise<{ channel: Channel; connection: any }> {
    const channel = await makeChannel(world.owner.client, world.team.id)
    const connection = await createConnection(ctx.server, world.owner.token, 'zoom', {
      name: uniqueName('zoom'), team_id: world.team.id, channel_id: channel.id, credentials, settings: { api_url: zoom.url, oauth_url: zoom.url },
    })
    return { channel, connection }
  }

  const since = (from: number, path: string) => zoom.received.slice(from).filter((r) => new URL(r.url, 'http://x').pathname === path)
  const run = async (channel: Channel, command: string) =>
    (await world.owner.client.executeCommand(command, { channel_id: channel.id, team_id: world.team.id } as never)) as { text?: string }

  describe('Zoom connections', () => {
    it('have no webhook URL, return no generated secret, and their webhook path answers 404', async () => {
      const { connection } = await setUp()
      expect(connection.webhook_url).to.equal('')
      expect(connection).not.to.have.property('webhook_secret')
      expect(connection.credential_names).to.deep.equal(['account_id', 'client_id', 'client_secret'])
      expect(connection.settings).to.deep.equal({ api_url: zoom.url, oauth_url: zoom.url })
      const answer = await deliver(ctx.server, { webhook_url: `${ctx.server.url}/integrations/zoom/${connection.id}/webhook` }, {}, '{"event":"meeting.ended"}')
      expect(answer.status).to.equal(404)
      expect(answer.json.message).to.equal('Zoom connections receive no webhooks.')
    })

    it('never return the client secret', async () => {
      const { connection } = await setUp()
      const answer = await api(ctx.server, world.owner.token, 'GET', `/api/v4/integrations/zoom/connections/${connection.id}`)
      expect(answer.text).not.to.contain(CLIENT_SECRET)
    })
  })

  describe('zoom.meeting.create@v1', () => {
    it('gets a token with Basic client credentials, creates the meeting with it, and posts the join link as the Zoom bot', async () => {
      const { channel, connection } = await setUp()
      const from = zoom.received.length
      const result = await ctx.server.actions.invoke('zoom.meeting.create@v1', { connection: connection.name, topic: 'SEV1 bridge: checkout down', channel_id: channel.id }, { session: sessionOf(world.owner) })

      const [token] = since(from, '/oauth/token')
      expect(token!.method).to.equal('POST')
      expect(token!.url).to.equal(`/oauth/token?grant_type=account_credentials&account_id=${ACCOUNT_ID}`)
      expect(token!.headers.authorization).to.equal(BASIC)
      expect(token!.body).to.equal('')

      const [create] = since(from, '/v2/users/me/meetings')
      expect(create!.method).to.equal('POST')
      expect(create!.headers.authorization).to.equal(`Bearer token-${tokenCount}`)
      expect(create!.headers['content-type']).to.equal('application/json')
      const body = JSON.parse(create!.body)
      expect(body).to.include({ topic: 'SEV1 bridge: checkout down', type: 2 })
      expect(body.start_time).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
      expect(Math.abs(Date.parse(body.start_time) - Date.now())).to.be.below(60_000)

      expect(result.outputs).to.include({ meetingId: '81234567890', joinUrl: JOIN_URL })
      const [post] = await channelPosts(world.owner.client, channel.id)
      expect(post!.id).to.equal(result.outputs.postId)
      expect(post!.message).to.equal([
        ':video_camera: **Zoom meeting started: SEV1 bridge: checkout down**',
        `Join: [${JOIN_URL}](${JOIN_URL})`,
        'Meeting ID: 812 3456 7890 · Passcode: abc123',
      ].join('\n'))
      expect(post!.message).not.to.contain('zak=')
      expect(post!.props).to.include({ from_bot: 'true', meeting_id: '81234567890', meeting_link: JOIN_URL, meeting_status: 'STARTED', meeting_topic: 'SEV1 bridge: checkout down', meeting_provider: 'Zoom' })
      const [bot] = await ctx.server.sql<{ username: string; is_bot: boolean }>('SELECT username, is_bot FROM users WHERE id = $1', [post!.user_id])
      expect(bot).to.deep.equal({ username: 'zoom', is_bot: true })
    })

    it('reuses the token for the next meeting of the connection', async () => {
      const { connection } = await setUp()
      const from = zoom.received.length
      await ctx.server.actions.invoke('zoom.meeting.create@v1', { connection: connection.id, topic: 'one' }, { session: sessionOf(world.owner) })
      await ctx.server.actions.invoke('zoom.meeting.create@v1', { connection: connection.id, topic: 'two' }, { session: sessionOf(world.owner) })
      expect(since(from, '/oauth/token')).to.have.length(1)
      const creates = since(from, '/v2/users/me/meetings')
      expect(creates.map((r) => r.headers.authorization)).to.deep.equal([`Bearer token-${tokenCount}`, `Bearer token-${tokenCount}`])
    })

    it('gets a new token when the cached one is within a minute of expiring', async () => {
      zoom.answer('/oauth/token', () => ({ body: { access_token: `token-${++tokenCount}`, token_type: 'bearer', expires_in: 60 } }))
      const { connection } = await setUp()
      const from = zoom.received.length
      await ctx.server.actions.invoke('zoom.meeting.create@v1', { connection: connection.id, topic: 'one' }, { session: sessionOf(world.owner) })
      await ctx.server.actions.invoke('zoom.meeting.create@v1', { connection: connection.id, topic: 'two' }, { session: sessionOf(world.owner) })
      expect(since(from, '/oauth/token')).to.have.length(2)
    })

    it('gets a new token and tries once more when Zoom answers 401 to a cached one', async () => {
      const { connection } = await setUp()
      await ctx.server.actions.invoke('zoom.meeting.create@v1', { connection: connection.id, topic: 'warm' }, { session: sessionOf(world.owner) })
      const revoked = `Bearer token-${tokenCount}`
      zoom.answer('/v2/users/me/meetings', (req) => (req.headers.authorization === revoked ? { status: 401, body: { code: 124, message: 'Invalid access token.' } } : meetingAnswer(req)))
      const from = zoom.received.length
      const result = await ctx.server.actions.invoke('zoom.meeting.create@v1', { connection: connection.id, topic: 'after revoke' }, { session: sessionOf(world.owner) })
      expect(result.outputs.meetingId).to.equal('81234567890')
      expect(since(from, '/oauth/token')).to.have.length(1)
      expect(since(from, '/v2/users/me/meetings').map((r) => r.headers.authorization)).to.deep.equal([revoked, `Bearer token-${tokenCount}`])
    })

    it('refuses a channel of another team before calling Zoom', async () => {
      const { connection } = await setUp()
      const other = await makeTeamWithMembers(ctx.server, 0)
      const elsewhere = await makeChannel(other.owner.client, other.team.id)
      const from = zoom.received.length
      const err = await rejection(ctx.server.actions.invoke('zoom.meeting.create@v1', { connection: connection.id, topic: 'x', channel_id: elsewhere.id }, { session: sessionOf(world.owner) }))
      expect(err.message).to.contain("is not an open channel of the connection's team")
      expect(zoom.received.length).to.equal(from)
    })

    it('names a missing credential without calling Zoom', async () => {
      const { connection } = await setUp({ account_id: ACCOUNT_ID, client_id: CLIENT_ID })
      const err = await rejection(ctx.server.actions.invoke('zoom.meeting.create@v1', { connection: connection.id, topic: 'x' }, { session: sessionOf(world.owner) }))
      expect(err).to.include({ retryable: false })
      expect(err.message).to.equal(`the zoom connection "${connection.name}" has no client_secret credential`)
    })
  })

  describe('/zoom start', () => {
    it('starts a meeting with the topic given and the Zoom bot posts the join link in the channel', async () => {
      const { channel } = await setUp()
      const answer = await run(channel, '/zoom start Checkout incident bridge')
      expect(answer.text ?? '').to.equal('')
      const posts = await channelPosts(world.owner.client, channel.id)
      expect(posts.map((p) => p.message.split('\n')[0])).to.deep.equal([':video_camera: **Zoom meeting started: Checkout incident bridge**'])
      expect(posts[0]!.message).to.contain(JOIN_URL)
    })

    it('names the meeting "Zoom Meeting" without a topic', async () => {
      const { channel } = await setUp()
      await run(channel, '/zoom start')
      const [post] = await channelPosts(world.owner.client, channel.id)
      expect(post!.props).to.include({ meeting_topic: 'Zoom Meeting' })
    })

    it('tells the user when the team has no Zoom connection', async () => {
      const lonely = await makeTeamWithMembers(ctx.server, 0)
      const channel = await makeChannel(lonely.owner.client, lonely.team.id)
      const answer = (await lonely.owner.client.executeCommand('/zoom start', { channel_id: channel.id, team_id: lonely.team.id } as never)) as { text?: string }
      expect(answer.text).to.equal('This team has no Zoom connection yet: a team admin creates one (POST /api/v4/integrations/zoom/connections).')
    })

    it('says Zoom refused the credentials when the token request answers 401, and posts nothing', async () => {
      const { channel } = await setUp()
      zoom.answer('/oauth/token', { status: 401, body: { reason: 'Invalid client_id or client_secret', error: 'invalid_client' } })
      const answer = await run(channel, '/zoom start x')
      expect(answer.text).to.match(/^Zoom refused the connection's credentials \(401\): a team admin should check its account_id, client_id and client_secret/)
      expect(answer.text).to.contain('invalid_client')
      expect(answer.text).not.to.contain(CLIENT_SECRET)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(0)
    })

    it('says when Zoom is rate limiting, with its Retry-After', async () => {
      const { channel } = await setUp()
      zoom.answer('/v2/users/me/meetings', { status: 429, headers: { 'retry-after': '30' }, body: { code: 429, message: "You have reached the maximum per-second rate limit for this API. Try again later." } })
      const answer = await run(channel, '/zoom start x')
      expect(answer.text).to.equal('Zoom is limiting requests from this account (429); try again in 30 s.')
    })

    it('says when Zoom fails with a 5xx', async () => {
      const { channel } = await setUp()
      zoom.answer('/v2/users/me/meetings', { status: 503, body: { code: 503, message: 'Service unavailable' } })
      const answer = await run(channel, '/zoom start x')
      expect(answer.text).to.match(/^Zoom is not answering properly \(503\); try again shortly\./)
    })

    it('explains its usage for anything but start', async () => {
      const { channel } = await setUp()
      expect((await run(channel, '/zoom stop')).text).to.equal('Usage: `/zoom start [topic]` starts a Zoom meeting and posts its join link in this channel.')
    })
  })
})
