/**
 * Interactive messages and dialogs (Mattermost app/integration_action.go): a click on an
 * attachment action is sent to its integration (over HTTP, or to an in-process handler) and the
 * answer applied; dialogs are opened on the user's client over the WebSocket and submitted to
 * their integration.
 */
import { AppError, invalidParam } from '../errors.ts'
import type { Logger } from '../log.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { ChannelService } from '../channels/service.ts'
import type { TeamService } from '../teams/service.ts'
import type { UserStore } from '../users/store.ts'
import type { PostService } from '../posts/service.ts'
import type { EventBus } from '../realtime/events.ts'
import type { OutboundClient } from '../outbound/client.ts'
import { requestIntegration } from '../commands/integration-call.ts'
import { findAction } from '../posts/post-actions.ts'
import { processSlackText } from '../posts/slack-compat.ts'
import { inProcessHandlerId, type ActionRequest, type ActionResponse, type DialogSubmission, type DialogSubmitResponse, type InProcessHandlerRegistry } from './handlers.ts'
import type { TriggerIds } from './trigger-ids.ts'
import { checkDialog, type OpenDialogRequest } from './dialog.ts'

export interface InteractiveServiceOptions {
  posts: PostService
  channels: ChannelService
  teams: TeamService
  users: UserStore
  bus: EventBus
  outbound: OutboundClient
  handlers: InProcessHandlerRegistry
  triggerIds: TriggerIds
  timeoutMs: number
  log: Logger
}

/** Props an integration's update may not change (Mattermost DoPostActionWithCookie's `retain`). */
const RETAINED_PROPS = ['from_webhook', 'override_username', 'override_icon_url', 'from_bot'] as const

function actionError(detailed: string, cause?: unknown): AppError {
  return new AppError('api.post.do_action.action_integration.app_error', 'Action integration error.', 400, { detailed, cause })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads an integration's JSON answer as Go's json.Unmarshal would into `fields` (an empty body is an empty answer). */
function readAnswer(body: string, strings: readonly string[], what: string): Record<string, unknown> {
  if (body.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (err) {
    throw actionError(`${what}: the body is not JSON: ${(err as Error).message}`, err)
  }
  if (!isObject(parsed)) throw actionError(`${what}: expected a JSON object`)
  for (const field of strings) {
    if (parsed[field] !== undefined && parsed[field] !== null && typeof parsed[field] !== 'string') throw actionError(`${what}.${field}: expected a string`)
  }
  return parsed
}

function readActionResponse(body: string): ActionResponse {
  const raw = readAnswer(body, ['ephemeral_text', 'goto_location'], 'response')
  if (raw.update !== undefined && raw.update !== null && !isObject(raw.update)) throw actionError('response.update: expected a post object')
  const update = isObject(raw.update) ? raw.update : null
  if (update && update.props !== undefined && update.props !== null && !isObject(update.props)) throw actionError('response.update.props: expected an object')
  return {
    update: update && { message: typeof update.message === 'string' ? update.message : '', props: isObject(update.props) ? update.props : {} },
    ephemeral_text: (raw.ephemeral_text as string | undefined) ?? '',
    goto_location: (raw.goto_location as string | undefined) ?? '',
    skip_slack_parsing: raw.skip_slack_parsing === true,
  }
}

export function createInteractiveService(options: InteractiveServiceOptions) {
  const { posts, channels, teams, users, bus, outbound, handlers, triggerIds, log } = options

  const running = new Map<string, Promise<unknown>>()
  async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
    // The previous click's failure was reported to its own caller; this one only waits for it to settle.
    const next = (running.get(key) ?? Promise.resolve()).catch(() => undefined).then(work)
    running.set(key, next)
    try {
      return await next
    } finally {
      if (running.get(key) === next) running.delete(key)
    }
  }

  async function postJson(url: string, payload: unknown): Promise<string> {
    const answer = await requestIntegration(outbound, url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
      timeoutMs: options.timeoutMs,
    }, {
      failed: (detailed, cause) => actionError(detailed, cause),
      badStatus: (status, _code, body) => actionError(`the integration answered ${status}: ${body}`),
    })
    return answer.body
  }

  return {
    /**
     * `POST /posts/{post_id}/actions/{action_id}`: sends the click to the action's integration and
     * applies its answer (update the post, ephemeral text to the clicker).
     * @returns where the client should go (`goto_location`), or ''.
     * @throws AppError 404 unknown post or action, 403 when the caller cannot read the post,
     *   400 `api.post.do_action.action_integration.app_error` when the integration fails.
     */
    async doPostAction(session: AuthSession, postId: string, actionId: string, input: { selected_option?: string; cookie?: string }): Promise<string> {
      const post = await posts.get(session, postId)
      const action = findAction(post.props, actionId)
      if (!action) throw new AppError('api.post.do_action.action_id.app_error', 'Invalid action id.', 404, { context: { postId, actionId } })
      const url = action.integration?.url ?? ''
      if (url === '') throw actionError(`action ${actionId} of post ${postId} has no integration URL`)
      const channel = await channels.getCached(post.channelId)
      const team = channel.teamId ? await teams.requireTeam(channel.teamId) : null
      const user = await users.getById(session.userId)
      const context: Record<string, unknown> = { ...(action.integration?.context ?? {}) }
      if (input.selected_option !== undefined && input.selected_option !== '') context.selected_option = input.selected_option
      const request: ActionRequest = {
        user_id: session.userId, user_name: user?.username ?? '', channel_id: channel.id, channel_name: channel.name,
        team_id: channel.teamId, team_domain: team?.name ?? '', post_id: post.id, trigger_id: triggerIds.issue(session.userId).signed,
        type: action.type ?? '', data_source: action.data_source ?? '', context,
      }
      const retained: Record<string, unknown> = {}
      for (const key of RETAINED_PROPS) if (post.props[key] !== undefined) retained[key] = post.props[key]
      const apply = async (response: ActionResponse): Promise<string> => {
        if (response.update) {
          const props: Record<string, unknown> = { ...(response.update.props ?? {}) }
          for (const key of RETAINED_PROPS) delete props[key]
          const message = response.update.message ?? ''
          await posts.updateFromIntegration(post.id, { message: response.skip_slack_parsing ? message : processSlackText(message), props: { ...props, ...retained } })
        }
        if (response.ephemeral_text) {
          const text = response.skip_slack_parsing ? response.ephemeral_text : processSlackText(response.ephemeral_text)
          await posts.sendEphemeral(session.userId, channel.id, text, post.rootId, retained)
        }
        return response.goto_location ?? ''
      }
      const handlerId = inProcessHandlerId(url)
      if (handlerId === null) return apply(readActionResponse(await postJson(url, request)))
      const handler = handlers.get(handlerId)
      if (!handler) throw actionError(`no in-process handler "${handlerId}" for ${url}`)
      // Clicks on one post run one after another, so an update rendered from older state cannot
      // overwrite a newer one (two voters at once).
      return oneAtATime(post.id, async () => apply(await handler.handleAction(request, session)))
    },

    /**
     * `POST /actions/dialogs/open`: checks the trigger id and the dialog, then tells the user's
     * clients to show it (`open_dialog`).
     * @throws AppError 400 for a missing url, a bad or expired trigger id, or an invalid dialog.
     */
    async openDialog(request: OpenDialogRequest): Promise<void> {
      if (!request.url) throw invalidParam('url')
      if (!request.trigger_id) throw invalidParam('trigger_id')
      const userId = triggerIds.verify(request.trigger_id)
      checkDialog(request.dialog)
      await bus.publish({
        type: 'dialog.opened',
        payload: { userId },
        ws: { event: 'open_dialog', data: { dialog: JSON.stringify(request) }, audience: { userId } },
      })
    },

    /**
     * `POST /actions/dialogs/submit`: sends the submission to the dialog's integration as the
     * caller and returns its answer (`errors` per field), or null when it had nothing to say.
     * @throws AppError 403 when the caller cannot read the channel, 400 when the integration fails.
     */
    async submitDialog(session: AuthSession, input: Omit<DialogSubmission, 'user_id' | 'type'>): Promise<DialogSubmitResponse | null> {
      if (!input.url) throw invalidParam('url')
      await channels.getReadable(session, input.channel_id)
      const submission: DialogSubmission = { ...input, type: 'dialog_submission', user_id: session.userId }
      const handlerId = inProcessHandlerId(input.url)
      if (handlerId !== null) {
        const handler = handlers.get(handlerId)
        if (!handler?.submitDialog) throw actionError(`no in-process dialog handler "${handlerId}" for ${input.url}`)
        return handler.submitDialog(submission, session)
      }
      const raw = readAnswer(await postJson(input.url, submission), ['error'], 'response')
      if (raw.errors !== undefined && raw.errors !== null && !isObject(raw.errors)) throw actionError('response.errors: expected an object of field names to messages')
      const answer: DialogSubmitResponse = {}
      if (typeof raw.error === 'string' && raw.error !== '') answer.error = raw.error
      if (isObject(raw.errors) && Object.keys(raw.errors).length > 0) answer.errors = Object.fromEntries(Object.entries(raw.errors).map(([k, v]) => [k, String(v)]))
      if (answer.error === undefined && answer.errors === undefined) return null
      log.debug({ url: input.url.split('?')[0], fields: Object.keys(answer.errors ?? {}) }, 'dialog submission refused by the integration')
      return answer
    },
  }
}

export type InteractiveService = ReturnType<typeof createInteractiveService>
