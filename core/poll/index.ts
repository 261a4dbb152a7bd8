/**
 * /poll (Matterpoll's behaviour): the slash command that posts a poll, and the in-process handler
 * its buttons reach through the interactive-message mechanism (`bridgehead://poll/…`).
 */
import { newId, isValidId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Database } from '../db/index.ts'
import type { Logger } from '../log.ts'
import type { PostService } from '../posts/service.ts'
import type { UserStore } from '../users/store.ts'
import { autocompleteDataFor, ephemeral, type SlashCommand } from '../commands/registry.ts'
import type { ActionResponse, InProcessHandler } from '../interactive/handlers.ts'
import { parsePoll } from './parse.ts'
import { createPollStore, type PollRecord, type VoteOutcome } from './store.ts'
import { renderEndedPoll, renderOpenPoll } from './render.ts'

const SOURCE = 'core/poll/index.ts'
const HINT = '"[Question]" "[Option 1]" "[Option 2]"... [--anonymous] [--progress] [--multi]'

const VOTE_MESSAGES: Record<VoteOutcome, string> = {
  counted: 'Your vote has been counted.',
  updated: 'Your vote has been updated.',
  already_voted: "You've already voted for this option.",
}

export interface PollOptions {
  db: Database
  posts: PostService
  users: UserStore
  log: Logger
}

export interface Polls {
  command: SlashCommand
  handler: InProcessHandler
}

export function createPolls(options: PollOptions): Polls {
  const { posts, users, log } = options
  const store = createPollStore(options.db)

  async function usernameOf(userId: string): Promise<string> {
    return (await users.getById(userId))?.username ?? userId
  }

  async function renderedUpdate(poll: PollRecord): Promise<ActionResponse['update']> {
    const votes = await store.votes(poll.id)
    const creator = await usernameOf(poll.creatorId)
    if (poll.endAt === 0) return { message: '', props: renderOpenPoll(poll, votes, creator) }
    const voters = [...new Set(votes.map((v) => v.userId))]
    const usernames = new Map((voters.length > 0 && !poll.anonymous ? await users.getByIds(voters) : []).map((u) => [u.id, u.username]))
    return { message: '', props: renderEndedPoll(poll, votes, creator, usernames) }
  }

  const command: SlashCommand = {
    id: 'poll', source: SOURCE, displayName: 'poll', autoComplete: true, description: 'Create a poll', hint: HINT,
    autocompleteData: autocompleteDataFor('poll', HINT, 'Create a poll'),
    async execute(args, message) {
      const parsed = parsePoll(message)
      if ('error' in parsed) return ephemeral(parsed.error)
      const now = nowMillis()
      const poll: PollRecord = {
        id: newId(), postId: '', channelId: args.channelId, creatorId: args.userId, question: parsed.question, options: parsed.options,
        ...parsed.settings, createAt: now, endAt: 0,
      }
      const props = renderOpenPoll(poll, [], await usernameOf(args.userId))
      const created = await posts.createForIntegration(args.session, { channel_id: args.channelId, root_id: args.rootId || undefined, message: '', type: 'slack_attachment', props })
      await store.insert({ ...poll, postId: created.post.id })
      return {}
    },
  }

  const handler: InProcessHandler = {
    id: 'poll', source: SOURCE,
    async handleAction(request, session) {
      const pollId = typeof request.context.poll_id === 'string' ? request.context.poll_id : ''
      const poll = isValidId(pollId) ? await store.get(pollId) : null
      // A copy of the buttons in another post must not reach the poll.
      if (!poll || poll.postId !== request.post_id) return { ephemeral_text: 'This poll no longer exists.' }
      if (poll.endAt !== 0) return { ephemeral_text: 'This poll has ended.' }
      switch (request.context.action) {
        case 'vote': {
          const option = request.context.option
          if (typeof option !== 'number' || !Number.isInteger(option) || option < 0 || option >= poll.options.length) return { ephemeral_text: 'This option does not exist.' }
          const outcome = await store.vote(poll.id, session.userId, option, poll.multi, nowMillis())
          return { update: outcome === 'already_voted' ? null : await renderedUpdate(poll), ephemeral_text: VOTE_MESSAGES[outcome] }
        }
        case 'reset': {
          const removed = await store.resetVotes(poll.id, session.userId)
          if (removed === 0) return { ephemeral_text: "You haven't voted yet." }
          return { update: await renderedUpdate(poll), ephemeral_text: poll.multi ? 'All your votes have been reset.' : 'Your vote has been reset.' }
        }
        case 'end': {
          if (poll.creatorId !== session.userId && !session.isSystemAdmin) return { ephemeral_text: 'Only the creator of a poll and System Admins are allowed to end it.' }
          const at = nowMillis()
          if (!(await store.end(poll.id, at))) return { ephemeral_text: 'This poll has ended.' }
          log.debug({ pollId: poll.id, postId: poll.postId }, 'poll ended')
          return { update: await renderedUpdate({ ...poll, endAt: at }) }
        }
        default:
          return { ephemeral_text: 'Unknown poll action.' }
      }
    },
  }

  return { command, handler }
}
