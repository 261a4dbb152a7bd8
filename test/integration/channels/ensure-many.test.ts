/**
 * `channels.ensureMany`: many channels with their members in one call (playbook runs), reusing live channels of the
 * same name, idempotent with deterministic ids, with the side effects of `create` and `addMember` for each.
 */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeChannel, makeTeamWithMembers, makeUser, uniqueName, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { rejection, sessionOf } from '../../helpers/sessions.ts'
import { idFromKey } from '../../../core/ids.ts'
import type { EnsureChannelInput } from '../../../core/channels/service.ts'
import type { DomainEvent } from '../../../core/realtime/events.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let outsider: UserSession
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 3)
    outsider = await makeUser(ctx.server)
  })

  const channelRow = async (id: string) =>
    (await ctx.server.sql<{ total_msg_count: number; total_msg_count_root: number; delete_at: number }>('SELECT * FROM channels WHERE id = $1', [id]))[0]!
  const memberIds = async (channelId: string) =>
    (await ctx.server.sql<{ user_id: string }>('SELECT user_id FROM channel_members WHERE channel_id = $1 ORDER BY user_id', [channelId])).map((r) => r.user_id)
  const postsOf = async (channelId: string) =>
    ctx.server.sql<{ type: string; user_id: string; message: string; props: Record<string, unknown> }>('SELECT type, user_id, message, props FROM posts WHERE channel_id = $1 ORDER BY create_at', [channelId])

  function inputs(count: number, members: string[], key = uniqueName('run')): EnsureChannelInput[] {
    return Array.from({ length: count }, (_, i) => ({
      id: idFromKey(`${key}:${i}`), team_id: world.team.id, name: `${key}-${i}`, display_name: `Run ${i}`, type: i % 2 === 0 ? 'O' : 'P', members,
    }))
  }

  /** Domain events of `types` published while `fn` runs. */
  async function watching<T>(types: string[], fn: () => Promise<T>): Promise<{ result: T; events: DomainEvent[] }> {
    const events: DomainEvent[] = []
    const stop = ctx.server.bus.subscribe({ id: uniqueName('watch'), events: types, handle: (event) => { events.push(event) } })
    try {
      return { result: await fn(), events }
    } finally {
      stop()
    }
  }

  describe('channels.ensureMany', () => {
    it('creates every channel with the caller as admin and the members added, in one call', async () => {
      const [a, b] = world.members as [UserSession, UserSession]
      const { result, events } = await watching(['channel.created', 'channel.member_added'], () =>
        ctx.server.channels.ensureMany(sessionOf(world.owner), inputs(3, [a.user.id, b.user.id])))
      expect(result).to.have.length(3)
      for (const { channel, created, added } of result) {
        expect(created).to.equal(true)
        expect(added).to.have.members([a.user.id, b.user.id])
        expect(await memberIds(channel.id)).to.have.members([world.owner.user.id, a.user.id, b.user.id])
        const admin = await ctx.server.sql<{ scheme_admin: boolean }>('SELECT scheme_admin FROM channel_members WHERE channel_id = $1 AND user_id = $2', [channel.id, world.owner.user.id])
        expect(admin[0]!.scheme_admin).to.equal(true)
      }
      expect(result.map((r) => r.channel.type)).to.deep.equal(['O', 'P', 'O'])
      expect(events.filter((e) => e.type === 'channel.created')).to.have.length(3)
      expect(events.filter((e) => e.type === 'channel.member_added')).to.have.length(6)
    })

    it('posts the creator\'s join and each member\'s add as system messages and counts them', async () => {
      const [a] = world.members as [UserSession]
      const [{ channel }] = await ctx.server.channels.ensureMany(sessionOf(world.owner), inputs(1, [a.user.id]))
      const posts = await postsOf(channel.id)
      expect(posts.map((p) => p.type)).to.deep.equal(['system_join_channel', 'system_add_to_channel'])
      expect(posts[0]!.message).to.equal(`${world.owner.user.username} joined the channel.`)
      expect(posts[1]).to.deep.include({
        user_id: world.owner.user.id,
        message: `${a.user.username} added to the channel by ${world.owner.user.username}.`,
        props: { userId: world.owner.user.id, username: world.owner.user.username, addedUserId: a.user.id, addedUsername: a.user.username },
      })
      expect(await channelRow(channel.id)).to.include({ total_msg_count: 2, total_msg_count_root: 2 })
      expect(channel.totalMsgCount).to.equal(2)
    })

    it('shows the members through GET /api/v4/channels/{id}/members', async () => {
      const [a, b] = world.members as [UserSession, UserSession]
      const [{ channel }] = await ctx.server.channels.ensureMany(sessionOf(world.owner), inputs(1, [a.user.id, b.user.id]))
      const members = await world.owner.client.getChannelMembers(channel.id)
      expect(members.map((m) => m.user_id)).to.have.members([world.owner.user.id, a.user.id, b.user.id])
      expect(members.find((m) => m.user_id === world.owner.user.id)!.roles.split(' ')).to.include('channel_admin')
    })

    it('creates nothing new when run again with the same inputs: the same ids come back with created false', async () => {
      const [a] = world.members as [UserSession]
      const batch = inputs(2, [a.user.id])
      const first = await ctx.server.channels.ensureMany(sessionOf(world.owner), batch)
      const { result: again, events } = await watching(['channel.created', 'channel.member_added'], () => ctx.server.channels.ensureMany(sessionOf(world.owner), batch))
      expect(again.map((r) => r.channel.id)).to.deep.equal(first.map((r) => r.channel.id))
      expect(again.map((r) => r.channel.id)).to.deep.equal(batch.map((i) => i.id))
      expect(again.map((r) => [r.created, r.added])).to.deep.equal([[false, []], [false, []]])
      expect(events).to.deep.equal([])
      for (const { channel } of again) expect(await channelRow(channel.id)).to.include({ total_msg_count: 2 })
    })

    it('reuses a live channel of the same name and adds the members to it', async () => {
      const [, , c] = world.members as [UserSession, UserSession, UserSession]
      const existing = await makeChannel(world.owner.client, world.team.id)
      const [result] = await ctx.server.channels.ensureMany(sessionOf(world.owner), [{ team_id: world.team.id, name: existing.name, display_name: 'Other', type: 'O', members: [c.user.id] }])
      expect(result!.created).to.equal(false)
      expect(result!.channel.id).to.equal(existing.id)
      expect(result!.channel.displayName).to.equal(existing.display_name)
      expect(result!.added).to.deep.equal([c.user.id])
      expect(await memberIds(existing.id)).to.include(c.user.id)
      expect((await postsOf(existing.id)).map((p) => p.type)).to.deep.equal(['system_join_channel', 'system_add_to_channel'])
    })

    it('skips a member who is not in the team (and one who does not exist)', async () => {
      const [a] = world.members as [UserSession]
      const [result] = await ctx.server.channels.ensureMany(sessionOf(world.owner), inputs(1, [a.user.id, outsider.user.id, idFromKey('nobody')]))
      expect(result!.added).to.deep.equal([a.user.id])
      expect(await memberIds(result!.channel.id)).to.have.members([world.owner.user.id, a.user.id])
    })

    it('rejects a bad name with 400 naming the input, and writes nothing', async () => {
      const batch = inputs(2, [])
      batch[1]!.name = 'Not A Name!'
      const err = await rejection(ctx.server.channels.ensureMany(sessionOf(world.owner), batch))
      expect(err).to.include({ statusCode: 400, id: 'model.channel.is_valid.2_or_more.app_error' })
      expect(err.message).to.match(/^inputs\[1\]: /)
      expect(err.context).to.include({ index: 1 })
      expect(await ctx.server.sql('SELECT id FROM channels WHERE id = ANY($1)', [batch.map((i) => i.id)])).to.deep.equal([])
    })

    it('rejects the name of an archived channel with 400 store.sql_channel.save_channel.exists.app_error, and writes nothing', async () => {
      const archived = await makeChannel(world.owner.client, world.team.id)
      await world.owner.client.deleteChannel(archived.id)
      const batch = inputs(1, [])
      batch.push({ team_id: world.team.id, name: archived.name, display_name: 'Again', type: 'O' })
      const err = await rejection(ctx.server.channels.ensureMany(sessionOf(world.owner), batch))
      expect(err).to.include({ statusCode: 400, id: 'store.sql_channel.save_channel.exists.app_error' })
      expect(err.context).to.include({ index: 1 })
      expect(await ctx.server.sql('SELECT id FROM channels WHERE id = $1', [batch[0]!.id])).to.deep.equal([])
    })

    it('rejects a caller who is not in the team with 403, and an unknown team with 404', async () => {
      const forbidden = await rejection(ctx.server.channels.ensureMany(sessionOf(outsider), inputs(1, [])))
      expect(forbidden).to.include({ statusCode: 403 })
      const unknown = inputs(2, [])
      unknown[1]!.team_id = idFromKey('no team')
      const missing = await rejection(ctx.server.channels.ensureMany(sessionOf(world.owner), unknown))
      expect(missing).to.include({ statusCode: 404 })
      expect(missing.context).to.include({ index: 1 })
    })

    it('refuses to add others to a reused private channel the caller is not in', async () => {
      const [a, b] = world.members as [UserSession, UserSession]
      const secret = await makeChannel(world.owner.client, world.team.id, 'P')
      const err = await rejection(ctx.server.channels.ensureMany(sessionOf(a), [{ team_id: world.team.id, name: secret.name, display_name: 'S', type: 'P', members: [b.user.id] }]))
      expect(err).to.include({ statusCode: 403 })
      expect(await memberIds(secret.id)).to.deep.equal([world.owner.user.id])
    })
  })
})
