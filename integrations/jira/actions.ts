/** Jira actions: create an issue, comment on one, move one to another status. */
import { z } from 'zod'
import type { ActionDefinition } from '../../core/actions/index.ts'
import { connectionRef, type ConnectorActionDeps } from '../action-deps.ts'
import { createJiraClient } from './client.ts'

const SOURCE = 'integrations/jira'
const issueKey = z.string().regex(/^[A-Z][A-Z0-9_]*-\d+$/, 'expected an issue key such as OPS-12')

export function jiraActions(deps: ConnectorActionDeps): ActionDefinition[] {
  const clientFor = async (session: Parameters<ActionDefinition['run']>[1]['session'], ref: string) =>
    createJiraClient(deps.outbound, await deps.connections.forAction(session, 'jira', ref))
  return [
    {
      id: 'jira.issue.create@v1',
      source: SOURCE,
      description: 'Creates a Jira issue',
      input: z.object({
        connection: connectionRef,
        project: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'expected a project key such as OPS'),
        issue_type: z.string().min(1).default('Task'),
        summary: z.string().min(1, 'must not be empty').max(255),
        description: z.string().max(32_000).optional(),
        labels: z.array(z.string().regex(/^\S+$/, 'labels have no spaces')).max(50).optional(),
        priority: z.string().min(1).optional(),
        assignee_account_id: z.string().min(1).optional(),
      }),
      outputs: ['id', 'key', 'url'],
      sideEffect: true,
      async run(input: { connection: string; project: string; issue_type: string; summary: string; description?: string; labels?: string[]; priority?: string; assignee_account_id?: string }, ctx) {
        const client = await clientFor(ctx.session, input.connection)
        const issue = await client.createIssue({
          project: input.project, type: input.issue_type, summary: input.summary,
          ...(input.description ? { description: input.description } : {}), ...(input.labels ? { labels: input.labels } : {}),
          ...(input.priority ? { priority: input.priority } : {}), ...(input.assignee_account_id ? { assigneeAccountId: input.assignee_account_id } : {}),
        })
        return { id: issue.id, key: issue.key, url: client.browseUrl(issue.key) }
      },
    },
    {
      id: 'jira.issue.comment@v1',
      source: SOURCE,
      description: 'Comments on a Jira issue',
      input: z.object({ connection: connectionRef, issue_key: issueKey, body: z.string().min(1, 'must not be empty').max(32_000) }),
      outputs: ['id'],
      sideEffect: true,
      async run(input: { connection: string; issue_key: string; body: string }, ctx) {
        const comment = await (await clientFor(ctx.session, input.connection)).addComment(input.issue_key, input.body)
        return { id: comment.id }
      },
    },
    {
      id: 'jira.issue.transition@v1',
      source: SOURCE,
      description: 'Moves a Jira issue to a status, by transition or status name',
      input: z.object({ connection: connectionRef, issue_key: issueKey, to: z.string().min(1, 'name the status or transition') }),
      outputs: ['transitionId', 'status'],
      sideEffect: true,
      async run(input: { connection: string; issue_key: string; to: string }, ctx) {
        const transition = await (await clientFor(ctx.session, input.connection)).transition(input.issue_key, input.to)
        return { transitionId: transition.id, status: transition.to?.name ?? transition.name }
      },
    },
  ]
}
