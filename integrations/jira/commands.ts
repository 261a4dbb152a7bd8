/**
 * `/jira create [PROJECT] "summary" [--type Bug] [--priority High]` and `/jira transition KEY status`: the Jira actions,
 * run as the user who typed them, with the team's Jira connection (the one whose default channel this is, else the
 * team's only one).
 */
import { ActionError } from '../../core/actions/index.ts'
import type { AuthSession } from '../../core/auth/session-types.ts'
import { autocompleteDataFor, ephemeral, type SlashCommand } from '../../core/commands/registry.ts'
import { AppError } from '../../core/errors.ts'
import type { ConnectionRow } from '../store.ts'
import { pickTeamConnection } from '../team-connection.ts'

const HINT = 'create [PROJECT] "summary" [--type Bug] [--priority High] | transition KEY status'
const HELP = 'Usage: `/jira create [PROJECT] "summary" [--type Bug] [--priority High]` or `/jira transition KEY status`.'
const PROJECT = /^[A-Z][A-Z0-9_]*$/
const ISSUE_KEY = /^[A-Z][A-Z0-9_]*-\d+$/

export interface JiraCommandDeps {
  /** The team's Jira connections. */
  connectionsOfTeam(teamId: string): Promise<ConnectionRow[]>
  invoke(actionId: string, input: Record<string, unknown>, session: AuthSession): Promise<Record<string, unknown>>
}

/** Words, with "double quoted" or “curly quoted” runs kept whole. */
export function splitWords(text: string): string[] {
  const words: string[] = []
  const pattern = /"([^"]*)"|“([^”]*)”|(\S+)/g
  for (const match of text.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3]!)
  return words
}

const pickConnection = (connections: ConnectionRow[], channelId: string) => pickTeamConnection(connections, channelId, { id: 'jira', name: 'Jira' })

export function jiraCommand(deps: JiraCommandDeps): SlashCommand {
  async function create(args: Parameters<SlashCommand['execute']>[0], words: string[]) {
    const options: Record<string, string> = {}
    const positional: string[] = []
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!
      if (word === '--type' || word === '--priority') {
        const value = words[++i]
        if (value === undefined) return ephemeral(`Give a value after ${word}.`)
        options[word.slice(2)] = value
      } else positional.push(word)
    }
    const project = positional.length === 2 ? positional[0] : undefined
    const summary = positional.length === 2 ? positional[1] : positional[0]
    if (positional.length === 0 || positional.length > 2 || !summary) return ephemeral(HELP)
    if (project !== undefined && !PROJECT.test(project)) return ephemeral(`"${project}" is not a project key such as OPS.`)
    const connection = pickConnection(await deps.connectionsOfTeam(args.teamId), args.channelId)
    if (typeof connection === 'string') return ephemeral(connection)
    const projectKey = project ?? connection.settings.project
    if (!projectKey) return ephemeral(`Name the project: \`/jira create PROJECT "summary"\` (the connection "${connection.name}" has no default project).`)
    const outputs = await deps.invoke('jira.issue.create@v1', {
      connection: connection.id, project: projectKey, summary, ...(options.type ? { issue_type: options.type } : {}), ...(options.priority ? { priority: options.priority } : {}),
    }, args.session)
    return { response_type: 'in_channel', text: `Created [${String(outputs.key)}](${String(outputs.url)}): ${summary}` }
  }

  async function transition(args: Parameters<SlashCommand['execute']>[0], words: string[]) {
    const [key, ...status] = words
    if (!key || status.length === 0) return ephemeral(HELP)
    if (!ISSUE_KEY.test(key)) return ephemeral(`"${key}" is not an issue key such as OPS-12.`)
    const connection = pickConnection(await deps.connectionsOfTeam(args.teamId), args.channelId)
    if (typeof connection === 'string') return ephemeral(connection)
    const outputs = await deps.invoke('jira.issue.transition@v1', { connection: connection.id, issue_key: key, to: status.join(' ') }, args.session)
    return ephemeral(`Moved ${key} to ${String(outputs.status)}.`)
  }

  return {
    id: 'jira',
    source: 'integrations/jira',
    displayName: 'Jira',
    description: 'Create and move Jira issues',
    hint: HINT,
    autoComplete: true,
    autocompleteData: autocompleteDataFor('jira', HINT, 'Create and move Jira issues'),
    async execute(args, message) {
      const [sub, ...words] = splitWords(message.trim())
      try {
        if (sub === 'create') return await create(args, words)
        if (sub === 'transition') return await transition(args, words)
      } catch (err) {
        if (err instanceof ActionError || err instanceof AppError) return ephemeral(`Jira did not take it: ${err.message}`)
        throw err
      }
      return ephemeral(HELP)
    },
  }
}
