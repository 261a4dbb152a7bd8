/** Collapsed reply threads through Client4 and the WebSocket (Mattermost api4/user.go thread routes, app/user.go, model/thread.go). */
import { expect } from 'chai'
import type { Post } from '@mattermost/types/posts'
import type { UserThread, UserThreadList } from '@mattermost/types/threads'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { expectStatus, rawRequest } from '../../helpers/expect-status.ts'
import { makeChannel, makeChannelWith, makePost, makeTeam, makeTeamWithMembers, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { useWebSockets } from './ws-sessions.ts'

/** Resolves once the clock has passed `ms`, so the next write gets a later timestamp. */
async function laterThan(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((resolve) => setTimeout(resolve, 1))
}

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession

  // A fresh team per test: thread totals count everything a user follows.
  beforeEach(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    alice = world.members[0]!
    bob = world.members[1]!
  })

  const ws = useWebSockets(() => ctx.server.url)

  const threadsOf = (session: UserSession, options: Partial<Parameters<UserSession['client']['getUserThreads']>[2]> = {}, teamId = world.team.id): Promise<UserThreadList> =>
    session.client.getUserThreads(session.user.id, teamId, options)

  const threadOf = (session: UserSession, threadId: string, extended = false): Promise<UserThread> =>
    session.client.getUserThread(session.user.id, world.team.id, threadId, extended) as Promise<UserThread>

  /** A root by alice in a channel with alice and bob, and one reply by bob: both now follow it. */
  async function aliceThreadWithBobReply(message = 'a reply'): Promise<{ root: Post; reply: Post }> {
    const channel = await makeChannelWith(world, [alice, bob])
    const root = await makePost(alice.client, channel.id, 'a root')
    const reply = await makePost(bob.client, channel.id, message, root.id)
    return { root, reply }
  }

  describe('GET /api/v4/users/{user_id}/teams/{team_id}/threads', () => {
    it('lists a thread to its root author once someone replies', async () => {
      const { root } = await aliceThreadWithBobReply()
      const list = await threadsOf(alice)
      expect(list.threads.map((t) => t.id)).to.deep.equal([root.id])
      expect(list.threads[0]).to.include({ reply_count: 1, unread_replies: 1, unread_mentions: 0, is_following: true })
      expect(list.threads[0]!.post.id).to.equal(root.id)
    })

    it('reports total, total_unread_threads and total_unread_mentions', async () => {
      await aliceThreadWithBobReply()
      await aliceThreadWithBobReply(`hey @${alice.user.username}`)
      const list = await threadsOf(alice)
      expect(list).to.include({ total: 2, total_unread_threads: 2, total_unread_mentions: 1, total_unread_urgent_mentions: 0 })
    })

    it('counts only replies by others, after last_viewed_at, as unread_replies', async () => {
      const { root } = await aliceThreadWithBobReply()
      await makePost(alice.client, root.channel_id, 'my own reply', root.id)
      await alice.client.updateThreadReadForUser(alice.user.id, world.team.id, root.id, 0)
      const [thread] = (await threadsOf(alice)).threads
      expect(thread).to.include({ reply_count: 2, unread_replies: 1, last_viewed_at: 0 })
    })

    it('lists only unread threads with unread=true, and then total counts unread threads', async () => {
      const { root: read } = await aliceThreadWithBobReply()
      const { root: unread } = await aliceThreadWithBobReply()
      await alice.client.updateThreadReadForUser(alice.user.id, world.team.id, read.id, Date.now())
      const list = await threadsOf(alice, { unread: true })
      expect(list.threads.map((t) => t.id)).to.deep.equal([unread.id])
      expect(list.total).to.equal(1)
    })

    it('returns totals and no threads with totalsOnly=true', async () => {
      await aliceThreadWithBobReply()
      const list = await threadsOf(alice, { totalsOnly: true })
      expect(list.total).to.equal(1)
      expect(list.threads).to.deep.equal([])
    })

    it('returns threads and zero totals with threadsOnly=true', async () => {
      await aliceThreadWithBobReply()
      const list = await threadsOf(alice, { threadsOnly: true })
      expect(list.threads).to.have.length(1)
      expect(list).to.include({ total: 0, total_unread_threads: 0 })
    })

    it('rejects before together with after with 400 api.getThreadsForUser.bad_params', async () => {
      const { root } = await aliceThreadWithBobReply()
      await expectStatus(threadsOf(alice, { before: root.id, after: root.id }), 400, 'api.getThreadsForUser.bad_params')
    })

    it('orders threads by last reply, newest first, and pages with per_page and before', async () => {
      const roots: Post[] = []
      for (let i = 0; i < 3; i++) {
        const { root, reply } = await aliceThreadWithBobReply()
        roots.push(root)
        await laterThan(reply.create_at)
      }
      const first = await threadsOf(alice, { perPage: 2 })
      expect(first.threads.map((t) => t.id)).to.deep.equal([roots[2]!.id, roots[1]!.id])
      const next = await threadsOf(alice, { perPage: 2, before: roots[1]!.id })
      expect(next.threads.map((t) => t.id)).to.deep.equal([roots[0]!.id])
    })

    it('returns participants as {id} objects, and full users with extended=true', async () => {
      await aliceThreadWithBobReply()
      const plain = (await threadsOf(alice)).threads[0]!
      expect(plain.participants).to.deep.include({ id: bob.user.id })
      const extended = (await threadsOf(alice, { extended: true })).threads[0]!
      const bobProfile = extended.participants.find((p) => p.id === bob.user.id) as { username?: string }
      expect(bobProfile.username).to.equal(bob.user.username)
    })

    it('includes threads of direct messages under any team', async () => {
      const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id])
      const root = await makePost(alice.client, dm.id, 'dm root')
      await makePost(bob.client, dm.id, 'dm reply', root.id)
      expect((await threadsOf(alice)).threads.map((t) => t.id)).to.include(root.id)
    })

    it('leaves out threads of channels in other teams', async () => {
      const otherTeam = await makeTeam(alice.client)
      const channel = await makeChannel(alice.client, otherTeam.id)
      const root = await makePost(alice.client, channel.id, 'elsewhere')
      await makePost(alice.client, channel.id, 'talking to myself', root.id)
      expect((await threadsOf(alice)).threads.map((t) => t.id)).to.not.include(root.id)
      expect((await threadsOf(alice, {}, otherTeam.id)).threads.map((t) => t.id)).to.include(root.id)
    })

    it('leaves out threads of a private channel the user has left', async () => {
      const channel = await makeChannelWith(world, [alice, bob], 'P')
      const root = await makePost(alice.client, channel.id, 'secret root')
      await makePost(bob.client, channel.id, 'secret reply', root.id)
      await alice.client.removeFromChannel(alice.user.id, channel.id)
      const list = await threadsOf(alice)
      expect(list.threads.map((t) => t.id)).to.not.include(root.id)
      expect(list.total).to.equal(0)
    })

    it('rejects listing another user\'s threads with 403', async () => {
      await expectStatus(bob.client.getUserThreads(alice.user.id, world.team.id, {}), 403, 'api.context.permissions.app_error')
    })
  })

  describe('GET /api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}', () => {
    it('returns the ThreadResponse of a followed thread', async () => {
      const { root, reply } = await aliceThreadWithBobReply()
      const thread = await threadOf(alice, root.id)
      expect(thread).to.include({ id: root.id, reply_count: 1, last_reply_at: reply.create_at, unread_replies: 1, unread_mentions: 0, is_urgent: false })
      expect(thread).to.have.property('delete_at', 0)
      expect((thread as UserThread & { post: Post }).post.message).to.equal('a root')
    })

    it('answers 404 app.user.get_thread_membership_for_user.not_found for a thread the user never joined', async () => {
      const { root } = await aliceThreadWithBobReply()
      await expectStatus(world.owner.client.getUserThread(world.owner.user.id, world.team.id, root.id, false), 404, 'app.user.get_thread_membership_for_user.not_found')
    })

    it('answers 403 for a thread in a private channel the user has left', async () => {
      const channel = await makeChannelWith(world, [alice, bob], 'P')
      const root = await makePost(alice.client, channel.id, 'secret root')
      await makePost(bob.client, channel.id, 'secret reply', root.id)
      await alice.client.removeFromChannel(alice.user.id, channel.id)
      await expectStatus(threadOf(alice, root.id), 403, 'api.context.permissions.app_error')
    })
  })

  describe('PUT and DELETE /api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}/following', () => {
    it('stops listing an unfollowed thread, whose GET then answers 404 app.user.get_threads_for_user.not_found', async () => {
      const { root } = await aliceThreadWithBobReply()
      await alice.client.updateThreadFollowForUser(alice.user.id, world.team.id, root.id, false)
      expect((await threadsOf(alice)).threads).to.deep.equal([])
      await expectStatus(threadOf(alice, root.id), 404, 'app.user.get_threads_for_user.not_found')
    })

    it('keeps an unfollowed thread unfollowed when others reply', async () => {
      const { root } = await aliceThreadWithBobReply()
      await alice.client.updateThreadFollowForUser(alice.user.id, world.team.id, root.id, false)
      await makePost(bob.client, root.channel_id, 'another reply', root.id)
      expect((await threadsOf(alice)).threads).to.deep.equal([])
    })

    it('follows a thread again and marks it read', async () => {
      const { root } = await aliceThreadWithBobReply()
      await alice.client.updateThreadFollowForUser(alice.user.id, world.team.id, root.id, false)
      await alice.client.updateThreadFollowForUser(alice.user.id, world.team.id, root.id, true)
      const [thread] = (await threadsOf(alice)).threads
      expect(thread).to.include({ id: root.id, is_following: true, unread_replies: 0 })
    })

    it('lets a channel member follow a thread they never joined', async () => {
      const { root } = await aliceThreadWithBobReply()
      await world.owner.client.updateThreadFollowForUser(world.owner.user.id, world.team.id, root.id, true)
      expect((await threadsOf(world.owner)).threads.map((t) => t.id)).to.deep.equal([root.id])
    })

    it('rejects following a thread of a private channel the user is not in with 403', async () => {
      const channel = await makeChannelWith(world, [alice], 'P')
      const root = await makePost(alice.client, channel.id, 'private root')
      await expectStatus(bob.client.updateThreadFollowForUser(bob.user.id, world.team.id, root.id, true), 403, 'api.context.permissions.app_error')
    })

    it('sends thread_follow_changed to the user with the state and reply_count', async () => {
      const { root } = await aliceThreadWithBobReply()
      const socket = await ws(alice)
      await alice.client.updateThreadFollowForUser(alice.user.id, world.team.id, root.id, false)
      const unfollowed = await socket.waitFor('thread_follow_changed', (e) => e.data.thread_id === root.id && e.data.state === false)
      expect(unfollowed.data.reply_count).to.equal(1)
      expect(unfollowed.broadcast.user_id).to.equal(alice.user.id)
      await alice.client.updateThreadFollowForUser(alice.user.id, world.team.id, root.id, true)
      await socket.waitFor('thread_follow_changed', (e) => e.data.thread_id === root.id && e.data.state === true)
    })
  })

  describe('PUT /api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}/read/{timestamp}', () => {
    it('sets last_viewed_at and returns the thread with unread replies recounted', async () => {
      const { root, reply } = await aliceThreadWithBobReply()
      const read = await alice.client.updateThreadReadForUser(alice.user.id, world.team.id, root.id, reply.create_at) as UserThread
      expect(read).to.include({ id: root.id, last_viewed_at: reply.create_at, unread_replies: 0 })
      const unread = await alice.client.updateThreadReadForUser(alice.user.id, world.team.id, root.id, reply.create_at - 1) as UserThread
      expect(unread).to.include({ last_viewed_at: reply.create_at - 1, unread_replies: 1 })
    })

    it('recounts unread mentions after the timestamp', async () => {
      const { root, reply } = await aliceThreadWithBobReply(`ping @${alice.user.username}`)
      expect(await alice.client.updateThreadReadForUser(alice.user.id, world.team.id, root.id, reply.create_at)).to.include({ unread_mentions: 0 })
      expect(await alice.client.updateThreadReadForUser(alice.user.id, world.team.id, root.id, 0)).to.include({ unread_mentions: 1 })
    })

    it('sends thread_read_changed with the new and previous counts', async () => {
      const { root, reply } = await aliceThreadWithBobReply()
      const socket = await ws(alice)
      await alice.client.updateThreadReadForUser(alice.user.id, world.team.id, root.id, reply.create_at)
      const event = await socket.waitFor('thread_read_changed', (e) => e.data.thread_id === root.id)
      expect(event.data).to.include({ timestamp: reply.create_at, unread_replies: 0, unread_mentions: 0, previous_unread_replies: 1, channel_id: root.channel_id })
    })

    it('rejects a timestamp that is not a number with 400 api.context.invalid_url_param.app_error', async () => {
      const { root } = await aliceThreadWithBobReply()
      const res = await rawRequest(ctx.server.url, `/api/v4/users/me/teams/${world.team.id}/threads/${root.id}/read/soon`, { method: 'PUT', token: alice.token })
      expect(res.status).to.equal(400)
      expect((res.json as { id: string }).id).to.equal('api.context.invalid_url_param.app_error')
    })
  })

  describe('POST /api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}/set_unread/{post_id}', () => {
    it('marks the thread unread from that post on', async () => {
      const { root, reply } = await aliceThreadWithBobReply()
      await alice.client.updateThreadReadForUser(alice.user.id, world.team.id, root.id, Date.now())
      const thread = await alice.client.markThreadAsUnreadForUser(alice.user.id, world.team.id, root.id, reply.id) as UserThread
      expect(thread).to.include({ last_viewed_at: reply.create_at - 1, unread_replies: 1 })
    })
  })

  describe('PUT /api/v4/users/{user_id}/teams/{team_id}/threads/read', () => {
    it('marks every followed thread read', async () => {
      await aliceThreadWithBobReply(`hi @${alice.user.username}`)
      await aliceThreadWithBobReply()
      await alice.client.updateThreadsReadForUser(alice.user.id, world.team.id)
      const list = await threadsOf(alice)
      expect(list).to.include({ total: 2, total_unread_threads: 0, total_unread_mentions: 0 })
      expect(list.threads.map((t) => t.unread_replies)).to.deep.equal([0, 0])
    })

    it('sends thread_read_changed to the user', async () => {
      const socket = await ws(alice)
      await alice.client.updateThreadsReadForUser(alice.user.id, world.team.id)
      const event = await socket.waitFor('thread_read_changed')
      expect(event.broadcast.user_id).to.equal(alice.user.id)
    })
  })
})
