/**
 * Slash commands through Client4: running built-ins (Mattermost app/slashcommands/*.go),
 * autocomplete, and the custom command admin API with its permissions (api4/command.go).
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import type { Command } from '@mattermost/types/integrations'
import type { Post } from '@mattermost/types/posts'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectStatus, rawRequest } from '../helpers/expect-status.ts'
import { getAdmin, makeChannel, makeChannelWith, makeTeamWithMembers, uniqueName, type TeamWorld, type UserSession } from '../helpers/factories.ts'
import { connectWs, type WsEvent, type WsSession } from '../helpers/ws-client.ts'

const postOf = (event: WsEvent): Post => JSON.parse(event.data.post as string) as Post
const SHRUG = '¯\\\\\\_(ツ)\\_/¯'

forEachBackend((backend) => {
  let aliceWs: WsSession | undefined
  // Registered before the server's own `after`, so the socket closes before the server stops.
  after(() => aliceWs?.close())
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let alice: UserSession
  let bob: UserSession

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 2)
    ;[alice, bob] = world.members as [UserSession, UserSession]
    aliceWs = await connectWs(ctx.server.url, alice.token)
  })

  /** Runs a command line as `who` in `channel`. */
  const run = (who: UserSession, channel: Channel, command: string, rootId = '') =>
    who.client.executeCommand(command, { channel_id: channel.id, team_id: world.team.id, root_id: rootId })
  /** The next ephemeral message alice gets whose text satisfies `match`. */
  const ephemeralFor = (match: (message: string) => boolean) => aliceWs!.waitFor('ephemeral_message', (e) => match(postOf(e).message))
  const channelWithAlice = () => makeChannelWith(world, [alice])

  describe('POST /api/v4/commands/execute', () => {
    it('rejects a command without a leading slash with 400 api.command.execute_command.start.app_error', async () => {
      const channel = await channelWithAlice()
      await expectStatus(run(alice, channel, 'echo hi'), 400, 'api.command.execute_command.start.app_error')
    })

    it('answers 404 api.command.execute_command.not_found.app_error for an unknown trigger', async () => {
      const channel = await channelWithAlice()
      const err = await expectStatus(run(alice, channel, '/nosuchcommand x'), 404, 'api.command.execute_command.not_found.app_error')
      expect(err.message).to.include("'nosuchcommand'")
    })

    it('refuses a channel the caller is not a member of with 403', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id, 'P')
      await expectStatus(run(alice, channel, '/echo hi'), 403, 'api.context.permissions.app_error')
    })

    it('refuses an archived channel with 400 api.command.execute_command.deleted.error', async () => {
      const channel = await channelWithAlice()
      await world.owner.client.deleteChannel(channel.id)
      await expectStatus(run(alice, channel, '/echo hi'), 400, 'api.command.execute_command.deleted.error')
    })

    it('rejects text the database cannot store (NUL) with 400 invalid command_args', async () => {
      const channel = await channelWithAlice()
      const res = await rawRequest(ctx.server.url, '/api/v4/commands/execute', { token: alice.token, body: { command: '/echo a\u0000b', channel_id: channel.id } })
      expect(res.status).to.equal(400)
      expect((res.json as { id: string }).id).to.equal('api.context.invalid_param.app_error')
    })

    it('answers with the whole CommandResponse shape', async () => {
      const channel = await channelWithAlice()
      const res = await rawRequest(ctx.server.url, '/api/v4/commands/execute', { token: alice.token, body: { command: '/shrug', channel_id: channel.id } })
      expect(res.status).to.equal(200)
      expect(res.json).to.have.all.keys('response_type', 'text', 'username', 'channel_id', 'icon_url', 'type', 'props', 'goto_location', 'trigger_id', 'skip_slack_parsing', 'attachments', 'extra_responses')
    })
  })

  describe('built-in commands', () => {
    it('/echo posts the message as the caller', async () => {
      const channel = await channelWithAlice()
      const text = `echoed ${uniqueName('t')}`
      await run(alice, channel, `/echo ${text}`)
      const post = postOf(await aliceWs!.waitFor('posted', (e) => postOf(e).message === text))
      expect(post).to.include({ user_id: alice.user.id, channel_id: channel.id })
    })

    it('/echo without a message answers an ephemeral error', async () => {
      const channel = await channelWithAlice()
      await run(alice, channel, '/echo')
      await ephemeralFor((m) => m === 'A message must be provided with the /echo command.')
    })

    it('/me posts the action in italics with type me', async () => {
      const channel = await channelWithAlice()
      const text = `waves ${uniqueName('t')}`
      await run(alice, channel, `/me ${text}`)
      const post = postOf(await aliceWs!.waitFor('posted', (e) => postOf(e).message === `*${text}*`))
      expect(post.type).to.equal('me')
      expect(post.props).to.include({ message: text })
    })

    it('/shrug appends the shrug to the message', async () => {
      const channel = await channelWithAlice()
      const text = `oh well ${uniqueName('t')}`
      await run(alice, channel, `/shrug ${text}`)
      await aliceWs!.waitFor('posted', (e) => postOf(e).message === `${text} ${SHRUG}`)
    })

    it('/code posts the text as an indented code block', async () => {
      const channel = await channelWithAlice()
      const marker = uniqueName('c')
      await run(alice, channel, `/code let ${marker} = 1\nreturn ${marker}`)
      await aliceWs!.waitFor('posted', (e) => postOf(e).message === `    let ${marker} = 1\n    return ${marker}`)
    })

    it('/echo, /me and friends reply in the thread given by root_id', async () => {
      const channel = await channelWithAlice()
      const root = await alice.client.createPost({ channel_id: channel.id, message: 'root' } as Post)
      const text = `in thread ${uniqueName('t')}`
      await run(alice, channel, `/me ${text}`, root.id)
      expect(postOf(await aliceWs!.waitFor('posted', (e) => postOf(e).message === `*${text}*`)).root_id).to.equal(root.id)
    })

    it('/help lists every registered command with its hint', async () => {
      const channel = await channelWithAlice()
      await run(alice, channel, '/help')
      const event = await ephemeralFor((m) => m.startsWith('Slash commands available here:'))
      const text = postOf(event).message
      for (const trigger of ['echo', 'me', 'shrug', 'join', 'leave', 'msg', 'groupmsg', 'invite', 'kick', 'remove', 'header', 'purpose', 'rename', 'away', 'online', 'dnd', 'offline', 'mute', 'code', 'search', 'help']) {
        expect(text).to.include(`\`/${trigger}`)
      }
      expect(text).to.include("`/msg @[username] 'message'`")
    })

    it('/join ~name joins a public channel and sends the client there', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      const response = await run(alice, await channelWithAlice(), `/join ~${channel.name}`)
      expect(response.goto_location).to.match(new RegExp(`^http://[^/]+/${world.team.name}/channels/${channel.name}$`))
      expect((await alice.client.getChannelMember(channel.id, alice.user.id)).user_id).to.equal(alice.user.id)
    })

    it('/join of an unknown channel answers an ephemeral error', async () => {
      await run(alice, await channelWithAlice(), '/join ~no-such-channel')
      await ephemeralFor((m) => m === 'An error occurred while listing channels.')
    })

    it('/leave leaves the channel and sends the client to town-square', async () => {
      const channel = await channelWithAlice()
      const response = await run(alice, channel, '/leave')
      expect(response.goto_location).to.match(new RegExp(`/${world.team.name}/channels/town-square$`))
      await expectStatus(alice.client.getChannelMember(channel.id, alice.user.id), 404)
    })

    it('/leave in town-square is refused', async () => {
      const townSquare = await alice.client.getChannelByName(world.team.id, 'town-square')
      await run(alice, townSquare, '/leave')
      await ephemeralFor((m) => m === 'Unable to leave the default channel town-square.')
    })

    it('/msg @user text opens the direct channel with that message', async () => {
      const channel = await channelWithAlice()
      const text = `psst ${uniqueName('t')}`
      const response = await run(alice, channel, `/msg @${bob.user.username} ${text}`)
      const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id])
      expect(response.goto_location).to.match(new RegExp(`/${world.team.name}/channels/${dm.name}$`))
      const post = postOf(await aliceWs!.waitFor('posted', (e) => postOf(e).message === text))
      expect(post.channel_id).to.equal(dm.id)
    })

    it('/msg to an unknown user answers an ephemeral error', async () => {
      await run(alice, await channelWithAlice(), '/msg @nobody-here hi')
      await ephemeralFor((m) => m === 'Unable to find the user.')
    })

    it('/groupmsg @a,@b text opens a group message with that message', async () => {
      const channel = await channelWithAlice()
      const text = `hello group ${uniqueName('t')}`
      await run(alice, channel, `/groupmsg @${bob.user.username},@${world.owner.user.username} ${text}`)
      const event = await aliceWs!.waitFor('posted', (e) => postOf(e).message === text)
      expect(event.data.channel_type).to.equal('G')
    })

    it('/invite @user ~channel adds the user and says so', async () => {
      const target = await channelWithAlice()
      await run(alice, await channelWithAlice(), `/invite @${bob.user.username} ~${target.name}`)
      await ephemeralFor((m) => m === `@${bob.user.username} added to ${target.name} channel.`)
      expect((await bob.client.getChannelMember(target.id, bob.user.id)).user_id).to.equal(bob.user.id)
    })

    it('/invite of a member already in the channel says so', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      await run(alice, channel, `/invite @${bob.user.username}`)
      await ephemeralFor((m) => m === `@${bob.user.username} is already in the channel.`)
    })

    it('/kick @user removes the member; /remove of a non-member says so', async () => {
      const channel = await makeChannelWith(world, [alice, bob])
      await run(alice, channel, `/kick @${bob.user.username}`)
      await expectStatus(alice.client.getChannelMember(channel.id, bob.user.id), 404)
      await run(alice, channel, `/remove @${bob.user.username}`)
      await ephemeralFor((m) => m === `${bob.user.username} is not a member of this channel.`)
    })

    it('/header, /purpose and /rename change the channel', async () => {
      const channel = await channelWithAlice()
      await run(alice, channel, '/header Deploys on Fridays')
      await run(alice, channel, '/purpose Release coordination')
      await run(alice, channel, '/rename Release Room')
      expect(await alice.client.getChannel(channel.id)).to.include({ header: 'Deploys on Fridays', purpose: 'Release coordination', display_name: 'Release Room' })
    })

    it('/header without text answers an ephemeral error', async () => {
      await run(alice, await channelWithAlice(), '/header')
      await ephemeralFor((m) => m === 'Text must be provided with the /header command.')
    })

    it('/away, /dnd, /offline and /online set the caller\'s status', async () => {
      const channel = await channelWithAlice()
      for (const [command, status, text] of [
        ['/away', 'away', 'You are now away'],
        ['/dnd', 'dnd', 'Do Not Disturb is enabled. You will not receive desktop or mobile push notifications until Do Not Disturb is turned off.'],
        ['/offline', 'offline', 'You are now offline'],
        ['/online', 'online', 'You are now online'],
      ] as const) {
        await run(alice, channel, command)
        await ephemeralFor((m) => m === text)
        expect((await alice.client.getStatus(alice.user.id)).status, command).to.equal(status)
      }
    })

    it('/mute mutes the channel, and again unmutes it', async () => {
      const channel = await channelWithAlice()
      await run(alice, channel, '/mute')
      await ephemeralFor((m) => m === `You will not receive notifications for ${channel.display_name} until channel mute is turned off.`)
      expect((await alice.client.getChannelMember(channel.id, alice.user.id)).notify_props.mark_unread).to.equal('mention')
      await run(alice, channel, '/mute')
      await ephemeralFor((m) => m === `${channel.display_name} is no longer muted.`)
      expect((await alice.client.getChannelMember(channel.id, alice.user.id)).notify_props.mark_unread).to.equal('all')
    })

    it('/search answers, as Mattermost\'s server does, that the client runs searches', async () => {
      await run(alice, await channelWithAlice(), '/search release')
      await ephemeralFor((m) => m === 'The search command is not supported on your device.')
    })
  })

  describe('autocomplete', () => {
    it('suggests the triggers that start with what was typed, PascalCase', async () => {
      const channel = await channelWithAlice()
      const suggestions = await alice.client.getCommandAutocompleteSuggestionsList('/ec', world.team.id, { channel_id: channel.id })
      expect(suggestions).to.deep.equal([{ Complete: 'echo', Suggestion: 'echo', Hint: "'message' [delay in seconds]", Description: 'Echo back text from your account', IconData: '' }])
    })

    it('includes custom commands with auto_complete, without their secrets', async () => {
      const trigger = uniqueName('deploy')
      await world.owner.client.addCommand({ team_id: world.team.id, trigger, method: 'P', url: 'https://example.com/deploy', auto_complete: true, auto_complete_desc: 'Deploy a service', auto_complete_hint: '[service]' } as Command)
      const suggestions = await alice.client.getCommandAutocompleteSuggestionsList(`/${trigger.slice(0, 8)}`, world.team.id, { channel_id: '' })
      expect(suggestions).to.deep.include({ Complete: trigger, Suggestion: trigger, Hint: '[service]', Description: 'Deploy a service', IconData: '' })
      const listed = (await alice.client.getAutocompleteCommandsList(world.team.id)).find((c) => c.trigger === trigger)!
      expect(listed).to.include({ token: '', url: '', method: '', creator_id: '', auto_complete: true })
    })

    it('refuses a team the caller is not in with 403', async () => {
      const other = await makeTeamWithMembers(ctx.server, 0)
      await expectStatus(alice.client.getCommandAutocompleteSuggestionsList('/e', other.team.id, { channel_id: '' }), 403)
      await expectStatus(alice.client.getAutocompleteCommandsList(other.team.id), 403)
    })
  })

  describe('custom command admin API', () => {
    const newCommand = (overrides: Partial<Command> = {}) =>
      ({ team_id: world.team.id, trigger: uniqueName('Cmd'), method: 'P', url: 'https://example.com/cmd', display_name: 'Cmd', ...overrides }) as Command

    it('lets a team admin create a command: 201 with a token, lowercased trigger, the admin as creator', async () => {
      const input = newCommand()
      const created = await world.owner.client.addCommand(input)
      expect(created).to.include({ team_id: world.team.id, trigger: input.trigger.toLowerCase(), creator_id: world.owner.user.id, method: 'P', delete_at: 0 })
      expect(created.id).to.match(/^[a-z0-9]{26}$/)
      expect(created.token).to.match(/^[a-z0-9]{26}$/)
      const res = await rawRequest(ctx.server.url, '/api/v4/commands', { token: world.owner.token, body: newCommand() })
      expect(res.status).to.equal(201)
    })

    it('refuses a plain team member with 403', async () => {
      await expectStatus(alice.client.addCommand(newCommand()), 403, 'api.context.permissions.app_error')
    })

    it('refuses a trigger a built-in or another command has with 400 api.command.duplicate_trigger.app_error', async () => {
      await expectStatus(world.owner.client.addCommand(newCommand({ trigger: 'echo' })), 400, 'api.command.duplicate_trigger.app_error')
      const first = await world.owner.client.addCommand(newCommand())
      await expectStatus(world.owner.client.addCommand(newCommand({ trigger: first.trigger })), 400, 'api.command.duplicate_trigger.app_error')
    })

    it('rejects invalid fields with Mattermost\'s model.command.is_valid ids', async () => {
      await expectStatus(world.owner.client.addCommand(newCommand({ url: 'ftp://example.com' })), 400, 'model.command.is_valid.url_http.app_error')
      await expectStatus(world.owner.client.addCommand(newCommand({ trigger: '/slash' })), 400, 'model.command.is_valid.trigger.app_error')
      await expectStatus(world.owner.client.addCommand(newCommand({ method: 'X' as never })), 400, 'model.command.is_valid.method.app_error')
    })

    it('lists the team\'s commands in full for admins (custom_only), refuses members with 403', async () => {
      const created = await world.owner.client.addCommand(newCommand())
      const listed = await world.owner.client.getCustomTeamCommands(world.team.id)
      expect(listed.find((c) => c.id === created.id)).to.include({ token: created.token, url: created.url })
      await expectStatus(alice.client.getCustomTeamCommands(world.team.id), 403)
    })

    it('gives members only the autocomplete list from GET /commands, without tokens', async () => {
      const created = await world.owner.client.addCommand(newCommand({ auto_complete: true }))
      const listed = await alice.client.getCommandsList(world.team.id)
      expect(listed.map((c) => c.trigger)).to.include.members(['echo', created.trigger])
      expect(listed.every((c) => c.token === '')).to.equal(true)
    })

    it('edits a command, keeping its token and creator; hides it from members with 404', async () => {
      const created = await world.owner.client.addCommand(newCommand())
      const edited = await world.owner.client.editCommand({ ...created, trigger: `${created.trigger}-v2`, description: 'second version' })
      expect(edited).to.include({ id: created.id, token: created.token, creator_id: created.creator_id, trigger: `${created.trigger}-v2`, description: 'second version' })
      await expectStatus(alice.client.editCommand({ ...edited, description: 'mine now' }), 404)
      await expectStatus(world.owner.client.editCommand({ ...edited, team_id: (await makeTeamWithMembers(ctx.server, 0)).team.id }), 400, 'api.command.team_mismatch.app_error')
    })

    it('regenerates the token, and the command then carries the new one', async () => {
      const created = await world.owner.client.addCommand(newCommand())
      const { token } = await world.owner.client.regenCommandToken(created.id)
      expect(token).to.match(/^[a-z0-9]{26}$/).and.not.equal(created.token)
      expect((await world.owner.client.getCustomTeamCommands(world.team.id)).find((c) => c.id === created.id)!.token).to.equal(token)
      await expectStatus(alice.client.regenCommandToken(created.id), 404)
    })

    it('deletes a command: it no longer runs, and members cannot delete', async () => {
      const created = await world.owner.client.addCommand(newCommand())
      await expectStatus(alice.client.deleteCommand(created.id), 404)
      expect(await world.owner.client.deleteCommand(created.id)).to.deep.equal({ status: 'OK' })
      await expectStatus(run(alice, await channelWithAlice(), `/${created.trigger}`), 404, 'api.command.execute_command.not_found.app_error')
      await expectStatus(world.owner.client.deleteCommand(created.id), 404)
    })

    it('lets a system admin manage commands of any team', async () => {
      const admin = await getAdmin(ctx.server)
      const created = await admin.client.addCommand(newCommand())
      expect(created.creator_id).to.equal(admin.user.id)
      expect(await world.owner.client.deleteCommand(created.id)).to.deep.equal({ status: 'OK' })
    })
  })
})
