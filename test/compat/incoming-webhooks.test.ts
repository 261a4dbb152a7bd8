/**
 * Incoming webhooks (Mattermost api4/webhook.go, web/webhook.go, app/webhook.go): the admin API
 * through Client4, and POST /hooks/{id} with Slack- and Mattermost-style payloads, seen over the
 * WebSocket as a channel member would see them.
 */
import { expect } from 'chai'
import type { IncomingWebhook } from '@mattermost/types/integrations'
import type { Channel } from '@mattermost/types/channels'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectAppError, expectStatus, rawRequest, type RawResponse } from '../helpers/expect-status.ts'
import { makeChannel, makeChannelWith, makeTeamWithMembers, makeUser, uniqueName, type TeamWorld, type UserSession } from '../helpers/factories.ts'
import { connectWs, type WsEvent, type WsSession } from '../helpers/ws-client.ts'

const RATE = 5

forEachBackend((backend) => {
  const ctx = useTestServer(backend, { enablePostUsernameOverride: true, enablePostIconOverride: true, incomingWebhookPostsPerMinute: RATE })
  let world: TeamWorld
  let owner: UserSession
  let alice: UserSession
  let channel: Channel
  const sockets: WsSession[] = []

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    owner = world.owner
    alice = world.members[0]!
    channel = await makeChannelWith(world, [alice])
  })
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close()
  })

  function makeHook(overrides: Partial<IncomingWebhook> = {}, by: UserSession = owner): Promise<IncomingWebhook> {
    return by.client.createIncomingWebhook({ channel_id: channel.id, display_name: 'CI', description: 'builds', ...overrides } as IncomingWebhook)
  }

  /** Without include_total_count the answer is a plain list. */
  async function listHooks(session: UserSession, teamId: string): Promise<IncomingWebhook[]> {
    return (await session.client.getIncomingWebhooks(teamId, 0, 200)) as IncomingWebhook[]
  }

  function callHook(hookId: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
    const rawBody = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
    return rawRequest(ctx.server.url, `/hooks/${hookId}`, { method: 'POST', rawBody, headers })
  }

  async function watch(session: UserSession): Promise<WsSession> {
    const socket = await connectWs(ctx.server.url, session.token)
    sockets.push(socket)
    return socket
  }

  const postOf = (event: WsEvent) => JSON.parse(String(event.data.post)) as Post
  const postedIn = (channelId: string, text?: string) => (event: WsEvent) => postOf(event).channel_id === channelId && (text === undefined || postOf(event).message.includes(text))

  async function postsIn(channelId: string, session: UserSession = owner): Promise<Post[]> {
    const list = await session.client.getPosts(channelId)
    return list.order.map((id) => list.posts[id]!)
  }

  function expectOk(res: RawResponse): void {
    expect(res.status, res.text).to.equal(200)
    expect(res.headers.get('content-type')).to.equal('text/plain')
    expect(res.text).to.equal('ok')
  }

  describe('POST /hooks/{id}', () => {
    it('posts a Slack-style payload as a slack_attachment post that channel members receive over the WebSocket', async () => {
      const hook = await makeHook({ display_name: 'Jenkins' })
      const socket = await watch(alice)
      const marker = uniqueName('build')
      const res = await callHook(hook.id, {
        text: `${marker} <https://ci.example.com/42|#42> passed <!channel>`,
        username: 'ci-bot',
        icon_url: 'https://ci.example.com/ci.png',
        attachments: [{
          fallback: 'Build passed', color: '#36a64f', pretext: 'CI <!here>', author_name: 'jenkins', author_link: 'https://ci.example.com',
          title: 'Build 42', title_link: 'https://ci.example.com/42', text: 'All green, see <https://ci.example.com/42/log|the log>',
          fields: [{ title: 'Branch', value: 'main', short: true }, { title: 'Tests', value: 1200, short: 'false' }],
          footer: 'CI', ts: 1700000000,
        }],
      })
      expectOk(res)
      const post = postOf(await socket.waitFor('posted', postedIn(channel.id, marker)))
      expect(post).to.include({ message: `${marker} [#42](https://ci.example.com/42) passed @channel`, type: 'slack_attachment', user_id: owner.user.id })
      expect(post.props).to.include({ from_webhook: 'true', webhook_display_name: 'Jenkins', override_username: 'ci-bot', override_icon_url: 'https://ci.example.com/ci.png' })
      const [attachment] = post.props.attachments as Record<string, any>[]
      expect(attachment).to.include({ pretext: 'CI @here', text: 'All green, see [the log](https://ci.example.com/42/log)', color: '#36a64f', title_link: 'https://ci.example.com/42', ts: 1700000000 })
      expect(attachment!.fields).to.deep.equal([{ title: 'Branch', value: 'main', short: true }, { title: 'Tests', value: '1200', short: false }])
    })

    it('posts a Mattermost payload to another channel by #name, with its props, username, icon emoji and the hook\'s icon', async () => {
      const other = await makeChannelWith(world, [alice])
      const hook = await makeHook({ channel_locked: false, icon_url: 'https://ci.example.com/hook.png' })
      const socket = await watch(alice)
      const marker = uniqueName('deploy')
      expectOk(await callHook(hook.id, { text: `${marker} done`, channel: `#${other.name}`, username: 'deployer', icon_emoji: ':rocket:', props: { card: 'details', from_webhook: 'false' } }))
      const post = postOf(await socket.waitFor('posted', postedIn(other.id, marker)))
      expect(post).to.include({ message: `${marker} done`, type: '' })
      expect(post.props).to.deep.equal({
        from_webhook: 'true', webhook_display_name: 'CI', override_username: 'deployer', override_icon_url: 'https://ci.example.com/hook.png',
        override_icon_emoji: ':rocket:', card: 'details',
      })
    })

    it('accepts a channel name without #, and town-square', async () => {
      const hook = await makeHook()
      const marker = uniqueName('ts')
      expectOk(await callHook(hook.id, { text: marker, channel: 'town-square' }))
      const townSquare = await owner.client.getChannelByName(world.team.id, 'town-square')
      expect((await postsIn(townSquare.id)).map((p) => p.message)).to.include(marker)
    })

    it('uses "webhook" as the username when neither payload nor hook gives one', async () => {
      const hook = await makeHook()
      const marker = uniqueName('anon')
      expectOk(await callHook(hook.id, { text: marker }))
      const post = (await postsIn(channel.id)).find((p) => p.message === marker)!
      expect(post.props.override_username).to.equal('webhook')
    })

    it('reads a form-encoded payload= body', async () => {
      const hook = await makeHook()
      const marker = uniqueName('form')
      const body = new URLSearchParams({ payload: JSON.stringify({ text: `${marker} & more` }) }).toString()
      expectOk(await callHook(hook.id, body, { 'Content-Type': 'application/x-www-form-urlencoded' }))
      expect((await postsIn(channel.id)).map((p) => p.message)).to.include(`${marker} & more`)
    })

    it('reads the fields of a multipart body', async () => {
      const hook = await makeHook()
      const marker = uniqueName('multi')
      const form = new FormData()
      form.append('text', marker)
      form.append('username', 'former')
      const res = await fetch(`${ctx.server.url}/hooks/${hook.id}`, { method: 'POST', body: form })
      expect(res.status, await res.clone().text()).to.equal(200)
      const post = (await postsIn(channel.id)).find((p) => p.message === marker)!
      expect(post.props.override_username).to.equal('former')
    })

    it('accepts JSON with raw newlines and tabs inside text, as Mattermost does', async () => {
      const hook = await makeHook()
      const marker = uniqueName('raw')
      expectOk(await callHook(hook.id, `{"text": "${marker}\nline two\tend"}`))
      expect((await postsIn(channel.id)).map((p) => p.message)).to.include(`${marker}\nline two\tend`)
    })

    it('turns <@USERID> into @username for a known user', async () => {
      const hook = await makeHook()
      const marker = uniqueName('mention')
      expectOk(await callHook(hook.id, { text: `${marker} ping <@${alice.user.id}>` }))
      expect((await postsIn(channel.id)).map((p) => p.message)).to.include(`${marker} ping @${alice.user.username}`)
    })

    it('posts channel "@user" as a direct message between the hook owner and that user', async () => {
      const hook = await makeHook()
      const bob = world.members[1]!
      const socket = await watch(bob)
      const marker = uniqueName('dm')
      expectOk(await callHook(hook.id, { text: marker, channel: `@${bob.user.username}` }))
      const event = await socket.waitFor('posted', (e) => postOf(e).message === marker)
      expect(event.data.channel_type).to.equal('D')
      const dm = await owner.client.getChannel(postOf(event).channel_id)
      expect(dm.name.split('__').sort()).to.deep.equal([owner.user.id, bob.user.id].sort())
    })

    it('counts the post as unread for members and finds it in search', async () => {
      const hook = await makeHook()
      const word = uniqueName('searchable').replace(/-/g, '')
      const before = await alice.client.getChannelUnread(channel.id)
      expectOk(await callHook(hook.id, { text: `release ${word}` }))
      const after = await alice.client.getChannelUnread(channel.id)
      expect(after.msg_count).to.equal(before.msg_count + 1)
      const found = await alice.client.searchPostsWithParams(world.team.id, { terms: word, is_or_search: false } as never) as unknown as { order: string[] }
      expect(found.order).to.have.length(1)
    })

    it('splits a text over 16383 characters into several posts in order, attachments on the last', async () => {
      const hook = await makeHook()
      const target = await makeChannelWith(world, [alice])
      const text = 'a'.repeat(16383) + 'b'.repeat(16383) + 'c'.repeat(10)
      expectOk(await callHook(hook.id, { text, channel: target.name, attachments: [{ text: 'summary' }] }))
      const posts = (await postsIn(target.id)).filter((p) => p.props.from_webhook === 'true').reverse()
      expect(posts.map((p) => p.message)).to.deep.equal(['a'.repeat(16383), 'b'.repeat(16383), 'c'.repeat(10)])
      expect(posts.map((p) => p.props.attachments === undefined)).to.deep.equal([true, true, false])
      expect(posts.every((p) => (p.type as string) === 'slack_attachment')).to.equal(true)
    })

    it('stores the payload\'s priority as the post\'s metadata.priority, over the WebSocket and in GET /posts/{id}', async () => {
      const hook = await makeHook()
      const socket = await watch(alice)
      const marker = uniqueName('prio')
      expectOk(await callHook(hook.id, { text: marker, priority: { priority: 'important', requested_ack: true } }))
      const expected = { priority: 'important', requested_ack: true, persistent_notifications: false }
      const pushed = postOf(await socket.waitFor('posted', postedIn(channel.id, marker)))
      expect(pushed.metadata.priority).to.deep.equal(expected)
      expect((await alice.client.getPost(pushed.id)).metadata.priority).to.deep.equal(expected)
      expect((await postsIn(channel.id, alice)).find((p) => p.id === pushed.id)!.metadata.priority).to.deep.equal(expected)
    })

    it('posts a payload without priority with no metadata.priority', async () => {
      const hook = await makeHook()
      const socket = await watch(alice)
      const marker = uniqueName('noprio')
      expectOk(await callHook(hook.id, { text: marker }))
      const pushed = postOf(await socket.waitFor('posted', postedIn(channel.id, marker)))
      expect(pushed.metadata).to.not.have.property('priority')
      expect((await alice.client.getPost(pushed.id)).metadata).to.not.have.property('priority')
    })

    describe('refusing bad input, posting nothing', () => {
      let hook: IncomingWebhook
      let target: Channel
      before(async () => {
        target = await makeChannelWith(world, [alice])
        hook = await makeHook({ channel_id: target.id })
      })
      afterEach(async () => {
        expect((await postsIn(target.id)).filter((p) => p.props.from_webhook === 'true'), 'posts made by the refused call').to.deep.equal([])
      })

      it('answers 400 web.incoming_webhook.invalid.app_error for an unknown hook', async () => {
        expectAppError(await callHook('a'.repeat(26), { text: 'x' }), 400, 'web.incoming_webhook.invalid.app_error')
      })

      it('answers 400 web.incoming_webhook.invalid.app_error for a deleted hook', async () => {
        const gone = await makeHook({ channel_id: target.id })
        await owner.client.removeIncomingWebhook(gone.id)
        expectAppError(await callHook(gone.id, { text: 'x' }), 400, 'web.incoming_webhook.invalid.app_error')
      })

      it('answers 400 model.incoming_hook.parse_data.app_error for a body that is not JSON', async () => {
        const res = await callHook(hook.id, '{"text": "unterminated')
        expectAppError(res, 400, 'model.incoming_hook.parse_data.app_error')
        expect((res.json as { message: string }).message).to.match(/not valid JSON/)
      })

      it('answers 400 model.incoming_hook.parse_data.app_error for an XML body sent as text/xml', async () => {
        expectAppError(await callHook(hook.id, '<text>hi</text>', { 'Content-Type': 'text/xml' }), 400, 'model.incoming_hook.parse_data.app_error')
      })

      it('answers 400 web.incoming_webhook.media_type.app_error for an unparsable Content-Type', async () => {
        expectAppError(await callHook(hook.id, { text: 'x' }, { 'Content-Type': 'not a media type' }), 400, 'web.incoming_webhook.media_type.app_error')
      })

      it('answers 400 model.incoming_hook.parse_data.app_error for a form body without payload', async () => {
        expectAppError(await callHook(hook.id, 'text=hi', { 'Content-Type': 'application/x-www-form-urlencoded' }), 400, 'model.incoming_hook.parse_data.app_error')
      })

      it('names the attachment field of the wrong type', async () => {
        const res = await callHook(hook.id, { attachments: [{ text: 'ok' }, { color: 5 }] })
        expectAppError(res, 400, 'model.incoming_hook.parse_data.app_error')
        expect((res.json as { message: string }).message).to.include('attachments[1].color: expected a string')
      })

      it('answers 400 web.incoming_webhook.text.app_error without text or attachments', async () => {
        expectAppError(await callHook(hook.id, { text: '', attachments: [] }), 400, 'web.incoming_webhook.text.app_error')
      })

      it('answers 413 for a body over MAX_BODY_BYTES', async () => {
        expectAppError(await callHook(hook.id, { text: 'x'.repeat(1024 * 1024 + 1) }), 413, 'api.context.request_body_too_large.app_error')
      })

      it('answers 400 api.context.invalid_param.app_error for a system_* type', async () => {
        expectAppError(await callHook(hook.id, { text: 'x', type: 'system_join_channel' }), 400, 'api.context.invalid_param.app_error')
      })

      it('answers 400 api.context.invalid_param.app_error for an unknown priority or a priority object without priority', async () => {
        // A hook of its own, so as not to spend the shared hook's rate.
        const own = await makeHook({ channel_id: target.id })
        expectAppError(await callHook(own.id, { text: 'x', priority: { priority: 'loud' } }), 400, 'api.context.invalid_param.app_error')
        expectAppError(await callHook(own.id, { text: 'x', priority: { requested_ack: true } }), 400, 'api.context.invalid_param.app_error')
      })

      it('answers 404 web.incoming_webhook.channel.app_error for an unknown channel', async () => {
        expectAppError(await callHook(hook.id, { text: 'x', channel: 'no-such-channel' }), 404, 'web.incoming_webhook.channel.app_error')
      })

      it('answers 400 web.incoming_webhook.user.app_error for an unknown @user', async () => {
        expectAppError(await callHook(hook.id, { text: 'x', channel: '@no-such-user' }), 400, 'web.incoming_webhook.user.app_error')
      })

      it('answers 403 web.incoming_webhook.permissions.app_error for a private channel the owner cannot read', async () => {
        const secret = await makeChannel(alice.client, world.team.id, 'P')
        expectAppError(await callHook(hook.id, { text: 'x', channel: secret.name }), 403, 'web.incoming_webhook.permissions.app_error')
        expect((await postsIn(secret.id, alice)).filter((p) => p.props.from_webhook === 'true')).to.deep.equal([])
      })

      it('answers 400 api.post.create_post.can_not_post_to_deleted.error when the hook\'s channel is archived', async () => {
        const archived = await makeChannelWith(world, [])
        const stale = await makeHook({ channel_id: archived.id })
        await owner.client.deleteChannel(archived.id)
        expectAppError(await callHook(stale.id, { text: 'x' }), 400, 'api.post.create_post.can_not_post_to_deleted.error')
      })

      it('answers 400 for a text containing NUL', async () => {
        expectAppError(await callHook(hook.id, { text: 'a\u0000b' }), 400, 'api.context.invalid_body_param.app_error')
      })
    })

    it('posts half an emoji (a lone surrogate escape) in text and attachments as U+FFFD instead of failing', async () => {
      const hook = await makeHook({})
      const marker = uniqueName('cut')
      const res = await callHook(hook.id, { text: `${marker} \ud83d`, attachments: [{ text: 'attached \ud83d', fields: [{ title: '\udd25', value: 'v' }] }] })
      expect(res.status, res.text).to.equal(200)
      const post = (await postsIn(hook.channel_id)).find((p) => p.message.startsWith(marker))!
      expect(post.message).to.equal(`${marker} \ufffd`)
      const [attachment] = post.props.attachments as { text: string; fields: { title: string }[] }[]
      expect(attachment).to.deep.include({ text: 'attached \ufffd' })
      expect(attachment!.fields[0]!.title).to.equal('\ufffd')
    })

    it('answers 403 web.incoming_webhook.channel_locked.app_error when a locked hook names another channel or a user', async () => {
      const hook = await makeHook({ channel_locked: true })
      const other = await makeChannelWith(world, [alice])
      expectAppError(await callHook(hook.id, { text: 'x', channel: other.name }), 403, 'web.incoming_webhook.channel_locked.app_error')
      expectAppError(await callHook(hook.id, { text: 'x', channel: `@${alice.user.username}` }), 403, 'web.incoming_webhook.channel_locked.app_error')
      expect((await postsIn(other.id)).filter((p) => p.props.from_webhook === 'true')).to.deep.equal([])
      const marker = uniqueName('own')
      expectOk(await callHook(hook.id, { text: marker, channel: channel.name }))
    })

    it(`answers 429 with Retry-After after ${RATE} calls to one hook, and other hooks go on`, async () => {
      const hook = await makeHook()
      for (let i = 0; i < RATE; i++) expectOk(await callHook(hook.id, { text: `burst ${i}` }))
      const res = await callHook(hook.id, { text: 'one too many' })
      expectAppError(res, 429, 'web.incoming_webhook.rate_limited.app_error')
      expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60)
      expect((await postsIn(channel.id)).map((p) => p.message)).to.not.include('one too many')
      expectOk(await callHook((await makeHook()).id, { text: 'another hook' }))
    })
  })

  describe('/api/v4/hooks/incoming', () => {
    it('creates a hook for a team admin with 201 and Mattermost\'s fields', async () => {
      const hook = await makeHook({ display_name: 'Alerts', description: 'from Grafana', username: 'grafana', icon_url: 'https://g.example.com/i.png', channel_locked: true })
      expect(hook).to.include({
        channel_id: channel.id, team_id: world.team.id, user_id: owner.user.id, display_name: 'Alerts', description: 'from Grafana',
        username: 'grafana', icon_url: 'https://g.example.com/i.png', channel_locked: true, delete_at: 0,
      })
      expect(hook.id).to.match(/^[a-z0-9]{26}$/)
      expect(hook.create_at).to.be.a('number').and.equal(hook.update_at)
    })

    it('refuses a team member without manage_incoming_webhooks with 403', async () => {
      await expectStatus(makeHook({}, alice), 403, 'api.context.permissions.app_error')
    })

    it('refuses a private channel the creator cannot read with 403', async () => {
      const secret = await makeChannel(alice.client, world.team.id, 'P')
      await expectStatus(makeHook({ channel_id: secret.id }), 403, 'api.context.permissions.app_error')
    })

    it('answers 404 for an unknown channel', async () => {
      await expectStatus(makeHook({ channel_id: 'a'.repeat(26) }), 404, 'app.channel.get.existing.app_error')
    })

    it('refuses a display_name over 64 characters with 400', async () => {
      await expectStatus(makeHook({ display_name: 'x'.repeat(65) }), 400, 'model.incoming_hook.display_name.app_error')
    })

    it('refuses an override username that is not a valid username with 400', async () => {
      await expectStatus(makeHook({ username: 'Not Valid' }), 400, 'api.incoming_webhook.invalid_username.app_error')
    })

    it('lists the hooks of a team to its admin, with a total count on request', async () => {
      const other = await makeTeamWithMembers(ctx.server, 0)
      const otherChannel = await makeChannel(other.owner.client, other.team.id)
      const mine = await other.owner.client.createIncomingWebhook({ channel_id: otherChannel.id, display_name: 'only' } as IncomingWebhook)
      expect((await listHooks(other.owner, other.team.id)).map((h) => h.id)).to.deep.equal([mine.id])
      const counted = await other.owner.client.getIncomingWebhooks(other.team.id, 0, 60, true) as unknown as { incoming_webhooks: IncomingWebhook[]; total_count: number }
      expect(counted.total_count).to.equal(1)
      expect(counted.incoming_webhooks.map((h) => h.id)).to.deep.equal([mine.id])
    })

    it('refuses the team list to a member and the list of all teams to a team admin with 403', async () => {
      await expectStatus(alice.client.getIncomingWebhooks(world.team.id), 403, 'api.context.permissions.app_error')
      await expectStatus(owner.client.getIncomingWebhooks(), 403, 'api.context.permissions.app_error')
    })

    it('lists hooks of every team to a system admin', async () => {
      const hook = await makeHook()
      const admin = await makeUser(ctx.server, { admin: true })
      const all = await listHooks(admin, '')
      expect(all.map((h) => h.id)).to.include(hook.id)
    })

    it('gets a hook, and refuses it to the admin of another team with 403', async () => {
      const hook = await makeHook()
      expect(await owner.client.getIncomingWebhook(hook.id)).to.deep.include({ id: hook.id, display_name: 'CI' })
      const stranger = await makeTeamWithMembers(ctx.server, 0)
      await expectStatus(stranger.owner.client.getIncomingWebhook(hook.id), 403, 'api.context.permissions.app_error')
    })

    it('updates a hook (201) and the new channel and lock take effect', async () => {
      const hook = await makeHook()
      const moved = await makeChannelWith(world, [alice])
      const updated = await owner.client.updateIncomingWebhook({ ...hook, channel_id: moved.id, display_name: 'Renamed', channel_locked: true })
      expect(updated).to.include({ id: hook.id, channel_id: moved.id, display_name: 'Renamed', channel_locked: true, create_at: hook.create_at })
      const res = await rawRequest(ctx.server.url, `/api/v4/hooks/incoming/${hook.id}`, { method: 'PUT', token: owner.token, body: { ...updated, display_name: 'Again' } })
      expect(res.status).to.equal(201)
      const marker = uniqueName('moved')
      expectOk(await callHook(hook.id, { text: marker }))
      expect((await postsIn(channel.id)).map((p) => p.message)).to.not.include(marker)
    })

    it('refuses an update whose body id differs from the URL, or whose channel is in another team, with 400', async () => {
      const hook = await makeHook()
      const res = await rawRequest(ctx.server.url, `/api/v4/hooks/incoming/${hook.id}`, { method: 'PUT', token: owner.token, body: { ...hook, id: 'b'.repeat(26) } })
      expectAppError(res, 400, 'api.context.invalid_param.app_error')
      const other = await makeTeamWithMembers(ctx.server, 0)
      const foreign = await makeChannel(other.owner.client, other.team.id)
      await expectStatus(owner.client.updateIncomingWebhook({ ...hook, channel_id: foreign.id, team_id: '' }), 400, 'api.context.invalid_param.app_error')
    })

    it('refuses an update by a member without permission with 403', async () => {
      const hook = await makeHook()
      await expectStatus(alice.client.updateIncomingWebhook({ ...hook, display_name: 'mine now' }), 403, 'api.context.permissions.app_error')
    })

    it('deletes a hook: then it is gone from get and list', async () => {
      const hook = await makeHook()
      expect(await owner.client.removeIncomingWebhook(hook.id)).to.deep.equal({ status: 'OK' })
      await expectStatus(owner.client.getIncomingWebhook(hook.id), 404, 'app.webhooks.get_incoming.app_error')
      expect((await listHooks(owner, world.team.id)).map((h) => h.id)).to.not.include(hook.id)
    })

    it('refuses a delete by a member without permission with 403', async () => {
      const hook = await makeHook()
      await expectStatus(alice.client.removeIncomingWebhook(hook.id), 403, 'api.context.permissions.app_error')
    })
  })
})

forEachBackend((backend) => {
  describe('with Mattermost\'s defaults: no username or icon overrides', () => {
    const ctx = useTestServer(backend)

    it('drops the hook\'s username and icon_url and posts without override props', async () => {
      const world = await makeTeamWithMembers(ctx.server, 0)
      const channel = await makeChannel(world.owner.client, world.team.id)
      const hook = await world.owner.client.createIncomingWebhook({ channel_id: channel.id, username: 'ci', icon_url: 'https://ci.example.com/i.png' } as IncomingWebhook)
      expect(hook).to.include({ username: '', icon_url: '' })
      const marker = uniqueName('plain')
      const res = await rawRequest(ctx.server.url, `/hooks/${hook.id}`, { method: 'POST', body: { text: marker, username: 'ci', icon_url: 'https://ci.example.com/i.png', icon_emoji: ':x:' } })
      expect(res.status, res.text).to.equal(200)
      const list = await world.owner.client.getPosts(channel.id)
      const post = Object.values(list.posts).find((p) => p.message === marker)!
      expect(post.props).to.deep.equal({ from_webhook: 'true', webhook_display_name: '' })
    })
  })

  describe('with ENABLE_INCOMING_WEBHOOKS=false', () => {
    const ctx = useTestServer(backend, { enableIncomingWebhooks: false })

    it('answers 501 to the admin API and to POST /hooks/{id}', async () => {
      const world = await makeTeamWithMembers(ctx.server, 0)
      const channel = await makeChannel(world.owner.client, world.team.id)
      await expectStatus(world.owner.client.createIncomingWebhook({ channel_id: channel.id } as IncomingWebhook), 501, 'api.incoming_webhook.disabled.app_error')
      expectAppError(await rawRequest(ctx.server.url, `/hooks/${'a'.repeat(26)}`, { method: 'POST', body: { text: 'x' } }), 501, 'web.incoming_webhook.disabled.app_error')
    })
  })
})
