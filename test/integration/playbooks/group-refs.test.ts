/**
 * `group:` and `team:` references in a run: a custom group (made through /api/v4/groups) approves
 * and is invited, a role `from: group:…` goes to the group's first member by username, and
 * `team:<name>` invites the team's people.
 */
import { expect } from 'chai'
import { forEachBackend } from '../../helpers/server.ts'
import { makeTeamWithMembers, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { eventually } from '../../helpers/eventually.ts'
import { playbookClient, usePlaybookServer } from './support.ts'

const TEAM = 'signoff-crew'

const signoff = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: signoff, title: Sign-off, version: 1 }
on:
  command: { name: /signoff }
roles:
  commander: { from: "\${{ trigger.actor }}" }
  reviewer: { from: group:reviewers }
channel:
  name: "signoff-\${{ run.number }}"
  invite: [group:signoff-approvers]
steps:
  - id: approve
    approval: { approvers: [group:signoff-approvers], text: "Ship it?", timeout: 1h }
`

const allHands = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: all-hands, title: All hands, version: 1 }
on:
  command: { name: /all-hands }
channel:
  name: "all-hands-\${{ run.number }}"
  invite: [team:${TEAM}]
steps:
  - id: hello
    message: { text: "Everyone is here" }
`

const briefing = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: briefing, title: Briefing, version: 1 }
on:
  command: { name: /briefing }
channel:
  name: "briefing-\${{ run.number }}"
steps:
  - id: brief
    message: { to: "group:reviewers", text: "Please review run {{run.number}}" }
  - id: nobody
    message: { to: "group:nobody-here", text: "never sent" }
`

type Run = { id: string; channel_id: string; steps: { id: string; status: string; outputs: Record<string, unknown> }[]; roles: Record<string, { id: string } | null> }

forEachBackend((backend) => {
  const ctx = usePlaybookServer(backend, () => ({ 'signoff.yaml': signoff, 'all-hands.yaml': allHands, 'briefing.yaml': briefing }))
  let world: TeamWorld
  let bob: UserSession
  let carol: UserSession
  let dave: UserSession
  let erin: UserSession
  const pb = playbookClient<Run>(() => ctx.server.url, () => world.team.id, () => world.owner)

  async function createGroup(name: string, members: UserSession[]): Promise<void> {
    const res = await rawRequest(ctx.server.url, '/api/v4/groups', { token: world.owner.token, body: { name, display_name: name, source: 'custom', allow_reference: true, user_ids: members.map((m) => m.user.id) } })
    expect(res.status, res.text).to.equal(201)
  }

  const startRun = (playbook: string) => pb.startRun(playbook)

  async function channelMemberIds(channelId: string): Promise<string[]> {
    return (await world.owner.client.getChannelMembers(channelId)).map((m) => m.user_id)
  }

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 4, { name: TEAM, display_name: 'Sign-off crew' })
    ;[bob, carol, dave, erin] = world.members as [UserSession, UserSession, UserSession, UserSession]
    await createGroup('signoff-approvers', [carol])
    await createGroup('reviewers', [erin, dave])
  })

  describe('group: references', () => {
    it('gives a role `from: group:reviewers` to the group\'s first member by username', async () => {
      const run = await startRun('signoff')
      const first = [dave, erin].sort((a, b) => (a.user.username < b.user.username ? -1 : 1))[0]!
      expect(run.roles.reviewer?.id).to.equal(first.user.id)
    })

    it('invites the members of a group named in channel.invite, and nobody outside it', async () => {
      const run = await startRun('signoff')
      const members = await eventually('carol in the channel', async () => {
        const ids = await channelMemberIds(run.channel_id)
        return ids.includes(carol.user.id) ? ids : undefined
      }, 30_000)
      expect(members).to.not.include(bob.user.id)
    })

    it('lets a member of an approver group approve, and refuses a non-member with 403', async () => {
      const run = await startRun('signoff')
      await eventually('the approval', async () => ((await pb.getRun(run.id)).steps.find((s) => s.id === 'approve')?.status === 'waiting' ? true : undefined), 30_000)
      const refused = await pb.api(bob, `/runs/${run.id}/approvals/approve`, { method: 'POST', body: { decision: 'approved' } })
      expect(refused.status, refused.text).to.equal(403)
      expect(JSON.parse(refused.text)).to.include({ id: 'app.playbook_run.approver_only.app_error' })
      const accepted = await pb.api(carol, `/runs/${run.id}/approvals/approve`, { method: 'POST', body: { decision: 'approved' } })
      expect(accepted.status, accepted.text).to.equal(200)
      await eventually('the approval to pass', async () => ((await pb.getRun(run.id)).steps.find((s) => s.id === 'approve')?.status === 'succeeded' ? true : undefined), 30_000)
    })

    it('sends the approval request to each group member in a direct message', async () => {
      const run = await startRun('signoff')
      await eventually('carol\'s direct message with the request', async () => {
        const channels = await carol.client.getMyChannels(world.team.id)
        for (const channel of channels.filter((c) => c.type === 'D')) {
          const posts = await carol.client.getPosts(channel.id, 0, 50)
          if (Object.values(posts.posts).some((p) => p.props?.from_playbook === run.id)) return true
        }
        return undefined
      }, 30_000)
    })
  })

  describe('messages to a group', () => {
    it('sends a message step `to: group:x` to each member by direct message, and fails a step whose group names nobody', async () => {
      const run = await startRun('briefing')
      for (const member of [dave, erin]) {
        await eventually(`${member.user.username}'s direct message`, async () => {
          for (const channel of (await member.client.getMyChannels(world.team.id)).filter((c) => c.type === 'D')) {
            const posts = await member.client.getPosts(channel.id, 0, 50)
            if (Object.values(posts.posts).some((p) => p.props?.from_playbook === run.id && p.message.startsWith('Please review run '))) return true
          }
          return undefined
        }, 30_000)
      }
      const done = await eventually('the steps to finish', async () => {
        const r = await pb.getRun(run.id)
        return r.steps.find((s) => s.id === 'nobody')?.status === 'failed' ? r : undefined
      }, 30_000)
      const brief = done.steps.find((s) => s.id === 'brief')!
      expect(brief.status).to.equal('succeeded')
      expect(brief.outputs.postIds).to.have.length(2)
    })
  })

  describe('team: references', () => {
    it('invites the people of the team named in channel.invite', async () => {
      const run = await startRun('all-hands')
      const expected = [world.owner, bob, carol, dave, erin].map((u) => u.user.id)
      const members = await eventually('the team in the channel', async () => {
        const ids = await channelMemberIds(run.channel_id)
        return expected.every((id) => ids.includes(id)) ? ids : undefined
      }, 30_000)
      expect(members).to.include.members(expected)
    })
  })
})
