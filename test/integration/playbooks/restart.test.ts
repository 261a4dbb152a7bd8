/**
 * A server restart in the middle of a run loses nothing: the run waits on its approval across the
 * restart, the new server takes the vote, runs the remaining steps once, and finishes it.
 */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { forEachBackend, useServerStorage, type TestServer } from '../../helpers/server.ts'
import { makeTeamWithMembers } from '../../helpers/factories.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { eventually } from '../../helpers/eventually.ts'

const PLAYBOOK = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: restartable, title: Restartable, version: 1 }
on:
  command: { name: /restartable }
roles:
  commander: { from: "\${{ trigger.actor }}" }
channel:
  name: "restartable-\${{ run.number }}"
steps:
  - id: before
    message: { text: "before the restart" }
  - id: gate
    approval: { approvers: [role:commander], timeout: 1h }
  - id: after
    message: { text: "after the restart, approved by {{steps.gate.outputs.by.[0]}}" }
finally:
  - { id: done, uses: run.finish@v1 }
`

type Run = { id: string; channel_id: string; current_status: string; steps: { id: string; status: string }[] }


forEachBackend((backend) => {
  describe('a playbook run across a server restart', function () {
    this.timeout(120_000)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-restart-'))
    fs.writeFileSync(path.join(dir, 'restartable.yaml'), PLAYBOOK)
    after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const { start } = useServerStorage(backend, { jobPollIntervalMs: 100, playbooksDir: dir })

    it('waits on its approval across the restart, then runs the rest once and finishes', async () => {
      const first = await start()
      const world = await makeTeamWithMembers({ url: first.url } as TestServer, 0)
      const owner = world.owner
      const townSquare = await owner.client.getChannelByName(world.team.id, 'town-square')
      await owner.client.executeCommand('/restartable declare "Across a restart"', { channel_id: townSquare.id, team_id: world.team.id } as never)
      const api = (url: string, route: string, init: { method?: string; body?: unknown } = {}) => rawRequest(url, `/plugins/playbooks/api/v0${route}`, { token: owner.token, ...init } as never)
      const list = JSON.parse((await api(first.url, `/runs?team_id=${world.team.id}`)).text) as { items: Run[] }
      const runId = list.items[0]!.id
      await eventually('the approval to wait', async () => {
        const run = JSON.parse((await api(first.url, `/runs/${runId}`)).text) as Run
        return run.steps.find((s) => s.id === 'gate')?.status === 'waiting' ? run : undefined
      })
      await first.close()

      const second = await start()
      owner.client.setUrl(second.url)
      const res = await api(second.url, `/runs/${runId}/approvals/gate`, { method: 'POST', body: { decision: 'approved' } })
      expect(res.status, res.text).to.equal(200)
      const finished = await eventually('the run to finish', async () => {
        const run = JSON.parse((await api(second.url, `/runs/${runId}`)).text) as Run
        return run.current_status === 'finished' ? run : undefined
      })
      expect(Object.fromEntries(finished.steps.map((s) => [s.id, s.status]))).to.deep.equal({ before: 'succeeded', gate: 'succeeded', after: 'succeeded', done: 'succeeded' })
      const posts = await owner.client.getPosts(finished.channel_id, 0, 100)
      const messages = Object.values(posts.posts).map((p) => p.message)
      expect(messages.filter((m) => m === 'before the restart')).to.have.length(1)
      expect(messages.filter((m) => m === `after the restart, approved by ${owner.user.id}`)).to.have.length(1)
    })
  })
})
