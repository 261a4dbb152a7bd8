/** GitHub actions: open an issue, comment on an issue or pull request, start a workflow run. */
import { z } from 'zod'
import type { ActionDefinition } from '../../core/actions/index.ts'
import { connectionRef, type ConnectorActionDeps } from '../action-deps.ts'
import { createGitHubClient } from './client.ts'

const SOURCE = 'integrations/github'
const repo = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected owner/repo')

/** A hidden marker naming the idempotency key, so a person (or a later search) can tell a retried create from a new one. */
function withMarker(body: string | undefined, key: string): string | undefined {
  if (!key) return body
  return `${body ?? ''}\n\n<!-- bridgehead:${key.replace(/--/g, '-')} -->`.trimStart()
}

export function gitHubActions(deps: ConnectorActionDeps): ActionDefinition[] {
  return [
    {
      id: 'github.issue.create@v1',
      source: SOURCE,
      description: 'Opens an issue in a GitHub repository',
      input: z.object({
        connection: connectionRef, repo, title: z.string().min(1, 'must not be empty').max(256),
        body: z.string().max(65_000).optional(), labels: z.array(z.string().min(1)).max(100).optional(), assignees: z.array(z.string().min(1)).max(10).optional(),
      }),
      outputs: ['number', 'url'],
      sideEffect: true,
      async run(input: { connection: string; repo: string; title: string; body?: string; labels?: string[]; assignees?: string[] }, ctx) {
        const client = createGitHubClient(deps.outbound, await deps.connections.forAction(ctx.session, 'github', input.connection))
        const body = withMarker(input.body, ctx.idempotencyKey)
        const issue = await client.createIssue(input.repo, { title: input.title, ...(body ? { body } : {}), ...(input.labels ? { labels: input.labels } : {}), ...(input.assignees ? { assignees: input.assignees } : {}) })
        return { number: issue.number, url: issue.html_url }
      },
    },
    {
      id: 'github.issue.comment@v1',
      source: SOURCE,
      description: 'Comments on a GitHub issue or pull request',
      input: z.object({ connection: connectionRef, repo, issue_number: z.number().int().positive(), body: z.string().min(1, 'must not be empty').max(65_000) }),
      outputs: ['id', 'url'],
      sideEffect: true,
      async run(input: { connection: string; repo: string; issue_number: number; body: string }, ctx) {
        const client = createGitHubClient(deps.outbound, await deps.connections.forAction(ctx.session, 'github', input.connection))
        const comment = await client.createComment(input.repo, input.issue_number, withMarker(input.body, ctx.idempotencyKey)!)
        return { id: comment.id, url: comment.html_url }
      },
    },
    {
      id: 'github.workflow.dispatch@v1',
      source: SOURCE,
      description: 'Starts a GitHub Actions workflow that has a workflow_dispatch trigger, on a branch or tag, with its inputs',
      input: z.object({
        connection: connectionRef, repo,
        workflow: z.union([z.string().regex(/^[A-Za-z0-9_.-]+\.ya?ml$/, 'expected a workflow file name such as deploy.yml or its numeric id'), z.number().int().positive()]).transform(String),
        ref: z.string().min(1, 'name a branch or tag').max(255),
        // GitHub takes at most 25 inputs, each a string (booleans and numbers as their text).
        inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).refine((i) => Object.keys(i).length <= 25, 'at most 25 inputs').optional(),
      }),
      outputs: ['repo', 'workflow', 'ref'],
      sideEffect: true,
      async run(input: { connection: string; repo: string; workflow: string; ref: string; inputs?: Record<string, string> }, ctx) {
        const client = createGitHubClient(deps.outbound, await deps.connections.forAction(ctx.session, 'github', input.connection))
        await client.dispatchWorkflow(input.repo, input.workflow, { ref: input.ref, ...(input.inputs ? { inputs: input.inputs } : {}) })
        return { repo: input.repo, workflow: input.workflow, ref: input.ref }
      },
    },
  ]
}
