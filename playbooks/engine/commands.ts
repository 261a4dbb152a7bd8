/**
 * Slash commands of the run engine: each playbook's own trigger (`/incident declare "title"
 * --sev 1`), and `/playbook run|check|skip|status|mitigate|resolve|finish|cancel` for runs (and
 * owner|role|assign|due|run-item|retro|metric, run-ops-commands.ts). The
 * in-channel subcommands act on the active run of the channel they are typed in.
 */
import { AppError } from '../../core/errors.ts'
import { newId } from '../../core/ids.ts'
import { nowMillis } from '../../core/clock.ts'
import { autocompleteDataFor, ephemeral, type CommandArgs, type CommandResponse, type SlashCommand } from '../../core/commands/registry.ts'
import type { UserStore } from '../../core/users/store.ts'
import type { RunEngine } from './service.ts'
import { commandTrigger } from './trigger.ts'
import type { RunRow } from './store.ts'
import type { RunStatus } from './state.ts'
import { RUN_OPS_HINT, runOpsCommand } from './run-ops-commands.ts'
import { visibleItem } from './run-view.ts'

/** Words of a command line; "double quoted" or “curly quoted” words keep their spaces. */
export function splitWords(text: string): string[] {
  const words: string[] = []
  const re = /"([^"]*)"|“([^”]*)”|(\S+)/g
  for (const m of text.matchAll(re)) words.push(m[1] ?? m[2] ?? m[3] ?? '')
  return words
}

/** `--name value` pairs and the remaining words. */
export function splitFlags(words: string[]): { flags: Record<string, string>; rest: string[] } {
  const flags: Record<string, string> = {}
  const rest: string[] = []
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    if (w.startsWith('--') && w.length > 2) {
      const [name, inline] = w.slice(2).split('=', 2) as [string, string | undefined]
      if (inline !== undefined) flags[name] = inline
      else if (i + 1 < words.length && !words[i + 1]!.startsWith('--')) flags[name] = words[++i]!
      else flags[name] = 'true'
    } else rest.push(w)
  }
  return { flags, rest }
}

const STATUS_WORDS: Record<string, RunStatus> = { mitigate: 'mitigated', mitigated: 'mitigated', resolve: 'resolved', resolved: 'resolved', finish: 'finished', cancel: 'canceled' }

export interface RunCommandDeps {
  engine: RunEngine
  users: Pick<UserStore, 'getById' | 'getByUsername' | 'getByEmail'>
}

const actorOf = (args: CommandArgs) => ({ userId: args.userId, isSystemAdmin: args.session.isSystemAdmin })

async function activeRun(deps: RunCommandDeps, channelId: string): Promise<RunRow> {
  const [run] = await deps.engine.store.activeInChannel(channelId)
  if (!run) throw new AppError('app.playbook_run.no_active_run.app_error', 'There is no active run in this channel.', 400)
  return run
}

/** The subcommands every run command shares; null when `sub` is not one of them. */
async function inRunCommand(deps: RunCommandDeps, args: CommandArgs, sub: string, rest: string[]): Promise<CommandResponse | null> {
  if (STATUS_WORDS[sub]) {
    const run = await activeRun(deps, args.channelId)
    await deps.engine.setStatus(run.id, actorOf(args), STATUS_WORDS[sub]!)
    return ephemeral(`Run #${run.number} is now ${STATUS_WORDS[sub]}.`)
  }
  if (sub === 'status') {
    const text = rest.join(' ').trim()
    if (!text) return ephemeral('Write the update after the command: `status <what changed>`.')
    const run = await activeRun(deps, args.channelId)
    await deps.engine.statusUpdate(run.id, actorOf(args), text)
    return ephemeral('Status update posted.')
  }
  if (sub === 'check' || sub === 'skip' || sub === 'uncheck') {
    const run = await activeRun(deps, args.channelId)
    // `name=value` words give the item's `requires`: /playbook check 2 run_url=https://…
    const values = Object.fromEntries(rest.filter((w) => /^\w+=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]))
    const words = rest.filter((w) => !/^\w+=/.test(w))
    const item = visibleItem(run.state, words)
    if (!item) return ephemeral(`No checklist item ${words.join(' ') || '(none given)'}: give its number, 1 to ${run.state.items.filter((i) => !i.hidden).length}.`)
    await deps.engine.setItemState(run.id, item.id, args.userId, sub === 'check' ? 'closed' : sub === 'skip' ? 'skipped' : 'open', values)
    return ephemeral(`"${item.title}" ${sub === 'check' ? 'checked' : sub === 'skip' ? 'skipped' : 'reopened'}.`)
  }
  return runOpsCommand({ ...deps, now: nowMillis }, args, sub, rest, () => activeRun(deps, args.channelId))
}

async function startFrom(deps: RunCommandDeps, args: CommandArgs, playbook: string, command: string, words: string[]): Promise<CommandResponse> {
  const { flags, rest } = splitFlags(words)
  const user = await deps.users.getById(args.userId)
  const title = rest.join(' ').trim()
  const trigger = commandTrigger({ command, userId: args.userId, username: user?.username ?? '', email: user?.email ?? '', title, args: flags, now: nowMillis(), id: newId() })
  const inputs: Record<string, unknown> = { ...flags }
  if (flags.severity && !flags.sev) inputs.sev = flags.severity
  const { run } = await deps.engine.start({ playbook, teamId: args.teamId, actorId: args.userId, title: title || undefined, inputs, trigger })
  return ephemeral(`Started run #${run.number} of **${playbook}**: ${run.title}. Its channel is being set up; you will be added to it.`)
}

const PLAYBOOK_HINT = `list | problems | run <playbook> "title" | check <n> | skip <n> | status <text> | mitigate | resolve | finish | cancel | ${RUN_OPS_HINT}`

export function runCommands(deps: RunCommandDeps & { library: { list(): readonly { name: string }[]; get(name: string): unknown }; listing: SlashCommand }): { playbook: SlashCommand; forTrigger(trigger: string, playbook: string, description: string): SlashCommand } {
  const answer = async (work: () => Promise<CommandResponse>): Promise<CommandResponse> => {
    try {
      return await work()
    } catch (err) {
      if (err instanceof AppError && err.statusCode < 500) return ephemeral(err.message)
      throw err
    }
  }
  return {
    playbook: {
      id: 'playbook', source: 'playbooks', displayName: 'playbook', autoComplete: true, description: 'Start and work playbook runs', hint: PLAYBOOK_HINT,
      autocompleteData: autocompleteDataFor('playbook', PLAYBOOK_HINT, 'Start and work playbook runs'),
      execute: (args, message) => answer(async () => {
        const [sub = 'list', ...rest] = splitWords(message)
        if (sub === 'list' || sub === 'problems') return deps.listing.execute(args, sub)
        if (sub === 'run') {
          const [name, ...words] = rest
          if (!name) return ephemeral(`Name the playbook: /playbook run <name> "title". Loaded: ${deps.library.list().map((e) => e.name).join(', ')}`)
          return startFrom(deps, args, name, '/playbook', words)
        }
        return (await inRunCommand(deps, args, sub, rest)) ?? ephemeral(`Unknown subcommand "${sub}". Usage: /playbook ${PLAYBOOK_HINT}`)
      }),
    },
    forTrigger(trigger, playbook, description) {
      const hint = 'declare "title" [--sev 1] | status <text> | mitigate | resolve | check <n>'
      return {
        id: trigger, source: `playbook ${playbook}`, displayName: trigger, autoComplete: true, description, hint,
        autocompleteData: autocompleteDataFor(trigger, hint, description),
        execute: (args, message) => answer(async () => {
          const words = splitWords(message)
          const [sub = ''] = words
          if (!deps.library.get(playbook)) return ephemeral(`The playbook "${playbook}" behind /${trigger} is no longer loaded.`)
          if (sub === 'declare' || sub === 'start' || sub === 'run') return startFrom(deps, args, playbook, `/${trigger}`, words.slice(1))
          const inRun = await inRunCommand(deps, args, sub, words.slice(1))
          if (inRun) return inRun
          // `/incident "title"`: a declaration without the word.
          return startFrom(deps, args, playbook, `/${trigger}`, words)
        }),
      }
    },
  }
}
