/** What built-in commands may call: the core services, as the composition root built them. */
import type { Logger } from '../../log.ts'
import type { ChannelService } from '../../channels/service.ts'
import type { ChannelRecord, ChannelStore } from '../../channels/store.ts'
import type { TeamService } from '../../teams/service.ts'
import type { UserStore } from '../../users/store.ts'
import type { PostService } from '../../posts/service.ts'
import type { StatusService } from '../../status/service.ts'
import type { CommandArgs, CommandRegistry } from '../registry.ts'

export interface BuiltinDeps {
  log: Logger
  channels: ChannelService
  channelStore: ChannelStore
  teams: TeamService
  users: UserStore
  posts: PostService
  statuses: StatusService
  /** For /help, which lists what is registered. */
  registry: CommandRegistry
}

/** The channel the command runs in, or null when it is gone. */
export async function currentChannel(deps: BuiltinDeps, args: CommandArgs): Promise<ChannelRecord | null> {
  return deps.channelStore.getById(args.channelId)
}

/** `SITE_URL/<team name>/channels/<channel name>`, where Mattermost's built-ins send the client. */
export async function channelLocation(deps: BuiltinDeps, args: CommandArgs, teamId: string, channelName: string): Promise<string | null> {
  const team = await deps.teams.requireTeam(teamId).catch(() => null)
  return team ? `${args.siteUrl}/${team.name}/channels/${channelName}` : null
}
