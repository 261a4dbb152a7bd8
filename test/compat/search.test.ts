/** Post search through Client4 searchPostsWithParams (Mattermost api4/post.go searchPosts, model/search_params.go). */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import type { Post, PostList } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { getAdmin, makeChannelWith, makePost, makeTeamWithMembers, type TeamWorld, type UserSession } from '../helpers/factories.ts'

type SearchResult = PostList & { matches: Record<string, string[]> }

/** A word no other test uses: letters and digits only, so the text-search parser keeps it whole. */
const word = () => `w${randomBytes(5).toString('hex')}`

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession
  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    ;[alice, bob] = world.members as [UserSession, UserSession]
  })

  const search = (who: UserSession, terms: string, extra: Record<string, unknown> = {}) =>
    who.client.searchPostsWithParams(world.team.id, { terms, is_or_search: false, ...extra } as never) as unknown as Promise<SearchResult>
  const messagesOf = (result: SearchResult) => result.order.map((id) => result.posts[id]!.message)

  describe('POST /api/v4/teams/{team_id}/posts/search', () => {
    it('finds posts containing a word, newest first', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      await makePost(alice.client, channel.id, `first ${w}`)
      await makePost(alice.client, channel.id, 'unrelated')
      await makePost(alice.client, channel.id, `second ${w.toUpperCase()}`)
      expect(messagesOf(await search(alice, w))).to.deep.equal([`second ${w.toUpperCase()}`, `first ${w}`])
    })

    it('answers with Cache-Control: no-cache and a PostList with matches', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const post = await makePost(alice.client, channel.id, `hello ${w}`)
      const res = await rawRequest(ctx.server.url, `/api/v4/teams/${world.team.id}/posts/search`, { token: alice.token, body: { terms: w, is_or_search: false } })
      expect(res.status).to.equal(200)
      expect(res.headers.get('cache-control')).to.equal('no-cache')
      expect(res.json).to.include.keys('order', 'posts', 'next_post_id', 'prev_post_id', 'matches')
      expect((res.json as SearchResult).matches).to.deep.equal({ [post.id]: [w] })
    })

    it('ANDs terms by default', async () => {
      const channel = await makeChannelWith(world, [alice])
      const [a, b] = [word(), word()]
      await makePost(alice.client, channel.id, `${a} only`)
      await makePost(alice.client, channel.id, `${a} and ${b}`)
      expect(messagesOf(await search(alice, `${a} ${b}`))).to.deep.equal([`${a} and ${b}`])
    })

    it('ORs terms with is_or_search and reports which terms each post matched', async () => {
      const channel = await makeChannelWith(world, [alice])
      const [a, b] = [word(), word()]
      const p1 = await makePost(alice.client, channel.id, `${a} only`)
      const p2 = await makePost(alice.client, channel.id, `${b} only`)
      await makePost(alice.client, channel.id, 'neither')
      const result = await search(alice, `${a} ${b}`, { is_or_search: true })
      expect(result.order).to.deep.equal([p2.id, p1.id])
      expect(result.matches).to.deep.equal({ [p1.id]: [a], [p2.id]: [b] })
    })

    it('matches a "quoted phrase" only in that order', async () => {
      const channel = await makeChannelWith(world, [alice])
      const [a, b] = [word(), word()]
      await makePost(alice.client, channel.id, `${a} ${b} in order`)
      await makePost(alice.client, channel.id, `${b} ${a} reversed`)
      expect(messagesOf(await search(alice, `"${a} ${b}"`))).to.deep.equal([`${a} ${b} in order`])
    })

    it('matches a prefix with word*', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      await makePost(alice.client, channel.id, `${w}ment done`)
      await makePost(alice.client, channel.id, `${w.slice(0, 5)} shorter`)
      const result = await search(alice, `${w}*`)
      expect(messagesOf(result)).to.deep.equal([`${w}ment done`])
    })

    it('lists in matches the words of each message that matched, as written there (deploy* → deploying)', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const post = await makePost(alice.client, channel.id, `${w}ing now, ${w.toUpperCase()}ED before, and #${w}`)
      const result = await search(alice, `${w}*`)
      expect(result.matches).to.deep.equal({ [post.id]: [`${w}ing`, `${w.toUpperCase()}ED`, w] })
    })

    it('leaves out posts with an -excluded word', async () => {
      const channel = await makeChannelWith(world, [alice])
      const [w, x] = [word(), word()]
      await makePost(alice.client, channel.id, `${w} kept`)
      await makePost(alice.client, channel.id, `${w} ${x} dropped`)
      expect(messagesOf(await search(alice, `${w} -${x}`))).to.deep.equal([`${w} kept`])
    })

    it('filters by author with from:username and -from:', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const w = word()
      await makePost(alice.client, channel.id, `${w} by alice`)
      await makePost(bob.client, channel.id, `${w} by bob`)
      expect(messagesOf(await search(alice, `${w} from:${bob.user.username}`))).to.deep.equal([`${w} by bob`])
      expect(messagesOf(await search(alice, `from: ${bob.user.username} ${w}`))).to.deep.equal([`${w} by bob`])
      expect(messagesOf(await search(alice, `${w} -from:${bob.user.username}`))).to.deep.equal([`${w} by alice`])
    })

    it('finds everything of an author with from: alone', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const w = word()
      await makePost(bob.client, channel.id, w)
      const result = await search(alice, `from:${bob.user.username} in:${channel.name}`)
      expect(messagesOf(result)).to.deep.equal([w])
    })

    it('filters by channel with in:name, in:~name and channel:, and excludes with -in:', async () => {
      const one = await makeChannelWith(world, [alice])
      const two = await makeChannelWith(world, [alice])
      const w = word()
      await makePost(alice.client, one.id, `${w} one`)
      await makePost(alice.client, two.id, `${w} two`)
      expect(messagesOf(await search(alice, `${w} in:${one.name}`))).to.deep.equal([`${w} one`])
      expect(messagesOf(await search(alice, `${w} in:~${two.name}`))).to.deep.equal([`${w} two`])
      expect(messagesOf(await search(alice, `${w} channel:${one.name}`))).to.deep.equal([`${w} one`])
      expect(messagesOf(await search(alice, `${w} -in:${one.name}`))).to.deep.equal([`${w} two`])
    })

    it('searches a DM with in:@username and a GM with in:@user1,user2', async () => {
      const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id])
      const gm = await alice.client.createGroupChannel([alice.user.id, bob.user.id, world.owner.user.id])
      const w = word()
      await makePost(alice.client, dm.id, `${w} direct`)
      await makePost(alice.client, gm.id, `${w} group`)
      expect(messagesOf(await search(alice, `${w} in:@${bob.user.username}`))).to.deep.equal([`${w} direct`])
      expect(messagesOf(await search(bob, `${w} in:@${alice.user.username}`))).to.deep.equal([`${w} direct`])
      expect(messagesOf(await search(alice, `${w} in:@${bob.user.username},${world.owner.user.username}`))).to.deep.equal([`${w} group`])
    })

    it('matches #hashtags against the post hashtags, not plain words', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const tagged = await makePost(alice.client, channel.id, `shipping #${w} today`)
      await makePost(alice.client, channel.id, `shipping ${w} untagged`)
      const result = await search(alice, `#${w}`)
      expect(result.order).to.deep.equal([tagged.id])
      expect(result.matches).to.deep.equal({ [tagged.id]: [`#${w}`] })
    })

    it('finds @mentions', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const w = word()
      await makePost(alice.client, channel.id, `${w} ping @${bob.user.username} please`)
      await makePost(alice.client, channel.id, `${w} nobody`)
      expect(messagesOf(await search(alice, `${w} @${bob.user.username}`))).to.deep.equal([`${w} ping @${bob.user.username} please`])
    })

    it('filters by on:, before: and after: days shifted by time_zone_offset', async () => {
      const admin = await getAdmin(ctx.server)
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      // 23:30 UTC on 2024-01-15 is 00:30 on 2024-01-16 at UTC+1.
      const late = await admin.client.createPost({ channel_id: channel.id, message: `${w} late`, create_at: Date.UTC(2024, 0, 15, 23, 30) } as Post)
      const early = await admin.client.createPost({ channel_id: channel.id, message: `${w} early`, create_at: Date.UTC(2024, 0, 10, 12) } as Post)
      expect((await search(alice, `${w} on:2024-01-15`)).order).to.deep.equal([late.id])
      expect((await search(alice, `${w} on:2024-01-15`, { time_zone_offset: 3600 })).order).to.deep.equal([])
      expect((await search(alice, `${w} on:2024-01-16`, { time_zone_offset: 3600 })).order).to.deep.equal([late.id])
      expect((await search(alice, `${w} before:2024-01-15`)).order).to.deep.equal([early.id])
      expect((await search(alice, `${w} after:2024-01-10`)).order).to.deep.equal([late.id])
      expect((await search(alice, `${w} after:2024-01-15`, { time_zone_offset: -3600 })).order).to.deep.equal([])
      expect((await search(alice, `${w} after:2024-01-15`, { time_zone_offset: 3600 })).order).to.deep.equal([late.id])
    })

    it('leaves out posts by day with -on:, -before: and -after:', async () => {
      const admin = await getAdmin(ctx.server)
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const at = (day: number) => admin.client.createPost({ channel_id: channel.id, message: `${w} ${day}`, create_at: Date.UTC(2024, 1, day, 12) } as Post)
      const [d10, d14, d20] = [await at(10), await at(14), await at(20)]
      expect((await search(alice, `${w} -on:2024-02-14`)).order).to.deep.equal([d20.id, d10.id])
      expect((await search(alice, `${w} -before:2024-02-14`)).order).to.deep.equal([d20.id, d14.id])
      expect((await search(alice, `${w} -after:2024-02-14`)).order).to.deep.equal([d14.id, d10.id])
      expect((await search(alice, `${w} -on:2024-02-14`, { time_zone_offset: 13 * 3600 })).order).to.deep.equal([d20.id, d14.id, d10.id])
    })

    it('pages across the day left out by -on:', async () => {
      const admin = await getAdmin(ctx.server)
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const ids: string[] = []
      for (const day of [1, 2, 3, 4, 5]) ids.push((await admin.client.createPost({ channel_id: channel.id, message: `${w} ${day}`, create_at: Date.UTC(2024, 2, day, 12) } as Post)).id)
      const [d1, d2, , d4, d5] = ids as [string, string, string, string, string]
      const page = async (n: number) => (await search(alice, `${w} -on:2024-03-03`, { page: n, per_page: 3 })).order
      expect(await page(0)).to.deep.equal([d5, d4, d2])
      expect(await page(1)).to.deep.equal([d1])
      expect(await page(2)).to.deep.equal([])
      expect((await search(alice, `${w} -on:2024-03-03`, { page: 1, per_page: 1 })).order).to.deep.equal([d4])
      expect((await search(alice, `${w} -on:2024-03-03`, { page: 3, per_page: 1 })).order).to.deep.equal([d1])
    })

    it('finds nothing when on:, before: or after: is not a date', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      await makePost(alice.client, channel.id, w)
      expect((await search(alice, w)).order).to.have.length(1)
      for (const flag of ['on:yesterday', 'before:2024-13-45', 'after:2024-02-30']) {
        expect((await search(alice, `${w} ${flag}`)).order, flag).to.deep.equal([])
      }
    })

    it('ignores ext: in post search, as Mattermost does, and finds nothing for ext: alone', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const post = await makePost(alice.client, channel.id, w)
      expect((await search(alice, `${w} ext:pdf`)).order).to.deep.equal([post.id])
      expect((await search(alice, `ext:pdf in:${channel.name}`)).order).to.deep.equal([post.id])
      expect((await search(alice, 'ext:pdf')).order).to.deep.equal([])
    })

    it('pages with page and per_page', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const posts: Post[] = []
      for (let i = 0; i < 5; i++) posts.push(await makePost(alice.client, channel.id, `${w} ${i}`))
      const newest = posts.map((p) => p.id).reverse()
      expect((await search(alice, w, { page: 0, per_page: 2 })).order).to.deep.equal(newest.slice(0, 2))
      expect((await search(alice, w, { page: 1, per_page: 2 })).order).to.deep.equal(newest.slice(2, 4))
      expect((await search(alice, w, { page: 2, per_page: 2 })).order).to.deep.equal(newest.slice(4))
    })

    it('finds an edited post by its new text and no longer by its old text', async () => {
      const channel = await makeChannelWith(world, [alice])
      const [before, after] = [word(), word()]
      const post = await makePost(alice.client, channel.id, `text ${before}`)
      await alice.client.patchPost({ id: post.id, message: `text ${after}` } as Post)
      expect((await search(alice, before)).order).to.deep.equal([])
      expect((await search(alice, after)).order).to.deep.equal([post.id])
    })

    it('leaves out deleted posts and system messages', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const post = await makePost(alice.client, channel.id, w)
      await alice.client.deletePost(post.id)
      expect((await search(alice, w)).order).to.deep.equal([])
      expect((await search(alice, `in:${channel.name}`)).order.every((id) => id !== post.id)).to.equal(true)
    })

    it('never shows posts of a channel the user never joined', async () => {
      const channel = await makeChannelWith(world, [bob])
      const w = word()
      await makePost(bob.client, channel.id, w)
      expect((await search(bob, w)).order).to.have.length(1)
      expect((await search(alice, w)).order).to.deep.equal([])
      expect((await search(alice, `${w} in:${channel.name}`)).order).to.deep.equal([])
    })

    it('stops showing posts of a channel once the user left it', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      const w = word()
      await makePost(bob.client, channel.id, w)
      expect((await search(alice, w)).order).to.have.length(1)
      await alice.client.removeFromChannel(alice.user.id, channel.id)
      expect((await search(alice, w)).order).to.deep.equal([])
    })

    it('searches archived channels only with include_deleted_channels', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      const post = await makePost(alice.client, channel.id, w)
      await world.owner.client.deleteChannel(channel.id)
      expect((await search(alice, w)).order).to.deep.equal([])
      expect((await search(alice, w, { include_deleted_channels: true })).order).to.deep.equal([post.id])
    })

    it('returns 403 to a user outside the team', async () => {
      const other = await makeTeamWithMembers(ctx.server, 0)
      await expectStatus(other.owner.client.searchPostsWithParams(world.team.id, { terms: 'x', is_or_search: false } as never), 403)
    })

    it('rejects a body without terms with 400 api.post.search_posts.invalid_body.app_error', async () => {
      const res = await rawRequest(ctx.server.url, `/api/v4/teams/${world.team.id}/posts/search`, { token: alice.token, body: { is_or_search: 'yes' } })
      expect(res.status).to.equal(400)
      expect((res.json as { id: string }).id).to.equal('api.post.search_posts.invalid_body.app_error')
    })

    it('rejects a body that is not JSON with 400 api.post.search_posts.invalid_body.app_error', async () => {
      const res = await rawRequest(ctx.server.url, `/api/v4/teams/${world.team.id}/posts/search`, { token: alice.token, rawBody: '{"terms": "x"', headers: { 'Content-Type': 'application/json' } })
      expect(res.status).to.equal(400)
      expect((res.json as { id: string }).id).to.equal('api.post.search_posts.invalid_body.app_error')
    })

    it('answers out-of-range numbers (page, per_page, time_zone_offset) with a list, never an error', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      await makePost(alice.client, channel.id, w)
      for (const extra of [{ page: 2 ** 53 - 1 }, { page: -5 }, { per_page: 2 ** 53 - 1 }, { per_page: -1 }, { time_zone_offset: 1e300 }, { time_zone_offset: -1e300 }, { time_zone_offset: 1.5 }]) {
        const result = await search(alice, `${w} on:2024-01-01`, extra)
        expect(result.order, JSON.stringify(extra)).to.deep.equal([])
      }
      expect((await search(alice, w, { page: -5, per_page: 2 ** 53 - 1 })).order).to.have.length(1)
    })

    it('answers odd input with results or an empty list, never an error', async () => {
      const channel = await makeChannelWith(world, [alice])
      const w = word()
      await makePost(alice.client, channel.id, `${w} привет 日本語 O'Brien a&b`)
      const odd = [
        '"unbalanced', '"', '""', 'the a of', '!!! ??? ...', `${'x'.repeat(3000)}`, `${'日'.repeat(3000)}`, `"${'長'.repeat(3000)}"`,
        `& | ! : ( ) ' <-> \\`, `${w}:*`, `'${w}' & !x`, `${w} | x`, `(${w}`, `${w})`, `!${w}`, `${w}:`, `O'Brien`, `'`, `\\'`,
        `-`, `*`, `**`, `#`, `-#`, `from:`, `in:`, `in:@`, `on:not-a-date`, `before:2024-13-45`, `${w}* -*`, '"a" "b" "c', "'; DROP TABLE posts; --",
        'привет', '日本語', `"${w} привет"`, `${w}&b*`, 'ext:pdf', `${w} -"`, '%_%', `@`, '@@@', `from:'x'`, `in:"a b"`,
      ]
      for (const terms of odd) {
        const result = await search(alice, terms).catch((err: { status_code?: number }) => {
          throw new Error(`search ${JSON.stringify(terms.slice(0, 40))} failed with ${err.status_code}`)
        })
        expect(result.order, terms.slice(0, 40)).to.be.an('array')
      }
      expect((await search(alice, `${w} привет`)).order).to.have.length(1)
      expect((await search(alice, `${w} O'Brien`)).order).to.have.length(1)
      expect((await search(alice, `'${w}' & !!! |`)).order).to.have.length(1)
    })
  })

  describe('POST /api/v4/posts/search', () => {
    it('searches the channels of every team of the user', async () => {
      const other = await makeTeamWithMembers(ctx.server, 0)
      await other.owner.client.addToTeam(other.team.id, alice.user.id)
      const channel = await makeChannelWith(other, [alice])
      const home = await makeChannelWith(world, [alice])
      const w = word()
      const p1 = await makePost(alice.client, home.id, w)
      const p2 = await makePost(alice.client, channel.id, w)
      const all = (await alice.client.searchPostsWithParams('', { terms: w, is_or_search: false } as never)) as unknown as SearchResult
      expect(all.order).to.deep.equal([p2.id, p1.id])
      expect((await search(alice, w)).order).to.deep.equal([p1.id])
    })
  })
})
