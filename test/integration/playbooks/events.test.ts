/**
 * Connector events and runs, through the bus as connectors publish them (`integration.event`):
 * an event matching a playbook's `on:` starts a run once however often it is delivered, a later
 * event with the run's correlation key is attached to it (a resolved incident resolves the run),
 * and a `wait: { event }` step waits for the event its `if` accepts.
 */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeTeamWithMembers, type TeamWorld } from '../../helpers/factories.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { eventually } from '../../helpers/eventually.ts'

const PAGED = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: paged, title: Paged, version: 1 }
on:
  pagerduty: { events: [incident.triggered], if: "\${{ trigger.data.urgency == 'high' }}" }
concurrency: { key: "\${{ trigger.correlationKey }}", onDuplicate: attach }
inputs:
  title: { type: string, default: "\${{ trigger.title }}" }
channel:
  name: "paged-\${{ run.number }}"
steps:
  - id: resolved
    wait: { until: "\${{ run.status == 'resolved' }}", timeout: 1d }
hooks:
  trigger.correlated:
    - { if: "\${{ trigger.status == 'resolved' }}", set: { status: resolved } }
finally:
  - { id: done, uses: run.finish@v1 }
`

const DEPLOY = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: deploy, title: Deploy, version: 1 }
on:
  manual: {}
channel:
  name: "deploy-\${{ run.number }}"
steps:
  - id: deployed
    wait:
      event: { source: github, type: workflow_run.completed, if: "\${{ trigger.data.conclusion == 'success' }}" }
      timeout: 1h
  - id: announce
    message: { text: "deployed by run {{steps.deployed.outputs.event.data.run_id}}" }
`

type Run = { id: string; name: string; playbook_id: string; channel_id: string; current_status: string; steps: { id: string; status: string }[] }


forEachBackend((backend) => {
  describe('playbook runs and connector events', function () {
    this.timeout(60_000)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-events-'))
    fs.writeFileSync(path.join(dir, 'paged.yaml'), PAGED)
    fs.writeFileSync(path.join(dir, 'deploy.yaml'), DEPLOY)
    after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const ctx = useTestServer(backend, { jobPollIntervalMs: 100, playbooksDir: dir })
    let world: TeamWorld

    before(async () => {
      world = await makeTeamWithMembers(ctx.server, 0)
    })

    const api = (route: string, init: { method?: string; body?: unknown } = {}) => rawRequest(ctx.server.url, `/plugins/playbooks/api/v0${route}`, { token: world.owner.token, ...init } as never)
    const runs = async () => (JSON.parse((await api(`/runs?team_id=${world.team.id}`)).text) as { items: Run[] }).items
    const publish = (event: Record<string, unknown>) =>
      ctx.server.bus.publish({ type: 'integration.event', payload: { teamId: world.team.id, connectionId: 'c1', event: { occurredAt: Date.now(), ...event } } })
    const incident = (id: string, status: string, urgency = 'high') => ({
      source: 'pagerduty', type: `pagerduty.incident.${status}`, vendorEvent: `incident.${status}`, id, correlationKey: 'PINC42', title: 'Checkout errors', status, data: { id: 'PINC42', urgency },
    })

    it('starts one run for a matching event, however often it is delivered, and none for one its if refuses', async () => {
      await publish(incident('delivery-low', 'triggered', 'low'))
      await publish(incident('delivery-1', 'triggered'))
      await publish(incident('delivery-1', 'triggered'))
      const paged = (await runs()).filter((r) => r.playbook_id === 'paged')
      expect(paged.map((r) => r.name)).to.deep.equal(['Checkout errors'])
      // The built-in Incident Response starts on a high-urgency incident too: another playbook, another run.
      expect((await runs()).filter((r) => r.playbook_id === 'incident-response')).to.have.length(1)
    })

    it('attaches a later event with the same correlation key to the run: resolved in PagerDuty resolves and finishes it', async () => {
      const [run] = (await runs()).filter((r) => r.playbook_id === 'paged')
      await eventually('the run to wait', async () => {
        const r = JSON.parse((await api(`/runs/${run!.id}`)).text) as Run
        return r.steps.find((s) => s.id === 'resolved')?.status === 'waiting' ? true : undefined
      })
      await publish(incident('delivery-2', 'resolved'))
      await eventually('the run to finish', async () => {
        const r = JSON.parse((await api(`/runs/${run!.id}`)).text) as Run
        return r.current_status === 'finished' ? true : undefined
      })
      const timeline = JSON.parse((await api(`/runs/${run!.id}/timeline`)).text) as { event_type: string; summary: string }[]
      expect(timeline.map((e) => e.event_type)).to.include.members(['trigger_correlated', 'run_status_changed'])
      expect((await runs()).filter((r) => r.playbook_id === 'paged')).to.have.length(1)
    })

    it('waits for the event its wait.event accepts, and goes on with it', async () => {
      const res = await api('/runs', { method: 'POST', body: { playbook_id: 'deploy', team_id: world.team.id, name: 'Ship 2.5' } })
      expect(res.status, res.text).to.equal(201)
      const runId = (JSON.parse(res.text) as Run).id
      const getRun = async () => JSON.parse((await api(`/runs/${runId}`)).text) as Run
      await eventually('the wait', async () => ((await getRun()).steps.find((s) => s.id === 'deployed')?.status === 'waiting' ? true : undefined))
      const workflow = (id: string, conclusion: string, runNumber: number) => ({
        source: 'github', type: 'github.workflow_run.completed', vendorEvent: 'workflow_run.completed', id, correlationKey: `acme/api:run:${runNumber}`, title: 'deploy', data: { conclusion, run_id: runNumber },
      })
      await publish(workflow('gh-1', 'failure', 1))
      await new Promise((r) => setTimeout(r, 500))
      expect((await getRun()).steps.find((s) => s.id === 'deployed')?.status).to.equal('waiting')
      await publish(workflow('gh-2', 'success', 2))
      const run = await eventually('the announcement', async () => {
        const r = await getRun()
        return r.steps.find((s) => s.id === 'announce')?.status === 'succeeded' ? r : undefined
      })
      const posts = await world.owner.client.getPosts(run.channel_id, 0, 50)
      expect(Object.values(posts.posts).map((p) => p.message)).to.include('deployed by run 2')
    })
  })
})
