/** Custom user groups (Mattermost api4/group.go, app/group.go, model/group.go; source "custom"). */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { expectAppError, rawRequest, type RawResponse } from '../../helpers/expect-status.ts'
import { getAdmin, makeUser, uniqueName, type AdminSession, type UserSession } from '../../helpers/factories.ts'

interface GroupJson { id: string; name: string; display_name: string; description: string; source: string; allow_reference: boolean; delete_at: number; member_count?: number; creator_id: string }

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let admin: AdminSession
  let owner: UserSession
  let alice: UserSession
  let bob: UserSession

  before(async () => {
    admin = await getAdmin(ctx.server)
    ;[owner, alice, bob] = await Promise.all([makeUser(ctx.server), makeUser(ctx.server), makeUser(ctx.server)])
  })

  function call(who: { token: string }, method: string, path: string, body?: unknown): Promise<RawResponse> {
    return rawRequest(ctx.server.url, `/api/v4${path}`, { method, token: who.token, ...(body === undefined ? {} : { body }) })
  }

  async function createGroup(who: { token: string }, overrides: Record<string, unknown> = {}): Promise<GroupJson> {
    const res = await call(who, 'POST', '/groups', { name: uniqueName('grp'), display_name: 'Release managers', source: 'custom', allow_reference: true, user_ids: [], ...overrides })
    expect(res.status, res.text).to.equal(201)
    return res.json as GroupJson
  }

  async function memberIds(group: GroupJson): Promise<string[]> {
    const res = await call(alice, 'GET', `/groups/${group.id}/members`)
    expect(res.status, res.text).to.equal(200)
    return (res.json as { members: { id: string }[] }).members.map((u) => u.id)
  }

  describe('POST /api/v4/groups', () => {
    it('lets any user create a custom group with members, answering 201 with the group and its member_count', async () => {
      const name = uniqueName('qa')
      const group = await createGroup(owner, { name, display_name: 'QA', description: 'testers', user_ids: [alice.user.id, bob.user.id] })
      expect(group).to.include({ name, display_name: 'QA', description: 'testers', source: 'custom', allow_reference: true, delete_at: 0, member_count: 2, creator_id: owner.user.id })
      expect(group.id).to.match(/^[a-z0-9]{26}$/)
      expect((await memberIds(group)).sort()).to.deep.equal([alice.user.id, bob.user.id].sort())
    })

    it('rejects a second group with the same name with 400 app.custom_group.unique_name', async () => {
      const group = await createGroup(owner)
      expectAppError(await call(alice, 'POST', '/groups', { name: group.name, display_name: 'Again', source: 'custom', allow_reference: true }), 400, 'app.custom_group.unique_name')
    })

    it('rejects a name with capitals or spaces with 400 model.group.name.invalid_chars.app_error', async () => {
      expectAppError(await call(owner, 'POST', '/groups', { name: 'Release Managers', display_name: 'x', source: 'custom', allow_reference: true }), 400, 'model.group.name.invalid_chars.app_error')
    })

    it('rejects a missing name with 400 model.group.name.invalid_length.app_error', async () => {
      expectAppError(await call(owner, 'POST', '/groups', { display_name: 'x', source: 'custom', allow_reference: true }), 400, 'model.group.name.invalid_length.app_error')
    })

    it('rejects the reserved name "here" with 400 model.group.name.reserved_name.app_error', async () => {
      expectAppError(await call(owner, 'POST', '/groups', { name: 'here', display_name: 'x', source: 'custom', allow_reference: true }), 400, 'model.group.name.reserved_name.app_error')
    })

    it('rejects a name a user already has with 400 api.ldap_groups.existing_user_name_error', async () => {
      expectAppError(await call(owner, 'POST', '/groups', { name: alice.user.username, display_name: 'x', source: 'custom', allow_reference: true }), 400, 'api.ldap_groups.existing_user_name_error')
    })

    it('rejects an empty display_name with 400 model.group.display_name.app_error', async () => {
      expectAppError(await call(owner, 'POST', '/groups', { name: uniqueName('g'), display_name: '', source: 'custom', allow_reference: true }), 400, 'model.group.display_name.app_error')
    })

    it('rejects a source other than custom with 400 app.group.crud_permission', async () => {
      expectAppError(await call(admin, 'POST', '/groups', { name: uniqueName('g'), display_name: 'x', source: 'ldap', allow_reference: true }), 400, 'app.group.crud_permission')
    })

    it('rejects allow_reference false with 400 api.custom_groups.must_be_referenceable', async () => {
      expectAppError(await call(owner, 'POST', '/groups', { name: uniqueName('g'), display_name: 'x', source: 'custom', allow_reference: false }), 400, 'api.custom_groups.must_be_referenceable')
    })

    it('rejects an unknown user id with 400 naming user_ids[1]', async () => {
      const res = await call(owner, 'POST', '/groups', { name: uniqueName('g'), display_name: 'x', source: 'custom', allow_reference: true, user_ids: [alice.user.id, 'a'.repeat(26)] })
      expectAppError(res, 400, 'api.context.invalid_body_param.app_error')
      expect((res.json as { message: string }).message).to.contain('user_ids[1]')
    })

    it('answers 401 without a session', async () => {
      const res = await rawRequest(ctx.server.url, '/api/v4/groups', { method: 'POST', body: { name: uniqueName('g'), display_name: 'x', source: 'custom', allow_reference: true } })
      expect(res.status).to.equal(401)
    })
  })

  describe('GET /api/v4/groups', () => {
    it('lists custom groups matching q, with member_count when include_member_count is set', async () => {
      const marker = uniqueName('needle')
      await createGroup(owner, { name: `${marker}-a`, display_name: 'Needle A', user_ids: [alice.user.id] })
      await createGroup(owner, { name: `${marker}-b`, display_name: 'Needle B' })
      const res = await call(bob, 'GET', `/groups?q=${marker}&include_member_count=true&per_page=10`)
      expect(res.status, res.text).to.equal(200)
      const list = res.json as GroupJson[]
      expect(list.map((g) => [g.name, g.member_count])).to.deep.equal([[`${marker}-a`, 1], [`${marker}-b`, 0]])
    })

    it('pages with page and per_page', async () => {
      const marker = uniqueName('paged')
      for (const suffix of ['a', 'b', 'c']) await createGroup(owner, { name: `${marker}-${suffix}`, display_name: `Paged ${suffix}` })
      const res = await call(bob, 'GET', `/groups?q=${marker}&page=1&per_page=2`)
      expect((res.json as GroupJson[]).map((g) => g.name)).to.deep.equal([`${marker}-c`])
    })
  })

  describe('GET /api/v4/groups/{group_id}', () => {
    it('answers the group to any user', async () => {
      const group = await createGroup(owner)
      const res = await call(bob, 'GET', `/groups/${group.id}?include_member_count=true`)
      expect(res.status).to.equal(200)
      expect(res.json).to.include({ id: group.id, name: group.name, member_count: 0 })
    })

    it('answers 404 app.group.no_rows for an unknown id', async () => {
      expectAppError(await call(bob, 'GET', `/groups/${'b'.repeat(26)}`), 404, 'app.group.no_rows')
    })

    it('answers 400 for a malformed id', async () => {
      expectAppError(await call(bob, 'GET', '/groups/nope'), 400, 'api.context.invalid_url_param.app_error')
    })
  })

  describe('PUT /api/v4/groups/{group_id}/patch', () => {
    it('lets the creator rename the group and change its display name', async () => {
      const group = await createGroup(owner)
      const name = uniqueName('renamed')
      const res = await call(owner, 'PUT', `/groups/${group.id}/patch`, { name, display_name: 'Renamed' })
      expect(res.status, res.text).to.equal(200)
      expect(res.json).to.include({ id: group.id, name, display_name: 'Renamed' })
    })

    it('lets a system admin patch a group somebody else created', async () => {
      const group = await createGroup(owner)
      const res = await call(admin, 'PUT', `/groups/${group.id}/patch`, { description: 'by the admin' })
      expect(res.status, res.text).to.equal(200)
      expect(res.json).to.include({ description: 'by the admin' })
    })

    it('rejects another user with 403 api.context.permissions.app_error', async () => {
      const group = await createGroup(owner)
      expectAppError(await call(bob, 'PUT', `/groups/${group.id}/patch`, { display_name: 'Mine now' }), 403, 'api.context.permissions.app_error')
    })

    it('rejects allow_reference false with 400 api.custom_groups.must_be_referenceable', async () => {
      const group = await createGroup(owner)
      expectAppError(await call(owner, 'PUT', `/groups/${group.id}/patch`, { allow_reference: false }), 400, 'api.custom_groups.must_be_referenceable')
    })

    it('rejects a name another group has with 400 app.custom_group.unique_name', async () => {
      const [a, b] = [await createGroup(owner), await createGroup(owner)]
      expectAppError(await call(owner, 'PUT', `/groups/${b.id}/patch`, { name: a.name }), 400, 'app.custom_group.unique_name')
    })
  })

  describe('POST and DELETE /api/v4/groups/{group_id}/members', () => {
    it('adds members, answering the memberships, and lists them by username in GET …/members', async () => {
      const group = await createGroup(owner)
      const res = await call(owner, 'POST', `/groups/${group.id}/members`, { user_ids: [alice.user.id, bob.user.id] })
      expect(res.status, res.text).to.equal(200)
      expect((res.json as { group_id: string; user_id: string; delete_at: number }[]).map((m) => [m.group_id, m.user_id, m.delete_at]).sort())
        .to.deep.equal([[group.id, alice.user.id, 0], [group.id, bob.user.id, 0]].sort())
      const list = await call(bob, 'GET', `/groups/${group.id}/members`)
      const body = list.json as { members: { id: string; username: string }[]; total_member_count: number }
      expect(body.total_member_count).to.equal(2)
      expect(body.members.map((u) => u.username)).to.deep.equal([alice.user.username, bob.user.username].sort())
    })

    it('lists the members with GET /api/v4/users?in_group=, as Mattermost clients do', async () => {
      const group = await createGroup(owner, { user_ids: [bob.user.id, alice.user.id] })
      // A system admin sees every user; others see only users they share a team or channel with.
      const res = await call(admin, 'GET', `/users?in_group=${group.id}`)
      expect(res.status, res.text).to.equal(200)
      expect((res.json as { id: string }[]).map((u) => u.id).sort()).to.deep.equal([alice.user.id, bob.user.id].sort())
    })

    it('adds a member who is already in the group without error', async () => {
      const group = await createGroup(owner, { user_ids: [alice.user.id] })
      expect((await call(owner, 'POST', `/groups/${group.id}/members`, { user_ids: [alice.user.id] })).status).to.equal(200)
      expect(await memberIds(group)).to.deep.equal([alice.user.id])
    })

    it('removes members, answering them with delete_at set', async () => {
      const group = await createGroup(owner, { user_ids: [alice.user.id, bob.user.id] })
      const res = await call(owner, 'DELETE', `/groups/${group.id}/members`, { user_ids: [alice.user.id] })
      expect(res.status, res.text).to.equal(200)
      const removed = res.json as { user_id: string; delete_at: number }[]
      expect(removed.map((m) => m.user_id)).to.deep.equal([alice.user.id])
      expect(removed[0]!.delete_at).to.be.greaterThan(0)
      expect(await memberIds(group)).to.deep.equal([bob.user.id])
    })

    it('rejects a user who did not create the group with 403, leaving the members as they were', async () => {
      const group = await createGroup(owner, { user_ids: [alice.user.id] })
      expectAppError(await call(bob, 'POST', `/groups/${group.id}/members`, { user_ids: [bob.user.id] }), 403, 'api.context.permissions.app_error')
      expectAppError(await call(bob, 'DELETE', `/groups/${group.id}/members`, { user_ids: [alice.user.id] }), 403, 'api.context.permissions.app_error')
      expect(await memberIds(group)).to.deep.equal([alice.user.id])
    })

    it('rejects an empty user_ids with 400 naming user_ids', async () => {
      const group = await createGroup(owner)
      const res = await call(owner, 'POST', `/groups/${group.id}/members`, { user_ids: [] })
      expectAppError(res, 400, 'api.context.invalid_body_param.app_error')
      expect((res.json as { message: string }).message).to.contain('user_ids')
    })

    it('answers 404 for an unknown group', async () => {
      expectAppError(await call(owner, 'POST', `/groups/${'c'.repeat(26)}/members`, { user_ids: [alice.user.id] }), 404, 'app.group.no_rows')
    })
  })

  describe('DELETE /api/v4/groups/{group_id}', () => {
    it('soft-deletes the group: the answer has delete_at, and it is gone from GET and the list', async () => {
      const group = await createGroup(owner)
      const res = await call(owner, 'DELETE', `/groups/${group.id}`)
      expect(res.status, res.text).to.equal(200)
      expect((res.json as GroupJson).delete_at).to.be.greaterThan(0)
      expectAppError(await call(owner, 'GET', `/groups/${group.id}`), 404, 'app.group.no_rows')
      const list = await call(owner, 'GET', `/groups?q=${group.name}`)
      expect(list.json).to.deep.equal([])
      const archived = await call(owner, 'GET', `/groups?q=${group.name}&include_archived=true`)
      expect((archived.json as GroupJson[]).map((g) => g.id)).to.deep.equal([group.id])
    })

    it('rejects a user who did not create the group with 403', async () => {
      const group = await createGroup(owner)
      expectAppError(await call(bob, 'DELETE', `/groups/${group.id}`), 403, 'api.context.permissions.app_error')
    })
  })
})
