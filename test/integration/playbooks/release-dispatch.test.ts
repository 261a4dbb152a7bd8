/**
 * The built-in Release, run for real up to its ship step: once the checklist is closed and two approvers said yes,
 * `github.workflow.dispatch@v1` reaches a local double of GitHub's REST API with the request GitHub documents
 * (`POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches`, `{ref, inputs}`, 204). Its people come
 * from custom groups made through the API: `release-managers` approves, `qa` gives the qa role (`from: group:qa`).
 */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeTeamWithMembers, type TeamWorld } from '../../helpers/factories.ts'
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { eventually } from '../../helpers/eventually.ts'
import { createConnection } from '../integrations/support.ts'

const TOKEN = 'github_pat_release_e2e'

type Run = { id: string; playbook_id: string; current_status: string; steps: { id: string; status: string; reason?: string }[]; checklist_items: { id: string; state: string }[] }

forEachBackend((backend) => {
  describe('a Release run ships through github.workflow.dispatch@v1', function () {
    this.timeout(90_000)
    const ctx = useTestServer(backend, { allowedUntrustedInternalConnections: '127.0.0.1', jobPollIntervalMs: 100 })
    let world: TeamWorld
    let gh: HttpReceiver

    before(async () => {
      gh = await startHttpReceiver()
      world = await makeTeamWithMembers(ctx.server, 2)
      for (const name of ['releases', 'announcements']) await world.owner.client.createChannel({ team_id: world.team.id, name, display_name: name, type: 'O' } as never)
      await createConnection(ctx.server, world.owner.token, 'github', {
        name: 'github', team_id: world.team.id, channel_id: (await world.owner.client.getChannelByName(world.team.id, 'releases')).id, webhook_secret: 'release-e2e-secret',
        credentials: { token: TOKEN }, settings: { api_url: gh.url },
      })
      const [rm, qa] = world.members
      for (const [name, member] of [['release-managers', rm!], ['qa', qa!]] as const) {
        const res = await rawRequest(ctx.server.url, '/api/v4/groups', { token: world.owner.token, body: { name, display_name: name, source: 'custom', allow_reference: true, user_ids: [member.user.id] } })
        expect(res.status, res.text).to.equal(201)
      }
    })
    after(async () => gh?.close())

    it('dispatches the deploy workflow on main with the version as input', async () => {
      gh.answer('/repos/acme/api/issues', { status: 201, body: { id: 1, number: 12, html_url: 'https://github.com/acme/api/issues/12' } })
      gh.answer('/repos/acme/api/actions/workflows/deploy.yml/dispatches', { status: 204, body: '' })
      const api = (route: string, session = world.owner, init: { method?: string; body?: unknown } = {}) =>
        rawRequest(ctx.server.url, `/plugins/playbooks/api/v0${route}`, { token: session.token, ...init } as never)
      const started = await api('/runs', world.owner, { method: 'POST', body: { playbook_id: 'release', team_id: world.team.id, name: 'Ship 2.5.0', inputs: { version: '2.5.0' } } })
      expect(started.status, started.text).to.equal(201)
      const runId = (JSON.parse(started.text) as Run).id
      const getRun = async () => JSON.parse((await api(`/runs/${runId}`)).text) as Run

      const checklist = await eventually('the checklist', async () => {
        const run = await getRun()
        return run.steps.find((s) => s.id === 'checks')?.status === 'waiting' && run.checklist_items.length > 0 ? run.checklist_items : undefined
      }, 30_000)
      for (const item of checklist.filter((i) => i.state === 'open')) {
        // The smoke-test item requires the CI run's URL (requires: run_url).
        const values = (item as { title?: string }).title === 'Staging smoke tests green' ? { run_url: 'https://ci.example.com/runs/42' } : undefined
        const res = await api(`/runs/${runId}/checklists/items/${item.id}/state`, world.owner, { method: 'PUT', body: { new_state: 'closed', ...(values ? { values } : {}) } })
        expect(res.status, res.text).to.equal(200)
      }
      await eventually('the approval', async () => ((await getRun()).steps.find((s) => s.id === 'approve')?.status === 'waiting' ? true : undefined), 30_000)
      for (const approver of world.members) {
        const res = await api(`/runs/${runId}/approvals/approve`, approver, { method: 'POST', body: { decision: 'approved' } })
        expect(res.status, res.text).to.equal(200)
      }

      const dispatch = await gh.next('/repos/acme/api/actions/workflows/deploy.yml/dispatches', 30_000)
      expect(dispatch.method).to.equal('POST')
      expect(dispatch.headers).to.include({ authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'content-type': 'application/json' })
      expect(JSON.parse(dispatch.body)).to.deep.equal({ ref: 'main', inputs: { version: '2.5.0' } })
      await eventually('the ship step', async () => ((await getRun()).steps.find((s) => s.id === 'ship')?.status === 'succeeded' ? true : undefined), 30_000)
    })
  })
})
