/**
 * Playbook runs end to end, through slash commands, the Playbooks REST API, buttons and the
 * WebSocket, on both databases: a YAML playbook in PLAYBOOKS_DIR is started with its own command,
 * gets its channel, posts, waits for its checklist, an approval and a status, calls an HTTP
 * endpoint with retries, and finishes; every decision is on its timeline.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import { forEachBackend } from '../../helpers/server.ts'
import { makeTeamWithMembers, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { connectWs, type WsSession } from '../../helpers/ws-client.ts'
import { eventually } from '../../helpers/eventually.ts'
import { playbookClient, usePlaybookServer } from './support.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))


function drillPlaybook(receiverUrl: string): string {
  return `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: drill, title: Fire drill, version: 1 }
on:
  command:
    name: /drill
    args:
      title: { type: string, required: true }
inputs:
  title: { type: string }
properties:
  on_fire: { type: boolean, default: false }
roles:
  commander: { from: "\${{ trigger.actor }}" }
channel:
  name: "drill-\${{ run.number }}-\${{ slug(inputs.title) }}"
  header: "Drill {{run.number}} · commander {{mention 'commander'}}"
  broadcast: ["#town-square"]
steps:
  - id: hello
    message: { text: "Drill **{{run.title}}** started by {{mention 'commander'}}" }
  - id: announce
    status_update: { broadcast: true, text: "Drill {{run.title}} declared" }
  - id: tasks
    checklist:
      blocking: true
      items:
        - { title: Find the exit, assignee: role:commander }
        - { title: Count heads }
        - { title: Only if on fire, if: "\${{ props.on_fire }}" }
  - id: approve
    approval: { approvers: [role:commander], text: "All clear?", timeout: 1h }
  - id: wait-resolved
    wait: { until: "\${{ run.status == 'resolved' }}", timeout: 1h }
  - id: call
    uses: http.request@v1
    idempotencyKey: "drill-\${{ run.id }}"
    with: { url: "${receiverUrl}/drill", body: { run: "\${{ run.id }}", title: "\${{ run.title }}" } }
    retry: { max: 2, backoff: fixed, initial: 1s, on: [5xx] }
finally:
  - { id: done, uses: run.finish@v1 }
`
}

type Run = { id: string; number: number; channel_id: string; current_status: string; steps: { id: string; status: string; attempts: number; outputs: Record<string, unknown> }[]; checklist_items: { id: string; title: string; state: string; hidden: boolean }[]; roles: Record<string, { id: string } | null> }

forEachBackend((backend) => {
  let aliceWs: WsSession | undefined
  after(() => aliceWs?.close())
  const ctx = usePlaybookServer(backend, (url) => ({ 'drill.yaml': drillPlaybook(url) }))
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession
  let townSquare: Channel

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    ;[alice, bob] = world.members as [UserSession, UserSession]
    townSquare = await alice.client.getChannelByName(world.team.id, 'town-square')
    aliceWs = await connectWs(ctx.server.url, alice.token)
  })

  const { api, getRun, command, postsIn } = playbookClient<Run>(() => ctx.server.url, () => world.team.id, () => alice)
  const stepOf = (run: Run, id: string) => run.steps.find((s) => s.id === id)!
  async function untilStep(runId: string, stepId: string, status: string): Promise<Run> {
    return eventually(`step ${stepId} to be ${status}`, async () => {
      const run = await getRun(runId)
      return stepOf(run, stepId).status === status ? run : undefined
    })
  }

  describe('a playbook run started with its own slash command', function () {
    this.timeout(90_000)
    let runId: string
    let channelId: string

    it('answers the command at once and creates the run channel with its members and header', async () => {
      const text = await command(alice, townSquare.id, '/drill declare "Kitchen fire"')
      expect(text).to.match(/Started run #\d+ of \*\*drill\*\*: Kitchen fire/)
      const list = JSON.parse((await api(alice, `/runs?team_id=${world.team.id}`)).text) as { items: Run[]; total_count: number }
      const run = list.items.find((r) => (r as unknown as { name: string }).name === 'Kitchen fire')!
      runId = run.id
      const ready = await eventually('the run channel', async () => {
        const r = await getRun(runId)
        return r.channel_id ? r : undefined
      })
      channelId = ready.channel_id
      const channel = await alice.client.getChannel(channelId)
      expect(channel.name).to.equal(`drill-${ready.number}-kitchen-fire`)
      expect(channel.header).to.equal(`Drill ${ready.number} · commander @${alice.user.username}`)
      expect(ready.roles.commander?.id).to.equal(alice.user.id)
    })

    it('posts its message and its status update, broadcast to town-square', async () => {
      await untilStep(runId, 'announce', 'succeeded')
      const inRun = (await postsIn(channelId)).map((p) => p.message)
      expect(inRun).to.include(`Drill **Kitchen fire** started by @${alice.user.username}`)
      expect(inRun).to.include('Drill Kitchen fire declared')
      const broadcast = (await postsIn(townSquare.id)).map((p) => p.message)
      expect(broadcast.some((m) => m.startsWith('Drill Kitchen fire declared'))).to.equal(true)
    })

    it('waits on a blocking checklist whose hidden item never counts, until the visible ones are checked', async () => {
      const waiting = await untilStep(runId, 'tasks', 'waiting')
      expect(waiting.checklist_items.map((i) => [i.title, i.hidden])).to.deep.equal([['Find the exit', false], ['Count heads', false], ['Only if on fire', true]])
      expect(await command(alice, channelId, '/playbook check 1')).to.equal('"Find the exit" checked.')
      await sleep(300)
      expect(stepOf(await getRun(runId), 'tasks').status).to.equal('waiting')
      await command(alice, channelId, '/playbook check 2')
      const done = await untilStep(runId, 'tasks', 'succeeded')
      expect(stepOf(done, 'tasks').outputs).to.deep.equal({ closed: 2, skipped: 1, open: 0, postId: stepOf(done, 'tasks').outputs.postId })
    })

    it('refuses an approval from someone who is not an approver with 403, and takes the commander\'s button click', async () => {
      const waiting = await untilStep(runId, 'approve', 'waiting')
      const refused = await api(bob, `/runs/${runId}/approvals/approve`, { method: 'POST', body: { decision: 'approved' } })
      expect(refused.status, refused.text).to.equal(403)
      expect(refused.text).to.contain('app.playbook_run.approver_only.app_error')
      const postId = stepOf(waiting, 'approve').outputs.postId as string
      await eventually('the approval post', async () => ((stepOf(await getRun(runId), 'approve').outputs.postId as string | undefined) ? true : undefined))
      const post = await alice.client.getPost(postId ?? (stepOf(await getRun(runId), 'approve').outputs.postId as string))
      const approve = ((post.props as Record<string, any>).attachments[0].actions as { id: string; name: string }[]).find((a) => a.name === 'Approve')!
      await alice.client.doPostAction(post.id, approve.id)
      const approved = await untilStep(runId, 'approve', 'succeeded')
      expect(stepOf(approved, 'approve').outputs).to.include({ decision: 'approved' })
    })

    it('waits for the run to be resolved, then calls the endpoint again after a 503, with one idempotency key, and finishes', async () => {
      let calls = 0
      ctx.receiver().answer('/drill', () => (++calls === 1 ? { status: 503, body: 'busy' } : { body: { ok: true } }))
      await untilStep(runId, 'wait-resolved', 'waiting')
      expect(await command(alice, channelId, '/playbook resolve')).to.match(/is now resolved/)
      const finished = await eventually('the run to finish', async () => {
        const r = await getRun(runId)
        return r.current_status === 'finished' ? r : undefined
      })
      expect(stepOf(finished, 'call')).to.include({ status: 'succeeded', attempts: 2 })
      const sent = ctx.receiver().received.filter((r) => r.url === '/drill')
      expect(sent).to.have.length(2)
      expect(new Set(sent.map((r) => r.headers['idempotency-key']))).to.deep.equal(new Set([`drill-${runId}`]))
      expect(JSON.parse(sent[1]!.body)).to.deep.equal({ run: runId, title: 'Kitchen fire' })
    })

    it('keeps a timeline of every decision, in order', async () => {
      const res = await api(alice, `/runs/${runId}/timeline`)
      const types = (JSON.parse(res.text) as { event_type: string }[]).map((e) => e.event_type)
      for (const type of ['trigger_received', 'run_started', 'participants_changed', 'step_started', 'task_state_modified', 'approval_requested', 'approval_decided', 'run_status_changed', 'step_retry', 'step_succeeded']) {
        expect(types, type).to.include(type)
      }
      expect(types.indexOf('run_started')).to.be.lessThan(types.indexOf('approval_decided'))
      expect(types.at(-1)).to.be.oneOf(['step_succeeded', 'run_status_changed'])
    })

    it('sent live run updates over the WebSocket to the run channel', async () => {
      const updates = aliceWs!.received('custom_playbooks_playbook_run_updated', (e) => (JSON.parse(e.data.payload as string) as Run).id === runId)
      expect(updates.length).to.be.greaterThan(3)
    })
  })

  describe('bad input', () => {
    it('answers a declaration without its required title with the reason, starting nothing', async () => {
      const before = JSON.parse((await api(alice, `/runs?team_id=${world.team.id}`)).text).total_count as number
      expect(await command(alice, townSquare.id, '/drill declare')).to.contain('The playbook needs "title"')
      const after = JSON.parse((await api(alice, `/runs?team_id=${world.team.id}`)).text).total_count as number
      expect(after).to.equal(before)
    })

    it('refuses to start an unknown playbook through the API with 404', async () => {
      const res = await api(alice, '/runs', { method: 'POST', body: { playbook_id: 'nope', team_id: world.team.id } })
      expect(res.status, res.text).to.equal(404)
    })

    it('refuses the runs of a team the caller is not in with 403', async () => {
      const other = await makeTeamWithMembers(ctx.server, 0)
      const res = await api(alice, `/runs?team_id=${other.team.id}`)
      expect(res.status, res.text).to.equal(403)
    })
  })
})
