/**
 * What a run's people do during an incident, through the Playbooks REST API (Mattermost's
 * `/plugins/playbooks/api/v0` routes) and `/playbook` in the run channel, on both databases:
 * hand over roles, assign checklist items, give them due dates, run their command or action,
 * set metrics, and write, publish or cancel the retrospective. Every change is on the timeline
 * with who made it and goes out over the WebSocket; only the run's participants may make them.
 */
import { expect } from 'chai'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend } from '../../helpers/server.ts'
import { makeTeamWithMembers, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { connectWs, type WsSession } from '../../helpers/ws-client.ts'
import { eventually } from '../../helpers/eventually.ts'
import { playbookClient, usePlaybookServer } from './support.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function opsPlaybook(receiverUrl: string): string {
  return `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: ops-drill, title: Ops drill, version: 1 }
on:
  command: { name: /opsdrill }
roles:
  commander: { from: "\${{ trigger.actor }}" }
  scribe: { description: Takes notes }
  comms: { handoff: false }
channel:
  name: "ops-\${{ run.number }}"
steps:
  - id: tasks
    checklist:
      title: Tasks
      blocking: true
      items:
        - { title: Take notes }
        - { title: Say hello, command: "/echo hello from \${{ run.title }}" }
        - { title: Call the hook, uses: http.request@v1, with: { url: "${receiverUrl}/item", body: { run: "\${{ run.id }}" } } }
        - { title: Lead the call, assignee: role:commander }
        - { id: graphs, title: Attach graphs, autoComplete: { keywords: ["graphs attached"], by: [role:scribe] } }
        - { id: rollback, title: Roll back, requires: [{ name: reason, type: text }, { name: run_url, type: url, required: false }] }
  - id: resolved
    wait: { until: "\${{ run.status == 'resolved' }}", timeout: 1h }
hooks:
  role.changed:
    - { id: welcome, message: { text: "{{hook.role}} changed hands ({{hook.from}} → {{hook.to}})" } }
retrospective: { enabled: true, owner: role:commander, reminderEvery: 2s, publishTo: ["#town-square"] }
metrics:
  - { id: customers_affected, type: integer, description: Customers affected, target: 0 }
  - { id: cost, type: currency, description: Cost }
  - { id: time_to_detect, type: duration, target: 5m, description: Time to detect }
`
}

const GUARDED = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: guarded, title: Guarded, version: 1 }
on:
  command: { name: /guarded }
roles:
  commander: { from: "\${{ trigger.actor }}" }
  scribe: { can: [status_update] }
channel:
  name: "guarded-\${{ run.number }}"
steps:
  - id: resolved
    wait: { until: "\${{ run.status == 'resolved' }}", timeout: 1h }
`

type Item = { id: string; title: string; state: string; assignee_id: string; due_date: number; command_last_run: number }
type Run = {
  id: string; number: number; channel_id: string; current_status: string; owner_user_id: string; roles: Record<string, { id: string } | null>
  checklists: { id: string; title: string; items: Item[] }[]; steps: { id: string; status: string; outputs: Record<string, unknown> }[]
  retrospective: string; retrospective_published_at: number; retrospective_was_canceled: boolean
  metrics_data: { metric_config_id: string; value: number | null }[]; built_in_metrics: Record<string, number | null>; metric_configs: { id: string; target: number | null }[]
}
type TimelineEvent = { event_type: string; summary: string; subject_user_id: string; create_at: number }

forEachBackend((backend) => {
  let ws: WsSession | undefined
  after(() => ws?.close())
  const ctx = usePlaybookServer(backend, (url) => ({ 'ops-drill.yaml': opsPlaybook(url), 'guarded.yaml': GUARDED }))
  before(() => ctx.receiver().answer('/item', () => ({ body: { ok: true } })))
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession
  let carol: UserSession
  let dave: UserSession

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 4)
    ;[alice, bob, carol, dave] = world.members as [UserSession, UserSession, UserSession, UserSession]
    ws = await connectWs(ctx.server.url, alice.token)
  })

  const { api, getRun, command, postsIn } = playbookClient<Run>(() => ctx.server.url, () => world.team.id, () => alice)
  async function timeline(id: string): Promise<TimelineEvent[]> {
    return JSON.parse((await api(alice, `/runs/${id}/timeline`)).text) as TimelineEvent[]
  }
  /** Starts a run with its command in town-square and waits until its checklist waits. */
  async function startRun(trigger: string, title: string, waitFor: string): Promise<Run> {
    const townSquare = await alice.client.getChannelByName(world.team.id, 'town-square')
    expect(await command(alice, townSquare.id, `${trigger} declare "${title}"`)).to.contain('Started run')
    const list = JSON.parse((await api(alice, `/runs?team_id=${world.team.id}`)).text) as { items: (Run & { name: string })[] }
    const id = list.items.find((r) => r.name === title)!.id
    return eventually(`run "${title}" to wait at ${waitFor}`, async () => {
      const run = await getRun(id)
      return run.steps.find((s) => s.id === waitFor)?.status === 'waiting' ? run : undefined
    })
  }
  const isMember = async (channelId: string, userId: string) => (await alice.client.getChannelMembers(channelId, 0, 200)).some((m) => m.user_id === userId)

  describe('run operations', function () {
    this.timeout(90_000)
    let run: Run
    const itemsOf = (r: Run) => r.checklists[0]!.items

    before(async () => {
      run = await startRun('/opsdrill', 'Kitchen fire', 'tasks')
    })

    describe('roles', () => {
      it('hands the commander to a team member with POST /owner: invited to the channel, the run owner, announced, on the timeline and the WebSocket', async () => {
        const res = await api(alice, `/runs/${run.id}/owner`, { method: 'POST', body: { owner_id: bob.user.id } })
        expect(res.status, res.text).to.equal(200)
        const changed = JSON.parse(res.text) as Run
        expect(changed.owner_user_id).to.equal(bob.user.id)
        expect(changed.roles.commander?.id).to.equal(bob.user.id)
        expect(itemsOf(changed).find((i) => i.title === 'Lead the call')!.assignee_id, 'the role\'s item follows it').to.equal(bob.user.id)
        expect(await isMember(run.channel_id, bob.user.id)).to.equal(true)
        const messages = (await postsIn(run.channel_id)).map((p) => p.message)
        expect(messages).to.include(`@${alice.user.username} handed the commander role of **Kitchen fire** from @${alice.user.username} to @${bob.user.username}.`)
        const line = (await timeline(run.id)).find((e) => e.event_type === 'owner_changed')!
        expect(line.summary).to.equal(`commander: @${alice.user.username} to @${bob.user.username}`)
        expect(line.subject_user_id).to.equal(alice.user.id)
        await eventually('the WebSocket update with the new owner', async () =>
          ws!.received('custom_playbooks_playbook_run_updated', (e) => (JSON.parse(e.data.payload as string) as Run).owner_user_id === bob.user.id).length > 0 ? true : undefined)
      })

      it('gives another role with /playbook role in the run channel', async () => {
        expect(await command(alice, run.channel_id, `/playbook role scribe @${carol.user.username}`)).to.equal(`@${carol.user.username} is now the scribe.`)
        const changed = await getRun(run.id)
        expect(changed.roles.scribe?.id).to.equal(carol.user.id)
        expect(await isMember(run.channel_id, carol.user.id)).to.equal(true)
        const line = (await timeline(run.id)).find((e) => e.event_type === 'role_changed')!
        expect(line.summary).to.equal(`scribe: nobody to @${carol.user.username}`)
        await eventually('the role.changed hook\'s message', async () =>
          (await postsIn(run.channel_id)).some((p) => p.message === `scribe changed hands ( → ${carol.user.id})`) ? true : undefined)
      })

      it('gives a role with PUT /roles/{role}, and refuses a role the playbook does not hand off with 400', async () => {
        const res = await api(bob, `/runs/${run.id}/roles/scribe`, { method: 'PUT', body: { user_id: bob.user.id } })
        expect(res.status, res.text).to.equal(200)
        expect((JSON.parse(res.text) as Run).roles.scribe?.id).to.equal(bob.user.id)
        const refused = await api(alice, `/runs/${run.id}/roles/comms`, { method: 'PUT', body: { user_id: carol.user.id } })
        expect(refused.status, refused.text).to.equal(400)
        expect(JSON.parse(refused.text).message).to.equal('The comms of this playbook cannot be handed off (roles.comms.handoff: false).')
        const unknown = await api(alice, `/runs/${run.id}/roles/janitor`, { method: 'PUT', body: { user_id: carol.user.id } })
        expect(unknown.status, unknown.text).to.equal(404)
      })

      it('refuses someone who is not in the run channel with 403 in Mattermost\'s error shape', async () => {
        const res = await api(dave, `/runs/${run.id}/owner`, { method: 'POST', body: { owner_id: dave.user.id } })
        expect(res.status, res.text).to.equal(403)
        expect(JSON.parse(res.text)).to.include({ id: 'api.context.permissions.app_error', status_code: 403 })
        expect((await getRun(run.id)).owner_user_id).to.equal(bob.user.id)
      })

      it('rejects a body without a user id with 400 naming the field', async () => {
        const res = await api(alice, `/runs/${run.id}/owner`, { method: 'POST', body: { owner: bob.user.id } })
        expect(res.status, res.text).to.equal(400)
        expect(JSON.parse(res.text).message).to.contain('owner_id')
      })
    })

    describe('checklist items', () => {
      it('assigns an item by Mattermost\'s checklist and item numbers, invites the assignee and keeps the checklist post true', async () => {
        const res = await api(alice, `/runs/${run.id}/checklists/0/item/0/assignee`, { method: 'PUT', body: { assignee_id: dave.user.id } })
        expect(res.status, res.text).to.equal(200)
        expect(itemsOf(JSON.parse(res.text) as Run)[0]!.assignee_id).to.equal(dave.user.id)
        expect(await isMember(run.channel_id, dave.user.id)).to.equal(true)
        const line = (await timeline(run.id)).find((e) => e.event_type === 'assignee_changed' && e.summary.includes('Take notes'))!
        expect(line.summary).to.equal(`changed assignee of checklist item **Take notes** from **unassigned** to **@${dave.user.username}**`)
        const postId = (await getRun(run.id)).steps.find((s) => s.id === 'tasks')!.outputs.postId as string
        const post = await eventually('the checklist post to show the assignee', async () => {
          const p = await alice.client.getPost(postId)
          return p.message.includes(`1. ☐ Take notes (@${dave.user.username})`) ? p : undefined
        })
        expect(post.message).to.contain(`4. ☐ Lead the call (@${bob.user.username})`)
      })

      it('assigns and reassigns with /playbook assign <number> @user', async () => {
        expect(await command(alice, run.channel_id, `/playbook assign 2 @${carol.user.username}`)).to.equal(`"Say hello" is assigned to @${carol.user.username}.`)
        expect(itemsOf(await getRun(run.id))[1]!.assignee_id).to.equal(carol.user.id)
        await command(alice, run.channel_id, `/playbook assign 1 @${carol.user.username}`)
        const line = (await timeline(run.id)).filter((e) => e.event_type === 'assignee_changed' && e.summary.includes('Take notes')).at(-1)!
        expect(line.summary).to.equal(`changed assignee of checklist item **Take notes** from **@${dave.user.username}** to **@${carol.user.username}**`)
      })

      it('sets and clears a due date with PUT …/duedate and /playbook due', async () => {
        const at = Date.now() + 3_600_000
        const res = await api(alice, `/runs/${run.id}/checklists/tasks/item/${itemsOf(run)[0]!.id}/duedate`, { method: 'PUT', body: { due_date: at } })
        expect(res.status, res.text).to.equal(200)
        expect(itemsOf(JSON.parse(res.text) as Run)[0]!.due_date).to.equal(at)
        const before = Date.now()
        expect(await command(alice, run.channel_id, '/playbook due 2 30m')).to.match(/^"Say hello" is due /)
        expect(itemsOf(await getRun(run.id))[1]!.due_date).to.be.within(before + 30 * 60_000, Date.now() + 30 * 60_000)
        await command(alice, run.channel_id, '/playbook due 1 none')
        expect(itemsOf(await getRun(run.id))[0]!.due_date).to.equal(0)
        expect((await timeline(run.id)).filter((e) => e.event_type === 'due_date_changed')).to.have.length(3)
      })

      it('rejects a due date that is not a time with 400 naming due_date, and an unknown item with 404', async () => {
        const bad = await api(alice, `/runs/${run.id}/checklists/0/item/0/duedate`, { method: 'PUT', body: { due_date: 'tomorrow' } })
        expect(bad.status, bad.text).to.equal(400)
        expect(JSON.parse(bad.text).message).to.contain('due_date')
        const missing = await api(alice, `/runs/${run.id}/checklists/0/item/9/duedate`, { method: 'PUT', body: { due_date: 0 } })
        expect(missing.status, missing.text).to.equal(404)
      })

      it('runs an item\'s slash command as the user who runs it, in the run channel', async () => {
        const res = await api(carol, `/runs/${run.id}/checklists/0/item/1/run`, { method: 'POST' })
        expect(res.status, res.text).to.equal(200)
        const echoed = await eventually('the echo', async () => (await postsIn(run.channel_id)).find((p) => p.message === 'hello from Kitchen fire'))
        expect(echoed.user_id).to.equal(carol.user.id)
        const line = (await timeline(run.id)).find((e) => e.event_type === 'ran_slash_command')!
        expect(line).to.include({ summary: 'ran the slash command: `/echo hello from Kitchen fire`', subject_user_id: carol.user.id })
        expect(itemsOf(await getRun(run.id))[1]!.command_last_run).to.be.greaterThan(0)
      })

      it('runs an item\'s action through the action registry with one idempotency key per item run, also from /playbook run-item', async () => {
        const res = await api(alice, `/runs/${run.id}/checklists/0/item/2/run`, { method: 'POST' })
        expect(res.status, res.text).to.equal(200)
        expect(JSON.parse(res.text).outputs).to.include({ status: 200 })
        expect(await command(alice, run.channel_id, '/playbook run-item 3')).to.equal('Ran "Call the hook".')
        const sent = ctx.receiver().received.filter((r) => r.url === '/item')
        expect(sent).to.have.length(2)
        const itemId = itemsOf(run)[2]!.id
        expect(sent.map((r) => r.headers['idempotency-key'])).to.deep.equal([`${run.id}:item:${itemId}:1`, `${run.id}:item:${itemId}:2`])
        expect(JSON.parse(sent[0]!.body)).to.deep.equal({ run: run.id })
        expect((await timeline(run.id)).filter((e) => e.event_type === 'ran_action')).to.have.length(2)
      })

      it('refuses to close an item without the values it requires with 400 naming the value, and closes it with them', async () => {
        const bare = await api(alice, `/runs/${run.id}/checklists/0/item/5/state`, { method: 'PUT', body: { new_state: 'closed' } })
        expect(bare.status, bare.text).to.equal(400)
        expect(JSON.parse(bare.text).message).to.equal('Invalid values.reason: closing "Roll back" needs reason (a text).')
        const wrong = await api(alice, `/runs/${run.id}/checklists/0/item/5/state`, { method: 'PUT', body: { new_state: 'closed', values: { reason: 'bad deploy', run_url: 'ftp://example.com' } } })
        expect(wrong.status, wrong.text).to.equal(400)
        expect(JSON.parse(wrong.text).message).to.equal('Invalid values.run_url: expected an http(s) URL.')
        expect(await command(alice, run.channel_id, '/playbook check 6 reason=bad-deploy')).to.equal('"Roll back" checked.')
        const closed = itemsOf(await getRun(run.id))[5] as Item & { values: Record<string, unknown> }
        expect(closed).to.deep.include({ state: 'closed', values: { reason: 'bad-deploy' } })
      })

      it('closes an autoComplete item when its role holder posts one of its keywords in the run channel, and only then', async () => {
        await carol.client.createPost({ channel_id: run.channel_id, message: 'graphs attached' } as Post)
        await sleep(500)
        expect(itemsOf(await getRun(run.id))[4]!.state, 'carol is not the scribe').to.equal('open')
        await bob.client.createPost({ channel_id: run.channel_id, message: 'Graphs attached, see above' } as Post)
        await eventually('the item to close', async () => (itemsOf(await getRun(run.id))[4]!.state === 'closed' ? true : undefined))
        const line = (await timeline(run.id)).find((e) => e.event_type === 'task_state_modified' && e.summary.includes('Attach graphs'))!
        expect(line.subject_user_id).to.equal(bob.user.id)
      })

      it('answers an item with nothing to run with 400', async () => {
        const res = await api(alice, `/runs/${run.id}/checklists/0/item/0/run`, { method: 'POST' })
        expect(res.status, res.text).to.equal(400)
        expect(JSON.parse(res.text).message).to.equal('"Take notes" has no command or action to run.')
      })
    })

    describe('metrics', () => {
      it('sets the playbook\'s metrics with PUT /metrics and /playbook metric, shown with their targets and the built-in times', async () => {
        const res = await api(alice, `/runs/${run.id}/metrics`, { method: 'PUT', body: { metrics: [{ metric_config_id: 'customers_affected', value: 12 }, { metric_config_id: 'cost', value: '99.50' }] } })
        expect(res.status, res.text).to.equal(200)
        expect(await command(alice, run.channel_id, '/playbook metric time_to_detect 4m')).to.equal('time_to_detect set to 4m.')
        const changed = await getRun(run.id)
        expect(changed.metrics_data).to.deep.equal([
          { metric_config_id: 'customers_affected', value: 12 }, { metric_config_id: 'cost', value: 99.5 }, { metric_config_id: 'time_to_detect', value: 240_000 },
        ])
        expect(changed.metric_configs.find((m) => m.id === 'time_to_detect')!.target).to.equal(300_000)
        expect(changed.built_in_metrics).to.deep.equal({ time_to_acknowledge: null, time_to_mitigate: null, time_to_resolve: null })
        expect((await timeline(run.id)).filter((e) => e.event_type === 'metrics_changed').map((e) => e.summary)).to.deep.equal(['customers_affected set to 12, cost set to 99.5', 'time_to_detect set to 4m'])
      })

      it('lets people correct a built-in time', async () => {
        const res = await api(alice, `/runs/${run.id}/metrics`, { method: 'PUT', body: { metrics: { time_to_acknowledge: '3m' } } })
        expect(res.status, res.text).to.equal(200)
        expect((JSON.parse(res.text) as Run).built_in_metrics.time_to_acknowledge).to.equal(180_000)
      })

      it('rejects a value of the wrong type or an unknown metric with 400 naming it', async () => {
        const wrong = await api(alice, `/runs/${run.id}/metrics`, { method: 'PUT', body: { metrics: [{ metric_config_id: 'customers_affected', value: 'many' }] } })
        expect(wrong.status, wrong.text).to.equal(400)
        expect(JSON.parse(wrong.text).message).to.equal('Invalid metrics.customers_affected: expected a whole number, 0 or more.')
        const unknown = await api(alice, `/runs/${run.id}/metrics`, { method: 'PUT', body: { metrics: { uptime: 3 } } })
        expect(unknown.status, unknown.text).to.equal(400)
        expect(JSON.parse(unknown.text).message).to.contain('metrics.uptime')
      })
    })

    describe('the retrospective', () => {
      it('drafts it from the default template with the metrics, their targets and the timeline', async () => {
        const res = await api(alice, `/runs/${run.id}/retrospective`)
        expect(res.status, res.text).to.equal(200)
        const draft = (JSON.parse(res.text) as { retrospective: string }).retrospective
        expect(draft).to.contain('#### Retrospective: Kitchen fire')
        expect(draft).to.contain('| Customers affected | 12 | 0 |').and.contain('| Time to detect | 4m | 5m |').and.contain('| Time to acknowledge | 3m |')
        expect(draft).to.contain('**Timeline**').and.contain(`commander: @${alice.user.username} to @${bob.user.username}`)
      })

      it('nags its owner once the run is resolved, once per interval', async () => {
        await command(alice, run.channel_id, '/playbook resolve')
        const nag = `@${bob.user.username}, please fill out the retrospective of **Kitchen fire**, then publish it with \`/playbook retro publish\`.`
        await eventually('two reminders', async () => ((await postsIn(run.channel_id)).filter((p) => p.message === nag).length >= 2 ? true : undefined), 15_000)
        const times = (await postsIn(run.channel_id)).filter((p) => p.message === nag).map((p) => p.create_at)
        expect(times[1]! - times[0]!).to.be.at.least(1900)
        expect((await timeline(run.id)).some((e) => e.event_type === 'retrospective_reminder_sent')).to.equal(true)
      })

      it('saves an edited draft with POST /retrospective', async () => {
        const res = await api(alice, `/runs/${run.id}/retrospective`, { method: 'POST', body: { retrospective: '## What happened\nThe toaster.', metrics: [{ metric_config_id: 'customers_affected', value: 3 }] } })
        expect(res.status, res.text).to.equal(200)
        const saved = JSON.parse(res.text) as Run
        expect(saved.retrospective).to.equal('## What happened\nThe toaster.')
        expect(saved.metrics_data[0]).to.deep.equal({ metric_config_id: 'customers_affected', value: 3 })
        const bad = await api(alice, `/runs/${run.id}/retrospective`, { method: 'POST', body: { retrospective: 42 } })
        expect(bad.status, bad.text).to.equal(400)
        expect(JSON.parse(bad.text).message).to.contain('retrospective')
      })

      it('publishes it with /playbook retro publish in the run channel and the publishTo channels, and stops nagging', async () => {
        expect(await command(alice, run.channel_id, '/playbook retro publish')).to.equal('Retrospective published.')
        const published = await getRun(run.id) as Run & { retrospective_reminder_interval_seconds: number }
        expect(published.retrospective_published_at).to.be.greaterThan(0)
        expect(published.retrospective_reminder_interval_seconds).to.equal(2)
        expect((await postsIn(run.channel_id)).some((p) => p.message === '## What happened\nThe toaster.')).to.equal(true)
        const townSquare = await alice.client.getChannelByName(world.team.id, 'town-square')
        expect((await postsIn(townSquare.id)).some((p) => p.message.startsWith('## What happened\nThe toaster.\n\n_From run #'))).to.equal(true)
        expect((await timeline(run.id)).find((e) => e.event_type === 'published_retrospective')!.subject_user_id).to.equal(alice.user.id)
        const count = (await postsIn(run.channel_id)).filter((p) => p.message.includes('please fill out the retrospective')).length
        await sleep(4500)
        expect((await postsIn(run.channel_id)).filter((p) => p.message.includes('please fill out the retrospective')).length).to.be.at.most(count + 1)
        const after = (await postsIn(run.channel_id)).filter((p) => p.message.includes('please fill out the retrospective')).length
        await sleep(2500)
        expect((await postsIn(run.channel_id)).filter((p) => p.message.includes('please fill out the retrospective')).length).to.equal(after)
      })

      it('is canceled with PUT /retrospective/cancel: no reminders after the run resolves', async () => {
        const other = await startRun('/opsdrill', 'Smoke alarm', 'tasks')
        const res = await api(alice, `/runs/${other.id}/retrospective/cancel`, { method: 'PUT' })
        expect(res.status, res.text).to.equal(200)
        expect((JSON.parse(res.text) as Run).retrospective_was_canceled).to.equal(true)
        await command(alice, other.channel_id, '/playbook resolve')
        await sleep(3500)
        expect((await postsIn(other.channel_id)).some((p) => p.message.includes('please fill out the retrospective'))).to.equal(false)
        expect((await timeline(other.id)).some((e) => e.event_type === 'canceled_retrospective')).to.equal(true)
      })
    })
  })

  describe('roles.<role>.can', function () {
    this.timeout(60_000)

    it('lets only the commander (or a role that can edit) change the run, and says so with 403', async () => {
      const run = await startRun('/guarded', 'Locked door', 'resolved')
      expect(await command(alice, run.channel_id, `/playbook role scribe @${bob.user.username}`)).to.equal(`@${bob.user.username} is now the scribe.`)
      const res = await api(bob, `/runs/${run.id}/owner`, { method: 'POST', body: { owner_id: bob.user.id } })
      expect(res.status, res.text).to.equal(403)
      expect(JSON.parse(res.text)).to.include({ id: 'app.playbook_run.edit_not_allowed.app_error', message: 'Only the commander of this run may change it (roles.<role>.can: [edit]).' })
      expect(await command(bob, run.channel_id, `/playbook owner @${bob.user.username}`)).to.equal('Only the commander of this run may change it (roles.<role>.can: [edit]).')
    })

    it('lets only the commander and roles that can post status updates or change the status do so', async () => {
      const run = await startRun('/guarded', 'Flooded basement', 'resolved')
      expect(await command(alice, run.channel_id, `/playbook role scribe @${bob.user.username}`)).to.equal(`@${bob.user.username} is now the scribe.`)
      const byScribe = await api(bob, `/runs/${run.id}/status`, { method: 'POST', body: { message: 'Pumps are running' } })
      expect(byScribe.status, byScribe.text).to.equal(200)
      await alice.client.addToChannel(carol.user.id, run.channel_id)
      const byOther = await api(carol, `/runs/${run.id}/status`, { method: 'POST', body: { message: 'I think it is fine' } })
      expect(byOther.status, byOther.text).to.equal(403)
      expect(JSON.parse(byOther.text)).to.include({ id: 'app.playbook_run.status_update_not_allowed.app_error', message: 'Only the commander or scribe of this run may post status updates (roles.<role>.can: [status_update]).' })
      const finishByScribe = await api(bob, `/runs/${run.id}/finish`, { method: 'PUT' })
      expect(finishByScribe.status, finishByScribe.text).to.equal(403)
      expect(JSON.parse(finishByScribe.text)).to.include({ id: 'app.playbook_run.finish_not_allowed.app_error' })
      expect(await command(bob, run.channel_id, '/playbook resolve')).to.equal("Only the commander of this run may change the run's status (roles.<role>.can: [finish]).")
      expect((await getRun(run.id)).current_status).to.not.equal('Finished')
      expect(await command(alice, run.channel_id, '/playbook resolve')).to.match(/is now resolved/)
    })

    it('answers retrospective commands of a playbook without one with 400', async () => {
      const [run] = (JSON.parse((await api(alice, `/runs?team_id=${world.team.id}`)).text) as { items: (Run & { name: string })[] }).items.filter((r) => r.name === 'Locked door')
      const res = await api(alice, `/runs/${run!.id}/retrospective/publish`, { method: 'POST', body: {} })
      expect(res.status, res.text).to.equal(400)
      expect(JSON.parse(res.text).message).to.equal('This playbook has no retrospective (retrospective.enabled).')
    })
  })
})
