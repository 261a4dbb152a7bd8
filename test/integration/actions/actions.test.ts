/**
 * The action registry as playbook steps call it: core's actions run as the acting user with core's
 * permission checks, inputs are checked field by field, and an idempotency key that succeeded once
 * never causes a second side effect.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import { ActionError } from '../../../core/actions/index.ts'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeChannelWith, makeTeamWithMembers, uniqueName, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.ts'
import { rejection, sessionOf } from '../../helpers/sessions.ts'


forEachBackend((backend) => {
  let receiver: HttpReceiver
  after(async () => receiver?.close())
  const ctx = useTestServer(backend, { allowedUntrustedInternalConnections: '127.0.0.1' })
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession
  let channel: Channel

  before(async () => {
    receiver = await startHttpReceiver()
    world = await makeTeamWithMembers(ctx.server, 2)
    ;[alice, bob] = world.members as [UserSession, UserSession]
    channel = await makeChannelWith(world, [alice])
  })

  describe('core actions', () => {
    it('lists the built-in actions with their outputs', () => {
      const ids = ctx.server.actions.registry.list().map((a) => a.id)
      expect(ids).to.include.members(['post.create@v1', 'channel.create@v1', 'channel.invite@v1', 'channel.set_header@v1', 'channel.archive@v1', 'reaction.add@v1', 'command.run@v1', 'http.request@v1'])
      expect(ctx.server.actions.registry.get('post.create@v1')!.outputs).to.deep.equal(['postId'])
    })

    it('post.create@v1 posts as the acting user and returns the post id', async () => {
      const message = `from a step ${uniqueName('m')}`
      const { outputs, replayed } = await ctx.server.actions.invoke('post.create@v1', { channel_id: channel.id, message }, { session: sessionOf(alice) })
      expect(replayed).to.equal(false)
      const post = await alice.client.getPost(outputs.postId as string)
      expect(post).to.include({ message, user_id: alice.user.id, channel_id: channel.id })
    })

    it('runs with core permission checks: a user outside a private channel cannot post in it', async () => {
      const secret = await makeChannelWith(world, [alice], 'P')
      const err = await rejection(ctx.server.actions.invoke('post.create@v1', { channel_id: secret.id, message: 'hi' }, { session: sessionOf(bob) }))
      expect(err).to.have.property('statusCode', 403)
    })

    it('channel.create@v1 then channel.invite@v1 by @username and email', async () => {
      const name = uniqueName('inc')
      const created = await ctx.server.actions.invoke('channel.create@v1', { team_id: world.team.id, name, display_name: 'Incident 1', type: 'P', header: 'SEV2' }, { session: sessionOf(alice) })
      expect(created.outputs.name).to.equal(name)
      const invited = await ctx.server.actions.invoke('channel.invite@v1', { channel_id: created.outputs.channelId, users: [`@${bob.user.username}`, world.owner.user.email] }, { session: sessionOf(alice) })
      expect(invited.outputs.added).to.deep.equal([bob.user.id, world.owner.user.id])
      const members = await alice.client.getChannelMembers(created.outputs.channelId as string)
      expect(members.map((m) => m.user_id)).to.have.members([alice.user.id, bob.user.id, world.owner.user.id])
      const fetched = await bob.client.getChannel(created.outputs.channelId as string)
      expect(fetched).to.include({ header: 'SEV2', type: 'P' })
    })

    it('refuses an input its schema rejects with 400 naming the field, and calls nothing', async () => {
      const err = await rejection(ctx.server.actions.invoke('channel.invite@v1', { channel_id: channel.id, users: [] }, { session: sessionOf(alice) }))
      expect(err).to.include({ statusCode: 400, id: 'app.action.invalid_input.app_error' })
      expect(err.message).to.contain('with.users: name at least one user')
    })

    it('answers 404 for an unknown action', async () => {
      const err = await rejection(ctx.server.actions.invoke('nope.nothing@v1', {}, { session: sessionOf(alice) }))
      expect(err).to.include({ statusCode: 404, id: 'app.action.not_found.app_error' })
    })

    it('refuses a registration whose id is not area.verb@vN', () => {
      expect(() => ctx.server.actions.registry.register({ id: 'Bad Id', description: '', input: undefined as never, outputs: [], sideEffect: false, run: async () => ({}) }))
        .to.throw('must look like "area.verb@v1"')
    })
  })

  describe('idempotency keys', () => {
    it('return the stored result for a key that succeeded, without a second post', async () => {
      const key = uniqueName('key')
      const message = `once ${uniqueName('o')}`
      const first = await ctx.server.actions.invoke('post.create@v1', { channel_id: channel.id, message }, { session: sessionOf(alice), idempotencyKey: key })
      const second = await ctx.server.actions.invoke('post.create@v1', { channel_id: channel.id, message }, { session: sessionOf(alice), idempotencyKey: key })
      expect(second).to.deep.equal({ outputs: first.outputs, replayed: true })
      const posts = await alice.client.getPosts(channel.id, 0, 200)
      expect(Object.values(posts.posts).filter((p) => p.message === message)).to.have.length(1)
      const [row] = await ctx.server.sql<{ status: string; attempts: number }>('SELECT status, attempts FROM action_invocations WHERE key = $1', [key])
      expect(row).to.deep.equal({ status: 'succeeded', attempts: 2 })
    })

    it('call again after a failure under the same key, and keep the success', async () => {
      const key = uniqueName('retry')
      const path = `/${uniqueName('flaky')}`
      let calls = 0
      receiver.answer(path, () => (++calls === 1 ? { status: 503, body: 'busy' } : { body: { ok: true } }))
      const input = { url: `${receiver.url}${path}`, body: { incident: 7 } }
      const failed = await rejection(ctx.server.actions.invoke('http.request@v1', input, { session: sessionOf(alice), idempotencyKey: key }))
      expect(failed).to.be.instanceOf(ActionError)
      expect(failed).to.include({ retryable: true, status: 503 })
      const ok = await ctx.server.actions.invoke('http.request@v1', input, { session: sessionOf(alice), idempotencyKey: key })
      expect(ok.outputs).to.include({ status: 200 })
      expect(ok.outputs.json).to.deep.equal({ ok: true })
      await ctx.server.actions.invoke('http.request@v1', input, { session: sessionOf(alice), idempotencyKey: key })
      expect(calls).to.equal(2)
      const sent = receiver.received.filter((r) => r.url === path)
      expect(sent.map((r) => r.headers['idempotency-key'])).to.deep.equal([key, key])
      expect(JSON.parse(sent[0]!.body)).to.deep.equal({ incident: 7 })
    })

    it('http.request@v1 fails at once (not retryable) on a 4xx and on an address outside the allow-list', async () => {
      const path = `/${uniqueName('gone')}`
      receiver.answer(path, { status: 404, body: 'no' })
      const gone = await rejection(ctx.server.actions.invoke('http.request@v1', { url: `${receiver.url}${path}` }, { session: sessionOf(alice) }))
      expect(gone).to.include({ retryable: false, status: 404 })
      const refused = await rejection(ctx.server.actions.invoke('http.request@v1', { url: 'http://10.255.255.1:9/x' }, { session: sessionOf(alice) }))
      expect(refused).to.include({ retryable: false })
      expect(refused.message).to.match(/not allowed|refused|private/i)
    })
  })
})
