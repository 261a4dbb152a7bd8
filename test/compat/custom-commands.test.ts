/**
 * Custom slash commands end to end: a real HTTP server started here plays the integration, the
 * server calls it through the outbound client, and the answers arrive as posts or ephemeral
 * messages over the WebSocket (Mattermost app/command.go, web/webhook.go commandWebhook).
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import type { Command } from '@mattermost/types/integrations'
import type { Post } from '@mattermost/types/posts'
import { startServer, type BridgeheadServer } from '../../core/main.ts'
import { createServerStorage, forEachBackend, useTestServer, type ServerStorage, type TestServer } from '../helpers/server.ts'
import { expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { makeChannel, makeChannelWith, makePost, makeTeamWithMembers, uniqueName, type TeamWorld, type UserSession } from '../helpers/factories.ts'
import { connectWs, type WsEvent, type WsSession } from '../helpers/ws-client.ts'
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.ts'

const postOf = (event: WsEvent): Post => JSON.parse(event.data.post as string) as Post

forEachBackend((backend) => {
  let receiver: HttpReceiver
  let aliceWs: WsSession
  let ownerWs: WsSession
  // Registered before the server's own `after`, so sockets close before the server stops.
  after(async () => {
    aliceWs?.close()
    ownerWs?.close()
    await receiver?.close()
  })
  const ctx = useTestServer(backend, {
    allowedUntrustedInternalConnections: '127.0.0.1',
    outgoingIntegrationRequestsTimeoutSeconds: 1,
    enablePostUsernameOverride: true,
    enablePostIconOverride: true,
  })
  let world: TeamWorld
  let alice: UserSession
  let channel: Channel

  before(async () => {
    receiver = await startHttpReceiver()
    world = await makeTeamWithMembers(ctx.server, 1)
    alice = world.members[0]!
    channel = await makeChannelWith(world, [alice])
    aliceWs = await connectWs(ctx.server.url, alice.token)
    ownerWs = await connectWs(ctx.server.url, world.owner.token)
  })

  /** A command of the world's team whose URL is `path` on the receiver. */
  async function addCommand(path: string, overrides: Partial<Command> = {}): Promise<Command> {
    const trigger = uniqueName('cmd')
    return world.owner.client.addCommand({ team_id: world.team.id, trigger, method: 'P', url: `${receiver.url}${path}`, ...overrides } as Command)
  }

  /** Runs `/trigger text` as alice in the channel. */
  const run = (command: Command, text = '', extra: { root_id?: string } = {}) =>
    alice.client.executeCommand(`/${command.trigger}${text ? ` ${text}` : ''}`, { channel_id: channel.id, team_id: world.team.id, root_id: extra.root_id ?? '' } as never)

  describe('calling the command URL', () => {
    it("POSTs Mattermost's form fields with the command's token", async () => {
      const path = `/${uniqueName('weather')}`
      const command = await addCommand(path)
      await run(command, 'paris tomorrow')
      const request = await receiver.next(path)
      expect(request.method).to.equal('POST')
      expect(request.headers['content-type']).to.equal('application/x-www-form-urlencoded')
      expect(request.headers.authorization).to.equal(`Token ${command.token}`)
      expect(request.headers.accept).to.equal('application/json')
      const fields = Object.fromEntries(request.fields)
      expect(fields).to.include({
        token: command.token, team_id: world.team.id, team_domain: world.team.name, channel_id: channel.id, channel_name: channel.name,
        user_id: alice.user.id, user_name: alice.user.username, command: `/${command.trigger}`, text: 'paris tomorrow', root_id: '',
      })
      expect(fields.trigger_id).to.be.a('string').and.not.equal('')
      expect(fields.response_url).to.match(/\/hooks\/commands\/[a-z0-9]{26}$/)
    })

    it('sends the fields as a query string when the method is G', async () => {
      const path = `/${uniqueName('get')}`
      const command = await addCommand(path, { method: 'G' })
      await run(command, 'hello')
      const request = await receiver.next(path)
      expect(request.method).to.equal('GET')
      expect(request.fields.get('text')).to.equal('hello')
      expect(request.fields.get('token')).to.equal(command.token)
    })

    it('lists the users and public channels the text mentions', async () => {
      const path = `/${uniqueName('mentions')}`
      const command = await addCommand(path)
      await run(command, `ping @${world.owner.user.username} in ~${channel.name}`)
      const request = await receiver.next(path)
      expect(request.fields.get('user_mentions')).to.equal(world.owner.user.username)
      expect(request.fields.get('user_mentions_ids')).to.equal(world.owner.user.id)
      expect(request.fields.get('channel_mentions')).to.equal(channel.name)
      expect(request.fields.get('channel_mentions_ids')).to.equal(channel.id)
    })
  })

  describe('the answer', () => {
    it('posts an in_channel answer as the caller, which every member receives over the WebSocket', async () => {
      const path = `/${uniqueName('inchannel')}`
      const text = `Paris: 18°C ${uniqueName('t')}`
      receiver.answer(path, { body: { response_type: 'in_channel', text, username: 'weather-bot' } })
      const command = await addCommand(path)
      const response = await run(command, 'paris')
      expect(response).to.include({ response_type: 'in_channel', text, username: 'weather-bot' })
      const event = await ownerWs.waitFor('posted', (e) => postOf(e).message === text)
      const post = postOf(event)
      expect(post).to.include({ user_id: alice.user.id, channel_id: channel.id, root_id: '' })
      expect(post.props).to.include({ from_webhook: 'true', override_username: 'weather-bot' })
      expect(event.data.sender_name).to.equal('weather-bot')
      const stored = await world.owner.client.getPosts(channel.id)
      expect(stored.posts[post.id]?.message).to.equal(text)
    })

    it('posts the answer in the thread when root_id is given', async () => {
      const path = `/${uniqueName('thread')}`
      const text = `in thread ${uniqueName('t')}`
      receiver.answer(path, { body: { response_type: 'in_channel', text } })
      const root = await makePost(world.owner.client, channel.id, 'thread root')
      const command = await addCommand(path)
      await run(command, '', { root_id: root.id })
      expect((await receiver.next(path)).fields.get('root_id')).to.equal(root.id)
      const post = postOf(await ownerWs.waitFor('posted', (e) => postOf(e).message === text))
      expect(post.root_id).to.equal(root.id)
    })

    it('sends an ephemeral answer to the caller only and stores nothing', async () => {
      const path = `/${uniqueName('ephemeral')}`
      const text = `only you ${uniqueName('t')}`
      receiver.answer(path, { body: { response_type: 'ephemeral', text } })
      const command = await addCommand(path)
      await run(command)
      const event = await aliceWs.waitFor('ephemeral_message', (e) => postOf(e).message === text)
      expect(event.broadcast).to.include({ user_id: alice.user.id, channel_id: channel.id })
      expect(postOf(event)).to.include({ type: 'system_ephemeral', user_id: alice.user.id, channel_id: channel.id })
      // A marker post the owner sees afterwards proves the ephemeral would have arrived first.
      const marker = await makePost(alice.client, channel.id, `marker ${uniqueName('m')}`)
      await ownerWs.waitFor('posted', (e) => postOf(e).id === marker.id)
      expect(ownerWs.received('ephemeral_message', (e) => postOf(e).message === text)).to.have.length(0)
      const stored = await world.owner.client.getPosts(channel.id)
      expect(Object.values(stored.posts).map((p) => p.message)).not.to.include(text)
    })

    it('treats a body that is not JSON as ephemeral text', async () => {
      const path = `/${uniqueName('plain')}`
      const text = `plain text answer ${uniqueName('t')}`
      receiver.answer(path, { contentType: 'text/plain', body: text })
      const command = await addCommand(path)
      const response = await run(command)
      expect(response.text).to.equal(text)
      await aliceWs.waitFor('ephemeral_message', (e) => postOf(e).message === text)
    })

    it('converts Slack markup in the text, unless skip_slack_parsing is set', async () => {
      const converted = `/${uniqueName('slack')}`
      const kept = `/${uniqueName('raw')}`
      receiver.answer(converted, { body: { text: 'see <https://example.com|the docs> <!channel>' } })
      receiver.answer(kept, { body: { text: 'raw <https://example.com|the docs>', skip_slack_parsing: true } })
      await run(await addCommand(converted))
      await aliceWs.waitFor('ephemeral_message', (e) => postOf(e).message === 'see [the docs](https://example.com) @channel')
      await run(await addCommand(kept))
      await aliceWs.waitFor('ephemeral_message', (e) => postOf(e).message === 'raw <https://example.com|the docs>')
    })

    it('posts attachments as a slack_attachment post, and extra_responses as further messages', async () => {
      const path = `/${uniqueName('attach')}`
      const extra = `extra ${uniqueName('t')}`
      receiver.answer(path, {
        body: {
          response_type: 'in_channel', text: 'build finished',
          attachments: [{ title: 'Build #7', text: 'All <https://ci.example.com|tests> passed', color: 'good' }],
          extra_responses: [{ response_type: 'ephemeral', text: extra }],
        },
      })
      const command = await addCommand(path)
      await run(command)
      const post = postOf(await ownerWs.waitFor('posted', (e) => postOf(e).message === 'build finished'))
      expect(post.type).to.equal('slack_attachment')
      const attachments = (post.props as { attachments: { title: string; text: string }[] }).attachments
      expect(attachments[0]).to.include({ title: 'Build #7', text: 'All [tests](https://ci.example.com) passed' })
      await aliceWs.waitFor('ephemeral_message', (e) => postOf(e).message === extra)
    })
  })

  describe('failures', () => {
    it('answers 500 api.command.execute_command.failed.app_error when the URL does not answer in time, and tells the caller', async () => {
      const path = `/${uniqueName('slow')}`
      receiver.answer(path, { delayMs: 2500, body: { text: 'too late' } })
      const command = await addCommand(path)
      await expectStatus(run(command), 500, 'api.command.execute_command.failed.app_error')
      await aliceWs.waitFor('ephemeral_message', (e) => postOf(e).message === `Command with a trigger of '${command.trigger}' failed.`)
    })

    it('answers 500 api.command.execute_command.failed_resp.app_error for a status other than 200', async () => {
      const path = `/${uniqueName('broken')}`
      receiver.answer(path, { status: 503, body: 'down' })
      const command = await addCommand(path)
      const err = await expectStatus(run(command), 500, 'api.command.execute_command.failed_resp.app_error')
      expect(err.message).to.equal(`Command with a trigger of '${command.trigger}' returned response 503 Service Unavailable.`)
    })

    it('refuses an answer aimed at a channel the caller is not in with 500 create_post_failed, posting nothing there', async () => {
      const path = `/${uniqueName('elsewhere')}`
      const other = await world.owner.client.createChannel({ team_id: world.team.id, name: uniqueName('private'), display_name: 'Private', type: 'P' } as Channel)
      receiver.answer(path, { body: { response_type: 'in_channel', text: 'smuggled', channel_id: other.id } })
      const command = await addCommand(path)
      await expectStatus(run(command), 500, 'api.command.execute_command.create_post_failed.app_error')
      const stored = await world.owner.client.getPosts(other.id)
      expect(Object.values(stored.posts).map((p) => p.message)).not.to.include('smuggled')
    })

    it('refuses a URL on an internal address that is not allow-listed, without calling it', async () => {
      const command = await addCommand('/unused', { url: 'http://10.1.2.3/command' })
      const before = receiver.received.length
      await expectStatus(run(command), 500, 'api.command.execute_command.failed.app_error')
      await aliceWs.waitFor('ephemeral_message', (e) => postOf(e).message === `Command with a trigger of '${command.trigger}' failed.`)
      expect(receiver.received.length).to.equal(before)
    })
  })

  describe('POST /hooks/commands/{id} (response_url)', () => {
    /** Runs a fresh command and returns the response_url it was given. */
    async function responseUrl(): Promise<string> {
      const path = `/${uniqueName('later')}`
      receiver.answer(path, { body: { text: '' } })
      const command = await addCommand(path)
      await run(command)
      return (await receiver.next(path)).fields.get('response_url')!
    }

    it('posts delayed answers without a session, five times, then refuses the sixth with 400', async () => {
      const url = new URL(await responseUrl())
      for (let i = 1; i <= 5; i++) {
        const text = `follow-up ${i} ${uniqueName('t')}`
        const res = await rawRequest(ctx.server.url, url.pathname, { body: { response_type: 'in_channel', text } })
        expect(res.status, res.text).to.equal(200)
        expect(res.text).to.equal('ok')
        expect(res.headers.get('content-type')).to.match(/^text\/plain/)
        const post = postOf(await ownerWs.waitFor('posted', (e) => postOf(e).message === text))
        expect(post.user_id).to.equal(alice.user.id)
      }
      const sixth = await rawRequest(ctx.server.url, url.pathname, { body: { response_type: 'in_channel', text: 'sixth' } })
      expect(sixth.status).to.equal(400)
      expect((sixth.json as { id: string }).id).to.equal('web.command_webhook.general.app_error')
    })

    it('accepts a plain-text follow-up as an ephemeral message for the caller', async () => {
      const url = new URL(await responseUrl())
      const text = `working on it ${uniqueName('t')}`
      const res = await rawRequest(ctx.server.url, url.pathname, { rawBody: text, headers: { 'Content-Type': 'text/plain' } })
      expect(res.status).to.equal(200)
      await aliceWs.waitFor('ephemeral_message', (e) => postOf(e).message === text)
    })

    it('refuses a follow-up once the response URL is 30 minutes old with 404', async () => {
      const url = new URL(await responseUrl())
      const hookId = url.pathname.split('/').pop()!
      await ctx.server.sql('UPDATE command_webhooks SET create_at = create_at - $2 WHERE id = $1', [hookId, 30 * 60 * 1000 + 1])
      const res = await rawRequest(ctx.server.url, url.pathname, { body: { text: 'too late' } })
      expect(res.status).to.equal(404)
      expect((res.json as { id: string }).id).to.equal('web.command_webhook.general.app_error')
    })

    it('answers 400 web.command_webhook.parse.app_error for JSON that does not parse', async () => {
      const url = new URL(await responseUrl())
      const res = await rawRequest(ctx.server.url, url.pathname, { rawBody: '{"text":', headers: { 'Content-Type': 'application/json' } })
      expect(res.status).to.equal(400)
      expect((res.json as { id: string }).id).to.equal('web.command_webhook.parse.app_error')
    })

    it('answers 404 for an unknown response URL', async () => {
      const res = await rawRequest(ctx.server.url, '/hooks/commands/zzzzzzzzzzzzzzzzzzzzzzzzzz', { body: { text: 'x' } })
      expect(res.status).to.equal(404)
    })
  })

  describe('a response URL across a restart', function () {
    this.timeout(120_000)
    let storage: ServerStorage
    const servers: BridgeheadServer[] = []
    before(async () => {
      storage = await createServerStorage(backend)
    })
    after(async () => {
      for (const server of servers) await server.close()
      await storage?.remove()
    })
    const start = async () => {
      const server = await startServer({ port: 0, host: '127.0.0.1', dataDir: storage.dataDir, databaseUrl: storage.databaseUrl, logLevel: 'silent', allowedUntrustedInternalConnections: '127.0.0.1' })
      servers.push(server)
      return server
    }

    it('still takes the follow-up once the server has restarted', async () => {
      const first = await start()
      const team = await makeTeamWithMembers({ url: first.url } as TestServer, 0)
      const target = await makeChannel(team.owner.client, team.team.id)
      const path = `/${uniqueName('restart')}`
      receiver.answer(path, { body: { text: '' } })
      const command = await team.owner.client.addCommand({ team_id: team.team.id, trigger: uniqueName('later'), method: 'P', url: `${receiver.url}${path}` } as Command)
      await team.owner.client.executeCommand(`/${command.trigger}`, { channel_id: target.id, team_id: team.team.id })
      const responseUrl = new URL((await receiver.next(path)).fields.get('response_url')!)
      await first.close()

      const second = await start()
      const text = `after the restart ${uniqueName('t')}`
      const res = await rawRequest(second.url, responseUrl.pathname, { body: { response_type: 'in_channel', text } })
      expect(res.status, res.text).to.equal(200)
      team.owner.client.setUrl(second.url)
      const stored = await team.owner.client.getPosts(target.id)
      expect(Object.values(stored.posts).map((p) => p.message)).to.include(text)
    })
  })
})
