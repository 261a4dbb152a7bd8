/** Slash commands as one unit for the composition root: the registry with the built-ins, custom commands and the service that runs them. */
import type { Config } from '../config/index.ts'
import type { Database } from '../db/index.ts'
import type { OutboundClient } from '../outbound/client.ts'
import { createCommandRegistry, type CommandRegistry } from './registry.ts'
import { registerBuiltinCommands, type BuiltinDeps } from './builtins/index.ts'
import { createCommandStore } from './store.ts'
import { createCustomCommands, type CustomCommands } from './custom-commands.ts'
import { createCommandService, type CommandService } from './service.ts'
import type { TriggerIds } from '../interactive/trigger-ids.ts'

export type { CommandRegistry, SlashCommand, CommandArgs, CommandResponse } from './registry.ts'
export type { CommandService } from './service.ts'
export type { CustomCommands } from './custom-commands.ts'

export interface SlashCommandsOptions extends Omit<BuiltinDeps, 'registry'> {
  db: Database
  config: Pick<Config, 'siteUrl' | 'outgoingIntegrationRequestsTimeoutSeconds' | 'enablePostUsernameOverride' | 'enablePostIconOverride'>
  /** Calls custom command URLs (the address policy applies). */
  outbound: OutboundClient
  triggerIds: TriggerIds
}

export interface SlashCommands {
  /** Connectors register their commands here; /help and autocomplete list them. */
  registry: CommandRegistry
  service: CommandService
  custom: CustomCommands
}

/** @throws Error when two built-ins claim one trigger. */
export function createSlashCommands(options: SlashCommandsOptions): SlashCommands {
  const { db, config, log, channels, channelStore, teams, users, posts, statuses, outbound, triggerIds } = options
  const registry = createCommandRegistry()
  registerBuiltinCommands(registry, { log, channels, channelStore, teams, users, posts, statuses })
  const store = createCommandStore(db)
  const custom = createCustomCommands({ store, registry, teams, users })
  const service = createCommandService({
    store, registry, custom, channels, channelStore, teams, users, posts, outbound, log, triggerIds,
    siteUrl: config.siteUrl, timeoutMs: config.outgoingIntegrationRequestsTimeoutSeconds * 1000,
    enablePostUsernameOverride: config.enablePostUsernameOverride, enablePostIconOverride: config.enablePostIconOverride,
  })
  return { registry, service, custom }
}
