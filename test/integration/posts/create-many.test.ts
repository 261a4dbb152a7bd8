/**
 * `posts.createMany`: many root posts over several channels in one write, leaving every counter as the same posts
 * created one by one would, idempotent with deterministic ids, each published as `create` publishes it.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeChannelWith, makeTeamWithMembers, uniqueName, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { connectWs, type WsSession } from '../../helpers/ws-client.ts'
import { rejection, sessionOf } from '../../helpers/sessions.ts'
import { idFromKey } from '../../../core/ids.ts'
import type { DomainEvent } from '../../../core/realtime/events.ts'

type Counters = {
  total_msg_count: number
  total_msg_count_root: number
  last_post_at: number
  last_root_post_at: number
  author_msg_count: number
  author_msg_count_root: number
  author_last_viewed_at: number
  mention_count: number
  mention_count_root: number
}

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let author: UserSession
  let reader: UserSession
  let stranger: UserSession
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 3)
    ;[author, reader, stranger] = world.members as [UserSession, UserSession, UserSession]
  })

  const newChannel = () => makeChannelWith(world, [author, reader])

  /** The channel's counters, the author's read position and the reader's mentions, relative to the newest post. */
  async function counters(channelId: string): Promise<Counters> {
    const [row] = await ctx.server.sql<Counters>(
      `SELECT c.total_msg_count, c.total_msg_count_root, c.last_post_at - p.last AS last_post_at, c.last_root_post_at - p.last AS last_root_post_at,
         a.msg_count AS author_msg_count, a.msg_count_root AS author_msg_count_root, a.last_viewed_at - p.last AS author_last_viewed_at,
         r.mention_count, r.mention_count_root
       FROM channels c
       CROSS JOIN (SELECT max(create_at) AS last FROM posts WHERE channel_id = $1) p
       JOIN channel_members a ON a.channel_id = c.id AND a.user_id = $2
       JOIN channel_members r ON r.channel_id = c.id AND r.user_id = $3
       WHERE c.id = $1`,
      [channelId, author.user.id, reader.user.id],
    )
    return row!
  }
  const postCount = async (channelId: string) => Number((await ctx.server.sql<{ n: number }>('SELECT count(*)::int AS n FROM posts WHERE channel_id = $1', [channelId]))[0]!.n)

  async function watching<T>(types: string[], fn: () => Promise<T>): Promise<{ result: T; events: DomainEvent[] }> {
    const events: DomainEvent[] = []
    const stop = ctx.server.bus.subscribe({ id: uniqueName('watch'), events: types, handle: (event) => { events.push(event) } })
    try {
      return { result: await fn(), events }
    } finally {
      stop()
    }
  }

  const messages = () => [`first for @${reader.user.username}`, 'second', `third @${reader.user.username} and @channel`]

  describe('posts.createMany', () => {
    it('leaves the counters of each channel as single creates of the same posts do', async () => {
      const [single, bulkA, bulkB] = [await newChannel(), await newChannel(), await newChannel()]
      for (const message of messages()) await ctx.server.posts.create(sessionOf(author), { channel_id: single.id, message })
      const [m1, m2, m3] = messages()
      // Interleaved over two channels: each channel's posts still count in their own order.
      const result = await ctx.server.posts.createMany(sessionOf(author), [
        { channel_id: bulkA.id, message: m1! }, { channel_id: bulkB.id, message: m1! }, { channel_id: bulkA.id, message: m2! },
        { channel_id: bulkB.id, message: m2! }, { channel_id: bulkA.id, message: m3! }, { channel_id: bulkB.id, message: m3! },
      ])
      expect(result.map((r) => r.created)).to.deep.equal([true, true, true, true, true, true])
      const expected = await counters(single.id)
      expect(expected).to.include({ last_post_at: 0, author_last_viewed_at: 0, mention_count: 2 })
      expect(await counters(bulkA.id)).to.deep.equal(expected)
      expect(await counters(bulkB.id)).to.deep.equal(expected)
    })

    it('leaves each author of system posts written together read up to their own last post, as one-by-one posts do', async () => {
      const [single, bulk] = [await newChannel(), await newChannel()]
      const inputs = (channelId: string) => [author, reader, author, reader, reader].map((who, i) => ({ channelId, userId: who.user.id, type: 'system_generic', message: `note ${i}`, props: {} }))
      for (const input of inputs(single.id)) await ctx.server.posts.createSystemPosts([input])
      await ctx.server.posts.createSystemPosts(inputs(bulk.id))
      const readPositions = async (channelId: string) => ctx.server.sql<{ user_id: string; msg_count: number; behind_by: number }>(
        `SELECT m.user_id, m.msg_count, (SELECT count(*)::int FROM posts p WHERE p.channel_id = m.channel_id AND p.create_at > m.last_viewed_at) AS behind_by
         FROM channel_members m WHERE m.channel_id = $1 AND m.user_id = ANY($2::text[]) ORDER BY m.user_id`,
        [channelId, [author.user.id, reader.user.id]],
      )
      const expected = await readPositions(single.id)
      // The author's last post is the third of five: two posts came after it; the reader wrote the last one.
      expect(Object.fromEntries(expected.map((r) => [r.user_id === author.user.id ? 'author' : 'reader', r.behind_by]))).to.deep.equal({ author: 2, reader: 0 })
      expect(await readPositions(bulk.id)).to.deep.equal(expected)
    })

    it('lists the posts in GET /api/v4/channels/{id}/posts in the order given', async () => {
      const channel = await newChannel()
      const result = await ctx.server.posts.createMany(sessionOf(author), messages().map((message) => ({ channel_id: channel.id, message })))
      const list = await reader.client.getPosts(channel.id)
      const newest = list.order.slice(0, 3)
      expect(newest).to.deep.equal(result.map((r) => r.post.id).reverse())
      expect(newest.map((id) => list.posts[id]!.message)).to.deep.equal(messages().reverse())
      expect(new Set(result.map((r) => r.post.createAt)).size).to.equal(3)
    })

    it('writes nothing when retried with the same ids and returns the stored posts with created false', async () => {
      const channel = await newChannel()
      const inputs = messages().map((message, i) => ({ id: idFromKey(`${channel.id}:${i}`), channel_id: channel.id, message }))
      const first = await ctx.server.posts.createMany(sessionOf(author), inputs)
      const before = { counters: await counters(channel.id), posts: await postCount(channel.id) }
      const { result: again, events } = await watching(['post.created'], () => ctx.server.posts.createMany(sessionOf(author), inputs))
      expect(again.map((r) => r.created)).to.deep.equal([false, false, false])
      expect(again.map((r) => [r.post.id, r.post.createAt, r.post.message])).to.deep.equal(first.map((r) => [r.post.id, r.post.createAt, r.post.message]))
      expect(events).to.deep.equal([])
      expect({ counters: await counters(channel.id), posts: await postCount(channel.id) }).to.deep.equal(before)
    })

    it('publishes a posted event for each post to the channel\'s members', async () => {
      const channel = await newChannel()
      const socket: WsSession = await connectWs(ctx.server.url, reader.token)
      try {
        const { result, events } = await watching(['post.created'], () =>
          ctx.server.posts.createMany(sessionOf(author), messages().map((message) => ({ channel_id: channel.id, message }))))
        expect(events.map((e) => e.payload.postId)).to.deep.equal(result.map((r) => r.post.id))
        for (const { post } of result) {
          const posted = await socket.waitFor('posted', (e) => JSON.parse(e.data.post as string).id === post.id)
          expect(posted.data).to.include({ channel_name: (channel as Channel).name, sender_name: `@${author.user.username}` })
        }
        expect(events[0]!.payload.mentions).to.deep.equal([reader.user.id])
      } finally {
        socket.close()
      }
    })

    it('marks a bot\'s posts from_bot and gives attachment actions ids, as createAs does', async () => {
      const channel = await newChannel()
      const [{ post }] = await ctx.server.posts.createMany({ ...sessionOf(author), isBot: true }, [
        { channel_id: channel.id, message: 'bot says', props: { attachments: [{ text: 'x', actions: [{ name: 'Go', type: 'button' }] }] } },
      ])
      expect(post.props.from_bot).to.equal('true')
      const [row] = await ctx.server.sql<{ props: { attachments: { actions: { id: string }[] }[] } }>('SELECT props FROM posts WHERE id = $1', [post.id])
      expect(row!.props.attachments[0]!.actions[0]!.id).to.be.a('string').and.not.equal('')
    })

    it('tells the author when a mentioned user is not in the channel, as create does', async () => {
      const channel = await newChannel()
      const { events } = await watching(['post.ephemeral'], () =>
        ctx.server.posts.createMany(sessionOf(author), [{ channel_id: channel.id, message: `ping @${stranger.user.username}` }, { channel_id: channel.id, message: 'no one' }]))
      expect(events.map((e) => e.payload)).to.deep.equal([{ userId: author.user.id, channelId: channel.id }])
    })

    it('rejects a channel the caller is not in with 403 naming the input, and writes nothing', async () => {
      const own = await newChannel()
      const foreign = await makeChannelWith(world, [stranger])
      const err = await rejection(ctx.server.posts.createMany(sessionOf(author), [{ channel_id: own.id, message: 'ok' }, { channel_id: foreign.id, message: 'no' }]))
      expect(err).to.include({ statusCode: 403 })
      expect(err.message).to.match(/^inputs\[1\]: /)
      expect(await postCount(own.id)).to.equal(3)
    })

    it('allows system_* types only with system: true', async () => {
      const channel = await newChannel()
      const input = { channel_id: channel.id, message: 'note', type: 'system_generic' }
      const err = await rejection(ctx.server.posts.createMany(sessionOf(author), [input]))
      expect(err).to.include({ statusCode: 400 })
      const [{ post }] = await ctx.server.posts.createMany(sessionOf(author), [input], { system: true })
      expect(post.type).to.equal('system_generic')
    })
  })

  describe('posts.createIntegrationRootPostsMany', () => {
    it('writes the deliveries whose claim it got in one go, with the counters one-by-one posts leave, and fails only a delivery that breaks the rules', async () => {
      const [single, bulk] = [await newChannel(), await newChannel()]
      const singleChannel = await ctx.server.channels.getCached(single.id)
      const bulkChannel = await ctx.server.channels.getCached(bulk.id)
      for (const message of messages()) await ctx.server.posts.createIntegrationPosts(singleChannel, author.user.id, [{ message, type: '', props: {} }])
      const part = (message: string, type = '') => [{ message, type, props: {} }]
      const [m1, m2, m3] = messages()
      const deliveries = [
        { channel: bulkChannel, userId: author.user.id, parts: part(m1!) },
        { channel: bulkChannel, userId: author.user.id, parts: part('not allowed', 'system_join_channel') },
        { channel: bulkChannel, userId: author.user.id, parts: part(m2!) },
        { channel: bulkChannel, userId: author.user.id, parts: part('claimed by an earlier run') },
        { channel: bulkChannel, userId: author.user.id, parts: part(m3!) },
      ]
      let claimedFor: string[][] = []
      const result = await ctx.server.posts.createIntegrationRootPostsMany(deliveries, async (_tx, postIds) => {
        claimedFor = postIds
        return postIds.map((_, i) => i !== 2)
      })
      // The delivery that broke the rules never reached the claim; the others did, in order.
      expect(claimedFor).to.have.length(4)
      expect(result[1]).to.be.instanceOf(Error).with.property('statusCode', 400)
      expect(result[3]).to.deep.equal([])
      expect([result[0], result[2], result[4]].map((r) => (r as { post: { message: string } }[]).map((c) => c.post.message))).to.deep.equal([[m1], [m2], [m3]])
      expect(await postCount(bulk.id)).to.equal(await postCount(single.id))
      expect(await counters(bulk.id)).to.deep.equal(await counters(single.id))
    })
  })
})
