/**
 * Playbooks in a running server: the library of playbook files, the run engine and its jobs, the
 * slash commands (each playbook's own trigger and /playbook), connector events that start or
 * feed runs, approval buttons, and the REST API. core/main.ts calls `startPlaybooks` once.
 */
import type { Database } from '../core/db/index.ts'
import type { Logger } from '../core/log.ts'
import type { JobService } from '../core/jobs/service.ts'
import type { ActionRegistry, ActionService } from '../core/actions/index.ts'
import type { ChannelService } from '../core/channels/service.ts'
import type { ChannelStore } from '../core/channels/store.ts'
import type { PostService } from '../core/posts/service.ts'
import type { TeamService } from '../core/teams/service.ts'
import type { UserStore, UserRecord } from '../core/users/store.ts'
import type { EventBus } from '../core/realtime/events.ts'
import type { CommandRegistry } from '../core/commands/registry.ts'
import type { InProcessHandlerRegistry } from '../core/interactive/handlers.ts'
import type { RouteModule } from '../core/http/app.ts'
import { AppError } from '../core/errors.ts'
import { createPlaybookLibrary, type PlaybookLibrary } from './library.ts'
import { liveActionCatalog } from './catalog.ts'
import { playbookCommand } from './command.ts'
import { ADVANCE_JOB, EXECUTE_JOB, RUN_BATCH_MAX, createRunEngine, type ExecuteData, type RunEngine } from './engine/service.ts'
import { REMIND_JOB } from './engine/reminders.ts'
import { RETRO_REMIND_JOB } from './engine/run-ops.ts'
import { startItemAutoComplete } from './engine/auto-complete.ts'
import { startInternalTriggers } from './engine/triggers.ts'
import type { PostStore } from '../core/posts/store.ts'
import type { TeamStore } from '../core/teams/store.ts'
import { runCommands } from './engine/commands.ts'
import { playbookRoutes } from './http.ts'
import type { IntegrationEventLike } from './engine/trigger.ts'

export interface PlaybooksDeps {
  db: Database
  jobs: JobService
  actions: ActionService
  actionRegistry: ActionRegistry
  channels: ChannelService
  channelStore: ChannelStore
  postStore: PostStore
  teamStore: TeamStore
  posts: PostService
  teams: TeamService
  users: UserStore
  /** Custom groups (core/groups), for `group:` references. */
  groups: { activeMemberIdsByName(name: string): Promise<string[]> }
  /** Emails of who is on call now for a schedule (core/oncall), for `oncall:` references; [] when nobody is known. */
  onCall(teamId: string, schedule: string): Promise<string[]>
  bus: EventBus
  bots: { ensureBot(input: { username: string; displayName: string; description: string; ownerId: string }): Promise<UserRecord> }
  commands: CommandRegistry
  interactive: InProcessHandlerRegistry
  siteUrl: string
  playbooksDir: string | undefined
  log: Logger
}

export interface Playbooks {
  library: PlaybookLibrary
  engine: RunEngine
  routes: RouteModule
  close(): void
}

export function startPlaybooks(deps: PlaybooksDeps): Playbooks {
  const { log } = deps
  const registeredTriggers = new Set<string>()
  let registerTriggers = () => {}
  const library = createPlaybookLibrary({ catalog: liveActionCatalog(deps.actionRegistry), dir: deps.playbooksDir, log, onReload: () => registerTriggers() })
  const engine = createRunEngine({
    db: deps.db, jobs: deps.jobs, actions: deps.actions, channels: deps.channels, channelStore: deps.channelStore, posts: deps.posts,
    teams: deps.teams, users: deps.users, bus: deps.bus, bots: deps.bots, library, siteUrl: deps.siteUrl, log,
    directory: {
      groupMemberIds: (name) => deps.groups.activeMemberIdsByName(name),
      teamByName: (name) => deps.teamStore.getByName(name),
      teamMemberIds: (teamId) => deps.teamStore.memberIds(teamId),
      getUsersByIds: (ids) => deps.users.getByIds(ids),
      onCallEmails: (teamId, schedule) => deps.onCall(teamId, schedule),
    },
  })
  deps.jobs.register<{ runId: string }>({ id: ADVANCE_JOB, description: 'Takes the next decisions of a playbook run', maxAttempts: 5, backoff: { baseMs: 1000, maxMs: 60_000 }, handler: (job) => engine.advanceJob(job.data.runId) })
  deps.jobs.register<{ runId: string; reminderId: string; seq: number }>({ id: REMIND_JOB, description: 'Sends a playbook run reminder and queues the next', maxAttempts: 3, backoff: { baseMs: 2000, maxMs: 60_000 }, handler: (job) => engine.remindJob(job.data) })
  deps.jobs.register<{ runId: string; seq: number }>({ id: RETRO_REMIND_JOB, description: 'Asks for a playbook run\'s retrospective and queues the next reminder', maxAttempts: 3, backoff: { baseMs: 2000, maxMs: 60_000 }, handler: (job) => engine.ops.retroRemindJob(job.data) })
  deps.jobs.register<ExecuteData>({
    id: EXECUTE_JOB, description: 'Runs one step of a playbook run (a post, an action call)', maxAttempts: 3, backoff: { baseMs: 2000, maxMs: 60_000 },
    handler: (job) => engine.executeJob(job.data),
    // Runs started by a burst of events set up their channels and take their first steps together, in one transaction per batch.
    batch: { max: RUN_BATCH_MAX, handler: (jobs) => engine.executeJobs(jobs.map((j) => j.data)) },
  })

  const commands = runCommands({ engine, users: deps.users, library, listing: playbookCommand(library) })
  deps.commands.register(commands.playbook)
  registerTriggers = () => {
    for (const entry of library.list()) {
      const name = entry.playbook.on.command?.name?.slice(1)
      if (!name || registeredTriggers.has(name)) continue
      try {
        deps.commands.register(commands.forTrigger(name, entry.name, entry.playbook.on.command?.description ?? `Start ${entry.playbook.metadata.title ?? entry.name}`))
        registeredTriggers.add(name)
      } catch (err) {
        // A built-in (or another playbook) owns the trigger: the playbook still runs with /playbook run.
        log.warn({ err, playbook: entry.name, trigger: name }, 'a playbook trigger command is taken')
        registeredTriggers.add(name)
      }
    }
  }
  const internal = startInternalTriggers({
    engine, library, jobs: deps.jobs, bus: deps.bus, postStore: deps.postStore, posts: deps.posts, channelStore: deps.channelStore, teamStore: deps.teamStore, log,
  })
  startItemAutoComplete({ engine, library, bus: deps.bus, log })
  const onReload = registerTriggers
  registerTriggers = () => {
    onReload()
    internal.schedule().catch((err: unknown) => log.warn({ err }, 'declaring playbook schedules failed'))
  }
  library.reload()
  library.watch()

  deps.interactive.register({
    id: 'playbooks',
    source: 'playbooks',
    async handleAction(request, session) {
      if (request.context.playbook !== undefined) {
        try {
          return { ephemeral_text: await internal.startFromOffer(request.context, session.userId) }
        } catch (err) {
          if (err instanceof AppError && err.statusCode < 500) return { ephemeral_text: err.message }
          throw err
        }
      }
      const runId = String(request.context.run_id ?? '')
      const stepId = String(request.context.step_id ?? '')
      const decision = request.context.decision === 'rejected' ? 'rejected' : 'approved'
      try {
        await engine.vote(runId, stepId, session.userId, decision)
        return { ephemeral_text: `You ${decision === 'approved' ? 'approved' : 'rejected'} it.` }
      } catch (err) {
        if (err instanceof AppError && err.statusCode < 500) return { ephemeral_text: err.message }
        throw err
      }
    },
  })

  deps.bus.subscribe({
    id: 'playbooks.integration-events',
    events: ['integration.event'],
    async handle(event) {
      const payload = event.payload as { teamId?: string; event?: IntegrationEventLike }
      if (!payload.teamId || !payload.event) return
      const bot = await engine.ensureBot()
      await engine.onIntegrationEvent({ teamId: payload.teamId, actorId: bot.id, event: payload.event })
    },
  })

  const routes = playbookRoutes({
    engine, library, channelStore: deps.channelStore, users: deps.users,
    isTeamMember: async (teamId, userId) => (await deps.teams.membership(teamId, userId)) !== null,
  })
  return { library, engine, routes, close: () => library.close() }
}
