/**
 * A thin GitHub REST client over core's outbound client (not @octokit/core): Octokit calls the global fetch, which
 * would bypass the outbound address policy and deadline that a GitHub Enterprise base URL set by an admin must go
 * through, and two endpoints do not need a library. Docs: https://docs.github.com/en/rest/issues
 */
import type { OutboundClient } from '../../core/outbound/client.ts'
import type { ConnectionForCall } from '../connections.ts'
import { callVendor, requireCredential } from '../vendor-http.ts'

export const GITHUB_API_URL = 'https://api.github.com'
const TIMEOUT_MS = 15_000

export function createGitHubClient(outbound: OutboundClient, connection: ConnectionForCall) {
  const api = connection.settings.api_url ?? GITHUB_API_URL
  const headers = () => ({
    authorization: `Bearer ${requireCredential(connection, 'github', 'token')}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
  })
  const repoPath = (repo: string) => repo.split('/').map(encodeURIComponent).join('/')

  return {
    /** `POST /repos/{owner}/{repo}/issues` → 201 with the issue. */
    async createIssue(repo: string, issue: { title: string; body?: string; labels?: string[]; assignees?: string[] }): Promise<{ id: number; number: number; html_url: string }> {
      const response = await callVendor(outbound, 'github', { method: 'POST', url: `${api}/repos/${repoPath(repo)}/issues`, headers: headers(), json: issue, timeoutMs: TIMEOUT_MS })
      return response.json as { id: number; number: number; html_url: string }
    },

    /** `POST /repos/{owner}/{repo}/issues/{issue_number}/comments` (pull requests too) → 201 with the comment. */
    async createComment(repo: string, issueNumber: number, body: string): Promise<{ id: number; html_url: string }> {
      const response = await callVendor(outbound, 'github', { method: 'POST', url: `${api}/repos/${repoPath(repo)}/issues/${issueNumber}/comments`, headers: headers(), json: { body }, timeoutMs: TIMEOUT_MS })
      return response.json as { id: number; html_url: string }
    },

    /**
     * `POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches` with `{ref, inputs}` → 204; the id is the
     * workflow's numeric id or its file name (`deploy.yml`).
     */
    async dispatchWorkflow(repo: string, workflow: string, dispatch: { ref: string; inputs?: Record<string, string> }): Promise<void> {
      await callVendor(outbound, 'github', { method: 'POST', url: `${api}/repos/${repoPath(repo)}/actions/workflows/${encodeURIComponent(workflow)}/dispatches`, headers: headers(), json: dispatch, timeoutMs: TIMEOUT_MS })
    },
  }
}
