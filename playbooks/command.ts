/**
 * `/playbook`: what the server's playbook library holds. `list` shows each playbook with its
 * version and how it starts; `problems` shows the lint messages of the files as they are on disk
 * (a broken file keeps its last good version in service). The engine's `/playbook` (engine/commands.ts)
 * hands these two subcommands here.
 */
import { autocompleteDataFor, ephemeral, type SlashCommand } from '../core/commands/registry.ts'
import { formatDiagnostic } from './dsl/index.ts'
import type { PlaybookLibrary } from './library.ts'

const HINT = '[list|problems]'

function triggersOf(on: Record<string, unknown>): string {
  const kinds = Object.keys(on)
  const command = on.command as { name?: string } | undefined
  return kinds.map((k) => (k === 'command' && command?.name ? `\`${command.name}\`` : k)).join(', ')
}

export function playbookCommand(library: PlaybookLibrary): SlashCommand {
  return {
    id: 'playbook', source: 'playbooks', displayName: 'playbook', autoComplete: true, description: 'List playbooks and their problems', hint: HINT,
    autocompleteData: autocompleteDataFor('playbook', HINT, 'List playbooks and their problems'),
    async execute(_args, message) {
      const sub = message.trim().split(/\s+/)[0] || 'list'
      if (sub === 'list') {
        const entries = library.list()
        if (entries.length === 0) return ephemeral('No playbooks are loaded.')
        const lines = ['| Playbook | Version | Starts on | Source |', '|---|---|---|---|']
        for (const e of entries) {
          const broken = e.diagnostics.some((d) => d.severity === 'error') ? ' (file has errors: this is its last good version)' : ''
          lines.push(`| **${e.playbook.metadata.title ?? e.name}** (\`${e.name}\`) | ${e.playbook.metadata.version} | ${triggersOf(e.playbook.on as Record<string, unknown>)} | ${e.builtin ? 'built in' : 'PLAYBOOKS_DIR'}${broken} |`)
        }
        return ephemeral(lines.join('\n'))
      }
      if (sub === 'problems') {
        const problems = library.problems()
        if (problems.length === 0) return ephemeral('Every playbook file lints clean.')
        return ephemeral(['```', ...problems.map(formatDiagnostic), '```'].join('\n'))
      }
      return ephemeral(`Unknown subcommand "${sub}". Usage: /playbook ${HINT}`)
    },
  }
}
