/** Team and channel member roles and channel notification settings (api4/team.go, api4/channel.go). */
import { expect } from 'chai'
import type { ChannelNotifyProps } from '@mattermost/types/channels'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus } from '../helpers/expect-status.ts'
import { makeChannelWith, makePost, makeTeamWithMembers, type TeamWorld } from '../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 3)
  })

  describe('PUT /api/v4/teams/{team_id}/members/{user_id}/roles', () => {
    it('lets a team admin make a member team admin, who may then remove members', async () => {
      const [promoted, victim] = [world.members[0]!, world.members[1]!]
      await world.owner.client.updateTeamMemberRoles(world.team.id, promoted.user.id, ['team_user', 'team_admin'])
      const member = await promoted.client.getTeamMember(world.team.id, promoted.user.id)
      expect(member).to.include({ roles: 'team_user team_admin', scheme_admin: true })
      await promoted.client.removeFromTeam(world.team.id, victim.user.id)
      await expectStatus(victim.client.getTeam(world.team.id), 403, 'api.context.permissions.app_error')
    })

    it('refuses a plain member with 403', async () => {
      const fresh = await makeTeamWithMembers(ctx.server, 2)
      const [member, other] = fresh.members
      await expectStatus(member!.client.updateTeamMemberRoles(fresh.team.id, other!.user.id, ['team_user', 'team_admin']), 403, 'api.context.permissions.app_error')
    })

    it('rejects unknown roles with 400 api.context.invalid_param.app_error', async () => {
      await expectStatus(world.owner.client.updateTeamMemberRoles(world.team.id, world.members[2]!.user.id, ['team_user', 'system_admin']), 400, 'api.context.invalid_param.app_error')
    })

    it('demotes with the scheme roles variant', async () => {
      const target = world.members[2]!
      await world.owner.client.updateTeamMemberSchemeRoles(world.team.id, target.user.id, true, true)
      await world.owner.client.updateTeamMemberSchemeRoles(world.team.id, target.user.id, true, false)
      expect((await target.client.getTeamMember(world.team.id, target.user.id)).scheme_admin).to.equal(false)
    })
  })

  describe('PUT /api/v4/channels/{channel_id}/members/{user_id}/roles', () => {
    it('lets a channel admin make a member channel admin, who may then delete others’ posts', async () => {
      const fresh = await makeTeamWithMembers(ctx.server, 2)
      const [admin, author] = fresh.members
      const channel = await makeChannelWith(fresh, [admin!, author!])
      await fresh.owner.client.updateChannelMemberRoles(channel.id, admin!.user.id, 'channel_user channel_admin')
      const post = await makePost(author!.client, channel.id, 'to be moderated')
      await admin!.client.deletePost(post.id)
      await expectStatus(author!.client.getPost(post.id), 404)
    })

    it('refuses a plain channel member with 403', async () => {
      const fresh = await makeTeamWithMembers(ctx.server, 2)
      const [a, b] = fresh.members
      const channel = await makeChannelWith(fresh, [a!, b!])
      await expectStatus(a!.client.updateChannelMemberRoles(channel.id, b!.user.id, 'channel_user channel_admin'), 403, 'api.context.permissions.app_error')
    })

    it('does not let a plain member delete another member’s post', async () => {
      const fresh = await makeTeamWithMembers(ctx.server, 2)
      const [a, b] = fresh.members
      const channel = await makeChannelWith(fresh, [a!, b!])
      const post = await makePost(b!.client, channel.id)
      await expectStatus(a!.client.deletePost(post.id), 403, 'api.context.permissions.app_error')
    })
  })

  describe('PUT /api/v4/channels/{channel_id}/members/{user_id}/notify_props', () => {
    it('stores mark_unread=mention, after which plain messages no longer count as unread', async () => {
      const fresh = await makeTeamWithMembers(ctx.server, 1)
      const reader = fresh.members[0]!
      const channel = await makeChannelWith(fresh, [reader])
      await reader.client.updateChannelNotifyProps({ channel_id: channel.id, user_id: reader.user.id, mark_unread: 'mention' } as Partial<ChannelNotifyProps> & { channel_id: string; user_id: string })
      await makePost(fresh.owner.client, channel.id, 'nothing for you')
      const member = await reader.client.getMyChannelMember(channel.id)
      expect(member.notify_props.mark_unread).to.equal('mention')
      const unread = await reader.client.getChannelUnread(channel.id, reader.user.id)
      expect(unread.msg_count).to.equal(0)
    })

    it('rejects an unknown mark_unread value with 400', async () => {
      const fresh = await makeTeamWithMembers(ctx.server, 1)
      const reader = fresh.members[0]!
      const channel = await makeChannelWith(fresh, [reader])
      await expectStatus(
        reader.client.updateChannelNotifyProps({ channel_id: channel.id, user_id: reader.user.id, mark_unread: 'sometimes' } as unknown as Partial<ChannelNotifyProps> & { channel_id: string; user_id: string }),
        400,
      )
    })
  })
})
