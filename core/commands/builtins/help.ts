/** /help (built from the command registry) and /search (which Mattermost's clients run themselves). */
import { ephemeral, type SlashCommand } from '../registry.ts'
import type { BuiltinDeps } from './deps.ts'

const SOURCE = 'core/commands/builtins/help.ts'

export function helpCommands(deps: BuiltinDeps): SlashCommand[] {
  return [
    {
      id: 'help', source: SOURCE, displayName: 'help', autoComplete: true, description: 'Show the slash commands you can use', hint: '',
      async execute() {
        // Mattermost answers with a link to its documentation; ours lists what is registered, so it never goes stale.
        const lines = deps.registry.list()
          .filter((command) => command.autoComplete)
          .map((command) => `- \`/${command.id}${command.hint ? ` ${command.hint}` : ''}\` — ${command.description}`)
        return ephemeral(['Slash commands available here:', '', ...lines].join('\n'))
      },
    },
    {
      id: 'search', source: SOURCE, displayName: 'search', autoComplete: true, description: 'Search text in messages', hint: '[text]',
      // Mattermost's web and mobile apps open their search view for /search; only other clients reach the server.
      async execute() {
        return ephemeral('The search command is not supported on your device.')
      },
    },
  ]
}
