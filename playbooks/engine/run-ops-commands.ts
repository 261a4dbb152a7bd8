/**
 * The `/playbook` subcommands for what a run's people do, typed in the run channel: `owner
 * @user`, `role <role> @user`, `assign <n> @user|none`, `due <n> <30m|ISO time|none>`, `run-item
 * <n>`, `retro [show|edit <text>|publish|cancel]`, `metric <id> <value>`. Item numbers are those
 * of the checklist post and `/playbook check`.
 */
import { AppError } from '../../core/errors.ts'
import { ephemeral, type CommandArgs, type CommandResponse } from '../../core/commands/registry.ts'
import type { UserStore } from '../../core/users/store.ts'
import { userByRef } from '../../core/users/by-ref.ts'
import { parseDuration } from '../dsl/index.ts'
import type { RunEngine } from './service.ts'
import type { RunRow } from './store.ts'
import { visibleItem } from './run-view.ts'

export const RUN_OPS_HINT = 'owner @user | role <role> @user | assign <n> @user | due <n> <30m|time|none> | run-item <n> | retro [publish|cancel|edit <text>] | metric <id> <value>'

export interface RunOpsCommandDeps {
  engine: RunEngine
  users: Pick<UserStore, 'getById' | 'getByUsername' | 'getByEmail'>
  now: () => number
}

async function someone(deps: RunOpsCommandDeps, ref: string | undefined, usage: string): Promise<string> {
  if (!ref) throw new AppError('app.playbook_run.command_usage.app_error', `Name the person: ${usage}.`, 400)
  const user = await userByRef(deps.users, ref)
  if (!user || user.deleteAt !== 0) throw new AppError('app.playbook_run.command_usage.app_error', `No user ${ref}.`, 400)
  return user.id
}

function itemOf(run: RunRow, words: string[], usage: string): { id: string; title: string } {
  const item = visibleItem(run.state, words)
  if (!item) throw new AppError('app.playbook_run.command_usage.app_error', `No checklist item ${words.join(' ') || '(none given)'}: ${usage}, with the item's number (1 to ${run.state.items.filter((i) => !i.hidden).length}).`, 400)
  return item
}

/** A due time as typed: `30m` from now, an ISO time, or `none`. */
function dueOf(text: string | undefined, now: number): number | undefined {
  if (!text) return undefined
  if (text === 'none' || text === 'clear') return 0
  const ms = parseDuration(text)
  if (ms !== undefined) return now + ms
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : at
}

/** Runs one of these subcommands on the channel's active run; null when `sub` is none of them. */
export async function runOpsCommand(deps: RunOpsCommandDeps, args: CommandArgs, sub: string, rest: string[], activeRun: () => Promise<RunRow>): Promise<CommandResponse | null> {
  const ops = deps.engine.ops
  const actor = { userId: args.userId, isSystemAdmin: args.session.isSystemAdmin }
  switch (sub) {
    case 'owner': {
      const run = await activeRun()
      const userId = await someone(deps, rest[0], '`/playbook owner @user`')
      const updated = await ops.changeRole(run.id, actor, undefined, userId)
      return ephemeral(`@${(await deps.users.getById(userId))?.username} now owns run #${updated.number}.`)
    }
    case 'role': {
      const [role, ref] = rest
      if (!role) return ephemeral('Name the role and the person: `/playbook role <role> @user`.')
      const run = await activeRun()
      const userId = await someone(deps, ref, '`/playbook role <role> @user`')
      await ops.changeRole(run.id, actor, role, userId)
      return ephemeral(`@${(await deps.users.getById(userId))?.username} is now the ${role}.`)
    }
    case 'assign': {
      const run = await activeRun()
      const ref = rest.at(-1)
      const item = itemOf(run, rest.slice(0, -1), '`/playbook assign <n> @user`')
      const userId = ref === 'none' ? '' : await someone(deps, ref, '`/playbook assign <n> @user`')
      await ops.setAssignee(run.id, actor, item.id, userId)
      return ephemeral(userId ? `"${item.title}" is assigned to ${ref!.startsWith('@') ? ref : `@${ref}`}.` : `"${item.title}" is unassigned.`)
    }
    case 'due': {
      const run = await activeRun()
      const when = rest.at(-1)
      const item = itemOf(run, rest.slice(0, -1), '`/playbook due <n> <30m|time|none>`')
      const dueAt = dueOf(when, deps.now())
      if (dueAt === undefined) return ephemeral(`"${when ?? ''}" is not a due time: give a duration such as 30m or 2h, an ISO time such as 2026-01-31T12:00Z, or none.`)
      await ops.setDueDate(run.id, actor, item.id, dueAt)
      return ephemeral(dueAt ? `"${item.title}" is due ${new Date(dueAt).toISOString()}.` : `"${item.title}" has no due date.`)
    }
    case 'run-item': {
      const run = await activeRun()
      const item = itemOf(run, rest, '`/playbook run-item <n>`')
      const result = await ops.runItem(run.id, args.session, item.id)
      return ephemeral(result.text || `Ran "${item.title}".`)
    }
    case 'retro': {
      const run = await activeRun()
      const [verb = 'show'] = rest
      if (verb === 'publish') {
        await ops.publishRetrospective(run.id, actor)
        return ephemeral('Retrospective published.')
      }
      if (verb === 'cancel') {
        await ops.cancelRetrospective(run.id, actor)
        return ephemeral('No retrospective for this run: its reminders stop.')
      }
      if (verb === 'edit') {
        const text = args.command.replace(/^\S+\s+retro\s+edit\s*/su, '')
        if (!text.trim()) return ephemeral('Write the retrospective after the command: `/playbook retro edit <text>`.')
        await ops.updateRetrospective(run.id, actor, text)
        return ephemeral('Retrospective draft saved.')
      }
      if (verb !== 'show') return ephemeral('Usage: `/playbook retro [show | edit <text> | publish | cancel]`.')
      return ephemeral((await ops.retrospective(run.id)).text)
    }
    case 'metric': {
      const [id, ...value] = rest
      if (!id || value.length === 0) return ephemeral('Name the metric and its value: `/playbook metric <id> <value>` (a duration such as 45m, an amount, a count, or none).')
      const run = await activeRun()
      const raw = value.join(' ')
      await ops.setMetrics(run.id, actor, [{ id, value: raw === 'none' ? null : raw }])
      return ephemeral(`${id} set to ${raw}.`)
    }
    default:
      return null
  }
}
