/**
 * Running slash commands (Mattermost api4/command.go executeCommand, app/command.go): find the
 * command (a team's custom command first, then a built-in), run it, and turn its response into an
 * ephemeral message for the caller or a real post through the post service. Also the command
 * lists, autocomplete suggestions and the response URLs custom commands answer through later.
 */
import { AppError, forbidden, invalidParam } from '../errors.ts'
import { isValidId, newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { ChannelService } from '../channels/service.ts'
import type { ChannelRecord, ChannelStore } from '../channels/store.ts'
import type { TeamService } from '../teams/service.ts'
import type { UserRecord, UserStore } from '../users/store.ts'
import type { PostService } from '../posts/service.ts'
import type { OutboundClient } from '../outbound/client.ts'
import { parseMentions } from '../posts/mentions.ts'
import { presentBuiltinCommand, presentCommandResponse, presentSanitizedCommand, presentCommand } from '../present/command.ts'
import { autocompleteDataFor, EPHEMERAL, IN_CHANNEL, type AutocompleteData, type CommandArgs, type CommandRegistry, type CommandResponse } from './registry.ts'
import type { CommandRecord, CommandStore } from './store.ts'
import type { CustomCommands } from './custom-commands.ts'
import { callCommandUrl } from './integration-call.ts'
import { prepareSlackContent } from './slack-content.ts'
import type { TriggerIds } from '../interactive/trigger-ids.ts'

/** Mattermost's CommandWebhookLifetime and use limit for response URLs. */
export const RESPONSE_URL_LIFETIME_MS = 30 * 60 * 1000
export const RESPONSE_URL_MAX_USES = 5
const MAX_TRIGGER_SHOWN = 512

export interface CommandServiceOptions {
  store: CommandStore
  registry: CommandRegistry
  custom: CustomCommands
  channels: ChannelService
  channelStore: ChannelStore
  teams: TeamService
  users: UserStore
  posts: PostService
  outbound: OutboundClient
  log: Logger
  /** Response URLs are built on it (never on the request's Host header). */
  siteUrl: string
  timeoutMs: number
  /** ENABLE_POST_USERNAME_OVERRIDE / ENABLE_POST_ICON_OVERRIDE. */
  enablePostUsernameOverride: boolean
  enablePostIconOverride: boolean
  /** Milliseconds now; tests move it to expire response URLs. */
  now?: () => number
  /**
   * Issues the trigger ids that `/actions/dialogs/open` accepts (shared with interactive actions),
   * signed with the server-wide stored key so every server sharing the database accepts them.
   */
  triggerIds: TriggerIds
}

export interface ExecuteInput {
  command: string
  channel_id: string
  team_id?: string
  root_id?: string
  parent_id?: string
}

/** Where a command response is delivered: the caller, channel and thread. */
interface Delivery {
  session: AuthSession
  channelId: string
  rootId: string
}

/** A command found for a trigger: a custom one (with its row) or a built-in. */
type Resolved = { kind: 'custom'; command: CommandRecord } | { kind: 'builtin' }

/** Mattermost's AutocompleteSuggestion (PascalCase on the wire). */
export interface Suggestion {
  Complete: string
  Suggestion: string
  Hint: string
  Description: string
  IconData: string
}

export function createCommandService(options: CommandServiceOptions) {
  const { store, registry, custom, channels, channelStore, teams, users, posts, log } = options
  const now = options.now ?? nowMillis
  const { triggerIds } = options
  let lastCleanup = 0

  /** A session standing for the user a response URL acts for (no request of theirs is live). */
  function actingSession(user: UserRecord): AuthSession {
    const roles = user.roles ?? ''
    return { id: '', token: '', userId: user.id, roles, isSystemAdmin: roles.split(' ').includes('system_admin'), isBot: user.isBot, kind: 'session', csrfToken: '', expiresAt: 0 }
  }

  async function isTeamMember(session: AuthSession, teamId: string): Promise<boolean> {
    if (session.isSystemAdmin) return true
    const member = isValidId(teamId) ? await teams.membership(teamId, session.userId) : null
    return member !== null && member.deleteAt === 0
  }

  async function requireTeamView(session: AuthSession, teamId: string): Promise<void> {
    if (!(await isTeamMember(session, teamId))) throw forbidden(`not a member of team ${teamId}`)
  }

  /** Delivers one response: a post (`in_channel`) or an ephemeral message to the caller (Mattermost HandleCommandResponsePost). */
  async function deliver(to: Delivery, command: CommandRecord | null, response: CommandResponse): Promise<void> {
    const props: Record<string, unknown> = { ...(response.props ?? {}) }
    let channelId = to.channelId
    if (response.channel_id) {
      if (!(await channelStore.getMember(response.channel_id, to.session.userId))) {
        throw new AppError('api.command.command_post.forbidden.app_error', 'Specified user is not a member of specified channel.', 403, { context: { channelId: response.channel_id } })
      }
      channelId = response.channel_id
    }
    // Overrides only where the admin allows them, however the response tries to set them.
    if (!options.enablePostUsernameOverride) delete props.override_username
    if (!options.enablePostIconOverride) {
      delete props.override_icon_url
      delete props.override_icon_emoji
    }
    // Answers of custom commands are marked as integration posts (Mattermost's isBotPost), with their overrides.
    let fromIntegration = command !== null
    const username = command?.username || response.username
    if (username && options.enablePostUsernameOverride) {
      props.override_username = username
      fromIntegration = true
    }
    const iconUrl = command?.iconUrl || response.icon_url
    if (iconUrl && options.enablePostIconOverride) {
      props.override_icon_url = iconUrl
      fromIntegration = true
    }
    if (fromIntegration) props.from_webhook = 'true'
    const content = await prepareSlackContent(response, users)
    if (content.problems.length > 0) log.warn({ commandId: command?.id, problems: content.problems }, 'command response attachments are not valid; posted anyway')
    response.text = content.text
    let type = response.type ?? ''
    if (type.startsWith('system_')) throw invalidParam('post.type', 'a command response cannot be a system message')
    if (content.attachments) {
      props.attachments = content.attachments
      type = 'slack_attachment'
    }
    if (response.response_type === IN_CHANNEL) {
      await posts.createForIntegration(to.session, { channel_id: channelId, root_id: to.rootId || undefined, message: content.text, type, props })
      return
    }
    if ((response.response_type ?? '') === '' || response.response_type === EPHEMERAL) {
      if (content.text !== '' || content.attachments) await posts.sendEphemeral(to.session.userId, channelId, content.text, to.rootId, props)
    }
  }

  /** Mattermost's HandleCommandResponse: the response and its extra responses; any failure → 500 after all were tried. */
  async function handleResponse(to: Delivery, command: CommandRecord | null, trigger: string, response: CommandResponse): Promise<CommandResponse> {
    let failed: unknown
    for (const part of [response, ...(response.extra_responses ?? [])]) {
      try {
        await deliver(to, command, part)
      } catch (err) {
        log.debug({ err, trigger }, 'command response could not be delivered')
        failed = err
      }
    }
    if (failed !== undefined) {
      throw new AppError('api.command.execute_command.create_post_failed.app_error', `Command '${trigger}' failed to post response. Please contact your System Administrator.`, 500, { cause: failed, context: { trigger } })
    }
    return response
  }

  /** Mattermost's MentionsToTeamMembers / MentionsToPublicChannels as form fields. */
  async function mentionFields(fields: URLSearchParams, message: string, teamId: string): Promise<void> {
    const named = [...parseMentions(message).usernames]
    const found = named.length > 0 ? await users.getByUsernames(named) : []
    const inTeam: UserRecord[] = []
    for (const user of found) {
      const member = await teams.membership(teamId, user.id)
      if (member && member.deleteAt === 0) inTeam.push(user)
    }
    if (inTeam.length > 0) {
      fields.set('user_mentions', inTeam.map((u) => u.username).join(','))
      fields.set('user_mentions_ids', inTeam.map((u) => u.id).join(','))
    }
    const channelNames = [...new Set([...message.matchAll(/\B~([a-z0-9_-]+)/gi)].map((m) => m[1]!.toLowerCase()))]
    const publicChannels: ChannelRecord[] = []
    for (const name of channelNames) {
      const channel = await channelStore.getByName(teamId, name)
      if (channel && channel.type === 'O' && channel.deleteAt === 0) publicChannels.push(channel)
    }
    if (publicChannels.length > 0) {
      fields.set('channel_mentions', publicChannels.map((c) => c.name).join(','))
      fields.set('channel_mentions_ids', publicChannels.map((c) => c.id).join(','))
    }
  }

  /** Mattermost's tryExecuteCustomCommand: the form, a response URL, the call. */
  async function runCustom(args: CommandArgs, command: CommandRecord, message: string, channel: ChannelRecord): Promise<CommandResponse> {
    const team = await teams.requireTeam(args.teamId)
    const user = await users.getById(args.userId)
    const at = now()
    const hookId = newId()
    await store.insertWebhook({ id: hookId, createAt: at, commandId: command.id, userId: args.userId, channelId: args.channelId, rootId: args.rootId, useCount: 0 })
    if (at - lastCleanup > RESPONSE_URL_LIFETIME_MS / 3) {
      lastCleanup = at
      await store.deleteWebhooksBefore(at - RESPONSE_URL_LIFETIME_MS)
    }
    const fields = new URLSearchParams({
      token: command.token,
      team_id: command.teamId,
      team_domain: team.name,
      channel_id: args.channelId,
      channel_name: channel.name,
      user_id: args.userId,
      user_name: user?.username ?? '',
      command: `/${command.trigger}`,
      text: message,
      trigger_id: args.triggerId,
      root_id: args.rootId,
    })
    await mentionFields(fields, message, team.id)
    fields.set('response_url', `${options.siteUrl.replace(/\/+$/, '')}/hooks/commands/${hookId}`)
    return callCommandUrl(options.outbound, command, fields, options.timeoutMs)
  }

  async function resolve(teamId: string, trigger: string): Promise<Resolved | null> {
    const command = isValidId(teamId) ? (await store.listByTeam(teamId)).find((c) => c.trigger === trigger) : undefined
    if (command) return { kind: 'custom', command }
    return registry.get(trigger) ? { kind: 'builtin' } : null
  }

  /** Built-ins with autocomplete, then the team's custom commands with autocomplete (Mattermost's ListAutocompleteCommands). */
  async function autocompleteCommands(teamId: string): Promise<{ json: Record<string, unknown>[]; data: AutocompleteData[] }> {
    const json: Record<string, unknown>[] = []
    const data: AutocompleteData[] = []
    const seen = new Set<string>()
    for (const command of await store.listByTeam(teamId)) {
      if (!command.autoComplete || seen.has(command.trigger)) continue
      seen.add(command.trigger)
      json.push(presentSanitizedCommand(command))
      data.push(autocompleteDataFor(command.trigger, command.autoCompleteHint, command.autoCompleteDesc))
    }
    for (const command of registry.list()) {
      if (!command.autoComplete || seen.has(command.id)) continue
      seen.add(command.id)
      json.push(presentBuiltinCommand(command))
      data.push(command.autocompleteData ?? autocompleteDataFor(command.id, command.hint, command.description))
    }
    return { json, data }
  }

  /** Mattermost's getSuggestions: triggers (or sub-commands) starting with what was typed. */
  function suggest(tree: AutocompleteData[], parsed: string, toParse: string, roleId: string): Suggestion[] {
    const allowed = (data: AutocompleteData) => roleId === 'system_admin' || data.RoleID === roleId
    const space = toParse.indexOf(' ')
    if (space === -1) {
      return tree
        .filter((data) => data.Trigger.startsWith(toParse.toLowerCase()) && allowed(data))
        .map((data) => ({ Complete: parsed + data.Trigger, Suggestion: data.Trigger, Hint: data.Hint, Description: data.HelpText, IconData: '' }))
    }
    const word = toParse.slice(0, space).toLowerCase()
    return tree
      .filter((data) => data.Trigger === word && allowed(data) && (data.Arguments ?? []).length === 0)
      .flatMap((data) => suggest(data.SubCommands ?? [], parsed + toParse.slice(0, space + 1), toParse.slice(space + 1), roleId))
  }

  return {
    /**
     * `POST /commands/execute`: runs `/trigger text` in a channel the caller may post in.
     * @throws AppError 400 `api.command.execute_command.start.app_error` (no `/trigger` or bad
     *   channel id), 403 (not allowed to post there), 400 `…deleted.error` (archived channel),
     *   404 `…not_found.app_error` (no such command), 500 `…failed…` (custom command call failed;
     *   the caller also gets the error as an ephemeral message).
     */
    async execute(session: AuthSession, input: ExecuteInput): Promise<Record<string, unknown>> {
      if (input.command.length <= 1 || !input.command.startsWith('/') || !isValidId(input.channel_id)) {
        throw new AppError('api.command.execute_command.start.app_error', 'No command trigger found.', 400)
      }
      const channel = await channelStore.getById(input.channel_id)
      const members = channel ? await channels.memberIdsCached(channel.id) : new Set<string>()
      if (!channel || (!members.has(session.userId) && !session.isSystemAdmin)) throw forbidden(`cannot post in channel ${input.channel_id}`)
      if (channel.deleteAt !== 0) throw new AppError('api.command.execute_command.deleted.error', 'Can not run command in deleted channel.', 400)
      let teamId = channel.teamId
      if (channel.type === 'D' || channel.type === 'G') {
        // Commands run from a DM use the team the client names, which must be one of the caller's.
        teamId = input.team_id ?? ''
        if (!(await isTeamMember(session, teamId))) throw forbidden(`not a member of team ${teamId}`)
      }
      const rootId = input.root_id || input.parent_id || ''
      const match = /\s/u.exec(input.command)
      const trigger = (match ? input.command.slice(0, match.index) : input.command).toLowerCase().slice(1)
      const message = match ? input.command.slice(match.index + 1) : ''
      const ids = triggerIds.issue(session.userId)
      const args: CommandArgs = { session, userId: session.userId, channelId: channel.id, teamId, rootId, command: input.command, siteUrl: options.siteUrl.replace(/\/+$/, ''), triggerId: ids.signed }
      const to: Delivery = { session, channelId: channel.id, rootId }
      const resolved = await resolve(teamId, trigger)
      if (!resolved) {
        const shown = trigger.length > MAX_TRIGGER_SHOWN ? `${trigger.slice(0, MAX_TRIGGER_SHOWN)}...` : trigger
        throw new AppError('api.command.execute_command.not_found.app_error', `Command with a trigger of '${shown}' not found. To send a message beginning with "/", try adding an empty space at the beginning of the message.`, 404, { context: { trigger: shown } })
      }
      if (resolved.kind === 'builtin') {
        const response = await registry.get(trigger)!.execute(args, message)
        return presentCommandResponse(await handleResponse(to, null, trigger, response))
      }
      let response: CommandResponse
      try {
        response = await runCustom(args, resolved.command, message, channel)
      } catch (err) {
        // The user sees why the command did nothing, where they typed it.
        if (err instanceof AppError) await posts.sendEphemeral(session.userId, channel.id, err.message, rootId)
        throw err
      }
      response.trigger_id = ids.client
      return presentCommandResponse(await handleResponse(to, resolved.command, trigger, response))
    },

    /**
     * `POST /hooks/commands/{id}`: a later answer through a response URL, for 30 minutes and at most 5 times.
     * @throws AppError 404 unknown or expired URL, 400 used up or command deleted, 500 when the answer cannot be posted.
     */
    async respondLater(hookId: string, response: CommandResponse): Promise<void> {
      const hook = isValidId(hookId) ? await store.getWebhook(hookId, now() - RESPONSE_URL_LIFETIME_MS) : null
      if (!hook) throw new AppError('web.command_webhook.general.app_error', 'Unable to find the response URL: it is unknown or has expired.', 404, { context: { hookId } })
      const command = await store.get(hook.commandId)
      if (!command) throw new AppError('web.command_webhook.general.app_error', 'The command of this response URL no longer exists.', 400, { context: { hookId, commandId: hook.commandId } })
      if (!(await store.tryUseWebhook(hook.id, RESPONSE_URL_MAX_USES))) {
        throw new AppError('web.command_webhook.general.app_error', `This response URL has been used ${RESPONSE_URL_MAX_USES} times already.`, 400, { context: { hookId } })
      }
      const user = await users.getById(hook.userId)
      if (!user || user.deleteAt !== 0) throw new AppError('web.command_webhook.general.app_error', 'The user who ran the command no longer exists.', 400, { context: { hookId } })
      await handleResponse({ session: actingSession(user), channelId: hook.channelId, rootId: hook.rootId }, command, command.trigger, response)
    },

    /** `GET /teams/{id}/commands/autocomplete`. @throws AppError 403 outside the team. */
    async listAutocomplete(session: AuthSession, teamId: string): Promise<Record<string, unknown>[]> {
      await requireTeamView(session, teamId)
      return (await autocompleteCommands(teamId)).json
    },

    /** `GET /teams/{id}/commands/autocomplete_suggestions?user_input=/ech`. @throws AppError 403 outside the team, 400 without user_input. */
    async suggestions(session: AuthSession, teamId: string, userInput: string | undefined): Promise<Suggestion[]> {
      await requireTeamView(session, teamId)
      if (!userInput) throw invalidParam('userInput')
      const { data } = await autocompleteCommands(teamId)
      data.sort((a, b) => a.Trigger.toLowerCase().localeCompare(b.Trigger.toLowerCase()))
      return suggest(data, '', userInput.replace(/^\//, ''), session.isSystemAdmin ? 'system_admin' : 'system_user')
    },

    /**
     * `GET /commands?team_id=…&custom_only=…` (Mattermost listCommands): managers get the built-ins
     * and the team's commands (custom_only: just those, in full); others the autocomplete list.
     * @throws AppError 400 without team_id, 403 outside the team or (custom_only) without manage permission.
     */
    async list(session: AuthSession, teamId: string | undefined, customOnly: boolean): Promise<Record<string, unknown>[]> {
      if (!teamId) throw invalidParam('team_id')
      await requireTeamView(session, teamId)
      const manager = await custom.canManage(session, teamId)
      if (customOnly) {
        if (!manager) throw forbidden(`managing slash commands of team ${teamId}`)
        return (await store.listByTeam(teamId)).map(presentCommand)
      }
      if (!manager) return (await autocompleteCommands(teamId)).json
      const builtins = registry.list().filter((c) => c.autoComplete).map(presentBuiltinCommand)
      const taken = new Set(registry.list().map((c) => c.id))
      return [...builtins, ...(await store.listByTeam(teamId)).filter((c) => !taken.has(c.trigger)).map(presentSanitizedCommand)]
    },
  }
}

export type CommandService = ReturnType<typeof createCommandService>
