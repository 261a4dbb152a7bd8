/** /online, /away, /dnd, /offline: set one's status by hand (Mattermost app/slashcommands/command_{online,away,dnd,offline}.go). */
import { ephemeral, type SlashCommand } from '../registry.ts'
import type { BuiltinDeps } from './deps.ts'

const STATUS_COMMANDS: { id: string; status: string; description: string; success: string }[] = [
  { id: 'away', status: 'away', description: 'Set your status away', success: 'You are now away' },
  { id: 'dnd', status: 'dnd', description: 'Do not disturb disables desktop and mobile push notifications.', success: 'Do Not Disturb is enabled. You will not receive desktop or mobile push notifications until Do Not Disturb is turned off.' },
  { id: 'offline', status: 'offline', description: 'Set your status offline', success: 'You are now offline' },
  { id: 'online', status: 'online', description: 'Set your status online', success: 'You are now online' },
]

export function statusCommands(deps: BuiltinDeps): SlashCommand[] {
  return STATUS_COMMANDS.map((spec): SlashCommand => ({
    id: spec.id, source: 'core/commands/builtins/status.ts', displayName: spec.id, autoComplete: true, description: spec.description, hint: '',
    async execute(args) {
      await deps.statuses.update(args.session, args.userId, { user_id: args.userId, status: spec.status })
      return ephemeral(spec.success)
    },
  }))
}
