/**
 * Custom slash commands managed through the API (Mattermost api4/command.go + app/command.go):
 * create, read, update, delete and regenerate the token, for team admins and system admins
 * (Mattermost's manage_own/others_slash_commands, which only those roles hold by default).
 */
import { AppError, forbidden } from '../errors.ts'
import { newId, isValidId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { TeamService } from '../teams/service.ts'
import type { UserStore } from '../users/store.ts'
import type { CommandRegistry } from './registry.ts'
import type { CommandRecord, CommandStore } from './store.ts'

/** The fields a client sends (Mattermost's Command JSON); the server decides the rest. */
export interface CommandInput {
  id?: string
  team_id: string
  trigger: string
  method: string
  url: string
  creator_id?: string
  username?: string
  icon_url?: string
  auto_complete?: boolean
  auto_complete_desc?: string
  auto_complete_hint?: string
  display_name?: string
  description?: string
}

export interface CustomCommandOptions {
  store: CommandStore
  registry: CommandRegistry
  teams: TeamService
  users: UserStore
}

function invalid(field: string, message: string): AppError {
  return new AppError(`model.command.is_valid.${field}.app_error`, message, 400, { context: { field } })
}

/** Mattermost's Command.IsValid for the fields a client controls. */
function checkCommand(command: CommandRecord): void {
  if (!isValidId(command.teamId)) throw invalid('team_id', 'Invalid team ID.')
  if (command.trigger.length < 1 || command.trigger.length > 128 || command.trigger.startsWith('/') || command.trigger.includes(' ')) {
    throw invalid('trigger', 'Invalid trigger: 1 to 128 characters, no leading slash and no spaces.')
  }
  if (command.url === '' || command.url.length > 1024) throw invalid('url', 'Invalid URL.')
  let url: URL | undefined
  try {
    url = new URL(command.url)
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.host) {
    throw invalid('url_http', 'Invalid URL. Must be a valid URL and start with http:// or https://.')
  }
  if (command.method !== 'P' && command.method !== 'G') throw invalid('method', 'Invalid Method: P (POST) or G (GET).')
  if ([...command.displayName].length > 64) throw invalid('display_name', 'Invalid title: at most 64 characters.')
  if ([...command.description].length > 128) throw invalid('description', 'Invalid description: at most 128 characters.')
}

/** Mattermost's SetCommandNotFoundError: also what callers without access get, so ids do not leak. */
export function commandNotFound(id: string): AppError {
  return new AppError('store.sql_command.save.get.app_error', 'Unable to get the command.', 404, { context: { commandId: id } })
}

export function createCustomCommands(options: CustomCommandOptions) {
  const { store, registry, teams, users } = options

  async function canManage(session: AuthSession, teamId: string): Promise<boolean> {
    if (session.isSystemAdmin) return true
    return isValidId(teamId) && (await teams.isTeamAdmin(session, teamId))
  }

  /** Built-in triggers and the team's other live commands are taken. */
  async function checkTriggerFree(teamId: string, trigger: string, exceptId = ''): Promise<void> {
    const taken = registry.get(trigger) !== undefined || (await store.listByTeam(teamId)).some((c) => c.id !== exceptId && c.trigger.toLowerCase() === trigger)
    if (taken) throw new AppError('api.command.duplicate_trigger.app_error', 'This trigger word is already in use. Please choose another word.', 400, { context: { teamId, trigger } })
  }

  /** A command the caller may manage, else the not-found error. */
  async function requireManaged(session: AuthSession, id: string): Promise<CommandRecord> {
    const command = await store.get(id)
    if (!command || !(await canManage(session, command.teamId))) throw commandNotFound(id)
    return command
  }

  function fromInput(input: CommandInput): Pick<CommandRecord, 'trigger' | 'method' | 'url' | 'username' | 'iconUrl' | 'autoComplete' | 'autoCompleteDesc' | 'autoCompleteHint' | 'displayName' | 'description'> {
    return {
      trigger: input.trigger.toLowerCase(),
      method: input.method,
      url: input.url,
      username: input.username ?? '',
      iconUrl: input.icon_url ?? '',
      autoComplete: input.auto_complete ?? false,
      autoCompleteDesc: input.auto_complete_desc ?? '',
      autoCompleteHint: input.auto_complete_hint ?? '',
      displayName: input.display_name ?? '',
      description: input.description ?? '',
    }
  }

  return {
    canManage,
    requireManaged,

    /**
     * Creates a command in `input.team_id` owned by the caller (or by `creator_id`).
     * @throws AppError 403 without manage permission in the team; 400 for a taken trigger or an invalid field; 404 for an unknown creator.
     */
    async create(session: AuthSession, input: CommandInput): Promise<CommandRecord> {
      if (!(await canManage(session, input.team_id))) throw forbidden(`managing slash commands of team ${input.team_id}`)
      let creatorId = session.userId
      if (input.creator_id && input.creator_id !== session.userId) {
        const creator = isValidId(input.creator_id) ? await users.getById(input.creator_id) : null
        if (!creator) throw new AppError('app.user.missing_account.const', 'Unable to find the user.', 404, { context: { userId: input.creator_id } })
        creatorId = creator.id
      }
      const now = nowMillis()
      const command: CommandRecord = { id: newId(), token: newId(), createAt: now, updateAt: now, deleteAt: 0, creatorId, teamId: input.team_id, ...fromInput(input) }
      await checkTriggerFree(command.teamId, command.trigger)
      checkCommand(command)
      await store.insert(command)
      return command
    },

    /** @throws AppError 404 when unknown or not the caller's to manage. */
    get: requireManaged,

    /**
     * Replaces the editable fields; id, token, creator, team and times stay.
     * @throws AppError 404 unknown or not manageable; 400 `api.command.team_mismatch.app_error`, a taken trigger or an invalid field.
     */
    async update(session: AuthSession, id: string, input: CommandInput): Promise<CommandRecord> {
      const old = await store.get(id)
      if (!old) throw commandNotFound(id)
      if (input.team_id !== old.teamId) throw new AppError('api.command.team_mismatch.app_error', 'Unable to update commands across teams.', 400, { context: { commandId: id } })
      if (!(await canManage(session, old.teamId))) throw commandNotFound(id)
      const updated: CommandRecord = { ...old, ...fromInput(input), updateAt: nowMillis() }
      await checkTriggerFree(updated.teamId, updated.trigger, id)
      checkCommand(updated)
      await store.update(updated)
      return updated
    },

    /** @throws AppError 404 unknown or not manageable. */
    async delete(session: AuthSession, id: string): Promise<void> {
      const command = await requireManaged(session, id)
      await store.markDeleted(command.id, nowMillis())
    },

    /** A new token; the old one stops being sent. @throws AppError 404 unknown or not manageable. */
    async regenerateToken(session: AuthSession, id: string): Promise<string> {
      const command = await requireManaged(session, id)
      const updated = { ...command, token: newId(), updateAt: nowMillis() }
      await store.update(updated)
      return updated.token
    },
  }
}

export type CustomCommands = ReturnType<typeof createCustomCommands>
