/** Registers every built-in slash command, in the order /help lists them. */
import type { CommandRegistry } from '../registry.ts'
import type { BuiltinDeps } from './deps.ts'
import { messageCommands } from './messages.ts'
import { channelCommands } from './channels.ts'
import { directCommands } from './direct.ts'
import { statusCommands } from './status.ts'
import { helpCommands } from './help.ts'

export type { BuiltinDeps } from './deps.ts'

/** @throws Error when a trigger is registered twice. */
export function registerBuiltinCommands(registry: CommandRegistry, deps: Omit<BuiltinDeps, 'registry'>): void {
  const all = { ...deps, registry }
  for (const command of [...messageCommands(all), ...channelCommands(all), ...directCommands(all), ...statusCommands(all), ...helpCommands(all)]) {
    registry.register(command)
  }
}
