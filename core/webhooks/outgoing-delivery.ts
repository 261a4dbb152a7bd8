/**
 * One outgoing webhook delivery, run as a durable job (Mattermost TriggerWebhook): POST the
 * triggering post to one callback URL through the outbound client, retry 5xx, timeouts and network
 * errors with backoff, and post the integration's answer as the hook's creator, at most once per
 * delivery however many attempts answered.
 */
import { AppError } from '../errors.ts'
import { nowMillis } from '../clock.ts'
import type { ChannelStore } from '../channels/store.ts'
import type { TeamStore } from '../teams/store.ts'
import type { UserStore } from '../users/store.ts'
import type { PostService } from '../posts/service.ts'
import type { PostRecord, PostStore } from '../posts/store.ts'
import { readSlackAttachments, SlackPayloadError } from '../posts/slack-compat.ts'
import { OutboundError, type OutboundClient } from '../outbound/client.ts'
import { PermanentJobError, type JobType } from '../jobs/index.ts'
import { CommandResponseParseError, readResponse } from '../commands/integration-call.ts'
import type { CommandResponse } from '../commands/registry.ts'
import type { OutgoingWebhookRecord, OutgoingWebhookStore } from './outgoing-store.ts'
import { buildWebhookPostParts, type WebhookPostSettings } from './webhook-post.ts'
import { parseJson } from '../well-formed.ts'

export const OUTGOING_DELIVERY_JOB = 'webhooks.outgoing.deliver'
export const DELIVERY_PURGE_JOB = 'webhooks.outgoing.purge_deliveries'

/**
 * How long a delivery's key is kept: far longer than its job can be retried (at most 20 attempts,
 * backoff capped at an hour), so a late retry still finds the key and posts nothing twice.
 */
export const DELIVERY_KEY_RETENTION_MS = 7 * 24 * 60 * 60_000

/** Mattermost's MaxIntegrationResponseSize. */
const MAX_RESPONSE_BYTES = 1024 * 1024

/** A job's data, also what `GET /api/v4/jobs` shows admins. */
export interface OutgoingDeliveryData {
  hook_id: string
  post_id: string
  url: string
  trigger_word: string
}

export interface OutgoingDeliveryOptions extends WebhookPostSettings {
  store: OutgoingWebhookStore
  postStore: Pick<PostStore, 'getById'>
  channelStore: Pick<ChannelStore, 'getById'>
  teamStore: Pick<TeamStore, 'getById'>
  users: Pick<UserStore, 'getById' | 'getByIds'>
  posts: Pick<PostService, 'createIntegrationPosts'>
  outbound: OutboundClient
  timeoutMs: number
  maxAttempts: number
  retryBaseMs: number
}

/** Mattermost's OutgoingWebhookPayload: JSON with `timestamp` in ms, or a form with it in seconds. */
function requestBody(hook: OutgoingWebhookRecord, post: PostRecord, names: { team: string; channel: string; user: string }, triggerWord: string): { contentType: string; body: string } {
  const payload = {
    token: hook.token, team_id: hook.teamId, team_domain: names.team, channel_id: post.channelId, channel_name: names.channel, timestamp: post.createAt,
    user_id: post.userId, user_name: names.user, post_id: post.id, text: post.message, trigger_word: triggerWord, file_ids: post.fileIds.join(','),
  }
  if (hook.contentType === 'application/json') return { contentType: 'application/json', body: JSON.stringify(payload) }
  const form = new URLSearchParams(Object.entries({ ...payload, timestamp: Math.floor(post.createAt / 1000) }).map(([k, v]): [string, string] => [k, String(v)]))
  return { contentType: 'application/x-www-form-urlencoded', body: form.toString() }
}

/**
 * The integration's answer; null when it has nothing to post (empty body, no text and no attachments).
 * @throws PermanentJobError for a body that is not an OutgoingWebhookResponse.
 */
function readAnswer(body: string, url: string): { response: CommandResponse; attachments: ReturnType<typeof readSlackAttachments> } | null {
  if (body.trim() === '') return null
  try {
    const response = readResponse(parseJson(body), 'response')
    const attachments = readSlackAttachments(response.attachments)
    if (!response.text && attachments.length === 0) return null
    return { response, attachments }
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof CommandResponseParseError || err instanceof SlackPayloadError) {
      throw new PermanentJobError(`${url} answered something other than a webhook response: ${err.message}`, { cause: err })
    }
    throw err
  }
}

/** Sends the request; what may succeed later is thrown as an Error (retried), the rest as PermanentJobError. */
async function send(outbound: OutboundClient, url: string, request: { contentType: string; body: string }, timeoutMs: number): Promise<string> {
  let response
  try {
    response = await outbound.request(url, {
      method: 'POST', headers: { 'content-type': request.contentType, accept: 'application/json' }, body: request.body, timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES,
    })
  } catch (err) {
    if (err instanceof OutboundError && (err.reason === 'timeout' || err.reason === 'network')) throw err
    if (err instanceof OutboundError) throw new PermanentJobError(`${err.reason}: ${err.message}`, { cause: err })
    throw err
  }
  const shown = url.split('?')[0]
  if (response.status >= 500 || response.status === 429) throw new Error(`${shown} answered ${response.status}`)
  if (response.status < 200 || response.status >= 300) throw new PermanentJobError(`${shown} answered ${response.status}; not retried`)
  return response.body.toString('utf8')
}

/** The job type main registers: one delivery of one post to one callback URL. */
export function createOutgoingDeliveryJob(options: OutgoingDeliveryOptions): JobType<OutgoingDeliveryData> {
  const { store } = options
  return {
    id: OUTGOING_DELIVERY_JOB,
    description: 'Sends a post that fired an outgoing webhook to one callback URL and posts the answer',
    maxAttempts: options.maxAttempts,
    backoff: { baseMs: options.retryBaseMs, maxMs: 60 * 60_000 },
    async handler(job, ctx) {
      const { hook_id: hookId, post_id: postId, url } = job.data
      const hook = await store.get(hookId)
      const post = await options.postStore.getById(postId)
      const channel = post ? await options.channelStore.getById(post.channelId) : null
      // Deleted since the post was made: nothing to send, and nothing an admin must fix.
      if (!hook || !post || post.deleteAt > 0 || !channel || channel.deleteAt > 0) {
        ctx.log.info({ hookId, postId, hookDeleted: !hook }, 'outgoing webhook delivery dropped: hook, post or channel deleted')
        return
      }
      const [team, author] = await Promise.all([options.teamStore.getById(hook.teamId), options.users.getById(post.userId)])
      const request = requestBody(hook, post, { team: team?.name ?? '', channel: channel.name, user: author?.username ?? '' }, job.data.trigger_word)
      const body = await send(options.outbound, url, request, options.timeoutMs)
      // Canceled, lease lost or server stopping while waiting: this attempt is abandoned and its
      // answer dropped; failing (not succeeding) leaves the job to its retry, its taker or its cancellation.
      if (ctx.signal.aborted) throw new Error(`attempt abandoned before its answer was posted: ${(ctx.signal.reason as Error | undefined)?.message ?? 'aborted'}`)
      const answer = readAnswer(body, url.split('?')[0]!)
      if (!answer) return
      const { response, attachments } = answer
      try {
        const parts = await buildWebhookPostParts(
          { text: response.text ?? '', attachments, props: response.props ?? {}, type: response.type ?? '', username: response.username ?? '', iconUrl: response.icon_url ?? '', iconEmoji: '' },
          hook,
          options,
        )
        const created = await options.posts.createIntegrationPosts(channel, hook.creatorId, parts, {
          rootId: response.response_type === 'comment' ? post.rootId || post.id : '',
          claim: (tx) => store.claimDelivery(tx, { key: job.id, hookId, postId, at: nowMillis() }),
        })
        if (created.length === 0) ctx.log.info({ hookId, postId }, 'outgoing webhook answer already posted by an earlier attempt')
      } catch (err) {
        if (err instanceof AppError && err.statusCode < 500) throw new PermanentJobError(`the answer of ${url.split('?')[0]} cannot be posted: ${err.message}`, { cause: err })
        throw err
      }
    },
  }
}

/** The hourly job that forgets delivery keys older than DELIVERY_KEY_RETENTION_MS, so the table does not grow forever. */
export function createDeliveryPurgeJob(store: Pick<OutgoingWebhookStore, 'purgeDeliveries'>): JobType<Record<string, never>> {
  return {
    id: DELIVERY_PURGE_JOB,
    description: 'Forgets outgoing webhook delivery keys older than 7 days',
    async handler(_job, ctx) {
      const purged = await store.purgeDeliveries(nowMillis() - DELIVERY_KEY_RETENTION_MS)
      if (purged > 0) ctx.log.info({ purged }, 'outgoing webhook delivery keys purged')
    },
  }
}
