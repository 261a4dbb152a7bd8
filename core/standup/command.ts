/**
 * The /standup slash command (after Geekbot, Standuply and Mattermost's standup-raven plugin):
 * `config questions|schedule|timezone|deadline`, `status`, `skip [@user|me]`, `off`, `help`.
 */
import { AppError } from '../errors.ts'
import { isTimeZone } from '../jobs/index.ts'
import type { ChannelRecord, ChannelStore } from '../channels/store.ts'
import type { UserStore } from '../users/store.ts'
import { ephemeral, type AutocompleteData, type CommandArgs, type CommandResponse, type SlashCommand } from '../commands/registry.ts'
import { describeDuration, localDateTime, parseDeadline, simpleScheduleToCron } from './schedule.ts'
import type { ConfigChange, StandupService } from './service.ts'

const SOURCE = 'core/standup/command.ts'
const MAX_QUESTIONS = 10
const MAX_QUESTION_LENGTH = 500

export interface StandupCommandDeps {
  standup: StandupService
  channelStore: ChannelStore
  users: UserStore
}

export const STANDUP_HELP = [
  '**/standup** runs a daily standup in this channel: at the scheduled time the `standup` bot asks every member its questions in a direct message, one at a time; at the deadline it posts everyone\'s answers here, and who did not answer.',
  '',
  '- `/standup config questions "What did you do?" "What will you do?" "Blockers?"` sets the questions (up to 10)',
  '- `/standup config schedule "30 9 * * 1-5" Europe/Berlin` or `/standup config schedule weekdays 09:30 Europe/Berlin` sets when it runs (cron, or `weekdays`/`daily`/`mon,wed,fri` and a time) and turns it on',
  '- `/standup config timezone Europe/Berlin` sets the time zone the schedule is read in (default UTC)',
  '- `/standup config deadline 60` sets how long after the start the summary is posted: minutes, or `90m`, `2h`, `30s` (default 60 minutes)',
  '- `/standup status` shows the settings, the next run and who answered the latest one',
  '- `/standup skip` skips the next run; `/standup skip me` or `/standup skip @user` excuses one member today',
  '- `/standup off` stops it (the settings are kept)',
].join('\n')

const sub = (trigger: string, hint: string, helpText: string, subCommands: AutocompleteData[] = []): AutocompleteData => ({
  Trigger: trigger, Hint: hint, HelpText: helpText, RoleID: 'system_user', Arguments: [], SubCommands: subCommands,
})

/** Mattermost's autocomplete tree: the sub-commands and `config`'s settings. */
export const STANDUP_AUTOCOMPLETE: AutocompleteData = sub('standup', '[config|status|skip|off|help]', 'Daily standup in this channel', [
  sub('config', '[questions|schedule|timezone|deadline]', 'Set the questions, schedule, time zone or deadline', [
    sub('questions', '"question 1" "question 2" …', 'Set the questions asked in the DM'),
    sub('schedule', '"30 9 * * 1-5" [time zone] | weekdays 09:30 [time zone]', 'Set when the standup runs, and turn it on'),
    sub('timezone', 'Europe/Berlin', 'Set the time zone of the schedule'),
    sub('deadline', '60 | 90m | 2h', 'Set how long after the start the summary is posted'),
  ]),
  sub('status', '', 'Show the settings, the next run and who answered'),
  sub('skip', '[me|@user]', 'Skip the next run, or excuse a member today'),
  sub('off', '', 'Stop the standup in this channel'),
  sub('help', '', 'Explain /standup'),
])

/** Words of a command line; `"…"` (or curly quotes) keeps spaces inside one word. */
export function splitWords(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|“([^”]*)”|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!)
}

/** `schedule` arguments: a quoted cron, a simple `weekdays 09:30`, or cron fields, each optionally followed by a time zone. */
function parseSchedule(words: string[]): { cron: string; timeZone?: string } | string {
  if (words.length === 0) return 'Give a schedule, e.g. `/standup config schedule "30 9 * * 1-5" Europe/Berlin` or `/standup config schedule weekdays 09:30`.'
  const simple = words.length >= 2 ? simpleScheduleToCron(`${words[0]} ${words[1]}`) : null
  let cron: string
  let rest: string[]
  if (simple) [cron, rest] = [simple, words.slice(2)]
  else if (words[0]!.includes(' ')) [cron, rest] = [words[0]!, words.slice(1)]
  else {
    const last = words[words.length - 1]!
    const zoned = words.length > 5 && /[A-Za-z]/.test(last) && isTimeZone(last)
    ;[cron, rest] = zoned ? [words.slice(0, -1).join(' '), [last]] : [words.join(' '), []]
  }
  if (rest.length > 1) return `Unexpected words after the schedule: ${rest.slice(1).join(' ')}`
  return rest[0] === undefined ? { cron } : { cron, timeZone: rest[0] }
}

function parseConfig(words: string[]): ConfigChange | string {
  const [setting, ...args] = words
  switch (setting?.toLowerCase()) {
    case 'questions': {
      const questions = args.map((q) => q.trim()).filter(Boolean)
      if (questions.length === 0) return 'Give the questions in quotes, e.g. `/standup config questions "What did you do?" "Blockers?"`.'
      if (questions.length > MAX_QUESTIONS) return `A standup has at most ${MAX_QUESTIONS} questions.`
      if (questions.some((q) => q.length > MAX_QUESTION_LENGTH)) return `A question has at most ${MAX_QUESTION_LENGTH} characters.`
      return { questions }
    }
    case 'schedule':
      return parseSchedule(args)
    case 'timezone':
    case 'tz':
      if (args.length !== 1 || !isTimeZone(args[0]!)) return 'Give an IANA time zone, e.g. `/standup config timezone Europe/Berlin`.'
      return { timeZone: args[0]! }
    case 'deadline': {
      const deadlineMs = args.length === 1 ? parseDeadline(args[0]!) : null
      if (deadlineMs === null) return 'Give the deadline in minutes (or `90m`, `2h`, `30s`), at most a day, e.g. `/standup config deadline 60`.'
      return { deadlineMs }
    }
    default:
      return 'Use `/standup config questions|schedule|timezone|deadline …`; `/standup help` explains each.'
  }
}

async function statusText(deps: StandupCommandDeps, channel: ChannelRecord): Promise<string> {
  const { config, nextRunAt, latest } = await deps.standup.status(channel.id)
  if (!config) return `No standup is set up in ~${channel.name}. \`/standup help\` tells how.`
  const lines = [
    `**Standup in ~${channel.name}: ${config.enabled ? 'on' : 'off'}**`,
    '',
    'Questions:',
    ...config.questions.map((q, i) => `${i + 1}. ${q}`),
    '',
    `Schedule: ${config.cron ? `\`${config.cron}\`` : 'none'} (${config.timeZone})`,
    `Summary: ${describeDuration(config.deadlineMs)} after the start`,
    `Next run: ${nextRunAt === null ? 'none' : `${localDateTime(nextRunAt, config.timeZone)}${config.skipNext ? ' (will be skipped)' : ''}`}`,
  ]
  if (latest) {
    const { participants } = latest
    const names = (filter: (p: (typeof participants)[number]) => boolean) => participants.filter(filter).map((p) => `@${p.username}`).join(', ') || 'nobody'
    lines.push(
      '',
      `Latest run (${latest.run.day}, ${latest.run.summaryPostId ? 'summary posted' : `summary at ${localDateTime(latest.run.deadlineAt, config.timeZone)}`}):`,
      `- answered: ${names((p) => !p.skipped && p.answeredAt > 0)}`,
      `- ${latest.run.summaryPostId ? 'did not answer' : 'not yet answered'}: ${names((p) => !p.skipped && p.answeredAt === 0)}`,
      `- skipped: ${names((p) => p.skipped)}`,
    )
  }
  return lines.join('\n')
}

async function skip(deps: StandupCommandDeps, args: CommandArgs, channel: ChannelRecord, who: string | undefined): Promise<string> {
  if (who === undefined) {
    const at = await deps.standup.skipNextRun(channel.id, args.userId)
    const config = await deps.standup.getConfig(channel.id)
    return at === null || !config ? 'No standup is scheduled in this channel.' : `The standup of ${localDateTime(at, config.timeZone)} will be skipped.`
  }
  let userId = args.userId
  let name = 'You are'
  if (who.toLowerCase() !== 'me') {
    const user = await deps.users.getByUsername(who.replace(/^@/, '').toLowerCase())
    if (!user || user.deleteAt !== 0 || !(await deps.channelStore.getMember(channel.id, user.id))) return `${who} is not a member of this channel.`
    userId = user.id
    name = `@${user.username} is`
  }
  const day = await deps.standup.skipToday(channel.id, userId)
  return `${name} excused from the standup on ${day}.`
}

async function run(deps: StandupCommandDeps, args: CommandArgs, message: string): Promise<CommandResponse> {
  const words = splitWords(message)
  const action = (words[0] ?? 'help').toLowerCase()
  if (action === 'help') return ephemeral(STANDUP_HELP)
  const channel = await deps.channelStore.getById(args.channelId)
  if (!channel || channel.deleteAt !== 0) return ephemeral('Error retrieving the current channel.')
  if (channel.type === 'D' || channel.type === 'G') return ephemeral('A standup runs in a public or private channel, not in a direct or group message.')
  if (!args.session.isSystemAdmin && !(await deps.channelStore.getMember(channel.id, args.userId))) return ephemeral('Only members of this channel can run its standup.')
  switch (action) {
    case 'config': {
      const change = parseConfig(words.slice(1))
      if (typeof change === 'string') return ephemeral(change)
      try {
        await deps.standup.configure(channel.id, args.userId, change)
      } catch (err) {
        if (err instanceof AppError && err.statusCode === 400) return ephemeral(err.detailed || err.message)
        throw err
      }
      return ephemeral(`Standup settings saved.\n\n${await statusText(deps, channel)}`)
    }
    case 'status':
      return ephemeral(await statusText(deps, channel))
    case 'skip':
      return ephemeral(await skip(deps, args, channel, words[1]))
    case 'off':
      return ephemeral((await deps.standup.turnOff(channel.id, args.userId)) ? 'The standup in this channel is off. `/standup config schedule …` turns it on again.' : 'No standup is running in this channel.')
    default:
      return ephemeral(`Unknown sub-command "${words[0]}".\n\n${STANDUP_HELP}`)
  }
}

export function standupCommand(deps: StandupCommandDeps): SlashCommand {
  return {
    id: 'standup', source: SOURCE, displayName: 'standup', autoComplete: true, description: 'Daily standup in this channel: questions by DM, summary at a deadline',
    hint: '[config|status|skip|off|help]', autocompleteData: STANDUP_AUTOCOMPLETE,
    execute: (args, message) => run(deps, args, message),
  }
}
