/** /echo, /me, /shrug and /code: built-ins that post text (Mattermost app/slashcommands/command_{echo,me,shrug,code}.go). */
import { IN_CHANNEL, ephemeral, type SlashCommand } from '../registry.ts'
import type { BuiltinDeps } from './deps.ts'

const ECHO_MAX_DELAY_SECONDS = 10000
const ECHO_MAX_PENDING = 100
// Mattermost's shrug, markdown-escaped so it renders as ¯\_(ツ)_/¯.
const SHRUG = '¯\\\\\\_(ツ)\\_/¯'

/** Mattermost's /echo argument parsing: `"quoted message" 5` or `message 5`, the number being a delay in seconds. */
function parseEcho(message: string): { text: string; delaySeconds: number } {
  const endQuote = message.lastIndexOf('"')
  if (message.startsWith('"') && endQuote > 1) {
    const delay = Number.parseInt(message.slice(endQuote).replace(/^[ "]+|[ "]+$/g, ''), 10)
    return { text: message.slice(1, endQuote), delaySeconds: Number.isNaN(delay) ? 0 : delay }
  }
  const lastSpace = message.lastIndexOf(' ')
  if (lastSpace >= 0) {
    const tail = message.slice(lastSpace).trim()
    if (/^[+-]?\d+$/.test(tail)) return { text: message.slice(0, lastSpace), delaySeconds: Number(tail) }
  }
  return { text: message, delaySeconds: 0 }
}

export function messageCommands(deps: BuiltinDeps): SlashCommand[] {
  let pendingEchoes = 0
  return [
    {
      id: 'echo', source: 'core/commands/builtins/messages.ts', displayName: 'echo', autoComplete: true,
      description: 'Echo back text from your account', hint: "'message' [delay in seconds]",
      async execute(args, message) {
        if (message === '') return ephemeral('A message must be provided with the /echo command.')
        const { text, delaySeconds } = parseEcho(message)
        if (delaySeconds > ECHO_MAX_DELAY_SECONDS) return ephemeral('Delays must be under 10000 seconds.')
        if (pendingEchoes >= ECHO_MAX_PENDING) return ephemeral('High volume of echo request, cannot process request.')
        pendingEchoes += 1
        // Like Mattermost, the echo is posted after the answer, from a background task.
        setTimeout(() => {
          deps.posts.create(args.session, { channel_id: args.channelId, root_id: args.rootId || undefined, message: text })
            .catch((err: unknown) => deps.log.warn({ err, channelId: args.channelId }, 'echo post failed'))
            .finally(() => { pendingEchoes -= 1 })
        }, Math.max(0, delaySeconds) * 1000).unref()
        return {}
      },
    },
    {
      id: 'me', source: 'core/commands/builtins/messages.ts', displayName: 'me', autoComplete: true,
      description: 'Do an action', hint: '[message]',
      async execute(_args, message) {
        return { response_type: IN_CHANNEL, type: 'me', text: `*${message}*`, props: { message } }
      },
    },
    {
      id: 'shrug', source: 'core/commands/builtins/messages.ts', displayName: 'shrug', autoComplete: true,
      description: 'Adds ¯\\_(ツ)_/¯ to your message', hint: '[message]',
      async execute(_args, message) {
        return { response_type: IN_CHANNEL, text: message === '' ? SHRUG : `${message} ${SHRUG}` }
      },
    },
    {
      id: 'code', source: 'core/commands/builtins/messages.ts', displayName: 'code', autoComplete: true,
      description: 'Display text as a code block', hint: '[text]',
      async execute(_args, message) {
        if (message === '') return ephemeral('A message must be provided with the /code command.')
        return { response_type: IN_CHANNEL, text: `    ${message.split('\n').join('\n    ')}`, skip_slack_parsing: true }
      },
    },
  ]
}
