/** Slash commands → Mattermost JSON (model/command.go, model/command_response.go, model/autocomplete_data.go). */
import type { CommandRecord } from '../commands/store.ts'
import type { AutocompleteData, CommandResponse, SlashCommand } from '../commands/registry.ts'

/** A custom command as its managers see it (token and URL included). */
export function presentCommand(command: CommandRecord): Record<string, unknown> {
  return {
    id: command.id,
    token: command.token,
    create_at: command.createAt,
    update_at: command.updateAt,
    delete_at: command.deleteAt,
    creator_id: command.creatorId,
    team_id: command.teamId,
    trigger: command.trigger,
    method: command.method,
    username: command.username,
    icon_url: command.iconUrl,
    auto_complete: command.autoComplete,
    auto_complete_desc: command.autoCompleteDesc,
    auto_complete_hint: command.autoCompleteHint,
    display_name: command.displayName,
    description: command.description,
    url: command.url,
    plugin_id: '',
  }
}

/** Mattermost's Command.Sanitize: what every team member may see of a command. */
export function presentSanitizedCommand(command: CommandRecord): Record<string, unknown> {
  return { ...presentCommand(command), token: '', creator_id: '', method: '', url: '', username: '', icon_url: '' }
}

/** A built-in as Mattermost lists its providers' commands (sanitized, no id). */
export function presentBuiltinCommand(command: SlashCommand): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: '', token: '', create_at: 0, update_at: 0, delete_at: 0, creator_id: '', team_id: '', trigger: command.id, method: '', username: '',
    icon_url: '', auto_complete: command.autoComplete, auto_complete_desc: command.description, auto_complete_hint: command.hint,
    display_name: command.displayName, description: '', url: '', plugin_id: '',
  }
  if (command.autocompleteData) out.autocomplete_data = command.autocompleteData satisfies AutocompleteData
  return out
}

/** The full CommandResponse (Go has no omitempty on it: absent fields are "", false or null). */
export function presentCommandResponse(response: CommandResponse): Record<string, unknown> {
  return {
    response_type: response.response_type ?? '',
    text: response.text ?? '',
    username: response.username ?? '',
    channel_id: response.channel_id ?? '',
    icon_url: response.icon_url ?? '',
    type: response.type ?? '',
    props: response.props ?? null,
    goto_location: response.goto_location ?? '',
    trigger_id: response.trigger_id ?? '',
    skip_slack_parsing: response.skip_slack_parsing ?? false,
    attachments: response.attachments ?? null,
    extra_responses: response.extra_responses?.map(presentCommandResponse) ?? null,
  }
}
