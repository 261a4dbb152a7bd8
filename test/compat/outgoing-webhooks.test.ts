/**
 * Outgoing webhooks (Mattermost api4/webhook.go, app/webhook.go handleWebhookEvents and
 * TriggerWebhook): the admin API through Client4, and deliveries end to end — a real HTTP server
 * started here plays the integration, the durable job queue calls it through the outbound client,
 * and its answers arrive as posts over the WebSocket.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import type { OutgoingWebhook } from '@mattermost/types/integrations'
import type { Job } from '@mattermost/types/jobs'
import type { Post } from '@mattermost/types/posts'
import { BACKENDS, forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus } from '../helpers/expect-status.ts'
import { getAdmin, makeChannel, makeChannelWith, makePost, makeTeamWithMembers, makeUser, uniqueName, type AdminSession, type TeamWorld, type UserSession } from '../helpers/factories.ts'
import { connectWs, type WsEvent, type WsSession } from '../helpers/ws-client.ts'
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../helpers/http-receiver.ts'

const DELIVERY = 'webhooks.outgoing.deliver'
const postOf = (event: WsEvent): Post => JSON.parse(event.data.post as string) as Post
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

forEachBackend((backend) => {
  let receiver: HttpReceiver
  let ownerWs: WsSession
  after(async () => {
    ownerWs?.close()
    await receiver?.close()
  })
  const ctx = useTestServer(backend, {
    allowedUntrustedInternalConnections: '127.0.0.1',
    outgoingIntegrationRequestsTimeoutSeconds: 1,
    enablePostUsernameOverride: true,
    enablePostIconOverride: true,
    jobPollIntervalMs: 100,
    outgoingWebhookRetryBaseMs: 100,
    outgoingWebhookAttempts: 3,
  })
  let world: TeamWorld
  let alice: UserSession
  let channel: Channel
  let admin: AdminSession

  before(async () => {
    receiver = await startHttpReceiver()
    world = await makeTeamWithMembers(ctx.server, 1)
    alice = world.members[0]!
    channel = await makeChannelWith(world, [alice])
    admin = await getAdmin(ctx.server)
    ownerWs = await connectWs(ctx.server.url, world.owner.token)
  })

  /** A hook of the world's team, created by its owner, calling `path` on the receiver. */
  function addHook(path: string, overrides: Partial<OutgoingWebhook> = {}): Promise<OutgoingWebhook> {
    return world.owner.client.createOutgoingWebhook({
      team_id: world.team.id, display_name: 'Deployer', trigger_words: [uniqueName('trigger')], callback_urls: [`${receiver.url}${path}`], ...overrides,
    } as OutgoingWebhook)
  }

  /** The delivery jobs enqueued for a post, as admins see them. */
  async function deliveriesOf(postId: string): Promise<Job[]> {
    const jobs = await admin.client.getJobsByType(DELIVERY, 0, 200)
    return jobs.filter((job) => job.data.post_id === postId)
  }

  /** Waits until the post's only delivery has finished (success or error) and returns it. */
  async function finishedDelivery(postId: string, timeoutMs = 8000): Promise<Job> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const [job] = await deliveriesOf(postId)
      if (job && (job.status === 'success' || job.status === 'error')) return job
      if (Date.now() > deadline) throw new Error(`delivery of ${postId} not finished: ${JSON.stringify(job)}`)
      await sleep(50)
    }
  }

  const requestsTo = (path: string): ReceivedRequest[] => receiver.received.filter((r) => new URL(r.url, 'http://receiver').pathname === path)

  async function postsWithMessage(message: string): Promise<Post[]> {
    const list = await world.owner.client.getPosts(channel.id, 0, 200)
    return Object.values(list.posts).filter((p) => p.message === message)
  }

  describe('firing', () => {
    it('POSTs Mattermost\'s JSON payload, timestamp in ms and file ids comma-joined, when the first word is a trigger word', async () => {
      const path = `/${uniqueName('json')}`
      const hook = await addHook(path, { trigger_words: ['deploy'], content_type: 'application/json', channel_id: channel.id })
      const post = await makePost(alice.client, channel.id, 'deploy the api now')
      const request = await receiver.next(path)
      expect(request.method).to.equal('POST')
      expect(request.headers['content-type']).to.equal('application/json')
      expect(request.headers.accept).to.equal('application/json')
      expect(JSON.parse(request.body)).to.deep.equal({
        token: hook.token, team_id: world.team.id, team_domain: world.team.name, channel_id: channel.id, channel_name: channel.name,
        timestamp: post.create_at, user_id: alice.user.id, user_name: alice.user.username, post_id: post.id, text: 'deploy the api now',
        trigger_word: 'deploy', file_ids: '',
      })
    })

    it('POSTs a form with the timestamp in seconds by default', async () => {
      const path = `/${uniqueName('form')}`
      const word = uniqueName('build')
      const hook = await addHook(path, { trigger_words: [word] })
      expect(hook.content_type).to.equal('application/x-www-form-urlencoded')
      const post = await makePost(alice.client, channel.id, `${word} main`)
      const request = await receiver.next(path)
      expect(request.headers['content-type']).to.equal('application/x-www-form-urlencoded')
      expect(Object.fromEntries(request.fields)).to.deep.equal({
        token: hook.token, team_id: world.team.id, team_domain: world.team.name, channel_id: channel.id, channel_name: channel.name,
        timestamp: String(Math.floor(post.create_at / 1000)), user_id: alice.user.id, user_name: alice.user.username, post_id: post.id,
        text: `${word} main`, trigger_word: word, file_ids: '',
      })
    })

    it('with trigger_when 0 fires only when the first word equals a trigger word', async () => {
      const word = uniqueName('exact')
      await addHook(`/${uniqueName('exact')}`, { trigger_words: [word], trigger_when: 0 })
      const longer = await makePost(alice.client, channel.id, `${word}ly not`)
      const later = await makePost(alice.client, channel.id, `not first ${word}`)
      const exact = await makePost(alice.client, channel.id, `  ${word} yes`)
      expect(await deliveriesOf(longer.id)).to.have.length(0)
      expect(await deliveriesOf(later.id)).to.have.length(0)
      expect(await deliveriesOf(exact.id)).to.have.length(1)
    })

    it('with trigger_when 1 fires when the first word starts with a trigger word, sending that trigger word', async () => {
      const path = `/${uniqueName('starts')}`
      const word = uniqueName('dep')
      await addHook(path, { trigger_words: [word], trigger_when: 1 })
      const post = await makePost(alice.client, channel.id, `${word}loyment please`)
      const request = await receiver.next(path)
      expect(request.fields.get('post_id')).to.equal(post.id)
      expect(request.fields.get('trigger_word')).to.equal(word)
    })

    it('with a channel and no trigger words fires on every post of that channel only, with an empty trigger word', async () => {
      const path = `/${uniqueName('channel')}`
      const watched = await makeChannelWith(world, [alice])
      await addHook(path, { channel_id: watched.id, trigger_words: [] })
      const elsewhere = await makePost(alice.client, channel.id, 'anything at all')
      const post = await makePost(alice.client, watched.id, 'anything at all')
      const request = await receiver.next(path)
      expect(request.fields.get('post_id')).to.equal(post.id)
      expect(request.fields.get('trigger_word')).to.equal('')
      expect(await deliveriesOf(elsewhere.id)).to.have.length(0)
    })

    it('with a channel and trigger words ignores the same words in other channels', async () => {
      const word = uniqueName('scoped')
      const other = await makeChannelWith(world, [alice])
      await addHook(`/${uniqueName('scoped')}`, { channel_id: channel.id, trigger_words: [word] })
      const outside = await makePost(alice.client, other.id, `${word} here`)
      const inside = await makePost(alice.client, channel.id, `${word} here`)
      expect(await deliveriesOf(outside.id)).to.have.length(0)
      expect(await deliveriesOf(inside.id)).to.have.length(1)
    })

    it('never fires in a private channel', async () => {
      const word = uniqueName('private')
      await addHook(`/${uniqueName('private')}`, { trigger_words: [word] })
      const secret = await makeChannelWith(world, [alice], 'P')
      const post = await makePost(alice.client, secret.id, `${word} secret`)
      expect(await deliveriesOf(post.id)).to.have.length(0)
    })

    it('enqueues one delivery per callback URL', async () => {
      const [a, b] = [`/${uniqueName('a')}`, `/${uniqueName('b')}`]
      const word = uniqueName('both')
      await addHook(a, { trigger_words: [word], callback_urls: [`${receiver.url}${a}`, `${receiver.url}${b}`] })
      const post = await makePost(alice.client, channel.id, word)
      const [first, second] = await Promise.all([receiver.next(a), receiver.next(b)])
      expect(first.fields.get('post_id')).to.equal(post.id)
      expect(second.fields.get('post_id')).to.equal(post.id)
      expect((await deliveriesOf(post.id)).map((j) => j.data.url).sort()).to.deep.equal([`${receiver.url}${a}`, `${receiver.url}${b}`].sort())
    })
  })

  describe('the answer', () => {
    it('is posted in the channel as the hook\'s creator, from_webhook with the overrides, and arrives over the WebSocket', async () => {
      const path = `/${uniqueName('answer')}`
      const text = `deployed ${uniqueName('v')}`
      receiver.answer(path, { body: { text, username: 'deploy-bot', icon_url: 'https://example.com/bot.png', props: { build: '42' } } })
      const hook = await addHook(path)
      await makePost(alice.client, channel.id, `${hook.trigger_words[0]} api`)
      const event = await ownerWs.waitFor('posted', (e) => postOf(e).message === text)
      const post = postOf(event)
      expect(post).to.include({ user_id: world.owner.user.id, channel_id: channel.id, root_id: '' })
      expect(post.props).to.include({
        from_webhook: 'true', override_username: 'deploy-bot', override_icon_url: 'https://example.com/bot.png', webhook_display_name: 'Deployer', build: '42',
      })
      expect(event.data.sender_name).to.equal('deploy-bot')
    })

    it('with response_type comment is a reply in the triggering post\'s thread', async () => {
      const path = `/${uniqueName('comment')}`
      const text = `on it ${uniqueName('c')}`
      receiver.answer(path, { body: { text, response_type: 'comment' } })
      const hook = await addHook(path)
      const trigger = await makePost(alice.client, channel.id, `${hook.trigger_words[0]} please`)
      const post = postOf(await ownerWs.waitFor('posted', (e) => postOf(e).message === text))
      expect(post.root_id).to.equal(trigger.id)
      const thread = await world.owner.client.getPostThread(trigger.id)
      expect(thread.order).to.include(post.id)
    })

    it('posts attachments as a slack_attachment post', async () => {
      const path = `/${uniqueName('attach')}`
      const title = `Build ${uniqueName('b')}`
      receiver.answer(path, { body: { attachments: [{ fallback: 'build', title, color: 'good' }] } })
      const hook = await addHook(path)
      await makePost(alice.client, channel.id, `${hook.trigger_words[0]}`)
      const post = postOf(await ownerWs.waitFor('posted', (e) => (postOf(e).props?.attachments as { title: string }[] | undefined)?.[0]?.title === title))
      expect(post.type).to.equal('slack_attachment')
    })

    it('does not fire hooks again (an answer that starts with the trigger word is not sent back)', async () => {
      const path = `/${uniqueName('loop')}`
      const word = uniqueName('echo')
      const text = `${word} again`
      receiver.answer(path, { body: { text } })
      await addHook(path, { trigger_words: [word] })
      await makePost(alice.client, channel.id, `${word} once`)
      const answer = postOf(await ownerWs.waitFor('posted', (e) => postOf(e).message === text))
      // The bus hands the answer to the WebSocket and to the webhooks at once: give the latter time to (not) enqueue.
      await sleep(300)
      expect(await deliveriesOf(answer.id)).to.have.length(0)
      expect(requestsTo(path)).to.have.length(1)
    })

    it('posts nothing for an empty body and the delivery succeeds', async () => {
      const path = `/${uniqueName('empty')}`
      receiver.answer(path, { body: '' })
      const hook = await addHook(path)
      const post = await makePost(alice.client, channel.id, `${hook.trigger_words[0]}`)
      const job = await finishedDelivery(post.id)
      expect(job.status).to.equal('success')
    })
  })

  describe('delivery', () => {
    it('retries after a 503 and posts the answer exactly once', async () => {
      const path = `/${uniqueName('retry')}`
      const text = `second time lucky ${uniqueName('r')}`
      let calls = 0
      receiver.answer(path, () => (++calls === 1 ? { status: 503, body: 'busy' } : { body: { text } }))
      const hook = await addHook(path)
      const post = await makePost(alice.client, channel.id, `${hook.trigger_words[0]} go`)
      const job = await finishedDelivery(post.id)
      expect(job).to.include({ status: 'success' })
      expect((job as Job & { attempts: number }).attempts).to.equal(2)
      expect(requestsTo(path)).to.have.length(2)
      expect(await postsWithMessage(text)).to.have.length(1)
    })

    it('retries after a slow first answer (timeout) and posts only the second answer, once', async () => {
      const path = `/${uniqueName('slow')}`
      const text = `finally ${uniqueName('s')}`
      let calls = 0
      // The first answer comes after the server's 1 s deadline; the retry is answered at once.
      receiver.answer(path, () => (++calls === 1 ? { body: { text }, delayMs: 1500 } : { body: { text } }))
      const hook = await addHook(path)
      const post = await makePost(alice.client, channel.id, `${hook.trigger_words[0]} go`)
      const job = await finishedDelivery(post.id)
      expect(job.status).to.equal('success')
      expect((job as Job & { attempts: number }).attempts).to.equal(2)
      // Past the moment the first answer arrived, still one post.
      await sleep(1000)
      expect(await postsWithMessage(text)).to.have.length(1)
    })

    it('does not retry a 4xx answer and shows the error to admins', async () => {
      const path = `/${uniqueName('gone')}`
      receiver.answer(path, { status: 404, body: 'no such hook' })
      const hook = await addHook(path)
      const post = await makePost(alice.client, channel.id, `${hook.trigger_words[0]} go`)
      const job = await finishedDelivery(post.id)
      expect(job.status).to.equal('error')
      expect((job as Job & { attempts: number }).attempts).to.equal(1)
      expect(job.data).to.include({ hook_id: hook.id, post_id: post.id, url: `${receiver.url}${path}` })
      expect(job.data.error).to.contain('404')
      await sleep(300)
      expect(requestsTo(path)).to.have.length(1)
    })

    it('gives up after the last attempt when the integration keeps failing', async () => {
      const path = `/${uniqueName('down')}`
      receiver.answer(path, { status: 500, body: 'down' })
      const hook = await addHook(path)
      const post = await makePost(alice.client, channel.id, `${hook.trigger_words[0]} go`)
      const job = await finishedDelivery(post.id)
      expect(job.status).to.equal('error')
      expect((job as Job & { attempts: number }).attempts).to.equal(3)
      expect(requestsTo(path)).to.have.length(3)
    })

    it('forgets delivery keys older than 7 days in an hourly purge, and keeps recent ones', async () => {
      const oldKey = uniqueName('oldkey')
      const newKey = uniqueName('newkey')
      const day = 24 * 60 * 60_000
      await ctx.server.sql(
        `INSERT INTO outgoing_webhook_deliveries (key, hook_id, post_id, create_at) VALUES ($1, 'h', 'p', $3::bigint), ($2, 'h', 'p', $4::bigint)`,
        [oldKey, newKey, Date.now() - 8 * day, Date.now() - 6 * day],
      )
      expect(await ctx.server.jobs.getSchedule('webhooks.outgoing.purge_deliveries')).to.include({ cron: '23 * * * *', timeZone: 'UTC' })
      const job = await ctx.server.jobs.enqueue({ type: 'webhooks.outgoing.purge_deliveries', data: {} })
      for (let i = 0; i < 200; i++) {
        const [row] = await ctx.server.sql<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [job.id])
        if (row?.status === 'success') break
        await sleep(50)
      }
      const left = await ctx.server.sql<{ key: string }>('SELECT key FROM outgoing_webhook_deliveries WHERE key = ANY($1::text[])', [[oldKey, newKey]])
      expect(left.map((r) => r.key)).to.deep.equal([newKey])
    })

    it('refuses an address outside the allow-list without calling it, and does not retry', async () => {
      const hook = await addHook('', { callback_urls: ['http://127.0.0.2:9/hook'] })
      const post = await makePost(alice.client, channel.id, `${hook.trigger_words[0]} go`)
      const job = await finishedDelivery(post.id)
      expect(job.status).to.equal('error')
      expect((job as Job & { attempts: number }).attempts).to.equal(1)
      expect(job.data.error).to.match(/^blocked: /)
    })

    it('a deleted hook no longer fires', async () => {
      const path = `/${uniqueName('deleted')}`
      const hook = await addHook(path)
      await world.owner.client.removeOutgoingWebhook(hook.id)
      const post = await makePost(alice.client, channel.id, `${hook.trigger_words[0]} go`)
      expect(await deliveriesOf(post.id)).to.have.length(0)
      expect(requestsTo(path)).to.have.length(0)
    })
  })

  describe('admin API', () => {
    it('creates a hook for a team admin with 201 and Mattermost\'s fields', async () => {
      const hook = await addHook('/created', { trigger_words: ['one', 'two'], trigger_when: 1, description: 'ships it' })
      expect(hook.id).to.match(/^[a-z0-9]{26}$/)
      expect(hook.token).to.match(/^[a-z0-9]{26}$/)
      expect(hook).to.include({
        creator_id: world.owner.user.id, team_id: world.team.id, channel_id: '', trigger_when: 1, display_name: 'Deployer', description: 'ships it',
        content_type: 'application/x-www-form-urlencoded', delete_at: 0,
      })
      expect(hook.trigger_words).to.deep.equal(['one', 'two'])
      expect(hook.callback_urls).to.deep.equal([`${receiver.url}/created`])
    })

    it('refuses a team member who is not a team admin with 403', async () => {
      await expectStatus(
        alice.client.createOutgoingWebhook({ team_id: world.team.id, trigger_words: ['x'], callback_urls: ['https://example.com/'] } as OutgoingWebhook),
        403,
        'api.context.permissions.app_error',
      )
    })

    it('refuses a hook with neither a channel nor trigger words with 400', async () => {
      await expectStatus(addHook('/none', { trigger_words: [] }), 400, 'api.webhook.create_outgoing.triggers.app_error')
    })

    it('refuses a private channel with 403', async () => {
      const secret = await makeChannel(world.owner.client, world.team.id, 'P')
      await expectStatus(addHook('/secret', { channel_id: secret.id }), 403)
    })

    it('refuses a callback URL that is not http(s) with 400', async () => {
      await expectStatus(addHook('', { callback_urls: ['ftp://example.com/hook'] }), 400, 'model.outgoing_hook.is_valid.url.app_error')
    })

    it('refuses a trigger_when other than 0 or 1 with 400', async () => {
      await expectStatus(addHook('/when', { trigger_when: 2 }), 400)
    })

    it('refuses an unknown content_type with 400', async () => {
      await expectStatus(addHook('/type', { content_type: 'text/xml' }), 400, 'model.outgoing_hook.is_valid.content_type.app_error')
    })

    it('lists the team\'s hooks to its admin and refuses the list to a member with 403', async () => {
      const hook = await addHook('/listed')
      const list = await world.owner.client.getOutgoingWebhooks('', world.team.id, 0, 200)
      expect(list.map((h) => h.id)).to.include(hook.id)
      await expectStatus(alice.client.getOutgoingWebhooks('', world.team.id), 403, 'api.context.permissions.app_error')
    })

    it('lists every team\'s hooks to a system admin only', async () => {
      const hook = await addHook('/everyone')
      const all = await admin.client.getOutgoingWebhooks('', '', 0, 200)
      expect(all.map((h) => h.id)).to.include(hook.id)
      await expectStatus(world.owner.client.getOutgoingWebhooks(), 403, 'api.context.permissions.app_error')
    })

    it('gets a hook, and refuses it to the admin of another team with 403', async () => {
      const hook = await addHook('/got')
      expect((await world.owner.client.getOutgoingWebhook(hook.id)).id).to.equal(hook.id)
      const stranger = await makeUser(ctx.server)
      await stranger.client.createTeam({ name: uniqueName('t'), display_name: 'Other', type: 'O' } as never)
      await expectStatus(stranger.client.getOutgoingWebhook(hook.id), 403, 'api.context.permissions.app_error')
    })

    it('updates the editable fields and keeps the creator, team and token', async () => {
      const hook = await addHook('/update')
      const updated = await world.owner.client.updateOutgoingWebhook({ ...hook, trigger_words: ['changed'], display_name: 'Renamed', content_type: 'application/json' })
      expect(updated).to.include({ id: hook.id, display_name: 'Renamed', content_type: 'application/json', creator_id: hook.creator_id, team_id: hook.team_id, token: hook.token })
      expect(updated.trigger_words).to.deep.equal(['changed'])
      expect(updated.update_at).to.be.at.least(hook.update_at)
      await expectStatus(alice.client.updateOutgoingWebhook({ ...hook, display_name: 'Nope' }), 403)
    })

    it('regenerates the token, which the next delivery sends', async () => {
      const path = `/${uniqueName('regen')}`
      const hook = await addHook(path)
      const regenerated = await world.owner.client.regenOutgoingHookToken(hook.id)
      expect(regenerated.token).to.match(/^[a-z0-9]{26}$/).and.not.equal(hook.token)
      await makePost(alice.client, channel.id, `${hook.trigger_words[0]} go`)
      expect((await receiver.next(path)).fields.get('token')).to.equal(regenerated.token)
      await expectStatus(alice.client.regenOutgoingHookToken(hook.id), 403)
    })

    it('deletes a hook, after which it is not found', async () => {
      const hook = await addHook('/removed')
      await expectStatus(alice.client.removeOutgoingWebhook(hook.id), 403)
      await world.owner.client.removeOutgoingWebhook(hook.id)
      await expectStatus(world.owner.client.getOutgoingWebhook(hook.id), 404, 'app.webhooks.get_outgoing.app_error')
    })
  })
})

describe('outgoing webhooks turned off', () => {
  const ctx = useTestServer(BACKENDS[0]!, { enableOutgoingWebhooks: false })

  it('answers 501 to the admin API', async () => {
    const world = await makeTeamWithMembers(ctx.server, 0)
    await expectStatus(
      world.owner.client.createOutgoingWebhook({ team_id: world.team.id, trigger_words: ['x'], callback_urls: ['https://example.com/'] } as OutgoingWebhook),
      501,
      'api.outgoing_webhook.disabled.app_error',
    )
  })
})
