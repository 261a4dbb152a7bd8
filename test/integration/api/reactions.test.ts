/** Emoji reactions through Client4 and the WebSocket (Mattermost api4/reaction.go, app/reaction.go). */
import { expect } from 'chai'
import type { Post } from '@mattermost/types/posts'
import type { Reaction } from '@mattermost/types/reactions'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { expectStatus, rawRequest } from '../../helpers/expect-status.ts'
import { makeChannelWith, makePost, makeTeamWithMembers, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { useWebSockets } from './ws-sessions.ts'

/** `has_reactions` is on the wire (omitted when false) but not in @mattermost/types' Post. */
type WirePost = Post & { has_reactions?: boolean }

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    alice = world.members[0]!
    bob = world.members[1]!
  })

  const ws = useWebSockets(() => ctx.server.url)

  /** A public channel with alice and bob, and a post in it by the owner. */
  async function postInSharedChannel() {
    const channel = await makeChannelWith(world, [alice, bob])
    const post = await makePost(world.owner.client, channel.id, 'react to me')
    return { channel, post }
  }

  describe('POST /api/v4/reactions', () => {
    it('returns the saved reaction with its post, user, emoji and channel', async () => {
      const { channel, post } = await postInSharedChannel()
      const reaction = await alice.client.addReaction(alice.user.id, post.id, 'thumbsup')
      expect(reaction).to.include({ user_id: alice.user.id, post_id: post.id, emoji_name: 'thumbsup', channel_id: channel.id, delete_at: 0 })
      expect(reaction.create_at).to.be.within(Date.now() - 60_000, Date.now() + 60_000)
    })

    it('marks the post has_reactions and lists the reaction in its metadata', async () => {
      const { post } = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'tada')
      const read: WirePost = await alice.client.getPost(post.id)
      expect(read.has_reactions).to.equal(true)
      expect(read.metadata.reactions?.map((r) => r.emoji_name)).to.deep.equal(['tada'])
    })

    it('returns the existing reaction when the same user adds the same emoji again', async () => {
      const { post } = await postInSharedChannel()
      const first = await alice.client.addReaction(alice.user.id, post.id, 'smile')
      const second = await alice.client.addReaction(alice.user.id, post.id, 'smile')
      expect(second.create_at).to.equal(first.create_at)
      expect(await alice.client.getReactionsForPost(post.id)).to.have.length(1)
    })

    it('rejects a user_id other than the caller with 403 api.reaction.save_reaction.user_id.app_error', async () => {
      const { post } = await postInSharedChannel()
      await expectStatus(alice.client.addReaction(bob.user.id, post.id, 'smile'), 403, 'api.reaction.save_reaction.user_id.app_error')
    })

    it('rejects an emoji name with a colon with 400 model.reaction.is_valid.emoji_name.app_error', async () => {
      const { post } = await postInSharedChannel()
      await expectStatus(alice.client.addReaction(alice.user.id, post.id, ':smile:'), 400, 'model.reaction.is_valid.emoji_name.app_error')
    })

    it('rejects an emoji name longer than 64 characters with 400 api.reaction.save_reaction.invalid.app_error', async () => {
      const { post } = await postInSharedChannel()
      await expectStatus(alice.client.addReaction(alice.user.id, post.id, 'a'.repeat(65)), 400, 'api.reaction.save_reaction.invalid.app_error')
    })

    it('rejects a user who is not a member of the channel with 403', async () => {
      const channel = await makeChannelWith(world, [alice])
      const post = await makePost(alice.client, channel.id)
      await expectStatus(bob.client.addReaction(bob.user.id, post.id, 'smile'), 403, 'api.context.permissions.app_error')
    })

    it('rejects a reaction in an archived channel with 403 api.reaction.save.archived_channel.app_error', async () => {
      const { channel, post } = await postInSharedChannel()
      await world.owner.client.deleteChannel(channel.id)
      await expectStatus(alice.client.addReaction(alice.user.id, post.id, 'smile'), 403, 'api.reaction.save.archived_channel.app_error')
    })

    it('answers 404 app.post.get.app_error for a deleted post', async () => {
      const { post } = await postInSharedChannel()
      await world.owner.client.deletePost(post.id)
      await expectStatus(alice.client.addReaction(alice.user.id, post.id, 'smile'), 404, 'app.post.get.app_error')
    })

    it('rejects a 51st distinct emoji on one post with 400 app.reaction.save.save.too_many_reactions', async () => {
      const { post } = await postInSharedChannel()
      for (let i = 0; i < 50; i++) await alice.client.addReaction(alice.user.id, post.id, `emoji_${i}`)
      await expectStatus(bob.client.addReaction(bob.user.id, post.id, 'emoji_50'), 400, 'app.reaction.save.save.too_many_reactions')
    })

    it('still accepts an emoji already on the post once the post has 50 distinct emoji', async () => {
      const { post } = await postInSharedChannel()
      for (let i = 0; i < 50; i++) await alice.client.addReaction(alice.user.id, post.id, `emoji_${i}`)
      const reaction = await bob.client.addReaction(bob.user.id, post.id, 'emoji_7')
      expect(reaction).to.include({ user_id: bob.user.id, emoji_name: 'emoji_7' })
    })

    it('sends reaction_added to channel members with the reaction as a JSON string', async () => {
      const { post } = await postInSharedChannel()
      const socket = await ws(bob)
      await alice.client.addReaction(alice.user.id, post.id, 'rocket')
      const event = await socket.waitFor('reaction_added', (e) => JSON.parse(e.data.reaction as string).post_id === post.id)
      expect(event.data.reaction).to.be.a('string')
      expect(JSON.parse(event.data.reaction as string)).to.include({ user_id: alice.user.id, emoji_name: 'rocket' })
      expect(event.broadcast.channel_id).to.equal(post.channel_id)
    })

    it('sends no post_edited for a reaction, as Mattermost', async () => {
      const { channel, post } = await postInSharedChannel()
      const socket = await ws(bob)
      await alice.client.addReaction(alice.user.id, post.id, 'eyes')
      // Events arrive in order: once this later post is seen, a post_edited would have been too.
      const marker = await makePost(alice.client, channel.id, 'marker')
      await socket.waitFor('posted', (e) => JSON.parse(e.data.post as string).id === marker.id)
      expect(socket.received('post_edited', (e) => JSON.parse(e.data.post as string).id === post.id)).to.have.length(0)
    })
  })

  describe('DELETE /api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji_name}', () => {
    it('removes the reaction and clears has_reactions when it was the last one', async () => {
      const { post } = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'smile')
      await alice.client.removeReaction(alice.user.id, post.id, 'smile')
      expect(await alice.client.getReactionsForPost(post.id)).to.deep.equal([])
      expect(((await alice.client.getPost(post.id)) as WirePost).has_reactions).to.equal(undefined)
    })

    it('keeps has_reactions while other reactions remain', async () => {
      const { post } = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'smile')
      await bob.client.addReaction(bob.user.id, post.id, 'smile')
      await alice.client.removeReaction(alice.user.id, post.id, 'smile')
      expect(((await alice.client.getPost(post.id)) as WirePost).has_reactions).to.equal(true)
    })

    it('rejects removing another user\'s reaction with 403', async () => {
      const { post } = await postInSharedChannel()
      await bob.client.addReaction(bob.user.id, post.id, 'smile')
      await expectStatus(alice.client.removeReaction(bob.user.id, post.id, 'smile'), 403, 'api.context.permissions.app_error')
    })

    it('rejects a removal in an archived channel with 403 api.reaction.delete.archived_channel.app_error', async () => {
      const { channel, post } = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'smile')
      await world.owner.client.deleteChannel(channel.id)
      await expectStatus(alice.client.removeReaction(alice.user.id, post.id, 'smile'), 403, 'api.reaction.delete.archived_channel.app_error')
    })

    it('rejects an emoji name outside [A-Za-z0-9_+-] with 400 api.context.invalid_url_param.app_error', async () => {
      const { post } = await postInSharedChannel()
      await expectStatus(alice.client.removeReaction(alice.user.id, post.id, 'smi%24le'), 400, 'api.context.invalid_url_param.app_error')
    })

    it('sends reaction_removed to channel members', async () => {
      const { post } = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'wave')
      const socket = await ws(bob)
      await alice.client.removeReaction(alice.user.id, post.id, 'wave')
      const event = await socket.waitFor('reaction_removed', (e) => JSON.parse(e.data.reaction as string).post_id === post.id)
      expect(JSON.parse(event.data.reaction as string)).to.include({ user_id: alice.user.id, emoji_name: 'wave' })
    })
  })

  describe('GET /api/v4/posts/{post_id}/reactions', () => {
    it('returns [] for a post without reactions', async () => {
      const { post } = await postInSharedChannel()
      expect(await alice.client.getReactionsForPost(post.id)).to.deep.equal([])
    })

    it('lists the reactions of every user, oldest first', async () => {
      const { post } = await postInSharedChannel()
      const first = await alice.client.addReaction(alice.user.id, post.id, 'one')
      while (Date.now() <= first.create_at) await new Promise((resolve) => setTimeout(resolve, 1))
      await bob.client.addReaction(bob.user.id, post.id, 'two')
      const list = await alice.client.getReactionsForPost(post.id)
      expect(list.map((r) => `${r.user_id}:${r.emoji_name}`)).to.deep.equal([`${alice.user.id}:one`, `${bob.user.id}:two`])
    })

    it('rejects a post of a private channel the caller is not in with 403', async () => {
      const channel = await makeChannelWith(world, [alice], 'P')
      const post = await makePost(alice.client, channel.id)
      await expectStatus(bob.client.getReactionsForPost(post.id), 403, 'api.context.permissions.app_error')
    })
  })

  describe('POST /api/v4/posts/ids/reactions', () => {
    it('maps each post id to its reactions, with [] for a post without any', async () => {
      const { post } = await postInSharedChannel()
      const { post: quiet } = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'ok')
      const res = await rawRequest(ctx.server.url, '/api/v4/posts/ids/reactions', { token: alice.token, body: [post.id, quiet.id] })
      expect(res.status).to.equal(200)
      const byPost = res.json as Record<string, Reaction[]>
      expect(byPost[post.id]!.map((r) => r.emoji_name)).to.deep.equal(['ok'])
      expect(byPost[quiet.id]).to.deep.equal([])
    })

    it('rejects the request with 403 when one post is not readable', async () => {
      const { post } = await postInSharedChannel()
      const hidden = await makeChannelWith(world, [alice], 'P')
      const secret = await makePost(alice.client, hidden.id)
      const res = await rawRequest(ctx.server.url, '/api/v4/posts/ids/reactions', { token: bob.token, body: [post.id, secret.id] })
      expect(res.status).to.equal(403)
    })
  })
})
