/**
 * Hooks, compensation, `call` steps and approval timeouts on the server, on both databases: a
 * failed deploy runs its `onError` rollback once, a `call` step starts a child run in the same
 * channel and waits for it, the named approver is asked by direct message, the approval escalates
 * to the commander on its timeout (and only then may the commander decide), and the
 * `run.resolved` hook posts and calls out once; every one of these is on the run's timeline. A
 * child run canceled fails its caller's step; a caller canceled cancels its child.
 */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { makeTeamWithMembers, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.ts'
import { eventually } from '../../helpers/eventually.ts'

function parentPlaybook(receiverUrl: string, approver: string): string {
  return `roles:
  commander: { from: "\${{ trigger.actor }}" }
channel:
  name: "train-\${{ run.number }}"
steps:
  - id: deploy
    uses: http.request@v1
    with: { url: "${receiverUrl}/deploy" }
    continue-on-error: true
    onError:
      - { id: rollback, uses: http.request@v1, with: { url: "${receiverUrl}/rollback", body: { deploy: "\${{ steps.deploy.status }}" } } }
  - id: notes
    call: { playbook: release-notes@1 }
    with: { version: "2.4.0" }
  - id: gate
    approval: { approvers: [user:${approver}], timeout: 2s, onTimeout: escalate, escalateTo: role:commander, text: "Ship {{steps.notes.outputs.properties.summary}}?" }
  - id: wait-resolved
    wait: { until: "\${{ run.status == 'resolved' }}", timeout: 1h }
hooks:
  run.resolved:
    - { id: tell, message: { text: "resolved ({{hook.from}} → {{hook.to}})" } }
    - { id: ping, uses: http.request@v1, with: { url: "${receiverUrl}/resolved", body: { run: "\${{ run.id }}" } } }
finally:
  - { id: done, uses: run.finish@v1 }
`
}

const CHILD = `inputs:
  version: { type: string, required: true }
properties:
  summary: { type: string, default: "" }
steps:
  - { id: write, message: { text: "notes for {{inputs.version}}" } }
  - { id: record, set: { properties: { summary: "v\${{ inputs.version }}" } } }
`

type Step = { id: string; status: string; kind: string; list: string; outputs: Record<string, any> }
type Run = { id: string; number: number; name: string; playbook_id: string; channel_id: string; current_status: string; steps: Step[] }

forEachBackend((backend) => {
  describe('hooks, compensation, call steps and approval timeouts', function () {
    this.timeout(90_000)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-hooks-'))
    let receiver: HttpReceiver
    before(async () => {
      receiver = await startHttpReceiver()
    })
    after(async () => {
      await receiver?.close()
      fs.rmSync(dir, { recursive: true, force: true })
    })
    const ctx = useTestServer(backend, { jobPollIntervalMs: 100, allowedUntrustedInternalConnections: '127.0.0.1', playbooksDir: dir })
    let world: TeamWorld
    let owner: UserSession
    let alice: UserSession
    let bob: UserSession
    let runId: string

    const api = (who: UserSession, route: string, init: { method?: string; body?: unknown } = {}) =>
      rawRequest(ctx.server.url, `/plugins/playbooks/api/v0${route}`, { token: who.token, ...init } as never)
    const getRun = async (id: string) => JSON.parse((await api(owner, `/runs/${id}`)).text) as Run
    const stepOf = (run: Run, id: string) => run.steps.find((s) => s.id === id)
    const untilStep = (id: string, stepId: string, status: string) =>
      eventually(`step ${stepId} to be ${status}`, async () => {
        const run = await getRun(id)
        return stepOf(run, stepId)?.status === status ? run : undefined
      })
    const postsIn = async (who: UserSession, channelId: string): Promise<Post[]> => {
      const list = await who.client.getPosts(channelId, 0, 200)
      return list.order.map((id) => list.posts[id]!).reverse()
    }
    /** An approval request of the run with its buttons in `who`'s direct messages (clients never see the buttons' integration). */
    const approvalDm = (who: UserSession, runId: string) =>
      eventually(`an approval request in ${who.user.username}'s direct messages`, async () => {
        const channels = await who.client.getMyChannels(world.team.id)
        for (const channel of channels.filter((c) => c.type === 'D')) {
          const post = (await postsIn(who, channel.id)).find((p) => (p.props as any)?.from_playbook === runId && (p.props as any)?.attachments?.[0]?.actions?.some((a: { name: string }) => a.name === 'Approve'))
          if (post) return post
        }
        return undefined
      })

    before(async () => {
      world = await makeTeamWithMembers(ctx.server, 2)
      owner = world.owner
      ;[alice, bob] = world.members as [UserSession, UserSession]
      receiver.answer('/deploy', () => ({ status: 400, body: { error: 'bad artifact' } }))
      await loadPlaybooks({ 'release-train': parentPlaybook(receiver.url, alice.user.username), 'release-notes': CHILD })
    })

    /** Writes manual playbooks (name → YAML after the header) and waits until the server loaded them without errors. */
    async function loadPlaybooks(files: Record<string, string>): Promise<void> {
      for (const [name, body] of Object.entries(files)) {
        fs.writeFileSync(path.join(dir, `${name}.yaml`), `apiVersion: bridgehead/v1\nkind: Playbook\nmetadata: { name: ${name}, version: 1 }\non:\n  manual: {}\n${body}`)
      }
      await eventually('the playbooks to load', async () => {
        const list = JSON.parse((await api(owner, '/playbooks')).text) as { items: { id: string; problems: string[] }[] }
        const mine = list.items.filter((p) => p.id in files)
        const errors = mine.flatMap((p) => p.problems).filter((m) => !m.includes(': warning: '))
        if (errors.length > 0) throw new Error(errors.join('\n'))
        return mine.length === Object.keys(files).length ? true : undefined
      })
    }

    it('runs the onError rollback of a failed deploy once, and goes on (continue-on-error)', async () => {
      const res = await api(owner, '/runs', { method: 'POST', body: { playbook_id: 'release-train', team_id: world.team.id, name: 'Train 2.4' } })
      expect(res.status, res.text).to.equal(201)
      runId = (JSON.parse(res.text) as Run).id
      const run = await untilStep(runId, 'deploy/onError/rollback', 'succeeded')
      expect(stepOf(run, 'deploy')!.status).to.equal('failed')
      const rollbacks = receiver.received.filter((r) => r.url === '/rollback')
      expect(rollbacks).to.have.length(1)
      expect(JSON.parse(rollbacks[0]!.body)).to.deep.equal({ deploy: 'failed' })
    })

    it('starts the called playbook as a child run in the same channel, and succeeds with its outputs when it is done', async () => {
      const run = await untilStep(runId, 'notes', 'succeeded')
      const notes = stepOf(run, 'notes')!
      expect(notes.outputs).to.deep.include({ status: 'active' })
      expect(notes.outputs.properties).to.deep.equal({ summary: 'v2.4.0' })
      const child = await getRun(notes.outputs.runId as string)
      expect(child.playbook_id).to.equal('release-notes')
      expect(child.channel_id).to.equal(run.channel_id)
      expect((await postsIn(owner, run.channel_id)).filter((p) => p.message === 'notes for 2.4.0')).to.have.length(1)
    })

    it('asks the named approver by direct message, escalates to the commander on the timeout, and checks who may decide', async () => {
      const dm = await approvalDm(alice, runId)
      expect((dm.props as any).attachments[0].text).to.contain('Ship v2.4.0?')
      const escalated = await eventually('the escalation', async () => {
        const run = await getRun(runId)
        return (stepOf(run, 'gate') as Step & { escalated?: boolean }).escalated ? run : undefined
      })
      expect(stepOf(escalated, 'gate')!.status).to.equal('waiting')
      const refused = await api(bob, `/runs/${runId}/approvals/gate`, { method: 'POST', body: { decision: 'approved' } })
      expect(refused.status, refused.text).to.equal(403)
      const ownerDm = await approvalDm(owner, runId)
      expect((ownerDm.props as any).attachments[0].text).to.contain('Escalated to you')
      const approve = ((ownerDm.props as any).attachments[0].actions as { id: string; name: string }[]).find((a) => a.name === 'Approve')!
      await owner.client.doPostAction(ownerDm.id, approve.id)
      const approved = await untilStep(runId, 'gate', 'succeeded')
      expect(stepOf(approved, 'gate')!.outputs).to.deep.include({ decision: 'approved', by: [owner.user.id] })
    })

    it('runs the run.resolved hook\'s steps once when the run is resolved, then finishes', async () => {
      await untilStep(runId, 'wait-resolved', 'waiting')
      const res = await api(owner, `/runs/${runId}/status`, { method: 'PUT', body: { status: 'resolved' } })
      expect(res.status, res.text).to.equal(200)
      const finished = await eventually('the run to finish with its hook done', async () => {
        const run = await getRun(runId)
        return run.current_status === 'finished' && stepOf(run, 'hooks.run.resolved#1/ping')?.status === 'succeeded' ? run : undefined
      })
      expect(stepOf(finished, 'hooks.run.resolved#1/tell')).to.include({ status: 'succeeded', list: 'hook' })
      expect((await postsIn(owner, finished.channel_id)).filter((p) => p.message === 'resolved (active → resolved)')).to.have.length(1)
      expect(receiver.received.filter((r) => r.url === '/resolved')).to.have.length(1)
    })

    it('keeps each new kind of event on the timeline', async () => {
      const types = (JSON.parse((await api(owner, `/runs/${runId}/timeline`)).text) as { event_type: string }[]).map((e) => e.event_type)
      for (const type of ['compensation_started', 'call_started', 'approval_requested', 'approval_escalated', 'approval_decided', 'hook_fired', 'run_status_changed']) expect(types, type).to.include(type)
    })

    /** Starts the caller playbook; resolves once its child (waiter) run waits. */
    async function startCaller(name: string): Promise<{ callerId: string; childId: string }> {
      const res = await api(owner, '/runs', { method: 'POST', body: { playbook_id: 'caller', team_id: world.team.id, name } })
      expect(res.status, res.text).to.equal(201)
      const callerId = (JSON.parse(res.text) as Run).id
      const waiting = await eventually('the child run', async () => {
        const run = await getRun(callerId)
        return stepOf(run, 'sub')?.outputs.runId ? run : undefined
      })
      const childId = stepOf(waiting, 'sub')!.outputs.runId as string
      await untilStep(childId, 'hold', 'waiting')
      return { callerId, childId }
    }

    it('fails a call step whose child run is canceled', async () => {
      await loadPlaybooks({
        caller: `channel:
  name: "caller-\${{ run.number }}"
steps:
  - id: sub
    call: { playbook: waiter }
    onError: [{ id: fallback, message: { text: "the child was canceled" } }]
`,
        waiter: `steps:
  - { id: hold, wait: { for: 1h } }
hooks:
  run.canceled:
    - { id: bye, message: { text: "waiter canceled" } }
`,
      })
      const { callerId, childId } = await startCaller('Caller')
      const cancel = await api(owner, `/runs/${childId}/status`, { method: 'PUT', body: { status: 'canceled' } })
      expect(cancel.status, cancel.text).to.equal(200)
      const failed = await untilStep(callerId, 'sub/onError/fallback', 'succeeded')
      expect(stepOf(failed, 'sub')!.status).to.equal('failed')
    })

    it('cancels the run a call step waits for when its caller is canceled, and runs the child\'s run.canceled hook', async () => {
      const { callerId, childId } = await startCaller('Caller 2')
      const cancel = await api(owner, `/runs/${callerId}/status`, { method: 'PUT', body: { status: 'canceled' } })
      expect(cancel.status, cancel.text).to.equal(200)
      const child = await untilStep(childId, 'hooks.run.canceled#1/bye', 'succeeded')
      expect(child.current_status).to.equal('canceled')
      expect(stepOf(child, 'hold')!.status).to.equal('waiting')
      expect((await postsIn(owner, child.channel_id)).filter((p) => p.message === 'waiter canceled')).to.have.length(1)
    })
  })
})
