/**
 * The built-in Incident Response playbook, as a team without any vendor connected uses it:
 * `/incident declare` opens the channel and declares, the vendor steps fail on their own without
 * stopping the run, `/incident resolve` closes it out, and the retrospective draft is posted from
 * the playbook's template before the run finishes.
 */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeTeamWithMembers, type TeamWorld } from '../../helpers/factories.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { eventually } from '../../helpers/eventually.ts'

type Run = { id: string; number: number; channel_id: string; current_status: string; properties: Record<string, unknown>; steps: { id: string; status: string; reason?: string }[] }


forEachBackend((backend) => {
  describe('the built-in Incident Response playbook', function () {
    this.timeout(90_000)
    const ctx = useTestServer(backend, { jobPollIntervalMs: 100 })
    let world: TeamWorld

    before(async () => {
      world = await makeTeamWithMembers(ctx.server, 0)
    })

    it('runs from /incident declare to a finished run with its retrospective', async () => {
      const owner = world.owner
      const townSquare = await owner.client.getChannelByName(world.team.id, 'town-square')
      const answer = (await owner.client.executeCommand('/incident declare "API latency" --sev 1', { channel_id: townSquare.id, team_id: world.team.id } as never)) as { text: string }
      expect(answer.text).to.match(/Started run #\d+ of \*\*incident-response\*\*: API latency/)
      const api = (route: string) => rawRequest(ctx.server.url, `/plugins/playbooks/api/v0${route}`, { token: owner.token })
      const runId = (JSON.parse((await api(`/runs?team_id=${world.team.id}`)).text) as { items: Run[] }).items[0]!.id
      const getRun = async () => JSON.parse((await api(`/runs/${runId}`)).text) as Run
      const status = (run: Run, id: string) => run.steps.find((s) => s.id === id)?.status

      // Nothing is connected: the vendor steps fail, and the run goes on without them.
      const waiting = await eventually('the run to wait for resolution, its vendor steps failed', async () => {
        const run = await getRun()
        return status(run, 'mitigated') === 'waiting' && status(run, 'page') === 'failed' && status(run, 'ticket') === 'failed' ? run : undefined
      }, 30_000)
      expect(waiting.properties.severity).to.equal('SEV1')
      const channel = await owner.client.getChannel(waiting.channel_id)
      expect(channel.name).to.equal(`inc-${waiting.number}-api-latency`)
      expect(channel.header).to.equal(`SEV1 · commander @${owner.user.username} · active`)
      expect(status(waiting, 'triage')).to.equal('succeeded')

      await owner.client.executeCommand('/incident resolve', { channel_id: waiting.channel_id, team_id: world.team.id } as never)
      const finished = await eventually('the run to finish', async () => {
        const run = await getRun()
        return run.current_status === 'finished' ? run : undefined
      }, 30_000)
      expect(status(finished, 'retro'), JSON.stringify(finished.steps.find((s) => s.id === 'retro'))).to.equal('succeeded')
      expect(status(finished, 'announce-resolved')).to.equal('succeeded')
      const posts = await owner.client.getPosts(finished.channel_id, 0, 200)
      const messages = posts.order.map((id) => posts.posts[id]!.message)
      expect(messages.some((m) => m.startsWith('**Incident declared:** API latency (SEV1)'))).to.equal(true)
      expect(messages.some((m) => m.startsWith('**Resolved** API latency after'))).to.equal(true)
      const retro = messages.find((m) => m.startsWith('# Retrospective: API latency'))
      expect(retro, messages.join('\n---\n')).to.be.a('string')
      expect(retro).to.contain(`| Commander | @${owner.user.username} |`).and.contain('## Timeline')
      expect(retro, 'the playbook\'s own metrics, unset').to.contain('| Customers affected | unknown |')
      expect(messages.some((m) => m.startsWith(':warning: Step **page** failed'))).to.equal(true)
    })
  })
})
