/**
 * Grafana and Alertmanager connections end to end: signed (Grafana) or authenticated (Alertmanager) alert groups
 * post one message per alert, a resolution edits the message its firing made, a repeated group changes nothing,
 * and the Grafana annotation action speaks the documented HTTP API.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeChannel, makeTeamWithMembers, uniqueName, type TeamWorld } from '../../helpers/factories.ts'
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.ts'
import { channelPosts, createConnection, deliver, eventually, fixture, hmacHex, recordIntegrationEvents, settled, sessionOf } from './support.ts'

const GRAFANA_SECRET = 'bridgehead-grafana-test-secret'
const AM_TOKEN = 'alertmanager-bearer-token-1'
const GRAFANA_TOKEN = 'glsa_serviceaccounttoken'


const MEMORY_SILENCE = 'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1'
const MEMORY_FIRING = [
  ':fire: **[FIRING] [High memory usage](https://play.grafana.org/alerting/1afz29v7z/edit)**',
  'This alert was triggered for zone us-1',
  '`team=blue` `zone=us-1`',
  `[Runbook](https://myrunbook.com/runbook/1234) · [Silence](${MEMORY_SILENCE})`,
].join('\n')
const MEMORY_RESOLVED = [
  ':white_check_mark: **[RESOLVED] [High memory usage](https://play.grafana.org/alerting/1afz29v7z/edit)**',
  'This alert was triggered for zone us-1',
  '`team=blue` `zone=us-1`',
  '[Runbook](https://myrunbook.com/runbook/1234)',
].join('\n')

forEachBackend((backend) => {
  const ctx = useTestServer(backend, { allowedUntrustedInternalConnections: '127.0.0.1' })
  let world: TeamWorld
  let grafanaApi: HttpReceiver

  before(async () => {
    grafanaApi = await startHttpReceiver()
    world = await makeTeamWithMembers(ctx.server, 0)
  })
  after(async () => grafanaApi?.close())

  async function setUp(vendor: 'grafana' | 'alertmanager'): Promise<{ channel: Channel; connection: any }> {
    const channel = await makeChannel(world.owner.client, world.team.id)
    const connection = await createConnection(ctx.server, world.owner.token, vendor, {
      name: uniqueName(vendor), team_id: world.team.id, channel_id: channel.id, webhook_secret: vendor === 'grafana' ? GRAFANA_SECRET : AM_TOKEN,
      ...(vendor === 'grafana' ? { credentials: { token: GRAFANA_TOKEN }, settings: { api_url: grafanaApi.url } } : {}),
    })
    return { channel, connection }
  }

  const grafanaHeaders = (raw: Buffer) => ({ 'x-grafana-alerting-signature': hmacHex(GRAFANA_SECRET, raw) })

  describe('Grafana connection', () => {
    it('posts one message per firing alert as the Grafana bot', async () => {
      const { channel, connection } = await setUp('grafana')
      const raw = fixture('grafana', 'alerts.firing.json')
      const answer = await deliver(ctx.server, connection, grafanaHeaders(raw), raw)
      expect(answer.status).to.equal(200)
      const posts = await eventually('two alert posts', async () => {
        const list = await channelPosts(world.owner.client, channel.id)
        return list.length === 2 ? list : undefined
      })
      expect(posts.map((p) => p.message)).to.include(MEMORY_FIRING)
      expect(posts.map((p) => p.message).find((m) => m !== MEMORY_FIRING)).to.match(/^:fire: \*\*\[FIRING\] \[High CPU usage\]/)
    })

    it('edits the firing message when the alert resolves, instead of posting another', async () => {
      const { channel, connection } = await setUp('grafana')
      const firing = fixture('grafana', 'alerts.firing.json')
      await deliver(ctx.server, connection, grafanaHeaders(firing), firing)
      const before = await eventually('two alert posts', async () => {
        const list = await channelPosts(world.owner.client, channel.id)
        return list.length === 2 ? list : undefined
      })
      const memoryPost = before.find((p) => p.message === MEMORY_FIRING)!
      const resolved = fixture('grafana', 'alerts.resolved.json')
      expect((await deliver(ctx.server, connection, grafanaHeaders(resolved), resolved)).status).to.equal(200)
      const edited = await eventually('the edit', async () => {
        const post = await world.owner.client.getPost(memoryPost.id)
        return post.message === MEMORY_RESOLVED ? post : undefined
      })
      expect(edited.edit_at).to.be.greaterThan(0)
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(2)
    })

    it('treats the same group sent again with the same alerts as a duplicate', async () => {
      const { connection } = await setUp('grafana')
      const raw = fixture('grafana', 'alerts.firing.json')
      expect((await deliver(ctx.server, connection, grafanaHeaders(raw), raw)).json.result).to.equal('queued')
      expect((await deliver(ctx.server, connection, grafanaHeaders(raw), raw)).json.result).to.equal('duplicate')
    })

    it('publishes one integration.event per alert, correlated by the group key', async () => {
      const { connection } = await setUp('grafana')
      const recorder = recordIntegrationEvents(ctx.server)
      try {
        const raw = fixture('grafana', 'alerts.firing.json')
        await deliver(ctx.server, connection, grafanaHeaders(raw), raw)
        const events = await eventually('two events', async () => {
          const mine = recorder.events.filter((e) => (e.payload as { connectionId: string }).connectionId === connection.id)
          return mine.length === 2 ? mine : undefined
        })
        const summary = events.map((e) => {
          const { type, correlationKey, status, data } = (e.payload as { event: { type: string; correlationKey: string; status: string; data: { fingerprint: string } } }).event
          return { type, correlationKey, status, fingerprint: data.fingerprint }
        })
        expect(summary).to.have.deep.members([
          { type: 'grafana.alert.firing', correlationKey: '{}:{}', status: 'firing', fingerprint: 'c6eadffa33fcdf37' },
          { type: 'grafana.alert.firing', correlationKey: '{}:{}', status: 'firing', fingerprint: 'bc97ff14869b13e3' },
        ])
      } finally {
        recorder.stop()
      }
    })

    it('rejects a delivery signed with another secret with 401 and posts nothing', async () => {
      const { channel, connection } = await setUp('grafana')
      const raw = fixture('grafana', 'alerts.firing.json')
      const answer = await deliver(ctx.server, connection, { 'x-grafana-alerting-signature': hmacHex('not-the-secret', raw) }, raw)
      expect(answer.status).to.equal(401)
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(0)
    })

    it('rejects a signed body whose alert has no status with 400 naming alerts[0].status', async () => {
      const { connection } = await setUp('grafana')
      const body = JSON.parse(fixture('grafana', 'alerts.firing.json').toString('utf8'))
      delete body.alerts[0].status
      const raw = Buffer.from(JSON.stringify(body))
      const answer = await deliver(ctx.server, connection, grafanaHeaders(raw), raw)
      expect(answer.status).to.equal(400)
      expect(answer.json.message).to.contain('alerts[0].status')
    })

    it('answers 200 for a legacy alert notification and posts nothing', async () => {
      const { channel, connection } = await setUp('grafana')
      const raw = fixture('grafana', 'legacy-alert.json')
      const answer = await deliver(ctx.server, connection, grafanaHeaders(raw), raw)
      expect(answer.status).to.equal(200)
      expect(answer.json.result).to.equal('ignored')
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(0)
    })

    it('grafana.annotation.create@v1 POSTs /api/annotations with the service account token', async () => {
      const { connection } = await setUp('grafana')
      grafanaApi.answer('/api/annotations', { body: { message: 'Annotation added', id: 1 } })
      const result = await ctx.server.actions.invoke('grafana.annotation.create@v1', {
        connection: connection.name, text: 'Deploy 42 rolled back', dashboard_uid: 'jcIIG-07z', panel_id: 2, time: 1714557600000, tags: ['incident', 'rollback'],
      }, { session: sessionOf(world.owner) })
      expect(result.outputs).to.deep.equal({ id: 1 })
      const request = await grafanaApi.next('/api/annotations')
      expect(request.method).to.equal('POST')
      expect(request.headers).to.include({ authorization: `Bearer ${GRAFANA_TOKEN}`, 'content-type': 'application/json' })
      expect(JSON.parse(request.body)).to.deep.equal({ text: 'Deploy 42 rolled back', dashboardUID: 'jcIIG-07z', panelId: 2, time: 1714557600000, tags: ['incident', 'rollback'] })
    })
  })

  describe('Alertmanager connection', () => {
    const FIRING = [
      ':fire: **[FIRING] [ProbeFailure](http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1)**',
      'BlackBox Probe Failure: https://server.example.org',
      '`instance=https://server.example.org` `job=http_checks` `monitor=master` `severity=critical`',
    ].join('\n')

    it('accepts the bearer token of the connection and posts the firing alert', async () => {
      const { channel, connection } = await setUp('alertmanager')
      const raw = fixture('alertmanager', 'alerts.firing.json')
      expect((await deliver(ctx.server, connection, { authorization: `Bearer ${AM_TOKEN}` }, raw)).status).to.equal(200)
      const [post] = await eventually('the alert post', async () => {
        const list = await channelPosts(world.owner.client, channel.id)
        return list.length > 0 ? list : undefined
      })
      expect(post!.message).to.equal(FIRING)
      expect(post!.props).to.include({ from_bot: 'true' })
    })

    it('edits the firing post when the alert resolves', async () => {
      const { channel, connection } = await setUp('alertmanager')
      const firing = fixture('alertmanager', 'alerts.firing.json')
      await deliver(ctx.server, connection, { authorization: `Bearer ${AM_TOKEN}` }, firing)
      const [post] = await eventually('the alert post', async () => {
        const list = await channelPosts(world.owner.client, channel.id)
        return list.length > 0 ? list : undefined
      })
      const resolved = fixture('alertmanager', 'alerts.resolved.json')
      await deliver(ctx.server, connection, { authorization: `Bearer ${AM_TOKEN}` }, resolved)
      const edited = await eventually('the edit', async () => {
        const current = await world.owner.client.getPost(post!.id)
        return current.message.startsWith(':white_check_mark: **[RESOLVED] [ProbeFailure]') ? current : undefined
      })
      expect(edited.id).to.equal(post!.id)
    })

    it('rejects a delivery without credentials with 401', async () => {
      const { connection } = await setUp('alertmanager')
      const raw = fixture('alertmanager', 'alerts.firing.json')
      expect((await deliver(ctx.server, connection, {}, raw)).status).to.equal(401)
      expect((await deliver(ctx.server, connection, { authorization: 'Bearer wrong-token' }, raw)).status).to.equal(401)
    })
  })
})
