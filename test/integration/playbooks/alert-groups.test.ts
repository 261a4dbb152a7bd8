/**
 * Alert groups and playbook runs, through the real Alertmanager receiver: the firing alerts of one group start one run
 * (concurrency attach, the default) and the rest attach to it; a resolved alert leaves the run going while its group
 * still fires; the group resolving resolves the run. Group keys are per connection: the same group from another
 * connection is another run.
 */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeChannel, makeTeamWithMembers, uniqueName, type TeamWorld } from '../../helpers/factories.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { eventually } from '../../helpers/eventually.ts'
import { createConnection, deliver, fixture, settled } from '../integrations/support.ts'

const PROBE = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: probe-down, title: Probe down, version: 1 }
on:
  alertmanager: { status: firing }
channel:
  name: "probe-\${{ run.number }}"
steps:
  - id: resolved
    wait: { until: "\${{ run.status == 'resolved' }}", timeout: 1d }
hooks:
  trigger.correlated:
    - { if: "\${{ trigger.status == 'resolved' }}", set: { status: resolved } }
finally:
  - { id: done, uses: run.finish@v1 }
`

const TOKEN = 'alertmanager-bearer-token-2'

type Run = { id: string; playbook_id: string; current_status: string; steps: { id: string; status: string }[] }

forEachBackend((backend) => {
  describe('alert groups and playbook runs', function () {
    this.timeout(90_000)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-alert-groups-'))
    fs.writeFileSync(path.join(dir, 'probe-down.yaml'), PROBE)
    after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const ctx = useTestServer(backend, { jobPollIntervalMs: 100, playbooksDir: dir })
    let world: TeamWorld

    before(async () => {
      world = await makeTeamWithMembers(ctx.server, 0)
    })

    const api = (route: string) => rawRequest(ctx.server.url, `/plugins/playbooks/api/v0${route}`, { token: world.owner.token })
    const probeRuns = async () => (JSON.parse((await api(`/runs?team_id=${world.team.id}`)).text) as { items: Run[] }).items.filter((r) => r.playbook_id === 'probe-down')
    const getRun = async (id: string) => JSON.parse((await api(`/runs/${id}`)).text) as Run
    const connect = async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      return createConnection(ctx.server, world.owner.token, 'alertmanager', { name: uniqueName('am'), team_id: world.team.id, channel_id: channel.id, webhook_secret: TOKEN })
    }
    /** Delivers a fixture and waits until its job has run, as Alertmanager notifies a group one notification at a time. */
    const send = async (connection: { webhook_url: string }, name: string) => {
      const answer = await deliver(ctx.server, connection, { authorization: `Bearer ${TOKEN}` }, fixture('alertmanager', name))
      expect(answer.status, answer.text).to.equal(200)
      await settled(ctx.server)
    }

    it('starts one run for a group of two firing alerts, keeps it going on a partial resolution, and resolves it with the group', async () => {
      const connection = await connect()
      await send(connection, 'group.firing.json')
      const [run] = await eventually('the run', async () => {
        const runs = await probeRuns()
        return runs.length > 0 ? runs : undefined
      })
      expect(await probeRuns()).to.have.length(1)
      const timeline = async () => JSON.parse((await api(`/runs/${run!.id}/timeline`)).text) as { event_type: string; summary: string }[]
      // The second alert of the group attached to the run its first alert started.
      expect((await timeline()).filter((e) => e.event_type === 'trigger_correlated').map((e) => e.summary)).to.deep.equal(['alertmanager: ProbeFailure: BlackBox Probe Failure: https://api.example.org (firing)'])
      await eventually('the run to wait', async () => ((await getRun(run!.id)).steps.find((s) => s.id === 'resolved')?.status === 'waiting' ? true : undefined))

      await send(connection, 'group.partly-resolved.json')
      expect((await getRun(run!.id)).current_status).not.to.be.oneOf(['resolved', 'finished'])
      expect(await probeRuns()).to.have.length(1)

      await send(connection, 'group.resolved.json')
      await eventually('the run to finish', async () => ((await getRun(run!.id)).current_status === 'finished' ? true : undefined))
      expect((await timeline()).some((e) => e.event_type === 'trigger_correlated' && e.summary.endsWith('(resolved)'))).to.equal(true)
      expect(await probeRuns()).to.have.length(1)
    })

    it('gives the same group from another connection a run of its own', async () => {
      const before = (await probeRuns()).length
      const first = await connect()
      const second = await connect()
      await send(first, 'group.firing.json')
      await send(second, 'group.firing.json')
      const runs = await eventually('two runs', async () => {
        const list = await probeRuns()
        return list.length === before + 2 ? list : undefined
      })
      expect(runs.filter((r) => r.current_status !== 'finished')).to.have.length(2)
    })
  })
})
