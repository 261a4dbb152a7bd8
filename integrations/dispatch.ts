/**
 * The durable half of the inbound pipeline: a queued delivery is parsed again, each normalised event published on
 * the bus as `integration.event` (playbook triggers subscribe to it), and posted by the vendor's bot in the
 * connection's default channel (GitHub: in the channels subscribed to the repository).
 */
import type { BotService } from '../core/bots/service.ts'
import type { ChannelService } from '../core/channels/service.ts'
import type { ChannelRecord } from '../core/channels/store.ts'
import { extend } from '../core/extend.ts'
import { groupCommit } from '../core/group-commit.ts'
import type { Job, JobType } from '../core/jobs/index.ts'
import type { Logger } from '../core/log.ts'
import type { PostService } from '../core/posts/service.ts'
import type { EventBus } from '../core/realtime/index.ts'
import type { Registry } from '../core/registry.ts'
import { formatAlertGroupEvents } from './alert-format.ts'
import { vendorBots } from './bot-posts.ts'
import { createKeySerialiser } from './serial-keys.ts'
import type { ChatMessage } from './chat-message.ts'
import type { Connector } from './connector.ts'
import type { IntegrationEvent, IntegrationSource } from './event.ts'
import { featureOf, formatGitHubEvent, repoOf } from './github/format.ts'
import { formatJiraEvent } from './jira/format.ts'
import { formatPagerDutyEvent } from './pagerduty/format.ts'
import type { ConnectionRow, IntegrationPostRow, IntegrationStore } from './store.ts'
import { PROCESS_JOB, type DeliveryJobData } from './webhooks.ts'

/** The bus event playbook triggers subscribe to. */
export const INTEGRATION_EVENT = 'integration.event'

export interface IntegrationEventPayload {
  connectionId: string
  teamId: string
  channelId: string
  event: IntegrationEvent
}

/** A message to post for a delivery; `id` keys its claim (the event's id, or one per alert group delivery). */
interface Posting {
  id: string
  event: IntegrationEvent
  message: ChatMessage
}

/** One message per event, as most vendors post. */
const perEvent = (format: (event: IntegrationEvent) => ChatMessage | null) => (events: IntegrationEvent[]): Posting[] =>
  events.flatMap((event) => {
    const message = format(event)
    return message ? [{ id: event.id, event, message }] : []
  })

const FORMATTERS: Record<IntegrationSource, (events: IntegrationEvent[]) => Posting[]> = {
  pagerduty: perEvent(formatPagerDutyEvent),
  // A delivery is one alert group: one post for the group.
  grafana: formatAlertGroupEvents,
  alertmanager: formatAlertGroupEvents,
  github: perEvent(formatGitHubEvent),
  jira: perEvent(formatJiraEvent),
  // Outbound only: no deliveries reach the job.
  zoom: () => [],
}

export interface DispatchOptions {
  store: IntegrationStore
  connectors: Registry<Connector>
  bus: EventBus
  posts: Pick<PostService, 'createIntegrationPosts' | 'createIntegrationRootPostsMany' | 'updateFromIntegration' | 'requirePost'>
  channels: Pick<ChannelService, 'getCached'>
  bots: Pick<BotService, 'ensureBot'>
  log: Logger
  now: () => number
}

export function createDeliveryJob(options: DispatchOptions): JobType<DeliveryJobData> {
  const { store, connectors, bus, posts, channels, log } = options
  const bots = vendorBots(options.bots)
  const serialise = createKeySerialiser()
  const botFor = (connector: Connector) => bots(connector.id, connector.name)
  // The root posts of deliveries handled together (a batch of a vendor's burst, mostly into one channel) are written in
  // one transaction: one per delivery would queue them all on the channel row's lock, which each holds until it commits.
  type RootPosting = { channel: ChannelRecord; botId: string; text: string; props: Record<string, unknown>; claim: Omit<IntegrationPostRow, 'postId'> }
  const postRoots = groupCommit(
    (items: RootPosting[]) =>
      posts.createIntegrationRootPostsMany(
        items.map((item) => ({ channel: item.channel, userId: item.botId, parts: [{ message: item.text, type: '', props: item.props }] })),
        (tx, postIds) => store.claimPosts(tx, items.map((item, i) => extend(item.claim, { postId: postIds[i]![0]! }))),
      ),
    { max: 100 },
  )

  /** Channels an event is posted in. */
  async function targetChannels(connection: ConnectionRow, event: IntegrationEvent): Promise<string[]> {
    if (event.source !== 'github') return [connection.channelId]
    const repo = repoOf(event)
    const feature = featureOf(event)
    if (!repo || !feature) return []
    const subscriptions = await store.subscriptionsToRepo(connection.teamId, repo)
    return subscriptions.filter((s) => s.features.includes(feature)).map((s) => s.channelId)
  }

  /** Posts (or edits) once per (posting, channel): the claim is taken with the post, so a retried job skips it. */
  async function deliver(connection: ConnectionRow, connector: Connector, { id, event, message }: Posting, channelId: string): Promise<void> {
    // Accumulating messages edit the latest post (an earlier one may be closed); the others their first.
    const findEarlier = message.mergeWith ? store.latestPostFor : store.firstPostFor
    const earlier = message.mode === 'post' ? null : await findEarlier(connection.id, message.refKey, channelId)
    const bot = await botFor(connector)
    const claim = { connectionId: connection.id, eventId: id.slice(0, 200), channelId, refKey: message.refKey.slice(0, 300), createAt: options.now() }
    if (message.mode === 'update' && earlier) {
      const post = await posts.requirePost(earlier.postId).catch(() => null)
      const props = (post?.props ?? {}) as Record<string, unknown>
      const edit = post && post.deleteAt === 0 ? (message.mergeWith ? message.mergeWith(props) : { text: message.text, props }) : null
      if (post && edit) {
        if (!(await store.claimUpdate(extend(claim, { postId: post.id })))) return
        await posts.updateFromIntegration(post.id, { message: edit.text, props: edit.props })
        return
      }
    }
    const channel = await channels.getCached(channelId)
    if (channel.deleteAt > 0) {
      log.info({ connectionId: connection.id, channelId, eventId: id }, 'integration post skipped: the channel is archived')
      return
    }
    const rootId = message.mode === 'reply' && earlier ? (await posts.requirePost(earlier.postId).catch(() => null))?.id : undefined
    const props = extend(message.props ?? {}, { from_bot: 'true' })
    if (!rootId) {
      const written = await postRoots({ channel, botId: bot.id, text: message.text, props, claim })
      if (written instanceof Error) throw written
      return
    }
    await posts.createIntegrationPosts(channel, bot.id, [{ message: message.text, type: '', props }], {
      rootId,
      claim: async (tx, [postId]) => (await store.claimPosts(tx, [extend(claim, { postId: postId! })]))[0]!,
    })
  }

  async function handleDelivery(job: Job<DeliveryJobData>, log: Logger, connectionOf: (id: string) => Promise<ConnectionRow | null> = store.getConnection): Promise<void> {
    const data = job.data
    const connector = connectors.get(data.vendor)
    const connection = await connectionOf(data.connectionId)
    if (!connector || !connection) {
      log.info({ vendor: data.vendor, connectionId: data.connectionId }, 'webhook delivery dropped: its connection is gone')
      return
    }
    const parsed = connector.parse(Buffer.from(data.body, 'utf8'), data.headers, { receivedAt: data.receivedAt, connectionId: connection.id })
    if (parsed.kind !== 'events') {
      log.warn({ vendor: data.vendor, connectionId: data.connectionId, kind: parsed.kind }, 'webhook delivery no longer parses to events')
      return
    }
    const postings = FORMATTERS[connector.id](parsed.events)
    const work = async () => {
      for (const event of parsed.events) {
        const payload: IntegrationEventPayload = { connectionId: connection.id, teamId: connection.teamId, channelId: connection.channelId, event: extend(event, { connectionId: connection.id }) }
        // At least once: a job retried after this point publishes again; subscribers dedupe on event.id.
        await bus.publish({ type: INTEGRATION_EVENT, payload: payload as unknown as Record<string, unknown> })
      }
      for (const posting of postings) {
        for (const channelId of await targetChannels(connection, posting.event)) await deliver(connection, connector, posting, channelId)
      }
    }
    // Deliveries that edit one accumulating post (an alert group's) take turns: runs and posts are found, then made.
    const serialKey = postings.find((p) => p.message.mergeWith)?.message.refKey
    await (serialKey ? serialise(`${connection.id}:${serialKey}`, work) : work())
  }

  return {
    id: PROCESS_JOB,
    source: 'integrations/dispatch.ts',
    description: 'Processes a received vendor webhook: bus events and channel posts',
    maxAttempts: 5,
    backoff: { baseMs: 5_000, maxMs: 10 * 60_000 },
    handler: (job, ctx) => handleDelivery(job, ctx.log),
    // A vendor's burst (an incident storm) is processed together: its events reach the bus at once,
    // where the playbook engine starts their runs in one batch instead of one by one.
    batch: {
      max: 50,
      handler: (jobs, ctx) => {
        // A burst comes from few connections: each is read once per batch.
        const connections = new Map<string, Promise<ConnectionRow | null>>()
        const connectionOf = (id: string) => connections.get(id) ?? connections.set(id, store.getConnection(id)).get(id)!
        return Promise.all(jobs.map((job) => handleDelivery(job, ctx.log.child({ jobId: job.id }), connectionOf).then(() => null, (err: unknown) => (err instanceof Error ? err : new Error(String(err))))))
      },
    },
  }
}
