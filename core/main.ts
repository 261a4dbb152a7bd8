/**
 * The composition root: config → log → database → bus → stores → services → HTTP + WebSocket.
 * The only core file that may import playbooks/, integrations/ and bridges/.
 */
import type { Duplex } from 'node:stream'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadConfig, type Config } from './config/index.ts'
import { createLogger, type Logger } from './log.ts'
import { databaseOptionsOf, openDatabase, migrate, query, type Database } from './db/index.ts'
import { createMemoryBus, createWebSocketHub, type EventBus, type WebSocketHub } from './realtime/index.ts'
import { createAuthStore } from './auth/store.ts'
import { createSessionService } from './auth/session-service.ts'
import { createUserStore } from './users/store.ts'
import { createUserService } from './users/service.ts'
import { createTeamStore } from './teams/store.ts'
import { createTeamService } from './teams/service.ts'
import { createChannelStore } from './channels/store.ts'
import { createChannelService, type ChannelService, type SystemPoster } from './channels/service.ts'
import { createPostStore } from './posts/store.ts'
import { createPostService, type PostService } from './posts/service.ts'
import { createActionCookies } from './posts/action-cookies.ts'
import { startPlaybooks } from '../playbooks/index.ts'
import { ActionRegistry, createActionService, createActionStore, registerCoreActions, type ActionService } from './actions/index.ts'
import { createReactionStore } from './reactions/store.ts'
import { createReactionService } from './reactions/service.ts'
import { createThreadService } from './threads/service.ts'
import { createPreferenceStore } from './preferences/store.ts'
import { createPreferenceService } from './preferences/service.ts'
import { createStatusStore } from './status/store.ts'
import { createStatusService, STATUS_ACTIONS } from './status/service.ts'
import { createBotStore } from './bots/store.ts'
import { createBotService } from './bots/service.ts'
import { createSearchStore } from './search/store.ts'
import { createSearchService } from './search/service.ts'
import { createFileSearchStore } from './search/file-store.ts'
import { createHttpApp } from './http/app.ts'
import { shareIdleCollector } from './idle-gc.ts'
import type { ApiDeps } from './http/api4/deps.ts'
import { reactionRoutes } from './http/api4/reactions.ts'
import { threadRoutes } from './http/api4/threads.ts'
import { preferenceRoutes } from './http/api4/preferences.ts'
import { statusRoutes } from './http/api4/status.ts'
import { botRoutes } from './http/api4/bots.ts'
import { groupRoutes } from './http/api4/groups.ts'
import { createGroupStore } from './groups/store.ts'
import { createGroupService } from './groups/service.ts'
import { fileRoutes } from './http/api4/files.ts'
import { createFileStore } from './files/store.ts'
import { createFileService } from './files/service.ts'
import { openFileStorage } from './files/storage/index.ts'
import { createPublicLinkService } from './files/public-links.ts'
import { createFileCleanupJob, type FileCleanupJob } from './files/cleanup-job.ts'
import { searchRoutes } from './http/api4/search.ts'
import { commandHookRoutes, commandRoutes } from './http/api4/commands.ts'
import { createSlashCommands } from './commands/index.ts'
import { createOutboundClient } from './outbound/client.ts'
import { createAddressPolicy } from './outbound/address-policy.ts'
import { createInProcessHandlerRegistry } from './interactive/handlers.ts'
import { createInteractiveService } from './interactive/service.ts'
import { createTriggerIds } from './interactive/trigger-ids.ts'
import { interactiveRoutes } from './http/api4/interactive.ts'
import { createPolls } from './poll/index.ts'
import { incomingWebhookReceiver, incomingWebhookRoutes } from './http/api4/incoming-webhooks.ts'
import { createIncomingWebhookStore } from './webhooks/incoming-store.ts'
import { createIncomingWebhookService } from './webhooks/incoming-service.ts'
import { outgoingWebhookRoutes } from './http/api4/outgoing-webhooks.ts'
import { createOutgoingWebhookStore } from './webhooks/outgoing-store.ts'
import { createOutgoingWebhookService } from './webhooks/outgoing-service.ts'
import { createDeliveryPurgeJob, createOutgoingDeliveryJob, DELIVERY_PURGE_JOB } from './webhooks/outgoing-delivery.ts'
import { jobRoutes } from './http/api4/jobs.ts'
import { createJobService, type JobService } from './jobs/index.ts'
import { startStandup } from './standup/index.ts'
import { AppError } from './errors.ts'
import { createSystemStore } from './system/store.ts'
import { MATTERMOST_VERSION, versionId } from './version.ts'
import { startConnectors } from '../integrations/server.ts'
import { OnCallRegistry, onCallEmails } from './oncall/sources.ts'
import path from 'node:path'
import { createBridgeRegistry } from '../bridges/registry.ts'
import { importRoutes, registerImportJob } from '../bridges/import-routes.ts'
import { runImportCli } from '../bridges/import-cli.ts'
export { ImportUsageError } from '../bridges/import-cli.ts'
import type { ImportContext } from '../bridges/bridge.ts'
import type { FileStorage } from './files/storage/storage.ts'
import type { TeamService } from './teams/service.ts'

export interface BridgeheadServer {
  url: string
  port: number
  config: Config
  log: Logger
  db: Database
  bus: EventBus
  hub: WebSocketHub
  /** Removes orphaned uploads and expired deleted files; scheduled by FILE_CLEANUP_INTERVAL_MINUTES. */
  fileCleanup: FileCleanupJob
  /** Durable jobs and cron schedules: register types, enqueue, schedule, cancel. */
  jobs: JobService
  /** Named actions (core's, then integrations'): what playbook steps and commands call by id. */
  actions: ActionService
  /** Channels and posts, for in-process callers that act in bulk (the playbook engine, tests). */
  channels: ChannelService
  posts: PostService
  /** Stops accepting connections, drains requests, closes sockets and the database. Idempotent. */
  close(): Promise<void>
}

function clientConfig(config: Config, diagnostic: string, noAccounts: () => Promise<boolean>) {
  return async (authenticated: boolean): Promise<Record<string, string>> => {
    const base: Record<string, string> = {
      Version: MATTERMOST_VERSION,
      BuildNumber: MATTERMOST_VERSION,
      BuildEnterpriseReady: 'false',
      SiteURL: config.siteUrl,
      SiteName: 'Bridgehead',
      DiagnosticId: diagnostic,
      EnableSignInWithEmail: 'true',
      EnableSignInWithUsername: 'true',
      EnableOpenServer: String(config.enableOpenServer),
      EnableUserCreation: 'true',
      NoAccounts: String(await noAccounts()),
      EnableCustomEmoji: 'false',
      EnableFileAttachments: 'true',
      MaxPostSize: '16383',
      CollapsedThreads: 'default_off',
      TeammateNameDisplay: 'username',
      WebsocketURL: '',
      EnableReliableWebSockets: 'true',
    }
    if (!authenticated) return base
    return {
      ...base,
      MaxFileSize: String(config.maxFileSize),
      EnablePublicLink: String(config.enablePublicLink),
      EnableCommands: 'true',
      EnableIncomingWebhooks: String(config.enableIncomingWebhooks),
      EnableOutgoingWebhooks: String(config.enableOutgoingWebhooks),
      EnableBotAccountCreation: String(config.enableBotAccountCreation),
      EnableUserAccessTokens: String(config.enableUserAccessTokens),
      EnablePostUsernameOverride: String(config.enablePostUsernameOverride),
      EnablePostIconOverride: String(config.enablePostIconOverride),
      PostEditTimeLimit: '-1',
    }
  }
}

function importContext(input: { db: Database; log: Logger; storage: FileStorage; teams: TeamService }): ImportContext {
  return {
    db: input.db, log: input.log.child({ component: 'import' }), storage: input.storage,
    ensureTeam: async (name, adminId) => (await input.teams.ensureByName(name, adminId)).id,
  }
}

/**
 * `bridgehead import <bridge> <export.zip> --team NAME …`: opens the database the settings name
 * (the embedded one must not be open in a running server: use the admin API then), builds what an
 * importer needs and runs it as the first system admin.
 * @returns the exit code.
 * @throws ImportUsageError for bad arguments.
 */
export async function runImportCommand(args: string[]): Promise<number> {
  return runImportCli(args, {
    registry: createBridgeRegistry(), stdout: process.stdout, stderr: process.stderr,
    open: async () => {
      const config = loadConfig()
      const log = createLogger({ level: config.logLevel })
      const db = await openDatabase(databaseOptionsOf(config, log))
      try {
        await migrate(db, log)
        const [admin] = await query<{ id: string }>(db, "SELECT id FROM users WHERE delete_at = 0 AND is_bot = false AND (' ' || roles || ' ') LIKE '% system_admin %' ORDER BY create_at LIMIT 1")
        if (!admin) throw new Error('no system admin to import as: create one first (bridgehead user create --admin …)')
        const bus = createMemoryBus({ log })
        const userStore = createUserStore(db)
        const teamStore = createTeamStore(db)
        const channelStore = createChannelStore(db)
        const channels = createChannelService({ db, store: channelStore, teams: teamStore, users: userStore, bus })
        const teams = createTeamService({ db, store: teamStore, channels, channelStore, users: userStore, bus })
        return {
          context: importContext({ db, log, storage: openFileStorage(config), teams }),
          adminId: admin.id,
          close: async () => {
            await bus.close()
            await db.close()
          },
        }
      } catch (err) {
        await db.close()
        throw err
      }
    },
  })
}

/**
 * Builds and starts a server.
 * @throws ConfigError for bad settings; an Error naming the database when it cannot be opened.
 */
export async function startServer(overrides: Partial<Config> = {}, env?: NodeJS.ProcessEnv): Promise<BridgeheadServer> {
  const config = loadConfig(env, overrides)
  const log = createLogger({ level: config.logLevel })
  const db = await openDatabase(databaseOptionsOf(config, log))
  try {
    await migrate(db, log)
    return await assemble(config, log, db)
  } catch (err) {
    await db.close()
    throw err
  }
}

async function assemble(config: Config, log: Logger, db: Database): Promise<BridgeheadServer> {
  const bus = createMemoryBus({ log })
  const userStore = createUserStore(db)
  const authStore = createAuthStore(db)
  const teamStore = createTeamStore(db)
  const channelStore = createChannelStore(db)
  const postStore = createPostStore(db)
  const reactionStore = createReactionStore(db)
  const preferenceStore = createPreferenceStore(db)
  const statusStore = createStatusStore(db)
  const botStore = createBotStore(db)
  const fileStore = createFileStore(db)
  const groups = createGroupService({ db, store: createGroupStore(db), users: userStore })

  const sessions = createSessionService({
    store: authStore, users: userStore, log,
    sessionLengthHours: config.sessionLengthHours, maxLoginAttempts: config.maxLoginAttempts, enableUserAccessTokens: config.enableUserAccessTokens,
    botOwnerOf: async (userId) => (await botStore.get(userId, true))?.ownerId ?? null,
  })
  let hub: WebSocketHub | undefined
  const users = createUserService({
    db, store: userStore, bus, enableOpenServer: config.enableOpenServer,
    onCredentialsChanged: (userId, keepSessionId) => sessions.revokeAllForUser(userId, keepSessionId),
    onRolesChanged: (userId) => sessions.forgetUser(userId),
  })
  const channels = createChannelService({ db, store: channelStore, teams: teamStore, users: userStore, bus })
  const teams = createTeamService({ db, store: teamStore, channels, channelStore, users: userStore, bus })
  const systemStore = createSystemStore(db)
  const actionCookies = createActionCookies(await systemStore.actionCookieKey())
  const posts = createPostService({
    db, store: postStore, channels, channelStore, users: userStore, reactions: reactionStore, files: fileStore, bus,
    isOnline: (userId) => hub?.isUserOnline(userId) ?? false,
    actionCookies,
  })
  const postSystem: SystemPoster = async (inputs) => {
    await posts.createSystemPosts(inputs)
  }
  channels.setSystemPoster(postSystem)
  teams.setSystemPoster(postSystem)
  const reactions = createReactionService({ db, store: reactionStore, postStore, channels, bus })
  const threads = createThreadService({ db, postStore, posts, channels, channelStore, users: userStore, bus })
  const preferences = createPreferenceService({ db, store: preferenceStore, posts, postStore, channels, channelStore, bus })
  const statuses = createStatusService({ store: statusStore, bus, log, isConnected: (userId) => hub?.isUserOnline(userId) ?? false })
  await statuses.resetPresence()
  const bots = createBotService({
    db, store: botStore, users: userStore, bus, enableBotAccountCreation: config.enableBotAccountCreation,
    onDeactivated: (userId) => sessions.revokeAllForUser(userId),
  })
  const search = createSearchService({ store: createSearchStore(db), fileStore: createFileSearchStore(db), posts, postStore, files: fileStore, teams: teamStore, users: userStore })

  hub = createWebSocketHub({
    log: log.child({ component: 'websocket' }),
    serverVersion: versionId(config.siteUrl),
    authenticate: async (token) => {
      const session = await sessions.resolve(token)
      return session ? { userId: session.userId, sessionId: session.id } : null
    },
    channelMemberIds: async (channelId) => [...(await channels.memberIdsCached(channelId))],
    teamMemberIds: (teamId) => teamStore.memberIds(teamId),
    onUserConnected: (userId) => statuses.onUserConnected(userId),
    onUserDisconnected: (userId) => statuses.onUserDisconnected(userId),
    handleAction: async (action, data, ctx) => {
      if (STATUS_ACTIONS.has(action)) return statuses.handleWsAction(action, data, ctx.userId)
      if (action === 'user_typing') {
        const input = (data ?? {}) as { channel_id?: unknown; parent_id?: unknown }
        const channelId = typeof input.channel_id === 'string' ? input.channel_id : ''
        const member = channelId ? await channelStore.getMember(channelId, ctx.userId) : null
        if (!member) throw new AppError('api.websocket_handler.invalid_param.app_error', 'Invalid channel_id parameter.', 400)
        await bus.publish({
          type: 'user.typing',
          payload: { channelId, userId: ctx.userId },
          ws: { event: 'typing', data: { parent_id: typeof input.parent_id === 'string' ? input.parent_id : '', user_id: ctx.userId }, audience: { channelId, omitUsers: [ctx.userId] } },
        })
        return undefined
      }
      throw new AppError('api.web_socket_router.bad_action.app_error', `Unknown action: ${action}`, 400)
    },
  })
  bus.subscribe(hub.subscriber())
  // A logged-out or revoked session must stop receiving events at once.
  sessions.onSessionsEnded((ids) => ids.forEach((id) => hub!.disconnectSession(id)))

  const diagnostic = await systemStore.diagnosticId()
  const fileStorage = openFileStorage(config)
  const files = createFileService({ store: fileStore, storage: fileStorage, channels, log: log.child({ component: 'files' }), maxFileSize: config.maxFileSize })
  const publicLinks = createPublicLinkService({ enabled: config.enablePublicLink, siteUrl: config.siteUrl, files, store: fileStore, salts: systemStore })
  const incomingWebhooks = createIncomingWebhookService({
    store: createIncomingWebhookStore(db), channels, channelStore, users: userStore, posts, isTeamAdmin: teams.isTeamAdmin,
    enabled: config.enableIncomingWebhooks, enablePostUsernameOverride: config.enablePostUsernameOverride,
    enablePostIconOverride: config.enablePostIconOverride, postsPerMinute: config.incomingWebhookPostsPerMinute,
  })
  const jobs = createJobService({ db, log: log.child({ component: 'jobs' }), pollIntervalMs: config.jobPollIntervalMs, concurrency: config.jobConcurrency })
  const outbound = createOutboundClient({ policy: createAddressPolicy(config.allowedUntrustedInternalConnections), timeoutMs: config.outgoingIntegrationRequestsTimeoutSeconds * 1000 })
  const outgoingWebhookStore = createOutgoingWebhookStore(db)
  const outgoingWebhooks = createOutgoingWebhookService({
    store: outgoingWebhookStore, channelStore, users: userStore, postStore, jobs, bus, log: log.child({ component: 'outgoing-webhooks' }),
    isTeamAdmin: teams.isTeamAdmin, enabled: config.enableOutgoingWebhooks,
  })
  bus.subscribe(outgoingWebhooks.subscriber())
  jobs.register(createOutgoingDeliveryJob({
    store: outgoingWebhookStore, postStore, channelStore, teamStore, users: userStore, posts, outbound,
    timeoutMs: config.outgoingIntegrationRequestsTimeoutSeconds * 1000, maxAttempts: config.outgoingWebhookAttempts, retryBaseMs: config.outgoingWebhookRetryBaseMs,
    enablePostUsernameOverride: config.enablePostUsernameOverride, enablePostIconOverride: config.enablePostIconOverride,
  }))
  jobs.register(createDeliveryPurgeJob(outgoingWebhookStore))
  await jobs.schedule({ name: DELIVERY_PURGE_JOB, cron: '23 * * * *', timeZone: 'UTC', type: DELIVERY_PURGE_JOB })
  const deps: ApiDeps = {
    config, log, jobs, sessions, users, userStore, teams, channels, channelStore, posts, reactions, threads, preferences, statuses, bots, files, publicLinks, search,
    health: async () => {
      try {
        await query(db, 'SELECT 1')
        return true
      } catch {
        return false
      }
    },
    clientConfig: clientConfig(config, diagnostic, () => systemStore.hasNoAccounts()),
  }
  // Interactive messages: clicks on post actions and dialogs; built-ins (such as /poll) handle theirs in process.
  // As in current Mattermost, a trigger id lives as long as an integration may take to answer.
  const triggerIds = createTriggerIds({ key: await systemStore.triggerIdKey(), lifetimeMs: config.outgoingIntegrationRequestsTimeoutSeconds * 1000 })
  const interactiveHandlers = createInProcessHandlerRegistry()
  const interactive = createInteractiveService({
    posts, channels, teams, users: userStore, bus, handlers: interactiveHandlers, triggerIds, actionCookies, log: log.child({ component: 'interactive' }),
    outbound: createOutboundClient({ policy: createAddressPolicy(config.allowedUntrustedInternalConnections), timeoutMs: config.outgoingIntegrationRequestsTimeoutSeconds * 1000 }),
    timeoutMs: config.outgoingIntegrationRequestsTimeoutSeconds * 1000,
  })
  const commands = createSlashCommands({
    triggerIds,
    db, config, log: log.child({ component: 'commands' }), channels, channelStore, teams, users: userStore, posts, statuses, outbound,
  })
  // The action registry: core's chat operations first; integrations and playbooks add theirs.
  const actionRegistry = new ActionRegistry()
  registerCoreActions(actionRegistry, {
    channels, posts, reactions, users: userStore, outbound,
    runCommand: (session, input) => commands.service.execute(session, input),
  })
  const actions = createActionService({ registry: actionRegistry, store: createActionStore(db), log: log.child({ component: 'actions' }) })
  // Connectors (integrations/): connections and their admin API, signed vendor webhooks in (processed by a durable
  // job that publishes `integration.event` and posts as each vendor's bot), /github and /pagerduty, vendor actions.
  const onCall = new OnCallRegistry()
  const connectors = startConnectors({
    onCall, db, siteUrl: config.siteUrl, log: log.child({ component: 'integrations' }), jobs, bus, posts, channels, channelStore, teams, teamStore, bots, outbound,
    secretKey: await systemStore.integrationSecretKey(), commands: commands.registry, actions: actionRegistry,
    invoke: async (id, input, session) => (await actions.invoke(id, input, { session })).outputs,
  })
  // End of connectors.
  // Playbooks: the files (built-in and PLAYBOOKS_DIR), the run engine, its commands and API.
  const playbooks = startPlaybooks({
    db, jobs, actions, actionRegistry, channels, channelStore, postStore, teamStore, posts, teams, users: userStore, groups, bus, bots, commands: commands.registry,
    onCall: (teamId, schedule) => onCallEmails(onCall, log, teamId, schedule),
    interactive: interactiveHandlers, siteUrl: config.siteUrl, playbooksDir: config.playbooksDir, log: log.child({ component: 'playbooks' }),
  })
  // Bridges: imports (CLI and admin API) run as durable jobs; the live mirror comes later.
  const bridges = createBridgeRegistry()
  registerImportJob(jobs, bridges, importContext({ db, log, storage: fileStorage, teams }))
  startStandup({ db, registry: commands.registry, jobs, bus, posts, channels, channelStore, users: userStore, bots, log: log.child({ component: 'standup' }) })
  const polls = createPolls({ db, posts, users: userStore, log: log.child({ component: 'poll' }) })
  commands.registry.register(polls.command)
  interactiveHandlers.register(polls.handler)
  const idle = shareIdleCollector({ idleMs: 1000, log })
  const app = createHttpApp(deps, { versionId: versionId(config.siteUrl), extraRoutes: [reactionRoutes, threadRoutes, preferenceRoutes, statusRoutes, botRoutes, groupRoutes(groups), searchRoutes, fileRoutes, commandRoutes(commands.service, commands.custom), jobRoutes, incomingWebhookRoutes(incomingWebhooks), interactiveRoutes(interactive), outgoingWebhookRoutes(outgoingWebhooks), connectors.apiRoutes, importRoutes(bridges, path.join(config.dataDir, 'imports'))],
    publicRoutes: [commandHookRoutes(commands.service), incomingWebhookReceiver(incomingWebhooks), connectors.webhookRoutes],
    pluginRoutes: [{ path: '/plugins/playbooks/api/v0', routes: [playbooks.routes] }],
  })
  const server = http.createServer(app)
  server.on('request', () => idle.touch())
  // WebSocket traffic counts as activity too: the collection waits until the last socket has closed.
  server.on('upgrade', (_req: http.IncomingMessage, socket: Duplex) => {
    idle.touch()
    socket.once('close', () => idle.touch())
  })
  server.keepAliveTimeout = 65_000
  hub.attach(server)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${config.host}:${port}`
  log.info({ url, database: db.kind }, 'server started')
  const fileCleanup = createFileCleanupJob({
    store: fileStore, storage: fileStorage, log: log.child({ component: 'file-cleanup' }),
    intervalMinutes: config.fileCleanupIntervalMinutes, orphanedUploadHours: config.orphanedUploadHours, deletedFileRetentionDays: config.deletedFileRetentionDays,
  })
  fileCleanup.start()
  jobs.start()

  let closing: Promise<void> | undefined
  return {
    url, port, config, log, db, bus, hub, fileCleanup, jobs, actions, channels, posts,
    close() {
      closing ??= (async () => {
        log.info('server stopping')
        // Running jobs finish (bounded) while the rest of the server is still up for them.
        playbooks.close()
        const jobsStopped = jobs.stop()
        const drained = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        // Sockets closing at shutdown are not users going offline (start-up resets presence).
        await statuses.stop()
        idle.stop()
        await hub!.close()
        // Requests in flight get a few seconds to finish before their sockets are cut.
        const timer = setTimeout(() => server.closeAllConnections(), 5000)
        await drained
        clearTimeout(timer)
        await jobsStopped
        await fileCleanup.stop()
        await bus.close()
        await db.close()
        log.info('server stopped')
        log.flush()
      })()
      return closing
    },
  }
}
