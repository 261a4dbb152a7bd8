/** Bot accounts through Client4 (Mattermost api4/bot.go, model/bot.go); create_bot is an admin permission by default. */
import { expect } from 'chai'
import type { Bot } from '@mattermost/types/bots'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { getAdmin, makeChannel, makeClient, makeTeam, uniqueName } from '../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)

  async function makeBot(displayName = 'CI Bot') {
    const admin = await getAdmin(ctx.server)
    return admin.client.createBot({ username: uniqueName('bot'), display_name: displayName, description: 'builds things' } as Bot)
  }

  async function botClient(bot: Bot) {
    const admin = await getAdmin(ctx.server)
    const { token } = await admin.client.createUserAccessToken(bot.user_id, 'bot token')
    if (!token) throw new Error('the token secret is missing from the create response')
    const client = makeClient(ctx.server.url)
    client.setToken(token)
    return client
  }

  describe('POST /api/v4/bots', () => {
    it('creates a bot owned by the caller', async () => {
      const admin = await getAdmin(ctx.server)
      const username = uniqueName('bot')
      const bot = await admin.client.createBot({ username, display_name: 'CI Bot', description: 'builds things' } as Bot)
      expect(bot).to.include({ username, display_name: 'CI Bot', description: 'builds things', owner_id: admin.user.id, delete_at: 0 })
      expect(bot.user_id).to.match(/^[a-z0-9]{26}$/)
    })

    it('answers 201 Created', async () => {
      const admin = await getAdmin(ctx.server)
      const res = await rawRequest(ctx.server.url, '/api/v4/bots', { token: admin.token, body: { username: uniqueName('bot') } })
      expect(res.status).to.equal(201)
    })

    it('backs the bot with a user marked is_bot', async () => {
      const admin = await getAdmin(ctx.server)
      const bot = await makeBot()
      const user = await admin.client.getUser(bot.user_id)
      expect(user).to.include({ id: bot.user_id, username: bot.username, is_bot: true })
    })

    it('rejects a username that is taken with 400', async () => {
      const admin = await getAdmin(ctx.server)
      await expectStatus(admin.client.createBot({ username: admin.user.username } as Bot), 400)
    })
  })

  describe('GET and PUT /api/v4/bots/{bot_user_id}', () => {
    it('returns the bot', async () => {
      const admin = await getAdmin(ctx.server)
      const bot = await makeBot()
      expect(await admin.client.getBot(bot.user_id)).to.include({ user_id: bot.user_id, username: bot.username })
    })

    it('lists the bot from GET /bots', async () => {
      const admin = await getAdmin(ctx.server)
      const bot = await makeBot()
      expect((await admin.client.getBots(0, 200)).map((b) => b.user_id)).to.include(bot.user_id)
    })

    it('changes display_name and description with PUT', async () => {
      const admin = await getAdmin(ctx.server)
      const bot = await makeBot()
      const patched = await admin.client.patchBot(bot.user_id, { display_name: 'Renamed', description: 'new job' } as Bot)
      expect(patched).to.include({ user_id: bot.user_id, display_name: 'Renamed', description: 'new job' })
    })

    it('disables and enables a bot', async () => {
      const admin = await getAdmin(ctx.server)
      const bot = await makeBot()
      expect((await admin.client.disableBot(bot.user_id)).delete_at).to.be.greaterThan(0)
      expect((await admin.client.enableBot(bot.user_id)).delete_at).to.equal(0)
    })
  })

  describe('bot sessions', () => {
    it('authenticates a bot with a personal access token made for it', async () => {
      const bot = await makeBot()
      const client = await botClient(bot)
      expect(await client.getMe()).to.include({ id: bot.user_id, is_bot: true })
    })

    it('refuses a password login by a bot with 401 api.user.login.bot_login_forbidden.app_error', async () => {
      const bot = await makeBot()
      await expectStatus(makeClient(ctx.server.url).login(bot.username, 'any-password-1'), 401, 'api.user.login.bot_login_forbidden.app_error')
    })

    it('marks the bot’s posts with props.from_bot "true"', async () => {
      const admin = await getAdmin(ctx.server)
      const bot = await makeBot()
      const team = await makeTeam(admin.client)
      await admin.client.addToTeam(team.id, bot.user_id)
      const channel = await makeChannel(admin.client, team.id)
      await admin.client.addToChannel(bot.user_id, channel.id)
      const client = await botClient(bot)
      const post = await client.createPost({ channel_id: channel.id, message: 'build passed' } as Post)
      expect(post.user_id).to.equal(bot.user_id)
      expect(post.props).to.include({ from_bot: 'true' })
    })
  })
})
