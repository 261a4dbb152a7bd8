/**
 * Channel built-ins: /join, /leave, /invite, /kick and /remove, /header, /purpose, /rename, /mute
 * (Mattermost app/slashcommands/command_{join,leave,invite,remove,channel_header,channel_purpose,
 * channel_rename,mute}.go), all through the channel service so its rules and events apply.
 */
import type { ChannelRecord } from '../../channels/store.ts'
import type { UserRecord } from '../../users/store.ts'
import { ephemeral, type CommandArgs, type CommandResponse, type SlashCommand } from '../registry.ts'
import { channelLocation, currentChannel, type BuiltinDeps } from './deps.ts'

const SOURCE = 'core/commands/builtins/channels.ts'
const HEADER_MAX_RUNES = 1024
const PURPOSE_MAX_RUNES = 250
const DISPLAY_NAME_MAX_RUNES = 64
const CHANNEL_HANDLE_HELP = 'Please use the [channel handle](https://docs.mattermost.com/messaging/managing-channels.html#naming-a-channel) to identify channels.'

const isDirectOrGroup = (channel: ChannelRecord) => channel.type === 'D' || channel.type === 'G'

/** Mattermost's manage_{public,private}_channel_members/properties: members of the channel, team admins, system admins. */
async function canManage(deps: BuiltinDeps, args: CommandArgs, channel: ChannelRecord): Promise<boolean> {
  if (args.session.isSystemAdmin) return true
  if (await deps.channelStore.getMember(channel.id, args.userId)) return true
  return channel.teamId !== '' && (await deps.teams.isTeamAdmin(args.session, channel.teamId))
}

/** A live user by `@name` or `name`. */
async function findUser(deps: BuiltinDeps, word: string): Promise<UserRecord | null> {
  const user = await deps.users.getByUsername(word.replace(/^@/, '').toLowerCase())
  return user && user.deleteAt === 0 ? user : null
}

interface PropertyCommand {
  id: string
  field: 'header' | 'purpose' | 'display_name'
  description: string
  maxRunes: number
  /** Mattermost's i18n key prefix, for the messages below. */
  what: string
  directGroupRefusal?: string
}

/** /header, /purpose and /rename share Mattermost's shape: check, validate, patch, answer nothing. */
function propertyCommand(deps: BuiltinDeps, spec: PropertyCommand): SlashCommand {
  return {
    id: spec.id, source: SOURCE, displayName: spec.id, autoComplete: true, description: spec.description, hint: '[text]',
    async execute(args, message): Promise<CommandResponse> {
      const channel = await currentChannel(deps, args)
      if (!channel) return ephemeral('Error to retrieve the current channel.')
      if (spec.directGroupRefusal && isDirectOrGroup(channel)) return ephemeral(spec.directGroupRefusal)
      const member = await deps.channelStore.getMember(channel.id, args.userId)
      if (isDirectOrGroup(channel) ? !member : !(await canManage(deps, args, channel))) {
        return ephemeral(`You don't have the appropriate permissions to ${spec.what}.`)
      }
      if (message === '') return ephemeral(`${spec.id === 'header' ? 'Text must be provided with the /header command.' : `A message must be provided with the /${spec.id} command.`}`)
      if ([...message].length > spec.maxRunes) {
        return ephemeral(spec.field === 'display_name'
          ? `Channel name must be ${spec.maxRunes} or fewer characters.`
          : `The text entered exceeds the character limit. The channel ${spec.field} is limited to ${spec.maxRunes} characters.`)
      }
      try {
        await deps.channels.patch(args.session, channel.id, { [spec.field]: message })
      } catch (err) {
        deps.log.debug({ err, channelId: channel.id, command: spec.id }, 'channel update by command failed')
        return ephemeral(spec.field === 'display_name' ? 'Error to update the current channel.' : `Error updating the channel ${spec.field}.`)
      }
      return {}
    },
  }
}

export function channelCommands(deps: BuiltinDeps): SlashCommand[] {
  const remove = (id: string): SlashCommand => ({
    id, source: SOURCE, displayName: id, autoComplete: true, description: 'Remove a member from the channel', hint: '@[username]',
    async execute(args, message) {
      const channel = await currentChannel(deps, args)
      if (!channel) return ephemeral('Error retrieving the current channel.')
      if (isDirectOrGroup(channel)) return ephemeral("You can't remove someone from a direct message channel.")
      if (!(await canManage(deps, args, channel))) return ephemeral("You don't have the appropriate permissions to remove the member.")
      if (message === '') return ephemeral('A message must be provided with the /remove or /kick command.')
      const user = await findUser(deps, message.split(' ')[0]!)
      if (!user) return ephemeral("We couldn't find the user. They may have been deactivated by the System Administrator.")
      if (!(await deps.channelStore.getMember(channel.id, user.id))) return ephemeral(`${user.username} is not a member of this channel.`)
      try {
        await deps.channels.removeMember(args.session, channel.id, user.id)
      } catch (err) {
        return ephemeral(err instanceof Error ? err.message : String(err))
      }
      return {}
    },
  })

  return [
    {
      id: 'join', source: SOURCE, displayName: 'join', autoComplete: true, description: 'Join the open channel', hint: '~[channel]',
      async execute(args, message) {
        const name = message.startsWith('~') ? message.slice(1) : message.toLowerCase()
        const channel = await deps.channelStore.getByName(args.teamId, name)
        if (!channel) return ephemeral('An error occurred while listing channels.')
        if (channel.type !== 'O' && channel.type !== 'P') return ephemeral('An error occurred while joining the channel.')
        try {
          await deps.channels.addMember(args.session, channel.id, args.userId)
        } catch (err) {
          deps.log.debug({ err, channelId: channel.id }, '/join failed')
          return ephemeral('An error occurred while joining the channel.')
        }
        const location = await channelLocation(deps, args, channel.teamId, channel.name)
        return location ? { goto_location: location } : ephemeral('An error occurred while joining the channel.')
      },
    },
    {
      id: 'leave', source: SOURCE, displayName: 'leave', autoComplete: true, description: 'Leave the current channel', hint: '',
      async execute(args) {
        const channel = await currentChannel(deps, args)
        const fail = ephemeral('An error occurred while leaving the channel.')
        if (!channel) return fail
        try {
          await deps.channels.removeMember(args.session, channel.id, args.userId)
        } catch {
          return channel.name === 'town-square' ? ephemeral('Unable to leave the default channel town-square.') : fail
        }
        const member = args.teamId ? await deps.teams.membership(args.teamId, args.userId) : null
        if (!member || member.deleteAt !== 0) return { goto_location: `${args.siteUrl}/` }
        return { goto_location: (await channelLocation(deps, args, args.teamId, 'town-square')) ?? `${args.siteUrl}/` }
      },
    },
    {
      id: 'invite', source: SOURCE, displayName: 'invite', autoComplete: true, description: 'Invite a user to a channel', hint: '@[username]... ~[channel]...',
      async execute(args, message) {
        return ephemeral(await invite(deps, args, message))
      },
    },
    remove('kick'),
    remove('remove'),
    propertyCommand(deps, { id: 'header', field: 'header', description: 'Edit the channel header', maxRunes: HEADER_MAX_RUNES, what: 'edit the channel header' }),
    propertyCommand(deps, {
      id: 'purpose', field: 'purpose', description: 'Edit the channel purpose', maxRunes: PURPOSE_MAX_RUNES, what: 'edit the channel purpose',
      directGroupRefusal: 'Unable to set purpose for direct message channels. Use /header to set the header instead.',
    }),
    propertyCommand(deps, {
      id: 'rename', field: 'display_name', description: 'Rename the channel', maxRunes: DISPLAY_NAME_MAX_RUNES, what: 'rename the channel',
      directGroupRefusal: 'Unable to rename direct message channels.',
    }),
    {
      id: 'mute', source: SOURCE, displayName: 'mute', autoComplete: true,
      description: 'Turns off desktop, email and push notifications for the current channel or the [channel] specified.', hint: '~[channel]',
      async execute(args, message) {
        let channel = await currentChannel(deps, args)
        if (!channel) return ephemeral(`Could not find the specified channel. ${CHANNEL_HANDLE_HELP}`)
        const word = message.split(' ')[0] ?? ''
        if (word.startsWith('~')) {
          const named = await deps.channelStore.getByName(channel.teamId, word.slice(1))
          if (!named) return ephemeral(`Could not find the channel ${word.slice(1)}. ${CHANNEL_HANDLE_HELP}`)
          channel = named
        }
        const member = await deps.channelStore.getMember(channel.id, args.userId)
        if (!member) return ephemeral(`Could not find the channel ${word.replace(/^~/, '') || channel.name}. ${CHANNEL_HANDLE_HELP}`)
        const muted = member.notifyProps.mark_unread !== 'mention'
        await deps.channels.updateNotifyProps(args.session, channel.id, args.userId, { mark_unread: muted ? 'mention' : 'all' })
        if (isDirectOrGroup(channel)) {
          return ephemeral(muted ? 'You will not receive notifications for this channel until channel mute is turned off.' : 'This channel is no longer muted.')
        }
        return ephemeral(muted
          ? `You will not receive notifications for ${channel.displayName} until channel mute is turned off.`
          : `${channel.displayName} is no longer muted.`)
      },
    },
  ]
}

/** Mattermost's /invite: users (`@name`, or a bare first word) into channels (`~name`, else the current one). */
async function invite(deps: BuiltinDeps, args: CommandArgs, message: string): Promise<string> {
  if (message === '') return 'Missing Username and/or Channel.'
  const problems: string[] = []
  const users: UserRecord[] = []
  let channels: ChannelRecord[] = []
  const words = message.split(' ')
  for (const [index, word] of words.entries()) {
    if (word === '') continue
    if (word.startsWith('@') || (!word.startsWith('~') && index === 0)) {
      const user = await findUser(deps, word)
      if (user) users.push(user)
      else problems.push(`We couldn't find the user ${word.replace(/^@/, '')}. They may have been deactivated by the System Administrator.`)
    } else {
      const name = word.replace(/^~/, '')
      const channel = await deps.channelStore.getByName(args.teamId, name)
      if (channel && channel.deleteAt === 0) channels.push(channel)
      else problems.push(`Could not find the channel ${name}. ${CHANNEL_HANDLE_HELP}`)
    }
  }
  if (users.length === 0) return problems.length > 0 ? problems.join('\n') : 'Missing Username and/or Channel.'
  if (channels.length === 0) {
    if (problems.length > 0) return problems.join('\n')
    const current = await currentChannel(deps, args)
    if (!current) return 'Error to retrieve the current channel.'
    channels = [current]
  }
  const allowed: ChannelRecord[] = []
  for (const channel of channels) {
    if (isDirectOrGroup(channel)) problems.push("You can't add someone to a direct message channel.")
    else if (await canManage(deps, args, channel)) allowed.push(channel)
    else if (channel.type === 'P') problems.push(`Could not find the channel ${channel.name}. ${CHANNEL_HANDLE_HELP}`)
    else problems.push(`You don't have enough permissions to add ${users[0]!.username} in ${channel.name}.`)
  }
  const already: string[] = []
  const added = new Map<string, string[]>()
  const notInTeam = new Map<string, string[]>()
  let failed = false
  for (const channel of allowed) {
    for (const user of users) {
      if (await deps.channelStore.getMember(channel.id, user.id)) {
        already.push(user.username)
        continue
      }
      try {
        await deps.channels.addMember(args.session, channel.id, user.id)
        if (channel.id !== args.channelId) added.set(channel.name, [...(added.get(channel.name) ?? []), user.username])
      } catch (err) {
        if ((err as { id?: string }).id === 'api.channel.add_members.user_denied') {
          const team = await deps.teams.requireTeam(channel.teamId).catch(() => null)
          const key = team?.displayName ?? 'unknown'
          notInTeam.set(key, [...(notInTeam.get(key) ?? []), user.username])
        } else {
          deps.log.warn({ err, channelId: channel.id, userId: user.id }, '/invite could not add a user')
          failed = true
        }
      }
    }
  }
  const lines = [...problems]
  if (already.length > 0) lines.push(`@${already.join(', @')} ${already.length === 1 ? 'is' : 'are'} already in the channel.`)
  for (const [channel, names] of added) lines.push(`@${names.join(', @')} added to ${channel} channel.`)
  for (const [team, names] of notInTeam) lines.push(`You can add @${names.join(', @')} to this channel once they are members of the **${team}** team.`)
  if (failed) lines.push('An error occurred while joining the channel.')
  return lines.join('\n')
}

