/** Posts, threads, paging, edits, deletes, pins and flags through Client4 (Mattermost api4/post.go, app/post.go). */
import { expect } from 'chai'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { getAdmin, makeChannel, makeChannelWith, makePost, makeTeamWithMembers, uniqueName, type TeamWorld, type UserSession } from '../helpers/factories.ts'

const MAX_POST_SIZE = 16383

/** Resolves once the clock has passed `ms`, so the next write gets a later timestamp. */
async function laterThan(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((resolve) => setTimeout(resolve, 1))
}

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 1)
    alice = world.members[0]!
  })

  /** A fresh public channel holding the owner and alice. */
  const channelWithAlice = () => makeChannelWith(world, [alice])

  describe('POST /api/v4/posts', () => {
    it('creates a post and returns it with its id, author and channel', async () => {
      const channel = await channelWithAlice()
      const post = await makePost(alice.client, channel.id, 'hello world')
      expect(post).to.include({ channel_id: channel.id, user_id: alice.user.id, message: 'hello world', root_id: '', type: '', delete_at: 0, edit_at: 0, is_pinned: false })
      expect(post.id).to.match(/^[a-z0-9]{26}$/)
      expect(post.create_at).to.be.within(Date.now() - 60_000, Date.now() + 60_000)
    })

    it('answers 201 Created', async () => {
      const channel = await channelWithAlice()
      const res = await rawRequest(ctx.server.url, '/api/v4/posts', { token: alice.token, body: { channel_id: channel.id, message: 'hi' } })
      expect(res.status).to.equal(201)
    })

    it('echoes pending_post_id', async () => {
      const channel = await channelWithAlice()
      const pending = `${alice.user.id}:${Date.now()}`
      const post = await alice.client.createPost({ channel_id: channel.id, message: 'pending', pending_post_id: pending } as Post)
      expect(post.pending_post_id).to.equal(pending)
    })

    it('parses #hashtags into the hashtags field', async () => {
      const channel = await channelWithAlice()
      const post = await makePost(alice.client, channel.id, 'shipping #release today')
      expect(post.hashtags).to.equal('#release')
    })

    it('ignores create_at sent by a user who is not an admin', async () => {
      const channel = await channelWithAlice()
      const post = await alice.client.createPost({ channel_id: channel.id, message: 'back-dated', create_at: 1000 } as Post)
      expect(post.create_at).to.be.greaterThan(1000)
    })

    it('creates a reply whose root_id is the thread root', async () => {
      const channel = await channelWithAlice()
      const root = await makePost(world.owner.client, channel.id, 'root')
      const reply = await makePost(alice.client, channel.id, 'reply', root.id)
      expect(reply.root_id).to.equal(root.id)
    })

    it('counts replies on the root post', async () => {
      const channel = await channelWithAlice()
      const root = await makePost(world.owner.client, channel.id, 'root')
      await makePost(alice.client, channel.id, 'reply 1', root.id)
      await makePost(alice.client, channel.id, 'reply 2', root.id)
      expect((await alice.client.getPost(root.id)).reply_count).to.equal(2)
    })

    it('rejects a post whose root_id points to a reply with 400 api.post.create_post.root_id.app_error', async () => {
      const channel = await channelWithAlice()
      const root = await makePost(world.owner.client, channel.id, 'root')
      const reply = await makePost(alice.client, channel.id, 'reply', root.id)
      await expectStatus(makePost(alice.client, channel.id, 'nested', reply.id), 400, 'api.post.create_post.root_id.app_error')
    })

    it('rejects a post whose root_id does not exist with 400 api.post.create_post.root_id.app_error', async () => {
      const channel = await channelWithAlice()
      await expectStatus(makePost(alice.client, channel.id, 'orphan', 'unknownpostidunknownpost12'), 400, 'api.post.create_post.root_id.app_error')
    })

    it('rejects a post whose root is in another channel with 400 api.post.create_post.channel_root_id.app_error', async () => {
      const here = await channelWithAlice()
      const there = await channelWithAlice()
      const root = await makePost(alice.client, there.id, 'root elsewhere')
      await expectStatus(makePost(alice.client, here.id, 'cross-channel reply', root.id), 400, 'api.post.create_post.channel_root_id.app_error')
    })

    it(`accepts a message of exactly ${MAX_POST_SIZE} characters`, async () => {
      const channel = await channelWithAlice()
      const post = await makePost(alice.client, channel.id, 'x'.repeat(MAX_POST_SIZE))
      expect(post.message.length).to.equal(MAX_POST_SIZE)
    })

    it(`rejects a message longer than ${MAX_POST_SIZE} characters with 400 model.post.is_valid.message_length.app_error`, async () => {
      const channel = await channelWithAlice()
      await expectStatus(makePost(alice.client, channel.id, 'x'.repeat(MAX_POST_SIZE + 1)), 400, 'model.post.is_valid.message_length.app_error')
    })

    it('reads half an emoji (a lone surrogate escape) in the message and props as U+FFFD, as Mattermost does, and stores the post', async () => {
      const channel = await channelWithAlice()
      const body = `{"channel_id":"${channel.id}","message":"cut \\ud83d","props":{"note":"cut \\ud83d","\\udd25":"key"}}`
      const res = await rawRequest(ctx.server.url, '/api/v4/posts', { token: alice.token, rawBody: body })
      expect(res.status, res.text).to.equal(201)
      const stored = await alice.client.getPost((JSON.parse(res.text) as Post).id)
      expect(stored.message).to.equal('cut \ufffd')
      expect(stored.props).to.include({ note: 'cut \ufffd', '\ufffd': 'key' })
    })

    it('rejects a system_* post type with 400 api.context.invalid_param.app_error', async () => {
      const channel = await channelWithAlice()
      await expectStatus(alice.client.createPost({ channel_id: channel.id, message: 'fake', type: 'system_join_channel' } as Post), 400, 'api.context.invalid_param.app_error')
    })

    it('rejects a post to an unknown channel with 403 api.context.permissions.app_error', async () => {
      await expectStatus(makePost(alice.client, 'unknownchannelidunknownc12', 'nowhere'), 403, 'api.context.permissions.app_error')
    })
  })

  describe('metadata.priority (Mattermost post priority)', () => {
    it('creates a root post with metadata.priority urgent, returned by create, GET /posts/{id}, the channel list and the thread', async () => {
      const channel = await channelWithAlice()
      const created = await alice.client.createPost({ channel_id: channel.id, message: 'on fire', metadata: { priority: { priority: 'urgent' } } } as unknown as Post)
      const expected = { priority: 'urgent', requested_ack: false, persistent_notifications: false }
      expect(created.metadata.priority).to.deep.equal(expected)
      expect((await world.owner.client.getPost(created.id)).metadata.priority).to.deep.equal(expected)
      expect((await world.owner.client.getPosts(channel.id)).posts[created.id]!.metadata.priority).to.deep.equal(expected)
      const reply = await alice.client.createPost({ channel_id: channel.id, message: 'on it', root_id: created.id } as Post)
      const thread = await world.owner.client.getPostThread(created.id)
      expect(thread.posts[created.id]!.metadata.priority).to.deep.equal(expected)
      expect(thread.posts[reply.id]!.metadata).to.not.have.property('priority')
    })

    it('stores requested_ack and persistent_notifications with an urgent post', async () => {
      const channel = await channelWithAlice()
      const priority = { priority: 'urgent', requested_ack: true, persistent_notifications: true }
      const created = await alice.client.createPost({ channel_id: channel.id, message: 'ack me', metadata: { priority } } as unknown as Post)
      expect((await alice.client.getPost(created.id)).metadata.priority).to.deep.equal(priority)
    })

    it('gives a post created without priority no metadata.priority', async () => {
      const channel = await channelWithAlice()
      const post = await makePost(alice.client, channel.id, 'plain')
      expect(post.metadata).to.not.have.property('priority')
      expect((await alice.client.getPost(post.id)).metadata).to.not.have.property('priority')
    })

    it('rejects an unknown priority with 400 api.context.invalid_param.app_error, posting nothing', async () => {
      const channel = await channelWithAlice()
      const marker = uniqueName('loud')
      await expectStatus(alice.client.createPost({ channel_id: channel.id, message: marker, metadata: { priority: { priority: 'loud' } } } as unknown as Post), 400, 'api.context.invalid_param.app_error')
      const list = await alice.client.getPosts(channel.id)
      expect(Object.values(list.posts).map((p) => p.message)).to.not.include(marker)
    })

    it('rejects a priority on a reply with 400 api.post.post_priority.priority_post_only_allowed_for_root_post.request_error', async () => {
      const channel = await channelWithAlice()
      const root = await makePost(alice.client, channel.id, 'root')
      await expectStatus(
        alice.client.createPost({ channel_id: channel.id, root_id: root.id, message: 'reply', metadata: { priority: { priority: 'important' } } } as unknown as Post),
        400, 'api.post.post_priority.priority_post_only_allowed_for_root_post.request_error',
      )
    })

    it('rejects persistent notifications on a non-urgent post with 400 api.post.post_priority.urgent_persistent_notification_post.request_error', async () => {
      const channel = await channelWithAlice()
      await expectStatus(
        alice.client.createPost({ channel_id: channel.id, message: 'm', metadata: { priority: { priority: 'important', persistent_notifications: true } } } as unknown as Post),
        400, 'api.post.post_priority.urgent_persistent_notification_post.request_error',
      )
    })
  })

  describe('GET /api/v4/posts/{post_id}', () => {
    it('returns the post', async () => {
      const channel = await channelWithAlice()
      const post = await makePost(alice.client, channel.id, 'read me')
      expect(await world.owner.client.getPost(post.id)).to.include({ id: post.id, message: 'read me' })
    })

    it('returns 404 for an unknown id', async () => {
      const admin = await getAdmin(ctx.server)
      await expectStatus(admin.client.getPost('unknownpostidunknownpost12'), 404)
    })
  })

  describe('GET /api/v4/posts/{post_id}/thread', () => {
    it('returns the root and every reply, keyed by id and listed in order', async () => {
      const channel = await channelWithAlice()
      const root = await makePost(world.owner.client, channel.id, 'root')
      const r1 = await makePost(alice.client, channel.id, 'r1', root.id)
      const r2 = await makePost(world.owner.client, channel.id, 'r2', root.id)
      const thread = await alice.client.getPostThread(root.id)
      expect(thread.order).to.have.members([root.id, r1.id, r2.id])
      expect(Object.keys(thread.posts)).to.include.members([root.id, r1.id, r2.id])
      expect(thread.posts[r2.id]!.root_id).to.equal(root.id)
    })

    it('returns the whole thread when asked by a reply id', async () => {
      const channel = await channelWithAlice()
      const root = await makePost(world.owner.client, channel.id, 'root')
      const reply = await makePost(alice.client, channel.id, 'reply', root.id)
      const thread = await alice.client.getPostThread(reply.id)
      expect(thread.order).to.include.members([root.id, reply.id])
    })
  })

  describe('GET /api/v4/channels/{channel_id}/posts', () => {
    /** A channel with five posts by alice, oldest first. */
    async function channelWithFivePosts() {
      const channel = await channelWithAlice()
      const posts: Post[] = []
      for (let i = 1; i <= 5; i++) {
        // Posts in the same millisecond have no defined order; keep their create_at distinct.
        if (posts.length > 0) await laterThan(posts.at(-1)!.create_at)
        posts.push(await makePost(alice.client, channel.id, `post ${i}`))
      }
      return { channel, posts: posts as [Post, Post, Post, Post, Post] }
    }

    it('pages newest first with page and per_page', async () => {
      const { channel, posts: [, p2, p3, p4, p5] } = await channelWithFivePosts()
      const first = await alice.client.getPosts(channel.id, 0, 2)
      const second = await alice.client.getPosts(channel.id, 1, 2)
      expect(first.order).to.deep.equal([p5.id, p4.id])
      expect(second.order).to.deep.equal([p3.id, p2.id])
    })

    it('returns every post object listed in order', async () => {
      const { channel } = await channelWithFivePosts()
      const list = await alice.client.getPosts(channel.id)
      for (const id of list.order) expect(list.posts, id).to.have.property(id)
    })

    it('returns the posts created after `since`', async () => {
      const { channel, posts: [p1, p2, p3, p4, p5] } = await channelWithFivePosts()
      const list = await alice.client.getPostsSince(channel.id, p3.create_at)
      expect(list.order).to.include.members([p4.id, p5.id])
      expect(list.order).to.not.include(p1.id)
      expect(list.order).to.not.include(p2.id)
    })

    it('returns posts changed after `since`, including an edit to an older post', async () => {
      const { channel, posts: [p1, , , , p5] } = await channelWithFivePosts()
      await laterThan(p5.create_at)
      await alice.client.patchPost({ id: p1.id, message: 'edited later' })
      const list = await alice.client.getPostsSince(channel.id, p5.create_at)
      expect(list.order).to.include(p1.id)
      expect(list.posts[p1.id]!.message).to.equal('edited later')
    })

    it('returns the posts before a post with `before`, newest first', async () => {
      const { channel, posts: [p1, p2, p3] } = await channelWithFivePosts()
      const list = await alice.client.getPostsBefore(channel.id, p3.id, 0, 2)
      expect(list.order).to.deep.equal([p2.id, p1.id])
    })

    it('returns the posts after a post with `after`, newest first', async () => {
      const { channel, posts: [, , p3, p4, p5] } = await channelWithFivePosts()
      const list = await alice.client.getPostsAfter(channel.id, p3.id, 0, 10)
      expect(list.order).to.deep.equal([p5.id, p4.id])
    })

    it('rejects a malformed `before` id with 400 api.context.invalid_param.app_error', async () => {
      const { channel } = await channelWithFivePosts()
      await expectStatus(alice.client.getPostsBefore(channel.id, 'not-an-id'), 400, 'api.context.invalid_param.app_error')
    })

    it('leaves deleted posts out', async () => {
      const { channel, posts: [, , p3] } = await channelWithFivePosts()
      await alice.client.deletePost(p3.id)
      expect((await alice.client.getPosts(channel.id)).order).to.not.include(p3.id)
    })
  })

  describe('PUT /api/v4/posts/{post_id}/patch', () => {
    it('changes the message and sets edit_at', async () => {
      const channel = await channelWithAlice()
      const post = await makePost(alice.client, channel.id, 'before')
      const patched = await alice.client.patchPost({ id: post.id, message: 'after' })
      expect(patched).to.include({ id: post.id, message: 'after' })
      expect(patched.edit_at).to.be.greaterThan(0)
      expect((await alice.client.getPost(post.id)).message).to.equal('after')
    })

    it(`rejects a message longer than ${MAX_POST_SIZE} characters with 400 model.post.is_valid.message_length.app_error`, async () => {
      const channel = await channelWithAlice()
      const post = await makePost(alice.client, channel.id, 'short')
      await expectStatus(alice.client.patchPost({ id: post.id, message: 'x'.repeat(MAX_POST_SIZE + 1) }), 400, 'model.post.is_valid.message_length.app_error')
    })
  })

  describe('DELETE /api/v4/posts/{post_id}', () => {
    it('deletes the post so that it is then 404', async () => {
      const channel = await channelWithAlice()
      const post = await makePost(alice.client, channel.id, 'doomed')
      expect(await alice.client.deletePost(post.id)).to.deep.include({ status: 'OK' })
      await expectStatus(alice.client.getPost(post.id), 404)
    })

    it('deletes the replies with their root', async () => {
      const channel = await channelWithAlice()
      const root = await makePost(alice.client, channel.id, 'root')
      const reply = await makePost(world.owner.client, channel.id, 'reply', root.id)
      await alice.client.deletePost(root.id)
      await expectStatus(alice.client.getPost(reply.id), 404)
    })

    it('lets a team admin delete another user’s post', async () => {
      const channel = await channelWithAlice()
      const post = await makePost(alice.client, channel.id, 'moderated')
      await world.owner.client.deletePost(post.id)
      await expectStatus(alice.client.getPost(post.id), 404)
    })
  })

  describe('pins', () => {
    it('pins a post with POST /posts/{post_id}/pin', async () => {
      const channel = await channelWithAlice()
      const post = await makePost(alice.client, channel.id, 'pin me')
      await alice.client.pinPost(post.id)
      expect((await alice.client.getPost(post.id)).is_pinned).to.equal(true)
    })

    it('lists pinned posts with GET /channels/{channel_id}/pinned', async () => {
      const channel = await channelWithAlice()
      const pinned = await makePost(alice.client, channel.id, 'pinned')
      const plain = await makePost(alice.client, channel.id, 'plain')
      await alice.client.pinPost(pinned.id)
      const list = await alice.client.getPinnedPosts(channel.id)
      expect(list.order).to.include(pinned.id)
      expect(list.order).to.not.include(plain.id)
    })

    it('unpins with POST /posts/{post_id}/unpin and drops the post from the pinned list', async () => {
      const channel = await channelWithAlice()
      const post = await makePost(alice.client, channel.id, 'briefly pinned')
      await alice.client.pinPost(post.id)
      await alice.client.unpinPost(post.id)
      expect((await alice.client.getPost(post.id)).is_pinned).to.equal(false)
      expect((await alice.client.getPinnedPosts(channel.id)).order).to.not.include(post.id)
    })
  })

  describe('GET /api/v4/users/{user_id}/posts/flagged', () => {
    const flag = (session: UserSession, postId: string) => ({ user_id: session.user.id, category: 'flagged_post', name: postId, value: 'true' })

    it('lists posts flagged through the flagged_post preference', async () => {
      const channel = await channelWithAlice()
      const flagged = await makePost(world.owner.client, channel.id, 'flag me')
      const other = await makePost(world.owner.client, channel.id, 'leave me')
      await alice.client.savePreferences(alice.user.id, [flag(alice, flagged.id)])
      const list = await alice.client.getFlaggedPosts(alice.user.id)
      expect(list.order).to.include(flagged.id)
      expect(list.order).to.not.include(other.id)
      expect(list.posts[flagged.id]!.message).to.equal('flag me')
    })

    it('drops a post once its flag preference is deleted', async () => {
      const channel = await channelWithAlice()
      const post = await makePost(world.owner.client, channel.id, 'unflag me')
      await alice.client.savePreferences(alice.user.id, [flag(alice, post.id)])
      await alice.client.deletePreferences(alice.user.id, [flag(alice, post.id)])
      expect((await alice.client.getFlaggedPosts(alice.user.id)).order).to.not.include(post.id)
    })

    it('filters by channel_id', async () => {
      const here = await channelWithAlice()
      const there = await channelWithAlice()
      const a = await makePost(world.owner.client, here.id, 'here')
      const b = await makePost(world.owner.client, there.id, 'there')
      await alice.client.savePreferences(alice.user.id, [flag(alice, a.id), flag(alice, b.id)])
      const list = await alice.client.getFlaggedPosts(alice.user.id, here.id)
      expect(list.order).to.include(a.id)
      expect(list.order).to.not.include(b.id)
    })

    it('is unaffected by flags of other users', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      const post = await makePost(world.owner.client, channel.id, `owner-only ${uniqueName('flag')}`)
      await world.owner.client.savePreferences(world.owner.user.id, [flag(world.owner, post.id)])
      expect((await alice.client.getFlaggedPosts(alice.user.id)).order).to.not.include(post.id)
    })
  })
})
