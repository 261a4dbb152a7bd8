/** /msg and /groupmsg: open a direct or group message, optionally with a first message (Mattermost command_msg.go, command_groupmsg.go). */
import type { UserRecord } from '../../users/store.ts'
import { EPHEMERAL, ephemeral, type CommandArgs, type CommandResponse, type SlashCommand } from '../registry.ts'
import { channelLocation, type BuiltinDeps } from './deps.ts'

const SOURCE = 'core/commands/builtins/direct.ts'
const GROUP_MIN_USERS = 3
const GROUP_MAX_USERS = 8

/** A live user the caller may see, by username. */
async function visibleUser(deps: BuiltinDeps, args: CommandArgs, username: string): Promise<UserRecord | null> {
  const user = await deps.users.getByUsername(username.toLowerCase())
  if (!user || user.deleteAt !== 0) return null
  const visible = await deps.users.visibleIds(args.userId, [user.id])
  return visible.has(user.id) || args.session.isSystemAdmin ? user : null
}

/** Posts `message` (if any) in the channel and sends the client there. */
async function postAndGo(deps: BuiltinDeps, args: CommandArgs, channel: { id: string; name: string }, message: string, failure: string): Promise<CommandResponse> {
  if (message !== '') {
    try {
      await deps.posts.create(args.session, { channel_id: channel.id, message })
    } catch (err) {
      deps.log.debug({ err, channelId: channel.id }, 'message command could not post')
      return ephemeral(failure)
    }
  }
  const location = await channelLocation(deps, args, args.teamId, channel.name)
  return location ? { goto_location: location, text: '', response_type: EPHEMERAL } : ephemeral(failure)
}

async function directMessage(deps: BuiltinDeps, args: CommandArgs, message: string): Promise<CommandResponse> {
  const space = message.indexOf(' ')
  const username = (space === -1 ? message : message.slice(0, space)).replace(/^@/, '')
  const text = space === -1 ? '' : message.slice(space + 1)
  const user = await visibleUser(deps, args, username)
  if (!user || user.id === args.userId) return ephemeral('Unable to find the user.')
  let channel
  try {
    ;({ channel } = await deps.channels.createDirect(args.session, [args.userId, user.id]))
  } catch (err) {
    deps.log.debug({ err }, '/msg could not open the direct channel')
    return ephemeral('An error occurred while creating the direct message.')
  }
  return postAndGo(deps, args, channel, text, 'An error occurred while messaging the user.')
}

/** Mattermost's groupMsgUsernames: `@a, @b, c message` → users a, b, c and the message. */
function splitGroupMessage(message: string): { usernames: string[]; text: string } {
  const usernames: string[] = []
  const parts = message.split(',')
  for (const [index, part] of parts.entries()) {
    const words = part.trim().replace(/^@/, '').split(/\s+/).filter(Boolean)
    if (words.length > 0) usernames.push(words[0]!)
    if (words.length > 1) {
      const rest = parts.slice(index).join(',').trim().replace(/^@/, '')
      return { usernames, text: rest.slice(words[0]!.length).trim() }
    }
  }
  return { usernames, text: '' }
}

export function directCommands(deps: BuiltinDeps): SlashCommand[] {
  return [
    {
      id: 'msg', source: SOURCE, displayName: 'message', autoComplete: true, description: 'Send Direct Message to a user', hint: "@[username] 'message'",
      execute: (args, message) => directMessage(deps, args, message),
    },
    {
      id: 'groupmsg', source: SOURCE, displayName: 'message', autoComplete: true, description: 'Sends a Group Message to the specified users', hint: "@[username1],@[username2] 'message'",
      async execute(args, message) {
        const { usernames, text } = splitGroupMessage(message)
        const members = new Map<string, UserRecord>()
        const invalid: string[] = []
        for (const raw of usernames) {
          const name = raw.trim().replace(/^@/, '')
          const user = await visibleUser(deps, args, name)
          if (!user) invalid.push(name)
          else if (user.id !== args.userId) members.set(user.id, user)
        }
        if (invalid.length > 0) return ephemeral(`Unable to find the user${invalid.length === 1 ? '' : 's'}: @${invalid.join(', @')}`)
        if (members.size === 1) return directMessage(deps, args, `${[...members.values()][0]!.username} ${text}`.trimEnd())
        if (members.size + 1 < GROUP_MIN_USERS) return ephemeral(`Group messages are limited to a minimum of ${GROUP_MIN_USERS - 1} users.`)
        if (members.size + 1 > GROUP_MAX_USERS) return ephemeral(`Group messages are limited to a maximum of ${GROUP_MAX_USERS - 1} users.`)
        let channel
        try {
          ;({ channel } = await deps.channels.createGroup(args.session, [...members.keys()]))
        } catch (err) {
          deps.log.debug({ err }, '/groupmsg could not open the group channel')
          return ephemeral('An error occurred while creating the group message.')
        }
        return postAndGo(deps, args, channel, text, 'An error occurred while messaging the users.')
      },
    },
  ]
}
