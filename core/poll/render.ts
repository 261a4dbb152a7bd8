/** A poll as post props: the open poll with its buttons (Matterpoll ToPostActions), the ended one with its results (ToEndPollPost). */
import { readSlackAttachments } from '../posts/slack-compat.ts'
import type { PollRecord, PollVoteRecord } from './store.ts'

/** `integration.url` of poll buttons: handled in process (see core/interactive/handlers.ts). */
export const POLL_ACTION_URL = 'bridgehead://poll/action'

export type PollAction = 'vote' | 'reset' | 'end'

function countsOf(poll: PollRecord, votes: PollVoteRecord[]): number[] {
  const counts = poll.options.map(() => 0)
  for (const vote of votes) if (vote.optionIndex < counts.length) counts[vote.optionIndex] = (counts[vote.optionIndex] ?? 0) + 1
  return counts
}

function summary(poll: PollRecord, votes: PollVoteRecord[]): string {
  const settings = [poll.anonymous && 'anonymous', poll.progress && 'progress', poll.multi && 'multi'].filter(Boolean)
  const lines = ['---']
  if (settings.length > 0) lines.push(`**Poll Settings**: ${settings.join(', ')}`)
  const voters = new Set(votes.map((v) => v.userId)).size
  lines.push(poll.multi ? `**Total votes**: ${votes.length} (${voters} ${voters === 1 ? 'voter' : 'voters'})` : `**Total votes**: ${votes.length}`)
  return lines.join('\n')
}

function button(id: string, name: string, poll: PollRecord, action: PollAction, extra: Record<string, unknown> = {}, style = 'default'): Record<string, unknown> {
  return { id, name, type: 'button', style, integration: { url: POLL_ACTION_URL, context: { poll_id: poll.id, action, ...extra } } }
}

/** The props of an open poll: one button per option (with counts under --progress), reset and end. */
export function renderOpenPoll(poll: PollRecord, votes: PollVoteRecord[], creatorName: string): Record<string, unknown> {
  const counts = countsOf(poll, votes)
  const actions = [
    ...poll.options.map((option, i) => button(`vote${i}`, poll.progress ? `${option} (${counts[i]})` : option, poll, 'vote', { option: i })),
    button('resetVote', poll.multi ? 'Reset Your Votes' : 'Reset Your Vote', poll, 'reset', {}, 'primary'),
    button('endPoll', 'End Poll', poll, 'end', {}, 'primary'),
  ]
  return { poll_id: poll.id, attachments: readSlackAttachments([{ author_name: creatorName, title: poll.question, text: summary(poll, votes), actions }]) }
}

/** `a`, `a and b`, `a, b and c` (Matterpoll's voter list). */
function listNames(names: string[]): string {
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
}

/** The props of an ended poll: the results per option, with voters unless anonymous; no buttons. */
export function renderEndedPoll(poll: PollRecord, votes: PollVoteRecord[], creatorName: string, usernames: Map<string, string>): Record<string, unknown> {
  const fields = poll.options.map((option, i) => {
    const voters = votes.filter((v) => v.optionIndex === i).map((v) => `@${usernames.get(v.userId) ?? v.userId}`)
    return { short: true, title: `${option} (${voters.length} ${voters.length === 1 ? 'vote' : 'votes'})`, value: poll.anonymous ? '' : listNames(voters) }
  })
  return { poll_id: poll.id, attachments: readSlackAttachments([{ author_name: creatorName, title: poll.question, text: 'This poll has ended. The results are:', fields }]) }
}
