/**
 * Connectors as one unit for the composition root: connections and their admin API, the webhook receiver and its
 * durable processing job, the vendor bots' posts, `/github`, `/pagerduty`, `/jira` and `/zoom`, and every vendor's actions.
 */
import type { ActionRegistry } from '../core/actions/index.ts'
import type { AuthSession } from '../core/auth/session-types.ts'
import type { BotService } from '../core/bots/service.ts'
import type { ChannelService } from '../core/channels/service.ts'
import type { ChannelStore } from '../core/channels/store.ts'
import type { CommandRegistry } from '../core/commands/registry.ts'
import type { Database } from '../core/db/index.ts'
import type { RouteModule } from '../core/http/app.ts'
import type { JobService } from '../core/jobs/index.ts'
import type { Logger } from '../core/log.ts'
import type { OnCallRegistry } from '../core/oncall/sources.ts'
import type { OutboundClient } from '../core/outbound/client.ts'
import type { PostService } from '../core/posts/service.ts'
import type { EventBus } from '../core/realtime/index.ts'
import type { TeamService } from '../core/teams/service.ts'
import type { TeamStore } from '../core/teams/store.ts'
import type { ConnectorActionDeps } from './action-deps.ts'
import { createBotPoster, vendorBots } from './bot-posts.ts'
import { createConnectionService } from './connections.ts'
import { createDeliveryJob } from './dispatch.ts'
import { gitHubActions } from './github/actions.ts'
import { gitHubCommand } from './github/commands.ts'
import { grafanaActions } from './grafana/actions.ts'
import { createConnectorRegistry } from './index.ts'
import { jiraActions } from './jira/actions.ts'
import { jiraCommand } from './jira/commands.ts'
import { pagerDutyActions, type LinkIncident } from './pagerduty/actions.ts'
import { incidentRefKey } from './pagerduty/format.ts'
import { pagerDutyCommand } from './pagerduty/commands.ts'
import { pagerDutyOnCallSource } from './pagerduty/oncall.ts'
import { connectionRoutes, webhookRoute } from './routes.ts'
import { createSecretBox } from './secret-box.ts'
import { createIntegrationStore } from './store.ts'
import { zoomActions } from './zoom/actions.ts'
import { zoomCommand } from './zoom/commands.ts'
import { createZoomTokenCache } from './zoom/tokens.ts'
import { createWebhookReceiver } from './webhooks.ts'

export { INTEGRATION_EVENT, type IntegrationEventPayload } from './dispatch.ts'

export interface ConnectorsOptions {
  db: Database
  siteUrl: string
  log: Logger
  jobs: JobService
  bus: EventBus
  posts: PostService
  channels: ChannelService
  channelStore: ChannelStore
  teams: Pick<TeamService, 'isTeamAdmin'>
  teamStore: Pick<TeamStore, 'getMember' | 'listForUser'>
  bots: Pick<BotService, 'ensureBot'>
  outbound: OutboundClient
  /** 32 bytes from `systemStore.integrationSecretKey()`. */
  secretKey: Buffer
  commands: CommandRegistry
  actions: ActionRegistry
  /** Where PagerDuty registers itself as a source of who is on call (playbooks' `oncall:` references). */
  onCall: OnCallRegistry
  /** Runs an action as a user (the slash commands call actions, not vendors). */
  invoke(actionId: string, input: Record<string, unknown>, session: AuthSession): Promise<Record<string, unknown>>
  now?: () => number
}

export interface Connectors {
  /** The admin API, mounted under /api/v4. */
  apiRoutes: RouteModule
  /** `POST /integrations/{vendor}/{connection_id}/webhook`, mounted at the root without a session. */
  webhookRoutes: RouteModule
}

/**
 * Registers the job type, commands and actions (call before `jobs.start()`), and returns the routes to mount.
 * @throws Error when a trigger, job type or action id is taken.
 */
export function startConnectors(options: ConnectorsOptions): Connectors {
  const now = options.now ?? Date.now
  const connectors = createConnectorRegistry()
  const store = createIntegrationStore(options.db)
  const isTeamMember = async (teamId: string, userId: string) => {
    const member = await options.teamStore.getMember(teamId, userId)
    return member !== null && member.deleteAt === 0
  }
  const connections = createConnectionService({
    store, connectors, box: createSecretBox(options.secretKey), siteUrl: options.siteUrl, now,
    isTeamAdmin: options.teams.isTeamAdmin,
    isTeamMember,
    channelTeam: async (channelId) => {
      const channel = await options.channelStore.getById(channelId)
      return channel && channel.deleteAt === 0 && channel.teamId !== '' ? channel.teamId : null
    },
    teamIdsOf: async (userId) => (await options.teamStore.listForUser(userId)).map((t) => t.id),
  })
  const receiver = createWebhookReceiver({ connectors, connections, jobs: options.jobs, log: options.log, now })
  options.jobs.register(createDeliveryJob({ store, connectors, bus: options.bus, posts: options.posts, channels: options.channels, bots: options.bots, log: options.log, now }))

  const actionDeps: ConnectorActionDeps = { connections, outbound: options.outbound }
  const poster = createBotPoster({ channelStore: options.channelStore, posts: options.posts, botFor: vendorBots(options.bots) })
  const linkIncident: LinkIncident = async (session, link) => {
    await poster.check(session, link)
    await store.claimUpdate({ connectionId: link.connectionId, eventId: `link:${link.incidentId}`, channelId: link.channelId, refKey: incidentRefKey(link.incidentId), postId: '', createAt: now() })
  }
  for (const action of [...pagerDutyActions(actionDeps, linkIncident), ...gitHubActions(actionDeps), ...jiraActions(actionDeps), ...grafanaActions(actionDeps), ...zoomActions({ ...actionDeps, tokens: createZoomTokenCache(now), post: poster, now })]) {
    options.actions.register(action)
  }

  options.onCall.register(pagerDutyOnCallSource({ connectionsOfTeam: (teamId) => connections.ofTeam('pagerduty', teamId), outbound: options.outbound }))

  options.commands.register(gitHubCommand({
    store, now,
    canManage: async (channelId, userId, isSystemAdmin) => isSystemAdmin || (await options.channelStore.getMember(channelId, userId)) !== null,
  }))
  options.commands.register(pagerDutyCommand({ store, invoke: options.invoke }))
  options.commands.register(zoomCommand({ connectionsOfTeam: (teamId) => store.listConnections('zoom', [teamId]), invoke: options.invoke }))
  options.commands.register(jiraCommand({ connectionsOfTeam: (teamId) => store.listConnections('jira', [teamId]), invoke: options.invoke }))

  return { apiRoutes: connectionRoutes(connections), webhookRoutes: webhookRoute(receiver, connectors) }
}
