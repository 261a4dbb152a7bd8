/**
 * Grafana and Alertmanager connections end to end: signed (Grafana) or authenticated (Alertmanager) alert groups
 * post one message per group, later deliveries of the group edit it (alerts added, resolved ones marked, the group
 * resolved), a repeated group changes nothing, and the Grafana annotation action speaks the documented HTTP API.
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
const CPU_SILENCE = 'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT1%2Cteam%3Dblue%2Czone%3Deu-1'
const MEMORY = '[High memory usage](https://play.grafana.org/alerting/1afz29v7z/edit)'
const CPU = '[High CPU usage](https://play.grafana.org/alerting/d1rdpdv7k/edit)'
const RUNBOOK = '[Runbook](https://myrunbook.com/runbook/1234)'
const GROUP_FIRING = [
  ':fire: **[FIRING:2] My Super Webhook**',
  `- :fire: **${MEMORY}**: This alert was triggered for zone us-1 · \`team=blue\` \`zone=us-1\` · ${RUNBOOK} · [Silence](${MEMORY_SILENCE})`,
  `- :fire: **${CPU}**: This alert was triggered for zone eu-1 · \`team=blue\` \`zone=eu-1\` · ${RUNBOOK} · [Silence](${CPU_SILENCE})`,
].join('\n')
const GROUP_PARTLY_RESOLVED = [
  ':fire: **[FIRING:1] My Super Webhook** · 1 resolved',
  `- :fire: **${CPU}**: This alert was triggered for zone eu-1 · \`team=blue\` \`zone=eu-1\` · ${RUNBOOK} · [Silence](${CPU_SILENCE})`,
  `- :white_check_mark: **${MEMORY}** resolved: This alert was triggered for zone us-1 · \`team=blue\` \`zone=us-1\` · ${RUNBOOK}`,
].join('\n')
const GROUP_RESOLVED = [
  ':white_check_mark: **[RESOLVED] My Super Webhook**: all 2 alerts have resolved',
  `- :white_check_mark: **${MEMORY}** resolved: This alert was triggered for zone us-1 · \`team=blue\` \`zone=us-1\` · ${RUNBOOK}`,
  `- :white_check_mark: **${CPU}** resolved: This alert was triggered for zone eu-1 · \`team=blue\` \`zone=eu-1\` · ${RUNBOOK}`,
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
    it('posts one message for the alert group, listing its firing alerts, as the Grafana bot', async () => {
      const { channel, connection } = await setUp('grafana')
      const raw = fixture('grafana', 'alerts.firing.json')
      const answer = await deliver(ctx.server, connection, grafanaHeaders(raw), raw)
      expect(answer.status).to.equal(200)
      const [post] = await eventually('the group post', async () => {
        const list = await channelPosts(world.owner.client, channel.id)
        return list.length > 0 ? list : undefined
      })
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(1)
      expect(post!.message).to.equal(GROUP_FIRING)
      expect(post!.props).to.include({ from_bot: 'true' })
    })

    it('edits the group post as its alerts resolve, and says so when all have', async () => {
      const { channel, connection } = await setUp('grafana')
      const send = async (name: string) => {
        const raw = fixture('grafana', name)
        expect((await deliver(ctx.server, connection, grafanaHeaders(raw), raw)).status).to.equal(200)
      }
      await send('alerts.firing.json')
      const [post] = await eventually('the group post', async () => {
        const list = await channelPosts(world.owner.client, channel.id)
        return list.length > 0 ? list : undefined
      })
      await send('alerts.partly-resolved.json')
      await eventually('the partly resolved edit', async () => ((await world.owner.client.getPost(post!.id)).message === GROUP_PARTLY_RESOLVED ? true : undefined))
      await send('alerts.all-resolved.json')
      const edited = await eventually('the resolved edit', async () => {
        const current = await world.owner.client.getPost(post!.id)
        return current.message === GROUP_RESOLVED ? current : undefined
      })
      expect(edited.edit_at).to.be.greaterThan(0)
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(1)
    })

    it('starts a new post when the resolved group fires again', async () => {
      const { channel, connection } = await setUp('grafana')
      // One delivery at a time, as Alertmanager and Grafana notify a group: each after the last has been answered.
      const firing = fixture('grafana', 'alerts.firing.json')
      await deliver(ctx.server, connection, grafanaHeaders(firing), firing)
      await settled(ctx.server)
      const resolved = fixture('grafana', 'alerts.resolved.json')
      await deliver(ctx.server, connection, grafanaHeaders(resolved), resolved)
      await settled(ctx.server)
      // The same alerts firing again start anew: a new startsAt makes it a new delivery, not a repeat of the first.
      const again = JSON.parse(firing.toString('utf8'))
      for (const alert of again.alerts) alert.startsAt = '2021-10-12T11:00:00+02:00'
      const raw = Buffer.from(JSON.stringify(again))
      expect((await deliver(ctx.server, connection, grafanaHeaders(raw), raw)).json.result).to.equal('queued')
      const posts = await eventually('a second group post', async () => {
        const list = await channelPosts(world.owner.client, channel.id)
        return list.length === 2 ? list : undefined
      })
      expect(posts[0]!.message.split('\n')[0]).to.equal(':white_check_mark: **[RESOLVED] My Super Webhook**: all 2 alerts have resolved')
      expect(posts[1]!.message).to.equal(GROUP_FIRING)
    })

    it('treats the same group sent again with the same alerts as a duplicate', async () => {
      const { connection } = await setUp('grafana')
      const raw = fixture('grafana', 'alerts.firing.json')
      expect((await deliver(ctx.server, connection, grafanaHeaders(raw), raw)).json.result).to.equal('queued')
      expect((await deliver(ctx.server, connection, grafanaHeaders(raw), raw)).json.result).to.equal('duplicate')
    })

    it('publishes one integration.event per alert, correlated by the connection and group key', async () => {
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
          { type: 'grafana.alert.firing', correlationKey: `${connection.id}:{}:{}`, status: 'firing', fingerprint: 'c6eadffa33fcdf37' },
          { type: 'grafana.alert.firing', correlationKey: `${connection.id}:{}:{}`, status: 'firing', fingerprint: 'bc97ff14869b13e3' },
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
      ':fire: **[FIRING:1] ProbeFailure**',
      '- :fire: **[ProbeFailure](http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1)**: BlackBox Probe Failure: https://server.example.org · '
        + '`instance=https://server.example.org` `job=http_checks` `monitor=master` `severity=critical`',
    ].join('\n')

    it('accepts the bearer token of the connection and posts the firing group', async () => {
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

    it('edits the group post as alerts join and resolve, through to the group resolving', async () => {
      const { channel, connection } = await setUp('alertmanager')
      const send = async (name: string) => {
        const raw = fixture('alertmanager', name)
        expect((await deliver(ctx.server, connection, { authorization: `Bearer ${AM_TOKEN}` }, raw)).status).to.equal(200)
      }
      await send('alerts.firing.json')
      const [post] = await eventually('the alert post', async () => {
        const list = await channelPosts(world.owner.client, channel.id)
        return list.length > 0 ? list : undefined
      })
      const headingOf = async () => (await world.owner.client.getPost(post!.id)).message.split('\n')[0]
      await send('group.firing.json')
      await eventually('the second alert', async () => ((await headingOf()) === ':fire: **[FIRING:2] ProbeFailure**' ? true : undefined))
      await send('group.partly-resolved.json')
      await eventually('one resolved', async () => ((await headingOf()) === ':fire: **[FIRING:1] ProbeFailure** · 1 resolved' ? true : undefined))
      await send('group.resolved.json')
      await eventually('the group resolved', async () => ((await headingOf()) === ':white_check_mark: **[RESOLVED] ProbeFailure**: all 2 alerts have resolved' ? true : undefined))
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(1)
    })

    it('rejects a delivery without credentials with 401', async () => {
      const { connection } = await setUp('alertmanager')
      const raw = fixture('alertmanager', 'alerts.firing.json')
      expect((await deliver(ctx.server, connection, {}, raw)).status).to.equal(401)
      expect((await deliver(ctx.server, connection, { authorization: 'Bearer wrong-token' }, raw)).status).to.equal(401)
    })
  })
})
