/** Teams and team membership through Client4 (Mattermost api4/team.go, app/team.go). */
import { expect } from 'chai'
import type { Team } from '@mattermost/types/teams'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectAppError, expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { getAdmin, makeChannel, makePost, makeTeam, makeUser, uniqueName, type UserSession } from '../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  /** Teams are cheap and each test makes its own, so the people can be shared. */
  let owner: UserSession
  let other: UserSession
  before(async () => {
    owner = await makeUser(ctx.server)
    other = await makeUser(ctx.server)
  })

  describe('POST /api/v4/teams', () => {
    it('creates an open team and returns it', async () => {
      const { client } = owner
      const name = uniqueName('team')
      const team = await client.createTeam({ name, display_name: 'Engineering', type: 'O' } as Team)
      expect(team).to.include({ name, display_name: 'Engineering', type: 'O', delete_at: 0 })
      expect(team.id).to.match(/^[a-z0-9]{26}$/)
    })

    it('leaves allow_open_invite false unless asked for', async () => {
      const { client } = owner
      const team = await client.createTeam({ name: uniqueName('team'), display_name: 'Closed by default', type: 'O' } as Team)
      expect(team.allow_open_invite).to.equal(false)
    })

    it('answers 201 Created', async () => {
      const { token } = owner
      const res = await rawRequest(ctx.server.url, '/api/v4/teams', { token, body: { name: uniqueName('team'), display_name: 'T', type: 'O' } })
      expect(res.status).to.equal(201)
    })

    it('makes the creator a team admin', async () => {
      const { client, user } = owner
      const team = await makeTeam(client)
      const member = await client.getTeamMember(team.id, user.id)
      expect(member.roles.split(' ')).to.include.members(['team_user', 'team_admin'])
      expect(member.scheme_admin).to.equal(true)
    })

    it('creates town-square and off-topic in the new team', async () => {
      const { client } = owner
      const team = await makeTeam(client)
      const townSquare = await client.getChannelByName(team.id, 'town-square')
      const offTopic = await client.getChannelByName(team.id, 'off-topic')
      expect(townSquare).to.include({ team_id: team.id, type: 'O', display_name: 'Town Square' })
      expect(offTopic).to.include({ team_id: team.id, type: 'O', display_name: 'Off-Topic' })
    })

    it('rejects a taken name with 400 app.team.save.existing.app_error', async () => {
      const { client } = owner
      const team = await makeTeam(client)
      await expectStatus(client.createTeam({ name: team.name, display_name: 'Again', type: 'O' } as Team), 400, 'app.team.save.existing.app_error')
    })

    it('rejects a name with spaces with 400 model.team.is_valid.characters.app_error', async () => {
      const { client } = owner
      await expectStatus(client.createTeam({ name: 'not a name', display_name: 'Bad', type: 'O' } as Team), 400, 'model.team.is_valid.characters.app_error')
    })

    it('rejects a reserved name with 400 model.team.is_valid.reserved.app_error', async () => {
      const { client } = owner
      await expectStatus(client.createTeam({ name: 'api', display_name: 'Reserved', type: 'O' } as Team), 400, 'model.team.is_valid.reserved.app_error')
    })
  })

  describe('GET /api/v4/teams/{team_id} and /teams/name/{name}', () => {
    it('returns the team by id', async () => {
      const { client } = owner
      const team = await makeTeam(client)
      expect((await client.getTeam(team.id)).name).to.equal(team.name)
    })

    it('returns the team by name', async () => {
      const { client } = owner
      const team = await makeTeam(client)
      expect((await client.getTeamByName(team.name)).id).to.equal(team.id)
    })

    it('returns 404 for an unknown id', async () => {
      const admin = await getAdmin(ctx.server)
      await expectStatus(admin.client.getTeam('unknownteamidunknownteam12'), 404)
    })
  })

  describe('POST /api/v4/teams/{team_id}/members', () => {
    it('adds a user and returns the team member', async () => {
      const team = await makeTeam(owner.client)
      const member = await owner.client.addToTeam(team.id, other.user.id)
      expect(member).to.include({ team_id: team.id, user_id: other.user.id, delete_at: 0 })
      expect(member.roles).to.equal('team_user')
    })

    it('answers 201 Created', async () => {
      const team = await makeTeam(owner.client)
      const res = await rawRequest(ctx.server.url, `/api/v4/teams/${team.id}/members`, { token: owner.token, body: { team_id: team.id, user_id: other.user.id } })
      expect(res.status).to.equal(201)
    })

    it('joins the added user to town-square and off-topic', async () => {
      const team = await makeTeam(owner.client)
      await owner.client.addToTeam(team.id, other.user.id)
      const names = (await other.client.getMyChannels(team.id)).map((c) => c.name)
      expect(names).to.include.members(['town-square', 'off-topic'])
    })

    it('posts system_add_to_team in town-square when another user adds them', async () => {
      const team = await makeTeam(owner.client)
      await owner.client.addToTeam(team.id, other.user.id)
      const townSquare = await owner.client.getChannelByName(team.id, 'town-square')
      const posts = await owner.client.getPosts(townSquare.id)
      const types = Object.values(posts.posts).map((p) => p.type)
      expect(types).to.include('system_add_to_team')
    })

    it('lets the added user read the team', async () => {
      const team = await makeTeam(owner.client, { type: 'I' })
      await owner.client.addToTeam(team.id, other.user.id)
      expect((await other.client.getTeam(team.id)).id).to.equal(team.id)
    })

    it('rejects a body whose team_id differs from the URL with 400 api.context.invalid_param.app_error', async () => {
      const team = await makeTeam(owner.client)
      const elsewhere = await makeTeam(owner.client)
      const res = await rawRequest(ctx.server.url, `/api/v4/teams/${team.id}/members`, { token: owner.token, body: { team_id: elsewhere.id, user_id: other.user.id } })
      expectAppError(res, 400, 'api.context.invalid_param.app_error')
    })
  })

  describe('GET /api/v4/teams/{team_id}/members', () => {
    it('lists every member of the team', async () => {
      const team = await makeTeam(owner.client)
      await owner.client.addToTeam(team.id, other.user.id)
      const members = await owner.client.getTeamMembers(team.id)
      expect(members.map((m) => m.user_id)).to.have.members([owner.user.id, other.user.id])
    })

    it('returns one member by user id', async () => {
      const team = await makeTeam(owner.client)
      expect((await owner.client.getTeamMember(team.id, owner.user.id)).user_id).to.equal(owner.user.id)
    })

    it('returns 404 for a user who is not a member', async () => {
      const team = await makeTeam(owner.client)
      await expectStatus(owner.client.getTeamMember(team.id, other.user.id), 404)
    })
  })

  describe('GET /api/v4/users/me/teams and /users/me/teams/members', () => {
    it('lists the caller’s teams', async () => {
      const { client } = owner
      const a = await makeTeam(client)
      const b = await makeTeam(client)
      expect((await client.getMyTeams()).map((t) => t.id)).to.include.members([a.id, b.id])
    })

    it('lists the caller’s team memberships', async () => {
      const { client, user } = owner
      const team = await makeTeam(client)
      const members = await client.getMyTeamMembers()
      expect(members.find((m) => m.team_id === team.id)?.user_id).to.equal(user.id)
    })
  })

  describe('GET /api/v4/users/me/teams/unread', () => {
    it('adds one message and one mention for a post that mentions the user by @username', async () => {
      const team = await makeTeam(owner.client)
      await owner.client.addToTeam(team.id, other.user.id)
      const channel = await makeChannel(owner.client, team.id)
      await owner.client.addToChannel(other.user.id, channel.id)
      await other.client.viewMyChannel(channel.id)
      const before = (await other.client.getMyTeamUnreads()).find((u) => u.team_id === team.id)!
      await makePost(owner.client, channel.id, `hello @${other.user.username}`)
      const after = (await other.client.getMyTeamUnreads()).find((u) => u.team_id === team.id)!
      expect(after.msg_count - before.msg_count).to.equal(1)
      expect(after.mention_count - before.mention_count).to.equal(1)
    })

    it('reports integer counts for each team of the caller', async () => {
      const { client } = owner
      const team = await makeTeam(client)
      const unread = (await client.getMyTeamUnreads()).find((u) => u.team_id === team.id)
      expect(unread).to.not.equal(undefined)
      expect(unread!.msg_count).to.be.a('number')
      expect(unread!.mention_count).to.be.a('number')
    })
  })
})
