/**
 * Triggers from inside the server: a schedule starts one run per tick in its owner team, a keyword
 * in a post starts a run (mode start) or offers a button that starts one (mode prompt), and a
 * core domain event (`on.event`) starts a run.
 */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeTeamWithMembers, uniqueName, type TeamWorld } from '../../helpers/factories.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { connectWs, type WsSession } from '../../helpers/ws-client.ts'
import { eventually } from '../../helpers/eventually.ts'

type Run = { id: string; name: string; playbook_id: string; owner_user_id: string }


/** A cron (5 fields, UTC) for the next minute boundary at least `ms` away, and its time. */
function nextMinute(ms: number): { cron: string; at: number } {
  const at = Math.ceil((Date.now() + ms) / 60_000) * 60_000
  const d = new Date(at)
  return { cron: `${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`, at }
}

forEachBackend((backend) => {
  describe('playbook triggers from inside the server', function () {
    this.timeout(120_000)
    const team = uniqueName('ops')
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-triggers-'))
    const playbook = (name: string, on: string, owners = '') => `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: ${name}, title: ${name}, version: 1${owners} }
on:
${on}
channel:
  name: "${name}-\${{ run.number }}"
steps:
  - id: hello
    message: { text: "${name} started" }
`
    fs.writeFileSync(path.join(dir, 'outage.yaml'), playbook('outage', '  keyword: { patterns: ["site is down"], mode: start }'))
    fs.writeFileSync(path.join(dir, 'helpme.yaml'), playbook('helpme', '  keyword: { patterns: ["need help"] }'))
    fs.writeFileSync(path.join(dir, 'welcome.yaml'), playbook('welcome', '  event: { types: [channel.created] }'))
    after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const ctx = useTestServer(backend, { jobPollIntervalMs: 100, playbooksDir: dir })
    let world: TeamWorld
    let ws: WsSession

    before(async () => {
      world = await makeTeamWithMembers(ctx.server, 0, { name: team } as never)
      ws = await connectWs(ctx.server.url, world.owner.token)
    })
    after(() => ws?.close())

    const runs = async () => (JSON.parse((await rawRequest(ctx.server.url, `/plugins/playbooks/api/v0/runs?team_id=${world.team.id}`, { token: world.owner.token })).text) as { items: Run[] }).items
    const townSquare = () => world.owner.client.getChannelByName(world.team.id, 'town-square')

    it('starts a run when a post says a keyword of a playbook in start mode, once per post', async () => {
      const channel = await townSquare()
      await world.owner.client.createPost({ channel_id: channel.id, message: 'Heads up: the SITE IS DOWN again' } as Post)
      const run = await eventually('the outage run', async () => (await runs()).find((r) => r.playbook_id === 'outage'))
      expect(run.owner_user_id).to.equal(world.owner.user.id)
    })

    it('offers a button for a keyword of a playbook in prompt mode, and the button starts the run', async () => {
      const channel = await townSquare()
      await world.owner.client.createPost({ channel_id: channel.id, message: 'I need help with the database' } as Post)
      const offer = await ws.waitFor('ephemeral_message', (e) => (JSON.parse(e.data.post as string) as Post).message.includes('**helpme**'))
      const post = JSON.parse(offer.data.post as string) as Post
      const action = ((post.props as Record<string, any>).attachments[0].actions as { id: string; cookie: string }[])[0]!
      expect((await runs()).some((r) => r.playbook_id === 'helpme')).to.equal(false)
      const answer = await world.owner.client.doPostActionWithCookie(post.id, action.id, action.cookie)
      expect(answer).to.include({ status: 'OK' })
      await eventually('the helpme run', async () => (await runs()).find((r) => r.playbook_id === 'helpme'))
    })

    it('starts a run on a core domain event it names (channel.created), not on the channels runs create', async () => {
      await world.owner.client.createChannel({ team_id: world.team.id, name: uniqueName('room'), display_name: 'Room', type: 'O' } as never)
      await eventually('the welcome run', async () => (await runs()).find((r) => r.playbook_id === 'welcome'))
      await new Promise((r) => setTimeout(r, 1500))
      // The run channels made by the playbooks bot (including welcome's own) start nothing.
      expect((await runs()).filter((r) => r.playbook_id === 'welcome')).to.have.length(1)
    })

    it('starts one run at its schedule tick, in the team its owners name', async () => {
      const tick = nextMinute(60_000)
      fs.writeFileSync(path.join(dir, 'nightly.yaml'), playbook('nightly', `  schedule: { cron: "${tick.cron}", timezone: UTC }`, `, owners: ["team:${team}"]`))
      const declared = await eventually('the schedule', async () => (await ctx.server.jobs.getSchedule('playbook:nightly')) ?? undefined)
      expect(declared).to.include({ cron: tick.cron, timeZone: 'UTC', type: 'playbooks.scheduled', nextRunAt: tick.at })
      // The tick is a minute or more away: bring it to now rather than wait (croner's arithmetic is the jobs suite's).
      await ctx.server.sql(`UPDATE job_schedules SET next_run_at = $1::bigint WHERE name = 'playbook:nightly'`, [Date.now()])
      await eventually('the nightly run', async () => (await runs()).find((r) => r.playbook_id === 'nightly'))
      await new Promise((r) => setTimeout(r, 1000))
      expect((await runs()).filter((r) => r.playbook_id === 'nightly')).to.have.length(1)
    })
  })
})
