/**
 * PagerDuty end to end over real HTTP: signed Webhooks v3 deliveries post in the connection's channel and reach the
 * bus; REST API v2 and Events API v2 actions hit a PagerDuty double that checks the documented wire format;
 * `/pagerduty ack|resolve|note` acts on the channel's incident.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import { ActionError } from '../../../core/actions/index.ts'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { getAdmin, makeChannel, makeTeamWithMembers, uniqueName, type TeamWorld } from '../../helpers/factories.ts'
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.ts'
import { api, channelPosts, createConnection, deliver, eventually, fixture, hmacHex, recordIntegrationEvents, settled, rejection, sessionOf } from './support.ts'

const SECRET = 'bridgehead-pd-test-secret'
const API_TOKEN = 'y_NbAkKc66ryYTWUXYEu'
const FROM = 'oncall@example.com'
const ROUTING_KEY = 'R0123456789ABCDEF0123456789ABCDE'


function signedHeaders(raw: Buffer, webhookId = uniqueName('wh')): Record<string, string> {
  return { 'x-pagerduty-signature': `v1=${hmacHex(SECRET, raw)}`, 'x-webhook-id': webhookId }
}


const TRIGGERED_TEXT = ':rotating_light: **Incident triggered** by API Service: [#2 A little bump in the road](https://acme.pagerduty.com/incidents/PGR0VU2)\nService: API Service · Urgency: high · Assigned to: User 123'

forEachBackend((backend) => {
  const ctx = useTestServer(backend, { allowedUntrustedInternalConnections: '127.0.0.1' })
  let world: TeamWorld
  let pd: HttpReceiver

  before(async () => {
    pd = await startHttpReceiver()
    world = await makeTeamWithMembers(ctx.server, 1)
  })
  after(async () => pd?.close())

  async function setUp(): Promise<{ channel: Channel; connection: any }> {
    const channel = await makeChannel(world.owner.client, world.team.id)
    const connection = await createConnection(ctx.server, world.owner.token, 'pagerduty', {
      name: uniqueName('pd'), team_id: world.team.id, channel_id: channel.id, webhook_secret: SECRET,
      credentials: { api_token: API_TOKEN, from_email: FROM, routing_key: ROUTING_KEY }, settings: { api_url: pd.url, events_url: pd.url },
    })
    return { channel, connection }
  }

  describe('PagerDuty connection: webhooks in', () => {
    it('rejects a delivery without a signature with 401 and posts nothing', async () => {
      const { channel, connection } = await setUp()
      const raw = fixture('pagerduty', 'incident.triggered.json')
      const answer = await deliver(ctx.server, connection, { 'x-webhook-id': uniqueName('wh') }, raw)
      expect(answer.status).to.equal(401)
      expect(answer.json).to.include({ id: 'api.integrations.webhook.signature.app_error', status_code: 401 })
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(0)
    })

    it('rejects a delivery with a bad signature with 401 and posts nothing', async () => {
      const { channel, connection } = await setUp()
      const raw = fixture('pagerduty', 'incident.triggered.json')
      const answer = await deliver(ctx.server, connection, { 'x-pagerduty-signature': `v1=${hmacHex('wrong-secret', raw)}`, 'x-webhook-id': uniqueName('wh') }, raw)
      expect(answer.status).to.equal(401)
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(0)
    })

    it('posts a triggered incident in the default channel as the PagerDuty bot and publishes integration.event', async () => {
      const { channel, connection } = await setUp()
      const recorder = recordIntegrationEvents(ctx.server)
      try {
        const raw = fixture('pagerduty', 'incident.triggered.json')
        const answer = await deliver(ctx.server, connection, signedHeaders(raw, 'wh-trigger-1'), raw)
        expect(answer.status).to.equal(200)
        expect(answer.json).to.deep.equal({ status: 'OK', result: 'queued' })
        const [post] = await eventually('the incident post', async () => {
          const posts = await channelPosts(world.owner.client, channel.id)
          return posts.length > 0 ? posts : undefined
        })
        expect(post!.message).to.equal(TRIGGERED_TEXT)
        expect(post!.props).to.include({ from_bot: 'true' })
        const bot = await (await getAdmin(ctx.server)).client.getUser(post!.user_id)
        expect(bot).to.include({ username: 'pagerduty', is_bot: true })
        const event = await eventually('the bus event', async () => recorder.events.find((e) => (e.payload as { connectionId: string }).connectionId === connection.id))
        expect(event.payload).to.deep.include({ connectionId: connection.id, teamId: world.team.id, channelId: channel.id })
        const normalised = (event.payload as { event: Record<string, unknown> }).event
        expect(normalised).to.include({ source: 'pagerduty', type: 'pagerduty.incident.triggered', vendorEvent: 'incident.triggered', id: 'wh-trigger-1', correlationKey: 'PGR0VU2', status: 'triggered', connectionId: connection.id })
      } finally {
        recorder.stop()
      }
    })

    it('answers a second delivery of the same webhook id with 200 and posts nothing more', async () => {
      const { channel, connection } = await setUp()
      const raw = fixture('pagerduty', 'incident.triggered.json')
      const headers = signedHeaders(raw)
      expect((await deliver(ctx.server, connection, headers, raw)).json.result).to.equal('queued')
      const second = await deliver(ctx.server, connection, headers, raw)
      expect(second.status).to.equal(200)
      expect(second.json.result).to.equal('duplicate')
      await eventually('the post', async () => ((await channelPosts(world.owner.client, channel.id)).length > 0 ? true : undefined))
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(1)
    })

    it('takes a burst of deliveries sent at once: each is queued once, a repeat inside the burst is a duplicate, and each incident is posted once, also when the jobs run again', async () => {
      const { channel, connection } = await setUp()
      const countBefore = (await world.owner.client.getChannel(channel.id)).total_msg_count
      const template = JSON.parse(fixture('pagerduty', 'incident.triggered.json').toString('utf8'))
      const bodies = Array.from({ length: 12 }, (_, i) => {
        const body = structuredClone(template)
        body.event.data.id = `PBURST${i}`
        body.event.data.title = `Burst incident ${i}`
        return Buffer.from(JSON.stringify(body))
      })
      const ids = bodies.map((_, i) => uniqueName(`wh-burst-${i}`))
      // The first delivery goes twice in the same burst, as a vendor retrying a slow answer does.
      const answers = await Promise.all([...bodies.map((raw, i) => deliver(ctx.server, connection, signedHeaders(raw, ids[i]), raw)), deliver(ctx.server, connection, signedHeaders(bodies[0]!, ids[0]), bodies[0]!)])
      expect(answers.map((a) => a.status)).to.deep.equal(answers.map(() => 200))
      const results = answers.map((a) => a.json.result as string)
      expect(results.filter((r) => r === 'queued')).to.have.length(12)
      expect(results.filter((r) => r === 'duplicate')).to.have.length(1)
      await settled(ctx.server)
      const posts = await eventually('every incident posted', async () => {
        const list = await channelPosts(world.owner.client, channel.id)
        return list.length >= 12 ? list : undefined
      })
      expect(posts.map((p) => /Burst incident (\d+)/.exec(p.message)?.[1]).sort((a, b) => Number(a) - Number(b))).to.deep.equal(bodies.map((_, i) => String(i)))
      // Posts written together stay apart in time, so every list shows them in one order.
      expect(new Set(posts.map((p) => p.create_at)).size).to.equal(12)
      expect((await world.owner.client.getChannel(channel.id)).total_msg_count).to.equal(countBefore + 12)

      // Every processing job again, at once (as after a crash before they recorded success): nothing is posted twice.
      const jobs = await ctx.server.sql<{ data: Record<string, unknown> }>(`SELECT data FROM jobs WHERE type = 'integrations.webhook.process' AND data->>'connectionId' = $1`, [connection.id])
      expect(jobs).to.have.length(12)
      await Promise.all(jobs.map((job) => ctx.server.jobs.enqueue({ type: 'integrations.webhook.process', data: job.data })))
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(12)
      expect((await world.owner.client.getChannel(channel.id)).total_msg_count).to.equal(countBefore + 12)
    })

    it('posts nothing twice when the processing job of a delivery runs again', async () => {
      const { channel, connection } = await setUp()
      const raw = fixture('pagerduty', 'incident.triggered.json')
      const headers = signedHeaders(raw)
      await deliver(ctx.server, connection, headers, raw)
      await eventually('the post', async () => ((await channelPosts(world.owner.client, channel.id)).length > 0 ? true : undefined))
      await settled(ctx.server)
      const [job] = await ctx.server.sql<{ data: Record<string, unknown> }>(`SELECT data FROM jobs WHERE type = 'integrations.webhook.process' AND data->>'connectionId' = $1`, [connection.id])
      // A second run of the same delivery, as after a crash between the post and the job's success.
      await ctx.server.jobs.enqueue({ type: 'integrations.webhook.process', data: job!.data })
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(1)
    })

    it('posts the acknowledgement in the thread of the triggered incident', async () => {
      const { channel, connection } = await setUp()
      const triggered = fixture('pagerduty', 'incident.triggered.json')
      await deliver(ctx.server, connection, signedHeaders(triggered), triggered)
      const [root] = await eventually('the incident post', async () => {
        const posts = await channelPosts(world.owner.client, channel.id)
        return posts.length > 0 ? posts : undefined
      })
      const acknowledged = fixture('pagerduty', 'incident.acknowledged.json')
      await deliver(ctx.server, connection, signedHeaders(acknowledged), acknowledged)
      const reply = await eventually('the acknowledgement', async () => (await channelPosts(world.owner.client, channel.id)).find((p) => p.id !== root!.id))
      expect(reply.message).to.equal(':eyes: **Incident acknowledged** by Tenex Engineer: [#2 A little bump in the road](https://acme.pagerduty.com/incidents/PGR0VU2)')
      expect(reply.root_id).to.equal(root!.id)
    })

    it('answers 200 for a known event type it does not handle, and posts nothing', async () => {
      const { channel, connection } = await setUp()
      const raw = fixture('pagerduty', 'service.updated.json')
      const answer = await deliver(ctx.server, connection, signedHeaders(raw), raw)
      expect(answer.status).to.equal(200)
      expect(answer.json.result).to.equal('ignored')
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(0)
    })

    it('rejects a signed v2 body with 400 naming the field, and posts nothing', async () => {
      const { channel, connection } = await setUp()
      const raw = fixture('pagerduty', 'v2-messages.json')
      const answer = await deliver(ctx.server, connection, signedHeaders(raw), raw)
      expect(answer.status).to.equal(400)
      expect(answer.json.id).to.equal('api.integrations.webhook.invalid_body.app_error')
      expect(answer.json.message).to.contain('messages: this is a PagerDuty v1/v2 webhook')
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(0)
    })

    it('rejects a signed body missing event.event_type with 400 naming it', async () => {
      const { connection } = await setUp()
      const raw = Buffer.from(JSON.stringify({ event: { id: 'E1', resource_type: 'incident', occurred_at: '2024-05-01T10:00:00Z', data: { type: 'incident' } } }))
      const answer = await deliver(ctx.server, connection, signedHeaders(raw), raw)
      expect(answer.status).to.equal(400)
      expect(answer.json.message).to.contain('event.event_type: required')
    })

    it('answers 413 for a body over the 2 MB cap', async () => {
      const { connection } = await setUp()
      const raw = Buffer.alloc(2 * 1024 * 1024 + 1, 0x20)
      const answer = await deliver(ctx.server, connection, signedHeaders(raw), raw)
      expect(answer.status).to.equal(413)
    })

    it('answers 404 for an unknown connection id', async () => {
      const raw = fixture('pagerduty', 'incident.triggered.json')
      const answer = await deliver(ctx.server, { webhook_url: `${ctx.server.url}/integrations/pagerduty/${'a'.repeat(26)}/webhook` }, signedHeaders(raw), raw)
      expect(answer.status).to.equal(404)
    })
  })

  describe('PagerDuty actions (REST API v2, Events API v2)', () => {
    const restHeaders = (headers: Record<string, unknown>) => {
      expect(headers).to.include({ authorization: `Token token=${API_TOKEN}`, accept: 'application/vnd.pagerduty+json;version=2', from: FROM, 'content-type': 'application/json' })
    }

    it('pagerduty.incident.acknowledge@v1 PUTs the incident status with the documented headers', async () => {
      const { connection } = await setUp()
      pd.answer('/incidents/PACK001', { body: { incident: { id: 'PACK001', status: 'acknowledged' } } })
      const result = await ctx.server.actions.invoke('pagerduty.incident.acknowledge@v1', { connection: connection.name, incident_id: 'PACK001' }, { session: sessionOf(world.owner) })
      expect(result.outputs).to.deep.equal({ incidentId: 'PACK001', status: 'acknowledged' })
      const request = await pd.next('/incidents/PACK001')
      expect(request.method).to.equal('PUT')
      restHeaders(request.headers)
      expect(JSON.parse(request.body)).to.deep.equal({ incident: { type: 'incident_reference', status: 'acknowledged' } })
    })

    it('pagerduty.incident.resolve@v1 PUTs resolved with the resolution, naming the connection by id', async () => {
      const { connection } = await setUp()
      pd.answer('/incidents/PRES001', { body: { incident: { id: 'PRES001', status: 'resolved' } } })
      await ctx.server.actions.invoke('pagerduty.incident.resolve@v1', { connection: connection.id, incident_id: 'PRES001', resolution: 'Rolled back' }, { session: sessionOf(world.owner) })
      const request = await pd.next('/incidents/PRES001')
      expect(request.method).to.equal('PUT')
      restHeaders(request.headers)
      expect(JSON.parse(request.body)).to.deep.equal({ incident: { type: 'incident_reference', status: 'resolved', resolution: 'Rolled back' } })
    })

    it('pagerduty.incident.create@v1 POSTs the incident with the idempotency key as incident_key, From as given', async () => {
      const { connection } = await setUp()
      pd.answer('/incidents', { status: 201, body: { incident: { id: 'PNEW001', html_url: 'https://acme.pagerduty.com/incidents/PNEW001' } } })
      const key = uniqueName('run-9')
      const result = await ctx.server.actions.invoke('pagerduty.incident.create@v1', {
        connection: connection.name, from: 'commander@example.com', service_id: 'PSVC123', title: 'Checkout down', urgency: 'high', details: 'Declared in Bridgehead',
      }, { session: sessionOf(world.owner), idempotencyKey: key })
      expect(result.outputs).to.deep.equal({ incidentId: 'PNEW001', url: 'https://acme.pagerduty.com/incidents/PNEW001', existed: false })
      const request = pd.received.filter((r) => r.url === '/incidents').at(-1)!
      expect(request.method).to.equal('POST')
      expect(request.headers).to.include({ authorization: `Token token=${API_TOKEN}`, accept: 'application/vnd.pagerduty+json;version=2', from: 'commander@example.com' })
      expect(JSON.parse(request.body)).to.deep.equal({
        incident: { type: 'incident', title: 'Checkout down', service: { id: 'PSVC123', type: 'service_reference' }, urgency: 'high', incident_key: key, body: { type: 'incident_body', details: 'Declared in Bridgehead' } },
      })
    })

    it('pagerduty.incident.create@v1 reports an incident that exists for the key as existed, not as a failure', async () => {
      const { connection } = await setUp()
      pd.answer('/incidents', { status: 400, body: { error: { message: 'Incident Already Exists', code: 2001, errors: ['Open incident with matching dedup key already exists on this service'] } } })
      const result = await ctx.server.actions.invoke('pagerduty.incident.create@v1', { connection: connection.name, service_id: 'PSVC123', title: 'Again', incident_key: 'k-1' }, { session: sessionOf(world.owner) })
      expect(result.outputs).to.deep.equal({ incidentId: '', url: '', existed: true })
    })

    it('pagerduty.incident.note@v1 POSTs the note', async () => {
      const { connection } = await setUp()
      pd.answer('/incidents/PNOTE01/notes', { status: 201, body: { note: { id: 'PWL7QXS', content: 'Firefighters are on the scene.' } } })
      const result = await ctx.server.actions.invoke('pagerduty.incident.note@v1', { connection: connection.name, incident_id: 'PNOTE01', content: 'Firefighters are on the scene.' }, { session: sessionOf(world.owner) })
      expect(result.outputs).to.deep.equal({ noteId: 'PWL7QXS' })
      const request = await pd.next('/incidents/PNOTE01/notes')
      expect(request.method).to.equal('POST')
      restHeaders(request.headers)
      expect(JSON.parse(request.body)).to.deep.equal({ note: { content: 'Firefighters are on the scene.' } })
    })

    it('pagerduty.incident.reassign@v1 PUTs assignments of user references', async () => {
      const { connection } = await setUp()
      await ctx.server.actions.invoke('pagerduty.incident.reassign@v1', { connection: connection.name, incident_id: 'PREA001', assignee_ids: ['PUSR1', 'PUSR2'] }, { session: sessionOf(world.owner) })
      const request = await pd.next('/incidents/PREA001')
      expect(request.method).to.equal('PUT')
      restHeaders(request.headers)
      expect(JSON.parse(request.body)).to.deep.equal({
        incident: { type: 'incident_reference', assignments: [{ assignee: { id: 'PUSR1', type: 'user_reference' } }, { assignee: { id: 'PUSR2', type: 'user_reference' } }] },
      })
    })

    it('pagerduty.event.trigger@v1 enqueues an Events API v2 trigger whose dedup_key is the idempotency key', async () => {
      const { connection } = await setUp()
      pd.answer('/v2/enqueue', (req) => ({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: JSON.parse(req.body).dedup_key } }))
      const key = uniqueName('sev1')
      const result = await ctx.server.actions.invoke('pagerduty.event.trigger@v1', {
        connection: connection.name, summary: 'Checkout p99 above 2 s', source: 'bridgehead', severity: 'critical', custom_details: { run: 7 },
      }, { session: sessionOf(world.owner), idempotencyKey: key })
      expect(result.outputs).to.deep.equal({ dedupKey: key, status: 'success' })
      const request = pd.received.filter((r) => r.url === '/v2/enqueue').at(-1)!
      expect(request.method).to.equal('POST')
      expect(request.headers['content-type']).to.equal('application/json')
      expect(request.headers).not.to.have.property('authorization')
      expect(JSON.parse(request.body)).to.deep.equal({
        routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: key,
        payload: { summary: 'Checkout p99 above 2 s', source: 'bridgehead', severity: 'critical', custom_details: { run: 7 } },
      })
    })

    it('pagerduty.change_event@v1 enqueues an Events API v2 change event with the connection\'s routing key', async () => {
      const { connection } = await setUp()
      pd.answer('/v2/change/enqueue', { status: 202, body: { status: 'success', message: 'Change event processed' } })
      const result = await ctx.server.actions.invoke('pagerduty.change_event@v1', {
        connection: connection.name, summary: 'Deployed 2.5.0', source: 'acme/api', timestamp: '2024-05-01T10:00:00Z',
        custom_details: { version: '2.5.0' }, links: [{ href: 'https://github.com/acme/api/releases/tag/v2.5.0', text: 'Release' }],
      }, { session: sessionOf(world.owner) })
      expect(result.outputs).to.deep.equal({ status: 'success' })
      const request = pd.received.filter((r) => r.url === '/v2/change/enqueue').at(-1)!
      expect(request.method).to.equal('POST')
      expect(request.headers['content-type']).to.equal('application/json')
      expect(request.headers).not.to.have.property('authorization')
      expect(JSON.parse(request.body)).to.deep.equal({
        routing_key: ROUTING_KEY,
        payload: { summary: 'Deployed 2.5.0', timestamp: '2024-05-01T10:00:00Z', source: 'acme/api', custom_details: { version: '2.5.0' } },
        links: [{ href: 'https://github.com/acme/api/releases/tag/v2.5.0', text: 'Release' }],
      })
    })

    it('pagerduty.change_event@v1 sends to the integration key given instead of the connection\'s, stamped now', async () => {
      const { connection } = await setUp()
      pd.answer('/v2/change/enqueue', { status: 202, body: { status: 'success', message: 'Change event processed' } })
      const before = Date.now()
      await ctx.server.actions.invoke('pagerduty.change_event@v1', { connection: connection.id, routing_key: 'C0123456789ABCDEF0123456789ABCDE', summary: 'Feature flag checkout-v2 on' }, { session: sessionOf(world.owner) })
      const body = JSON.parse(pd.received.filter((r) => r.url === '/v2/change/enqueue').at(-1)!.body)
      expect(body.routing_key).to.equal('C0123456789ABCDEF0123456789ABCDE')
      expect(body.payload.summary).to.equal('Feature flag checkout-v2 on')
      expect(Date.parse(body.payload.timestamp)).to.be.within(before - 1000, Date.now() + 1000)
    })

    it('turns a 429 with Retry-After into a retryable failure that says when to retry', async () => {
      const { connection } = await setUp()
      pd.answer('/incidents/PBUSY01', { status: 429, headers: { 'retry-after': '7' }, body: { error: { message: 'Rate Limit Exceeded', code: 2020 } } })
      const err = await rejection(ctx.server.actions.invoke('pagerduty.incident.acknowledge@v1', { connection: connection.name, incident_id: 'PBUSY01' }, { session: sessionOf(world.owner) }))
      expect(err).to.be.instanceOf(ActionError)
      expect(err).to.include({ retryable: true, status: 429, retryAfterMs: 7000 })
      expect(err.message).to.contain('Rate Limit Exceeded')
    })

    it('turns a 404 into a failure that is not retried', async () => {
      const { connection } = await setUp()
      pd.answer('/incidents/PGONE01', { status: 404, body: { error: { message: 'Not Found', code: 2100 } } })
      const err = await rejection(ctx.server.actions.invoke('pagerduty.incident.resolve@v1', { connection: connection.name, incident_id: 'PGONE01' }, { session: sessionOf(world.owner) }))
      expect(err).to.include({ retryable: false, status: 404 })
    })

    it('refuses a user outside the connection\'s team', async () => {
      const { connection } = await setUp()
      const stranger = (await makeTeamWithMembers(ctx.server, 0)).owner
      const err = await rejection(ctx.server.actions.invoke('pagerduty.incident.acknowledge@v1', { connection: connection.name, incident_id: 'PX' }, { session: sessionOf(stranger) }))
      expect(err).to.include({ retryable: false, status: 403 })
    })
  })

  describe('/pagerduty in a channel with an incident', () => {
    async function channelWithIncident(): Promise<{ channel: Channel; connection: any }> {
      const set = await setUp()
      const raw = fixture('pagerduty', 'incident.triggered.json')
      await deliver(ctx.server, set.connection, signedHeaders(raw), raw)
      await eventually('the incident post', async () => ((await channelPosts(world.owner.client, set.channel.id)).length > 0 ? true : undefined))
      return set
    }

    const run = async (channel: Channel, command: string) =>
      (await world.owner.client.executeCommand(command, { channel_id: channel.id, team_id: world.team.id } as never)) as { text?: string }

    it('/pagerduty ack acknowledges the channel\'s incident in PagerDuty', async () => {
      const { channel } = await channelWithIncident()
      const before = pd.received.length
      const answer = await run(channel, '/pagerduty ack')
      expect(answer.text).to.equal('Acknowledged PagerDuty incident PGR0VU2.')
      const request = pd.received.slice(before).find((r) => r.url === '/incidents/PGR0VU2')!
      expect(request.method).to.equal('PUT')
      expect(JSON.parse(request.body)).to.deep.equal({ incident: { type: 'incident_reference', status: 'acknowledged' } })
    })

    it('/pagerduty note adds the text as a note', async () => {
      const { channel } = await channelWithIncident()
      const before = pd.received.length
      expect((await run(channel, '/pagerduty note DB failover started')).text).to.equal('Added a note to PagerDuty incident PGR0VU2.')
      const request = pd.received.slice(before).find((r) => r.url === '/incidents/PGR0VU2/notes')!
      expect(JSON.parse(request.body)).to.deep.equal({ note: { content: 'DB failover started' } })
    })

    it('/pagerduty resolve acts on the incident pagerduty.incident.link@v1 tied to a channel (a run channel)', async () => {
      const { connection } = await setUp()
      const runChannel = await makeChannel(world.owner.client, world.team.id)
      await ctx.server.actions.invoke('pagerduty.incident.link@v1', { connection: connection.name, incident_id: 'PLINK01', channel_id: runChannel.id }, { session: sessionOf(world.owner) })
      pd.answer('/incidents/PLINK01', { body: { incident: { id: 'PLINK01', status: 'resolved' } } })
      expect(await run(runChannel, '/pagerduty resolve Fixed by rollback').then((r) => r.text)).to.equal('Resolved PagerDuty incident PLINK01.')
      const request = await pd.next('/incidents/PLINK01')
      expect(JSON.parse(request.body)).to.deep.equal({ incident: { type: 'incident_reference', status: 'resolved', resolution: 'Fixed by rollback' } })
    })

    it('pagerduty.incident.link@v1 refuses a channel of another team', async () => {
      const { connection } = await setUp()
      const other = await makeTeamWithMembers(ctx.server, 0)
      const foreign = await makeChannel(other.owner.client, other.team.id)
      const err = await rejection(ctx.server.actions.invoke('pagerduty.incident.link@v1', { connection: connection.name, incident_id: 'PLINK02', channel_id: foreign.id }, { session: sessionOf(world.owner) }))
      expect(err).to.include({ retryable: false, status: 400 })
    })

    it('/pagerduty resolve in a channel without an incident says so and calls nothing', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      const before = pd.received.length
      expect((await run(channel, '/pagerduty resolve')).text).to.equal('No PagerDuty incident has been posted in this channel.')
      expect(pd.received.length).to.equal(before)
    })
  })

  it('keeps API credentials out of GET answers', async () => {
    const { connection } = await setUp()
    const read = await api(ctx.server, world.owner.token, 'GET', `/api/v4/integrations/pagerduty/connections/${connection.id}`)
    expect(read.text).not.to.contain(API_TOKEN).and.not.to.contain(ROUTING_KEY).and.not.to.contain(SECRET)
  })
})
