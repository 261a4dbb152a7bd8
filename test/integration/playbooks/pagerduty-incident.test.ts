/**
 * The headline flow (issues 5 and 6): a PagerDuty incident, delivered as PagerDuty signs it, starts
 * the built-in Incident Response; the run acknowledges the incident in PagerDuty, an
 * acknowledgement from PagerDuty shows on the run's timeline, and resolving in chat resolves it in
 * PagerDuty. A local HTTP server plays PagerDuty's REST API and checks its wire format.
 */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeChannel, makeTeamWithMembers, type TeamWorld } from '../../helpers/factories.ts'
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { eventually } from '../../helpers/eventually.ts'
import { createConnection, deliver, fixture, hmacHex } from '../integrations/support.ts'

const SECRET = 'whsec-playbook-flow'
const signed = (raw: Buffer, id: string) => ({ 'x-webhook-id': id, 'x-pagerduty-signature': `v1=${hmacHex(SECRET, raw)}` })

type Run = { id: string; playbook_id: string; name: string; channel_id: string; current_status: string; steps: { id: string; status: string; reason?: string }[] }

forEachBackend((backend) => {
  describe('a PagerDuty incident runs the Incident Response playbook', function () {
    this.timeout(90_000)
    const ctx = useTestServer(backend, { allowedUntrustedInternalConnections: '127.0.0.1', jobPollIntervalMs: 100 })
    let world: TeamWorld
    let pd: HttpReceiver
    let connection: { webhook_url: string; name: string }

    before(async () => {
      pd = await startHttpReceiver()
      world = await makeTeamWithMembers(ctx.server, 0)
      const channel = await makeChannel(world.owner.client, world.team.id)
      // Named as the built-in playbook's vars.pagerduty names it.
      connection = await createConnection(ctx.server, world.owner.token, 'pagerduty', {
        name: 'pagerduty', team_id: world.team.id, channel_id: channel.id, webhook_secret: SECRET,
        credentials: { api_token: 'pd-token', from_email: 'oncall@example.com', routing_key: 'R0UTING' }, settings: { api_url: pd.url, events_url: pd.url },
      })
    })
    after(async () => pd?.close())

    it('starts the run, acknowledges in PagerDuty, shows the acknowledgement, and resolves in PagerDuty from chat', async () => {
      pd.answer('/incidents/PGR0VU2', (req) => ({ body: { incident: { id: 'PGR0VU2', status: JSON.parse(req.body).incident.status } } }))
      const triggered = fixture('pagerduty', 'incident.triggered.json')
      const answer = await deliver(ctx.server, connection, signed(triggered, 'wh-trig-1'), triggered)
      expect(answer.status, answer.text).to.equal(200)

      const api = (route: string) => rawRequest(ctx.server.url, `/plugins/playbooks/api/v0${route}`, { token: world.owner.token })
      const run = await eventually('the incident run', async () => {
        const list = JSON.parse((await api(`/runs?team_id=${world.team.id}`)).text) as { items: Run[] }
        return list.items.find((r) => r.playbook_id === 'incident-response')
      }, 30_000)
      expect(run.name).to.equal('A little bump in the road')
      const getRun = async () => JSON.parse((await api(`/runs/${run.id}`)).text) as Run
      const status = (r: Run, id: string) => r.steps.find((s) => s.id === id)?.status

      // PagerDuty-triggered: the run acknowledges instead of paging.
      const acked = await eventually('the ack step', async () => {
        const r = await getRun()
        return status(r, 'ack') === 'succeeded' ? r : undefined
      }, 30_000)
      expect(status(acked, 'page')).to.equal('skipped')
      const ack = pd.received.find((r) => r.url === '/incidents/PGR0VU2' && JSON.parse(r.body).incident.status === 'acknowledged')!
      expect(ack.method).to.equal('PUT')
      expect(ack.headers.authorization).to.equal('Token token=pd-token')
      expect(ack.headers.from).to.equal('oncall@example.com')

      // PagerDuty reports the acknowledgement back: the same incident, so it lands on this run.
      const acknowledged = fixture('pagerduty', 'incident.acknowledged.json')
      await deliver(ctx.server, connection, signed(acknowledged, 'wh-ack-1'), acknowledged)
      await eventually('the correlated acknowledgement', async () => {
        const timeline = JSON.parse((await api(`/runs/${run.id}/timeline`)).text) as { event_type: string; summary: string }[]
        return timeline.some((e) => e.event_type === 'trigger_correlated' && e.summary.includes('acknowledged')) ? true : undefined
      })

      // Resolving in chat resolves the incident in PagerDuty; the responder joins the (public) run channel first.
      await world.owner.client.addToChannel(world.owner.user.id, acked.channel_id)
      await world.owner.client.executeCommand('/incident resolve', { channel_id: acked.channel_id, team_id: world.team.id } as never)
      await eventually('the resolve call', async () => pd.received.find((r) => r.url === '/incidents/PGR0VU2' && JSON.parse(r.body).incident.status === 'resolved'), 30_000)
      const finished = await eventually('the run to finish', async () => {
        const r = await getRun()
        return r.current_status === 'finished' ? r : undefined
      }, 30_000)
      expect(status(finished, 'pd-resolve')).to.equal('succeeded')
      // The same delivery again starts nothing.
      await deliver(ctx.server, connection, signed(triggered, 'wh-trig-1'), triggered)
      const runs = JSON.parse((await api(`/runs?team_id=${world.team.id}`)).text) as { items: Run[] }
      expect(runs.items.filter((r) => r.playbook_id === 'incident-response')).to.have.length(1)
    })
  })
})
