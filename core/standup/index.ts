/** /standup as one unit for the composition root: its store, service (jobs, DM replies) and slash command. */
import type { Database } from '../db/index.ts'
import type { CommandRegistry } from '../commands/registry.ts'
import { createStandupStore } from './store.ts'
import { createStandupService, type StandupServiceOptions, type StandupService } from './service.ts'
import { standupCommand } from './command.ts'

export type { StandupService } from './service.ts'

export interface StandupOptions extends Omit<StandupServiceOptions, 'store'> {
  db: Database
  /** Where `/standup` registers. */
  registry: CommandRegistry
}

/**
 * Builds /standup: registers its job types (call before `jobs.start()`), subscribes
 * to DM replies and registers the slash command.
 * @throws Error when the trigger or a job type is taken.
 */
export function startStandup(options: StandupOptions): StandupService {
  const { db, registry, ...rest } = options
  const standup = createStandupService({ ...rest, store: createStandupStore(db) })
  standup.start()
  registry.register(standupCommand({ standup, channelStore: rest.channelStore, users: rest.users }))
  return standup
}
