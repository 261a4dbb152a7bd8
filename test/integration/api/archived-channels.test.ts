/** GET /api/v4/teams/{team_id}/channels/deleted: the archived channels a member may browse (Mattermost api4/channel.go getDeletedChannelsForTeam). */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { expectStatus } from '../../helpers/expect-status.ts'
import { makeChannel, makeTeamWithMembers, makeUser } from '../../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)

  describe('GET /api/v4/teams/{team_id}/channels/deleted', () => {
    it('lists archived public channels, and archived private ones only to their members', async () => {
      const world = await makeTeamWithMembers(ctx.server, 1)
      const [member] = world.members
      const open = await makeChannel(world.owner.client, world.team.id, 'O')
      const kept = await makeChannel(world.owner.client, world.team.id, 'O')
      const secret = await makeChannel(world.owner.client, world.team.id, 'P')
      await world.owner.client.deleteChannel(open.id)
      await world.owner.client.deleteChannel(secret.id)

      const forOwner = (await world.owner.client.getArchivedChannels(world.team.id, 0, 100)).map((c) => c.id)
      expect(forOwner).to.have.members([open.id, secret.id])
      const forMember = await member!.client.getArchivedChannels(world.team.id, 0, 100)
      expect(forMember.map((c) => c.id)).to.deep.equal([open.id])
      expect(forMember[0]!.delete_at).to.be.greaterThan(0)
      expect(forOwner).not.to.include(kept.id)
    })

    it('pages with page and per_page', async () => {
      const world = await makeTeamWithMembers(ctx.server, 0)
      for (let i = 0; i < 3; i++) await world.owner.client.deleteChannel((await makeChannel(world.owner.client, world.team.id, 'O')).id)
      const first = await world.owner.client.getArchivedChannels(world.team.id, 0, 2)
      const second = await world.owner.client.getArchivedChannels(world.team.id, 1, 2)
      expect(first).to.have.length(2)
      expect(second).to.have.length(1)
      expect(second[0]!.id).not.to.be.oneOf(first.map((c) => c.id))
    })

    it('refuses someone outside the team with 403', async () => {
      const world = await makeTeamWithMembers(ctx.server, 0)
      const stranger = await makeUser(ctx.server)
      await expectStatus(stranger.client.getArchivedChannels(world.team.id, 0, 10), 403)
    })
  })
})
