/** GitHub events as the GitHub bot posts them in subscribed channels, and which `/github subscribe` feature each belongs to. */
import type { ChatMessage } from '../chat-message.ts'
import { link } from '../chat-message.ts'
import type { IntegrationEvent } from '../event.ts'

export const GITHUB_FEATURES = ['issues', 'pulls', 'pushes', 'releases', 'workflows'] as const
export type GitHubFeature = (typeof GITHUB_FEATURES)[number]
/** What `/github subscribe owner/repo` follows when no features are named. */
export const DEFAULT_FEATURES: readonly GitHubFeature[] = ['issues', 'pulls', 'releases']

const FEATURE_OF_EVENT: Record<string, GitHubFeature> = {
  issues: 'issues',
  issue_comment: 'issues',
  pull_request: 'pulls',
  pull_request_review: 'pulls',
  push: 'pushes',
  release: 'releases',
  workflow_run: 'workflows',
  check_run: 'workflows',
}

/** Actions worth a post; the rest (labeled, synchronize, requested, …) only reach playbooks. */
const POSTED_ACTIONS: Record<string, readonly string[] | undefined> = {
  issues: ['opened', 'closed', 'reopened'],
  issue_comment: ['created'],
  pull_request: ['opened', 'closed', 'reopened', 'ready_for_review'],
  pull_request_review: ['submitted'],
  release: ['published'],
  workflow_run: ['completed'],
  check_run: ['completed'],
}

/** `issues.opened` → `issues`; undefined for events no subscription covers. */
export function featureOf(event: IntegrationEvent): GitHubFeature | undefined {
  return FEATURE_OF_EVENT[event.vendorEvent.split('.')[0]!]
}

/** `owner/repo` of the event, lower-cased as subscriptions store it. */
export function repoOf(event: IntegrationEvent): string | undefined {
  const repo = (event.raw as { repository?: { full_name?: unknown } } | null)?.repository?.full_name
  return typeof repo === 'string' ? repo.toLowerCase() : undefined
}

export function formatGitHubEvent(event: IntegrationEvent): ChatMessage | null {
  const [name, action] = event.vendorEvent.split('.') as [string, string | undefined]
  const allowed = POSTED_ACTIONS[name]
  if (allowed && (!action || !allowed.includes(action))) return null
  if (!FEATURE_OF_EVENT[name]) return null
  if (name === 'check_run' || name === 'workflow_run') {
    // Successful runs are noise in a channel; failures are what people act on.
    if (event.status === 'success' || event.status === 'skipped' || event.status === 'neutral') return null
  }
  const who = event.actor?.name ? `**${event.actor.name}** ` : ''
  const title = link(event.title, event.url)
  const refKey = `github:${event.correlationKey}`
  switch (name) {
    case 'issues':
      return { text: `:large_green_circle: ${who}${action} issue ${title}`, refKey, mode: action === 'opened' ? 'post' : 'reply' }
    case 'pull_request': {
      const verb = action === 'closed' && event.status === 'merged' ? 'merged' : action === 'ready_for_review' ? 'marked ready for review' : action!
      return { text: `:twisted_rightwards_arrows: ${who}${verb} pull request ${title}`, refKey, mode: action === 'opened' ? 'post' : 'reply' }
    }
    case 'issue_comment':
      return { text: `:speech_balloon: ${who}commented on ${title}`, refKey, mode: 'reply' }
    case 'pull_request_review':
      return { text: `:mag: ${who}reviewed ${title}`, refKey, mode: 'reply' }
    case 'push':
      return { text: `:arrow_up: ${who}${title}`, refKey, mode: 'post' }
    case 'release':
      return { text: `:rocket: ${who}published ${title}`, refKey, mode: 'post' }
    default:
      return { text: `:x: ${title}`, refKey, mode: 'post' }
  }
}
