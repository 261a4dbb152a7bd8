/** Collapsed reply threads: followed threads, unread counts, follow and read state (Mattermost api4/user.go threads routes, model/thread.go). */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus } from '../helpers/expect-status.ts'
import { makeChannelWith, makePost, makeTeamWithMembers, type TeamWorld, type UserSession } from '../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    ;[alice, bob] = world.members as [UserSession, UserSession]
  })

  /** A root post by alice in a channel she shares with bob. */
  async function aliceThread() {
    const channel = await makeChannelWith(world, [alice, bob])
    const root = await makePost(alice.client, channel.id, 'thread root')
    return { channel, root }
  }

  const threadsOf = (session: UserSession) => session.client.getUserThreads(session.user.id, world.team.id, {})
  const threadIn = async (session: UserSession, rootId: string) => (await threadsOf(session)).threads.find((t) => t.id === rootId)

  describe('GET /api/v4/users/{user_id}/teams/{team_id}/threads', () => {
    it('lists a thread the user started once someone replies', async () => {
      const { channel, root } = await aliceThread()
      await makePost(bob.client, channel.id, 'a reply', root.id)
      const thread = await threadIn(alice, root.id)
      expect(thread, 'alice follows her thread').to.not.equal(undefined)
      expect(thread!.reply_count).to.equal(1)
      expect(thread!.post.id).to.equal(root.id)
    })

    it('lists the thread for a user who replied to it', async () => {
      const { channel, root } = await aliceThread()
      await makePost(bob.client, channel.id, 'bob joins in', root.id)
      expect(await threadIn(bob, root.id)).to.not.equal(undefined)
    })

    it('names the participants', async () => {
      const { channel, root } = await aliceThread()
      await makePost(bob.client, channel.id, 'bob replies', root.id)
      const thread = await threadIn(alice, root.id)
      expect(thread!.participants.map((p) => p.id)).to.include(bob.user.id)
    })

    it('counts replies since the follower last read the thread in unread_replies', async () => {
      const { channel, root } = await aliceThread()
      await makePost(bob.client, channel.id, 'one', root.id)
      await makePost(bob.client, channel.id, 'two', root.id)
      expect((await threadIn(alice, root.id))!.unread_replies).to.equal(2)
    })

    it('counts @mentions in replies in unread_mentions', async () => {
      const { channel, root } = await aliceThread()
      await makePost(bob.client, channel.id, `look @${alice.user.username}`, root.id)
      expect((await threadIn(alice, root.id))!.unread_mentions).to.equal(1)
    })

    it('reports totals alongside the threads', async () => {
      const { channel, root } = await aliceThread()
      await makePost(bob.client, channel.id, 'unread for alice', root.id)
      const list = await threadsOf(alice)
      expect(list.total).to.be.at.least(1)
      expect(list.total_unread_threads).to.be.at.least(1)
      expect(list).to.have.property('total_unread_mentions')
    })

    it('rejects before and after together with 400 api.getThreadsForUser.bad_params', async () => {
      const { root } = await aliceThread()
      await expectStatus(
        alice.client.getUserThreads(alice.user.id, world.team.id, { before: root.id, after: root.id }),
        400,
        'api.getThreadsForUser.bad_params',
      )
    })
  })

  describe('GET /api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}', () => {
    it('returns one followed thread', async () => {
      const { channel, root } = await aliceThread()
      await makePost(bob.client, channel.id, 'reply', root.id)
      const thread = await alice.client.getUserThread(alice.user.id, world.team.id, root.id)
      expect(thread).to.include({ id: root.id, reply_count: 1 })
    })
  })

  describe('PUT /api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}/read/{timestamp}', () => {
    it('marks the thread read up to the timestamp and returns it', async () => {
      const { channel, root } = await aliceThread()
      await makePost(bob.client, channel.id, `hey @${alice.user.username}`, root.id)
      const thread = await alice.client.updateThreadReadForUser(alice.user.id, world.team.id, root.id, Date.now())
      expect(thread).to.include({ id: root.id, unread_replies: 0, unread_mentions: 0 })
      expect((await threadIn(alice, root.id))!.unread_replies).to.equal(0)
    })
  })

  describe('PUT /api/v4/users/{user_id}/teams/{team_id}/threads/read', () => {
    it('marks every thread of the team read', async () => {
      const first = await aliceThread()
      const second = await aliceThread()
      await makePost(bob.client, first.channel.id, 'r1', first.root.id)
      await makePost(bob.client, second.channel.id, 'r2', second.root.id)
      await alice.client.updateThreadsReadForUser(alice.user.id, world.team.id)
      const list = await threadsOf(alice)
      expect(list.total_unread_threads).to.equal(0)
    })
  })

  describe('PUT and DELETE /api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}/following', () => {
    it('stops listing a thread the user unfollowed', async () => {
      const { channel, root } = await aliceThread()
      await makePost(bob.client, channel.id, 'reply', root.id)
      await alice.client.updateThreadFollowForUser(alice.user.id, world.team.id, root.id, false)
      expect(await threadIn(alice, root.id)).to.equal(undefined)
    })

    it('lists a thread again once the user follows it', async () => {
      const { channel, root } = await aliceThread()
      await makePost(bob.client, channel.id, 'reply', root.id)
      await alice.client.updateThreadFollowForUser(alice.user.id, world.team.id, root.id, false)
      await alice.client.updateThreadFollowForUser(alice.user.id, world.team.id, root.id, true)
      expect(await threadIn(alice, root.id)).to.not.equal(undefined)
    })

    it('lets a channel member follow a thread they never posted in', async () => {
      const { channel, root } = await aliceThread()
      await makePost(alice.client, channel.id, 'self reply', root.id)
      await world.owner.client.updateThreadFollowForUser(world.owner.user.id, world.team.id, root.id, true)
      const list = await world.owner.client.getUserThreads(world.owner.user.id, world.team.id, {})
      expect(list.threads.map((t) => t.id)).to.include(root.id)
    })
  })
})
