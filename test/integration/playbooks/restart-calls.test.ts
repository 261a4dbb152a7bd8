/**
 * A restart in the middle of a `call`: the child run waits on its approval across the restart;
 * the new server takes the vote, the child finishes, its parent's `call` step succeeds, and the
 * parent's `run.finished` hook posts once.
 */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { forEachBackend, useServerStorage, type TestServer } from '../../helpers/server.ts'
import { makeTeamWithMembers } from '../../helpers/factories.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { eventually } from '../../helpers/eventually.ts'

const PARENT = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: outer, title: Outer, version: 1 }
on:
  command: { name: /outer }
roles:
  commander: { from: "\${{ trigger.actor }}" }
channel:
  name: "outer-\${{ run.number }}"
steps:
  - { id: inner, call: { playbook: inner }, with: { what: "the gate" } }
finally:
  - { id: done, uses: run.finish@v1 }
hooks:
  run.finished:
    - { id: bye, message: { text: "outer finished after {{steps.inner.outputs.status}} inner run" } }
`

const CHILD = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: inner, title: Inner, version: 1 }
on:
  manual: {}
inputs:
  what: { type: string, required: true }
roles:
  commander: { from: "\${{ trigger.actor }}" }
steps:
  - { id: gate, approval: { approvers: [role:commander], timeout: 1h, text: "Open {{inputs.what}}?" } }
finally:
  - { id: done, uses: run.finish@v1 }
`

type Run = { id: string; channel_id: string; current_status: string; steps: { id: string; status: string; outputs: Record<string, unknown> }[] }

forEachBackend((backend) => {
  describe('a call step across a server restart', function () {
    this.timeout(120_000)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-restart-calls-'))
    fs.writeFileSync(path.join(dir, 'outer.yaml'), PARENT)
    fs.writeFileSync(path.join(dir, 'inner.yaml'), CHILD)
    after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const { start } = useServerStorage(backend, { jobPollIntervalMs: 100, playbooksDir: dir })

    it('waits for its child across the restart, then succeeds once the child finishes, and runs its hook once', async () => {
      const first = await start()
      const world = await makeTeamWithMembers({ url: first.url } as TestServer, 0)
      const owner = world.owner
      const townSquare = await owner.client.getChannelByName(world.team.id, 'town-square')
      await owner.client.executeCommand('/outer declare "Nested"', { channel_id: townSquare.id, team_id: world.team.id } as never)
      const api = (url: string, route: string, init: { method?: string; body?: unknown } = {}) => rawRequest(url, `/plugins/playbooks/api/v0${route}`, { token: owner.token, ...init } as never)
      const getRun = async (url: string, id: string) => JSON.parse((await api(url, `/runs/${id}`)).text) as Run
      const outer = (JSON.parse((await api(first.url, `/runs?team_id=${world.team.id}`)).text) as { items: Run[] }).items[0]!
      const childId = await eventually('the child run to wait on its approval', async () => {
        const run = await getRun(first.url, outer.id)
        const id = run.steps.find((s) => s.id === 'inner')?.outputs.runId as string | undefined
        if (!id) return undefined
        const child = await getRun(first.url, id)
        return child.steps.find((s) => s.id === 'gate')?.status === 'waiting' ? id : undefined
      })
      await first.close()

      const second = await start()
      owner.client.setUrl(second.url)
      const res = await api(second.url, `/runs/${childId}/approvals/gate`, { method: 'POST', body: { decision: 'approved' } })
      expect(res.status, res.text).to.equal(200)
      const finished = await eventually('the outer run to finish with its hook', async () => {
        const run = await getRun(second.url, outer.id)
        return run.current_status === 'finished' && run.steps.find((s) => s.id === 'hooks.run.finished#1/bye')?.status === 'succeeded' ? run : undefined
      })
      expect(finished.steps.find((s) => s.id === 'inner')).to.include({ status: 'succeeded' })
      expect((await getRun(second.url, childId)).current_status).to.equal('finished')
      const posts = await owner.client.getPosts(finished.channel_id, 0, 100)
      const messages = Object.values(posts.posts).map((p) => p.message)
      expect(messages.filter((m) => m === 'outer finished after finished inner run')).to.have.length(1)
      // The child has no channel of its own: its approval request is in its caller's.
      expect(Object.values(posts.posts).filter((p) => ((p.props as Record<string, any>)?.attachments?.[0]?.text as string | undefined)?.startsWith('Open the gate?'))).to.have.length(1)
    })
  })
})
