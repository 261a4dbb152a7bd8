/**
 * The slash-command registry: every built-in (and every command a connector adds) registers here
 * by trigger with the metadata that `/help`, autocomplete and the command list are built from
 * (Mattermost's RegisterCommandProvider map).
 */
import { Registry, type Registered } from '../registry.ts'
import type { AuthSession } from '../auth/session-types.ts'

/** Mattermost's model.AutocompleteData: a command's or sub-command's suggestion tree. */
export interface AutocompleteData {
  Trigger: string
  Hint: string
  HelpText: string
  /** `system_user` (everyone) or `system_admin` (suggested to admins only). */
  RoleID: string
  Arguments: unknown[] | null
  SubCommands: AutocompleteData[] | null
}

/** Who runs a command, where (Mattermost's model.CommandArgs). */
export interface CommandArgs {
  session: AuthSession
  userId: string
  channelId: string
  /** The channel's team; for DMs and GMs the team the client named. */
  teamId: string
  rootId: string
  /** The whole command line, e.g. `/echo hello`. */
  command: string
  siteUrl: string
  /** Opaque id an integration may use to open a dialog (Mattermost's trigger_id). */
  triggerId: string
}

/** Mattermost's model.CommandResponse as an integration or a built-in answers it. */
export interface CommandResponse {
  response_type?: string
  text?: string
  username?: string
  channel_id?: string
  icon_url?: string
  type?: string
  props?: Record<string, unknown> | null
  goto_location?: string
  trigger_id?: string
  skip_slack_parsing?: boolean
  attachments?: unknown[] | null
  extra_responses?: CommandResponse[] | null
}

export const IN_CHANNEL = 'in_channel'
export const EPHEMERAL = 'ephemeral'

/** A command the server runs itself (Mattermost's CommandProvider). */
export interface SlashCommand extends Registered {
  /** The trigger without `/`, lowercase. */
  id: string
  displayName: string
  /** What autocomplete shows beside the trigger (`auto_complete_desc`). */
  description: string
  /** Arguments, e.g. `@[username] 'message'` (`auto_complete_hint`). */
  hint: string
  /** Listed by autocomplete and /help. */
  autoComplete: boolean
  autocompleteData?: AutocompleteData
  /**
   * Runs the command. `message` is everything after the trigger and its first whitespace.
   * Failures the user should read come back as ephemeral responses, as in Mattermost.
   */
  execute(args: CommandArgs, message: string): Promise<CommandResponse>
}

export type CommandRegistry = Registry<SlashCommand>

export function createCommandRegistry(): CommandRegistry {
  return new Registry<SlashCommand>('slash command')
}

/** An ephemeral answer (only the caller sees it). */
export function ephemeral(text: string): CommandResponse {
  return { response_type: EPHEMERAL, text }
}

/** Mattermost's NewAutocompleteData for a command without its own tree. */
export function autocompleteDataFor(trigger: string, hint: string, helpText: string): AutocompleteData {
  return { Trigger: trigger, Hint: hint, HelpText: helpText, RoleID: 'system_user', Arguments: [], SubCommands: [] }
}
