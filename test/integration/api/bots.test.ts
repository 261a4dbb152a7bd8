/** Bot accounts and their access tokens through Client4 (Mattermost api4/bot.go, app/bot.go, model/bot.go). */
import { expect } from 'chai'
import type { Bot, BotPatch } from '@mattermost/types/bots'
import type { Post } from '@mattermost/types/posts'
import { BACKENDS, forEachBackend, useTestServer } from '../../helpers/server.ts'
import { expectStatus, rawRequest } from '../../helpers/expect-status.ts'
import { getAdmin, makeChannel, makeClient, makeTeam, makeUser, uniqueName, type AdminSession, type Client, type UserSession } from '../../helpers/factories.ts'

const newBot = (overrides: Partial<Bot> = {}): Bot => ({ username: uniqueName('bot'), display_name: 'CI Bot', description: 'builds things', ...overrides }) as Bot

/** A client authenticated with a personal access token of `userId`, created by `creator`. */
async function tokenClient(url: string, creator: Client, userId: string): Promise<Client> {
  const token = await creator.createUserAccessToken(userId, 'ci', undefined as never)
  if (!token.token) throw new Error(`POST /users/${userId}/tokens answered without the token`)
  const client = makeClient(url)
  client.setToken(token.token)
  return client
}

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let admin: AdminSession

  before(async () => {
    admin = await getAdmin(ctx.server)
  })

  /** A user who created a bot as admin and was then made a plain system_user again. */
  async function formerAdminOwningABot(): Promise<{ owner: UserSession; bot: Bot }> {
    const owner = await makeUser(ctx.server, { admin: true })
    const bot = await owner.client.createBot(newBot())
    await admin.client.updateUserRoles(owner.user.id, 'system_user')
    return { owner, bot }
  }

  describe('POST /api/v4/bots', () => {
    it('answers 201 with the bot, owned by the caller', async () => {
      const input = newBot()
      const res = await rawRequest(ctx.server.url, '/api/v4/bots', { token: admin.token, body: input })
      expect(res.status).to.equal(201)
      expect(res.json).to.include({ username: input.username, display_name: 'CI Bot', description: 'builds things', owner_id: admin.user.id, delete_at: 0, system_owned: false })
      expect((res.json as Bot).user_id).to.match(/^[a-z0-9]{26}$/)
    })

    it('creates its user with is_bot, first_name from display_name and email <username>@localhost', async () => {
      const bot = await admin.client.createBot(newBot({ display_name: 'Deploy Bot' }))
      const user = await admin.client.getUser(bot.user_id)
      expect(user).to.include({ username: bot.username, is_bot: true, first_name: 'Deploy Bot', email: `${bot.username}@localhost`, roles: 'system_user' })
    })

    it('rejects a user who is not a system admin with 403 api.context.permissions.app_error', async () => {
      const user = await makeUser(ctx.server)
      await expectStatus(user.client.createBot(newBot()), 403, 'api.context.permissions.app_error')
    })

    it('rejects a taken username with 400 app.user.save.username_exists.app_error', async () => {
      const user = await makeUser(ctx.server)
      await expectStatus(admin.client.createBot(newBot({ username: user.user.username })), 400, 'app.user.save.username_exists.app_error')
    })

    it('rejects an invalid username with 400 model.bot.is_valid.username.app_error', async () => {
      await expectStatus(admin.client.createBot(newBot({ username: 'Not Valid' })), 400, 'model.bot.is_valid.username.app_error')
    })
  })

  describe('GET /api/v4/bots', () => {
    it('lists every bot to a system admin, ordered by username', async () => {
      const b = await admin.client.createBot(newBot({ username: uniqueName('zz-bot') }))
      const a = await admin.client.createBot(newBot({ username: uniqueName('aa-bot') }))
      const usernames = (await admin.client.getBots(0, 200)).map((bot) => bot.username)
      expect(usernames).to.include.members([a.username, b.username])
      expect(usernames).to.deep.equal([...usernames].sort())
    })

    it('leaves out disabled bots unless include_deleted=true', async () => {
      const bot = await admin.client.createBot(newBot())
      await admin.client.disableBot(bot.user_id)
      expect((await admin.client.getBots(0, 200)).map((b) => b.user_id)).to.not.include(bot.user_id)
      expect((await admin.client.getBotsIncludeDeleted(0, 200)).map((b) => b.user_id)).to.include(bot.user_id)
    })

    it('lists with only_orphaned=true the bots whose owner is deactivated', async () => {
      const owner = await makeUser(ctx.server, { admin: true })
      const orphan = await owner.client.createBot(newBot())
      const kept = await admin.client.createBot(newBot())
      await admin.client.updateUserActive(owner.user.id, false)
      const ids = (await admin.client.getBotsOrphaned(0, 200)).map((b) => b.user_id)
      expect(ids).to.include(orphan.user_id)
      expect(ids).to.not.include(kept.user_id)
    })

    it('shows a user who is not an admin only the bots they own', async () => {
      const { owner, bot } = await formerAdminOwningABot()
      expect((await owner.client.getBots(0, 200)).map((b) => b.user_id)).to.deep.equal([bot.user_id])
      const stranger = await makeUser(ctx.server)
      expect(await stranger.client.getBots(0, 200)).to.deep.equal([])
    })

    it('pages with page and per_page', async () => {
      await admin.client.createBot(newBot())
      await admin.client.createBot(newBot())
      const first = await admin.client.getBots(0, 1)
      const second = await admin.client.getBots(1, 1)
      expect(first).to.have.length(1)
      expect(second).to.have.length(1)
      expect(second[0]!.user_id).to.not.equal(first[0]!.user_id)
    })
  })

  describe('GET /api/v4/bots/{bot_user_id}', () => {
    it('returns the bot to its owner', async () => {
      const { owner, bot } = await formerAdminOwningABot()
      expect(await owner.client.getBot(bot.user_id)).to.include({ user_id: bot.user_id, username: bot.username, owner_id: owner.user.id })
    })

    it('answers 404 store.sql_bot.get.missing.app_error to someone who neither owns it nor is an admin', async () => {
      const bot = await admin.client.createBot(newBot())
      const stranger = await makeUser(ctx.server)
      await expectStatus(stranger.client.getBot(bot.user_id), 404, 'store.sql_bot.get.missing.app_error')
    })

    it('answers 404 for a disabled bot unless include_deleted=true', async () => {
      const bot = await admin.client.createBot(newBot())
      await admin.client.disableBot(bot.user_id)
      await expectStatus(admin.client.getBot(bot.user_id), 404, 'store.sql_bot.get.missing.app_error')
      const res = await rawRequest(ctx.server.url, `/api/v4/bots/${bot.user_id}?include_deleted=true`, { token: admin.token })
      expect(res.status).to.equal(200)
      expect((res.json as Bot).delete_at).to.be.greaterThan(0)
    })
  })

  describe('PUT /api/v4/bots/{bot_user_id}', () => {
    it('patches username, display_name and description, and the bot\'s user with them', async () => {
      const bot = await admin.client.createBot(newBot())
      const username = uniqueName('renamed')
      const patched = await admin.client.patchBot(bot.user_id, { username, display_name: 'Renamed', description: 'new' } as BotPatch)
      expect(patched).to.include({ user_id: bot.user_id, username, display_name: 'Renamed', description: 'new' })
      expect(patched.update_at).to.be.at.least(bot.update_at)
      expect(await admin.client.getUser(bot.user_id)).to.include({ username, first_name: 'Renamed', email: `${username}@localhost` })
    })

    it('lets an owner who is not an admin patch their bot', async () => {
      const { owner, bot } = await formerAdminOwningABot()
      expect(await owner.client.patchBot(bot.user_id, { description: 'mine' } as BotPatch)).to.include({ description: 'mine' })
    })

    it('answers 404 store.sql_bot.get.missing.app_error to someone else', async () => {
      const bot = await admin.client.createBot(newBot())
      const stranger = await makeUser(ctx.server)
      await expectStatus(stranger.client.patchBot(bot.user_id, { description: 'mine now' } as BotPatch), 404, 'store.sql_bot.get.missing.app_error')
    })

    it('rejects a description containing NUL with 400 api.context.invalid_body_param.app_error', async () => {
      const bot = await admin.client.createBot(newBot())
      await expectStatus(admin.client.patchBot(bot.user_id, { description: 'a\u0000b' } as BotPatch), 400, 'api.context.invalid_body_param.app_error')
    })

    it('rejects a taken username with 400 app.user.save.username_exists.app_error', async () => {
      const bot = await admin.client.createBot(newBot())
      await expectStatus(admin.client.patchBot(bot.user_id, { username: admin.user.username } as BotPatch), 400, 'app.user.save.username_exists.app_error')
    })
  })

  describe('POST /api/v4/bots/{bot_user_id}/disable and /enable', () => {
    it('disables the bot and its user', async () => {
      const bot = await admin.client.createBot(newBot())
      const disabled = await admin.client.disableBot(bot.user_id)
      expect(disabled.delete_at).to.be.greaterThan(0)
      expect((await admin.client.getUser(bot.user_id)).delete_at).to.be.greaterThan(0)
    })

    it('stops the bot\'s access tokens from working while disabled, and enabling restores them', async () => {
      const bot = await admin.client.createBot(newBot())
      const botClient = await tokenClient(ctx.server.url, admin.client, bot.user_id)
      await botClient.getMe()
      await admin.client.disableBot(bot.user_id)
      await expectStatus(botClient.getMe(), 401, 'api.context.session_expired.app_error')
      const enabled = await admin.client.enableBot(bot.user_id)
      expect(enabled.delete_at).to.equal(0)
      expect((await botClient.getMe()).id).to.equal(bot.user_id)
    })
  })

  describe('bot access tokens', () => {
    it('lets a bot post with a token an admin created, its posts marked from_bot', async () => {
      const bot = await admin.client.createBot(newBot())
      const team = await makeTeam(admin.client)
      const channel = await makeChannel(admin.client, team.id)
      await admin.client.addToTeam(team.id, bot.user_id)
      await admin.client.addToChannel(bot.user_id, channel.id)
      const botClient = await tokenClient(ctx.server.url, admin.client, bot.user_id)
      const post = await botClient.createPost({ channel_id: channel.id, message: 'build passed' } as Post)
      expect(post.user_id).to.equal(bot.user_id)
      expect(post.props).to.include({ from_bot: 'true' })
    })

    it('lets the bot\'s owner create, list and revoke its tokens without being an admin', async () => {
      const { owner, bot } = await formerAdminOwningABot()
      const token = await owner.client.createUserAccessToken(bot.user_id, 'owner token', undefined as never)
      expect((await owner.client.getUserAccessTokensForUser(bot.user_id)).map((t) => t.id)).to.include(token.id)
      await owner.client.revokeUserAccessToken(token.id)
      expect(await owner.client.getUserAccessTokensForUser(bot.user_id)).to.deep.equal([])
    })

    it('refuses a token for someone else\'s bot with 403', async () => {
      const bot = await admin.client.createBot(newBot())
      const stranger = await makeUser(ctx.server)
      await expectStatus(stranger.client.createUserAccessToken(bot.user_id, 'not mine', undefined as never), 403, 'api.context.permissions.app_error')
    })
  })
})

// One extra server, on the first backend only: the setting is read at start-up.
describe(`POST /api/v4/bots with EnableBotAccountCreation=false (on ${BACKENDS[0]})`, () => {
  const ctx = useTestServer(BACKENDS[0]!, { enableBotAccountCreation: false })

  it('rejects creation with 403 api.bot.create_disabled', async () => {
    const admin = await getAdmin(ctx.server)
    await expectStatus(admin.client.createBot(newBot()), 403, 'api.bot.create_disabled')
  })
})
