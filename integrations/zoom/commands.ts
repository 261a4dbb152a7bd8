/**
 * `/zoom start [topic]`: starts a Zoom meeting with the team's Zoom connection and has the Zoom bot post the join link
 * in the channel (as the Mattermost Zoom plugin does), through `zoom.meeting.create@v1` as the user who typed it.
 */
import { ActionError } from '../../core/actions/index.ts'
import type { AuthSession } from '../../core/auth/session-types.ts'
import { autocompleteDataFor, ephemeral, type CommandResponse, type SlashCommand } from '../../core/commands/registry.ts'
import { AppError } from '../../core/errors.ts'
import type { ConnectionRow } from '../store.ts'
import { pickTeamConnection } from '../team-connection.ts'

const HINT = 'start [topic]'
const HELP = 'Usage: `/zoom start [topic]` starts a Zoom meeting and posts its join link in this channel.'
const DEFAULT_TOPIC = 'Zoom Meeting'

export interface ZoomCommandDeps {
  /** The team's Zoom connections. */
  connectionsOfTeam(teamId: string): Promise<ConnectionRow[]>
  invoke(actionId: string, input: Record<string, unknown>, session: AuthSession): Promise<Record<string, unknown>>
}

/** What the user reads when Zoom or the connection refuses: what happened, and what to do about it. */
function refusal(err: ActionError | AppError): string {
  const status = err instanceof ActionError ? err.status : err.statusCode
  if (status === 401 || status === 403) return `Zoom refused the connection's credentials (${status}): a team admin should check its account_id, client_id and client_secret, and the app's meeting:write scope. ${err.message}`
  if (status === 429) {
    const wait = err instanceof ActionError && err.retryAfterMs !== undefined ? ` in ${Math.ceil(err.retryAfterMs / 1000)} s` : ' in a minute'
    return `Zoom is limiting requests from this account (429); try again${wait}.`
  }
  if (status !== undefined && status >= 500) return `Zoom is not answering properly (${status}); try again shortly. ${err.message}`
  return `Zoom did not start the meeting: ${err.message}`
}

export function zoomCommand(deps: ZoomCommandDeps): SlashCommand {
  return {
    id: 'zoom',
    source: 'integrations/zoom',
    displayName: 'Zoom',
    description: 'Start a Zoom meeting and post its join link in this channel',
    hint: HINT,
    autoComplete: true,
    autocompleteData: autocompleteDataFor('zoom', HINT, 'Start a Zoom meeting and post its join link in this channel'),
    async execute(args, message): Promise<CommandResponse> {
      const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(message)
      if (match?.[1]?.toLowerCase() !== 'start') return ephemeral(HELP)
      const topic = match[2]!.trim() || DEFAULT_TOPIC
      const connection = pickTeamConnection(await deps.connectionsOfTeam(args.teamId), args.channelId, { id: 'zoom', name: 'Zoom' })
      if (typeof connection === 'string') return ephemeral(connection)
      try {
        await deps.invoke('zoom.meeting.create@v1', { connection: connection.id, topic: topic.slice(0, 200), channel_id: args.channelId }, args.session)
      } catch (err) {
        if (err instanceof ActionError || err instanceof AppError) return ephemeral(refusal(err))
        throw err
      }
      // The Zoom bot's post is the answer; nothing more to say.
      return {}
    },
  }
}
