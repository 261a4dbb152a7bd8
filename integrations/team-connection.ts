/** Which of a team's connections a slash command uses: the one whose default channel it is typed in, else the team's only one. */
import type { ConnectionRow } from './store.ts'

/** @returns the connection, or the sentence to answer the user with. */
export function pickTeamConnection(connections: ConnectionRow[], channelId: string, vendor: { id: string; name: string }): ConnectionRow | string {
  if (connections.length === 0) return `This team has no ${vendor.name} connection yet: a team admin creates one (POST /api/v4/integrations/${vendor.id}/connections).`
  const here = connections.find((c) => c.channelId === channelId)
  if (here) return here
  if (connections.length === 1) return connections[0]!
  return `This team has several ${vendor.name} connections (${connections.map((c) => c.name).join(', ')}); run the command in the default channel of the one to use.`
}
