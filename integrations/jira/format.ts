/** Jira events as the Jira bot posts them: creation as a root post, changes and comments in its thread. */
import type { ChatMessage } from '../chat-message.ts'
import { link } from '../chat-message.ts'
import type { IntegrationEvent } from '../event.ts'

export function formatJiraEvent(event: IntegrationEvent): ChatMessage | null {
  const by = event.actor?.name ? ` by ${event.actor.name}` : ''
  const refKey = `issue:${event.correlationKey}`
  const title = link(event.title, event.url)
  switch (event.type) {
    case 'jira.issue.created':
      return { text: `:new: **Issue created**${by}: ${title}`, refKey, mode: 'post' }
    case 'jira.issue.transitioned':
      return { text: `:arrow_right: **Issue moved to ${event.status ?? 'a new status'}**${by}: ${title}`, refKey, mode: 'reply' }
    case 'jira.issue.updated':
      return { text: `:pencil2: **Issue updated**${by}: ${title}`, refKey, mode: 'reply' }
    case 'jira.issue.deleted':
      return { text: `:wastebasket: **Issue deleted**${by}: ${title}`, refKey, mode: 'reply' }
    case 'jira.comment.created':
      return { text: `:speech_balloon: **Comment**${by}: ${title}`, refKey, mode: 'reply' }
    default:
      return null
  }
}
