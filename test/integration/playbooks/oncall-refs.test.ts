/**
 * `oncall:` references in a run: whoever PagerDuty has on call now (GET /oncalls on the team's PagerDuty
 * connection, a double that checks the documented request) becomes the commander, is invited to the run channel and
 * may approve; users map by email.
 */
import { expect } from 'chai'
import { forEachBackend } from '../../helpers/server.ts'
import { makeChannel, makeTeamWithMembers, uniqueName, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { eventually } from '../../helpers/eventually.ts'
import { createConnection } from '../integrations/support.ts'
import { playbookClient, usePlaybookServer } from './support.ts'

const API_TOKEN = 'y_NbAkKc66ryYTWUXYEu'

const paged = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: paged, title: Paged, version: 1 }
on:
  manual: {}
roles:
  commander: { from: "oncall:Primary" }
channel:
  name: "paged-\${{ run.number }}"
  invite: [oncall:PSCHED1]
steps:
  - id: approve
    approval: { approvers: ["oncall:Primary"], text: "Roll back?", timeout: 1h }
`

type Run = { id: string; channel_id: string; steps: { id: string; status: string }[]; roles: Record<string, { id: string } | null> }

forEachBackend((backend) => {
  const ctx = usePlaybookServer(backend, () => ({ 'paged.yaml': paged }))
  let world: TeamWorld
  let primary: UserSession
  let secondary: UserSession
  let bystander: UserSession
  const pb = playbookClient<Run>(() => ctx.server.url, () => world.team.id, () => world.owner)

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 3)
    ;[primary, secondary, bystander] = world.members as [UserSession, UserSession, UserSession]
    const pd = ctx.receiver()
    const channel = await makeChannel(world.owner.client, world.team.id)
    await createConnection(ctx.server, world.owner.token, 'pagerduty', {
      name: uniqueName('pd'), team_id: world.team.id, channel_id: channel.id, webhook_secret: 'bridgehead-pd-oncall-secret',
      credentials: { api_token: API_TOKEN }, settings: { api_url: pd.url, events_url: pd.url },
    })
    pd.answer('/schedules', { body: { schedules: [{ id: 'PSCHED1', type: 'schedule', name: 'Primary' }], limit: 25, offset: 0, more: false } })
    // PagerDuty lists every escalation level; the first level's person comes first whatever the order.
    pd.answer('/oncalls', { body: { oncalls: [
      { escalation_level: 2, user: { id: 'PU2', type: 'user', email: secondary.user.email }, schedule: { id: 'PSCHED1' } },
      { escalation_level: 1, user: { id: 'PU1', type: 'user', email: primary.user.email }, schedule: { id: 'PSCHED1' } },
      { escalation_level: 3, user: { id: 'PU3', type: 'user', email: 'not-a-bridgehead-user@example.com' }, schedule: { id: 'PSCHED1' } },
    ], limit: 25, offset: 0, more: false } })
  })

  const startRun = (playbook = 'paged') => pb.startRun(playbook)

  describe('oncall: references', () => {
    it('makes the first escalation level\'s on-call user the commander, asking PagerDuty as documented', async () => {
      const run = await startRun()
      expect(run.roles.commander?.id).to.equal(primary.user.id)
      const schedules = await ctx.receiver().next('/schedules')
      expect(new URL(schedules.url, 'http://pd').searchParams.get('query')).to.equal('Primary')
      const oncalls = await ctx.receiver().next('/oncalls')
      expect(oncalls.method).to.equal('GET')
      expect(oncalls.headers).to.include({ authorization: `Token token=${API_TOKEN}`, accept: 'application/vnd.pagerduty+json;version=2' })
      const query = new URL(oncalls.url, 'http://pd').searchParams
      expect(query.getAll('schedule_ids[]')).to.deep.equal(['PSCHED1'])
      expect(query.getAll('include[]')).to.deep.equal(['users'])
    })

    it('invites everyone on call by schedule id, and nobody else', async () => {
      const run = await startRun()
      const members = await eventually('the on-call users in the channel', async () => {
        const ids = (await world.owner.client.getChannelMembers(run.channel_id)).map((m) => m.user_id)
        return ids.includes(primary.user.id) && ids.includes(secondary.user.id) ? ids : undefined
      }, 30_000)
      expect(members).to.not.include(bystander.user.id)
    })

    it('lets an on-call user approve and refuses someone off call with 403', async () => {
      const run = await startRun()
      await eventually('the approval', async () => ((await pb.getRun(run.id)).steps.find((s) => s.id === 'approve')?.status === 'waiting' ? true : undefined), 30_000)
      const refused = await pb.api(bystander, `/runs/${run.id}/approvals/approve`, { method: 'POST', body: { decision: 'approved' } })
      expect(refused.status, refused.text).to.equal(403)
      const accepted = await pb.api(secondary, `/runs/${run.id}/approvals/approve`, { method: 'POST', body: { decision: 'approved' } })
      expect(accepted.status, accepted.text).to.equal(200)
    })
  })
})
