/**
 * Run reminders as durable jobs: a status reminder repeats at its interval until its `until`
 * holds, a status update resets it, and an overdue reminder re-nags about overdue checklist items.
 */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeTeamWithMembers, type TeamWorld } from '../../helpers/factories.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { eventually } from '../../helpers/eventually.ts'

const PLAYBOOK = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: nagging, title: Nagging, version: 1 }
on:
  command: { name: /nag }
roles:
  commander: { from: "\${{ trigger.actor }}" }
channel:
  name: "nag-\${{ run.number }}"
reminders:
  - id: status
    every: 2s
    to: role:commander
    until: "\${{ run.status == 'resolved' }}"
    text: "{{mention 'commander'}} status update due for {{run.title}}"
  - id: overdue
    about: overdue
    every: 2s
    until: "\${{ run.status == 'resolved' }}"
steps:
  - id: work
    checklist:
      items:
        - { title: Page the database team, due: 1s, assignee: role:commander }
        - { title: Later, due: 1h }
  - id: resolved
    wait: { until: "\${{ run.status == 'resolved' }}", timeout: 1h }
`


forEachBackend((backend) => {
  describe('playbook run reminders', function () {
    this.timeout(60_000)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-remind-'))
    fs.writeFileSync(path.join(dir, 'nagging.yaml'), PLAYBOOK)
    after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const ctx = useTestServer(backend, { jobPollIntervalMs: 100, playbooksDir: dir })
    let world: TeamWorld
    let channelId: string

    const messages = async () => {
      const list = await world.owner.client.getPosts(channelId, 0, 200)
      return list.order.map((id) => list.posts[id]!).reverse().map((p) => ({ message: p.message, at: p.create_at }))
    }

    before(async () => {
      world = await makeTeamWithMembers(ctx.server, 0)
      const ts = await world.owner.client.getChannelByName(world.team.id, 'town-square')
      await world.owner.client.executeCommand('/nag declare "Disk full"', { channel_id: ts.id, team_id: world.team.id } as never)
      const runs = JSON.parse((await rawRequest(ctx.server.url, `/plugins/playbooks/api/v0/runs?team_id=${world.team.id}`, { token: world.owner.token })).text) as { items: { id: string }[] }
      channelId = await eventually('the run channel', async () => {
        const run = JSON.parse((await rawRequest(ctx.server.url, `/plugins/playbooks/api/v0/runs/${runs.items[0]!.id}`, { token: world.owner.token })).text) as { channel_id: string }
        return run.channel_id || undefined
      })
    })

    it('asks the commander for a status update at its interval', async () => {
      const due = `@${world.owner.user.username} status update due for Disk full`
      const first = await eventually('the first reminder', async () => (await messages()).find((m) => m.message === due))
      await eventually('the second reminder', async () => ((await messages()).filter((m) => m.message === due).length >= 2 ? true : undefined))
      const times = (await messages()).filter((m) => m.message === due).map((m) => m.at)
      expect(times[1]! - times[0]!).to.be.at.least(1900)
      expect(first).to.not.equal(undefined)
    })

    it('re-nags about overdue checklist items only', async () => {
      const overdue = await eventually('the overdue reminder', async () => (await messages()).find((m) => m.message.startsWith('Overdue in Disk full:')))
      expect(overdue.message).to.equal(`Overdue in Disk full:\n- Page the database team (@${world.owner.user.username})`)
    })

    it('counts the next status reminder from a status update', async () => {
      const due = `@${world.owner.user.username} status update due for Disk full`
      await world.owner.client.executeCommand('/playbook status Freed 20 GB', { channel_id: channelId, team_id: world.team.id } as never)
      const updateAt = (await messages()).find((m) => m.message.includes('Freed 20 GB'))!.at
      const next = await eventually('a reminder after the update', async () => (await messages()).find((m) => m.message === due && m.at > updateAt))
      expect(next.at - updateAt).to.be.at.least(1900)
    })

    it('stops once its until holds', async () => {
      await world.owner.client.executeCommand('/playbook resolve', { channel_id: channelId, team_id: world.team.id } as never)
      await new Promise((r) => setTimeout(r, 2500))
      const count = (await messages()).filter((m) => m.message.includes('status update due')).length
      await new Promise((r) => setTimeout(r, 3000))
      expect((await messages()).filter((m) => m.message.includes('status update due')).length).to.equal(count)
    })
  })
})
