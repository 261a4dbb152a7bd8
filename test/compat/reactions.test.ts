/** Emoji reactions through Client4 (Mattermost api4/reaction.go, model/reaction.go). */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { makeChannelWith, makePost, makeTeamWithMembers, type TeamWorld, type UserSession } from '../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 1)
    alice = world.members[0]!
  })

  /** `has_reactions` is omitted from @mattermost/types' Post but sent by the server. */
  const postWithFlags = async (postId: string) => (await alice.client.getPost(postId)) as { has_reactions?: boolean }

  async function postInSharedChannel() {
    const channel = await makeChannelWith(world, [alice])
    return makePost(world.owner.client, channel.id, 'react to me')
  }

  describe('POST /api/v4/reactions', () => {
    it('adds a reaction and returns it', async () => {
      const post = await postInSharedChannel()
      const reaction = await alice.client.addReaction(alice.user.id, post.id, 'thumbsup')
      expect(reaction).to.include({ user_id: alice.user.id, post_id: post.id, emoji_name: 'thumbsup' })
      expect(reaction.create_at).to.be.within(Date.now() - 60_000, Date.now() + 60_000)
    })

    it('answers 200 OK, not 201', async () => {
      const post = await postInSharedChannel()
      const res = await rawRequest(ctx.server.url, '/api/v4/reactions', { token: alice.token, body: { user_id: alice.user.id, post_id: post.id, emoji_name: 'tada' } })
      expect(res.status).to.equal(200)
    })

    it('marks the post has_reactions', async () => {
      const post = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'thumbsup')
      expect((await postWithFlags(post.id)).has_reactions).to.equal(true)
    })

    it('keeps a single reaction when the same one is added twice', async () => {
      const post = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'heart')
      await alice.client.addReaction(alice.user.id, post.id, 'heart')
      const reactions = await alice.client.getReactionsForPost(post.id)
      expect(reactions.filter((r) => r.emoji_name === 'heart' && r.user_id === alice.user.id)).to.have.length(1)
    })

    it('rejects an emoji name with colons with 400 model.reaction.is_valid.emoji_name.app_error', async () => {
      const post = await postInSharedChannel()
      await expectStatus(alice.client.addReaction(alice.user.id, post.id, ':thumbsup:'), 400, 'model.reaction.is_valid.emoji_name.app_error')
    })

    it('rejects a reaction on behalf of another user with 403 api.reaction.save_reaction.user_id.app_error', async () => {
      const post = await postInSharedChannel()
      await expectStatus(alice.client.addReaction(world.owner.user.id, post.id, 'thumbsup'), 403, 'api.reaction.save_reaction.user_id.app_error')
    })
  })

  describe('GET /api/v4/posts/{post_id}/reactions', () => {
    it('lists the reactions of every user on the post', async () => {
      const post = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'thumbsup')
      await world.owner.client.addReaction(world.owner.user.id, post.id, 'eyes')
      const reactions = await alice.client.getReactionsForPost(post.id)
      expect(reactions.map((r) => `${r.user_id}:${r.emoji_name}`)).to.have.members([`${alice.user.id}:thumbsup`, `${world.owner.user.id}:eyes`])
    })

    it('returns an empty array for a post without reactions', async () => {
      const post = await postInSharedChannel()
      expect(await alice.client.getReactionsForPost(post.id)).to.deep.equal([])
    })
  })

  describe('DELETE /api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji_name}', () => {
    it('removes the caller’s reaction', async () => {
      const post = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'thumbsup')
      expect(await alice.client.removeReaction(alice.user.id, post.id, 'thumbsup')).to.deep.include({ status: 'OK' })
      expect(await alice.client.getReactionsForPost(post.id)).to.deep.equal([])
    })

    it('leaves other users’ reactions in place', async () => {
      const post = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'thumbsup')
      await world.owner.client.addReaction(world.owner.user.id, post.id, 'thumbsup')
      await alice.client.removeReaction(alice.user.id, post.id, 'thumbsup')
      const reactions = await alice.client.getReactionsForPost(post.id)
      expect(reactions.map((r) => r.user_id)).to.deep.equal([world.owner.user.id])
    })

    it('clears has_reactions once the last reaction is gone', async () => {
      const post = await postInSharedChannel()
      await alice.client.addReaction(alice.user.id, post.id, 'thumbsup')
      await alice.client.removeReaction(alice.user.id, post.id, 'thumbsup')
      expect(Boolean((await postWithFlags(post.id)).has_reactions)).to.equal(false)
    })
  })
})
