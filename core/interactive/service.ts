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
import { findAction, type PostActionIntegration } from '../posts/post-actions.ts'
import { RETAINED_PROPS, type ActionCookies } from '../posts/action-cookies.ts'
import { processSlackText } from '../posts/slack-compat.ts'
import { inProcessHandlerId, type ActionRequest, type ActionResponse, type DialogSubmission, type DialogSubmitResponse, type InProcessHandlerRegistry } from './handlers.ts'
import type { TriggerIds } from './trigger-ids.ts'
import { checkDialog, type OpenDialogRequest } from './dialog.ts'
import { parseJson } from '../well-formed.ts'

export interface InteractiveServiceOptions {
  posts: PostService
  channels: ChannelService
  teams: TeamService
  users: UserStore
  bus: EventBus
  outbound: OutboundClient
  handlers: InProcessHandlerRegistry
  triggerIds: TriggerIds
  /** Opens the cookies of actions on ephemeral posts (which are not stored). */
  actionCookies: ActionCookies
  timeoutMs: number
  log: Logger
}


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
    parsed = parseJson(body)
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
    // Without `props` the update keeps the post's own (Mattermost restores originalProps).
    update: update && { message: typeof update.message === 'string' ? update.message : '', props: isObject(update.props) ? update.props : null },
    ephemeral_text: (raw.ephemeral_text as string | undefined) ?? '',
    goto_location: (raw.goto_location as string | undefined) ?? '',
    skip_slack_parsing: raw.skip_slack_parsing === true,
  }
}

export function createInteractiveService(options: InteractiveServiceOptions) {
  const { posts, channels, teams, users, bus, outbound, handlers, triggerIds, actionCookies, log } = options

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

  /**
   * What a dialog's integration receives (Mattermost SubmitDialogRequest): the caller as user, the
   * team taken from the channel rather than from the client, and no URL.
   */
  async function dialogRequest(session: AuthSession, input: Omit<DialogSubmission, 'user_id' | 'type'>, type: string): Promise<DialogSubmission> {
    if (!input.url) throw invalidParam('url')
    const channel = await channels.getReadable(session, input.channel_id)
    return { ...input, url: '', type, user_id: session.userId, team_id: channel.teamId || input.team_id }
  }

  /** What a click acts on: the stored post's action, or for an ephemeral post the cookie's. */
  async function actionTarget(session: AuthSession, postId: string, actionId: string, cookie: string | undefined) {
    let post: Awaited<ReturnType<PostService['get']>> | null = null
    try {
      post = await posts.get(session, postId)
    } catch (err) {
      // Mattermost ignores the cookie when the post exists, and uses it only when it does not.
      if (!(err instanceof AppError && err.statusCode === 404) || !cookie) throw err
    }
    if (post) {
      const action = findAction(post.props, actionId)
      if (!action?.integration) throw new AppError('api.post.do_action.action_id.app_error', 'Invalid action id.', 404, { context: { postId, actionId } })
      const retained: Record<string, unknown> = {}
      for (const key of RETAINED_PROPS) if (post.props[key] !== undefined) retained[key] = post.props[key]
      return {
        stored: true, channel: await channels.getCached(post.channelId), integration: action.integration, type: action.type ?? '', dataSource: action.data_source ?? '',
        props: post.props, retained, replyRootId: post.rootId,
      }
    }
    const opened = actionCookies.open(cookie!)
    if (!opened.integration) throw actionError('no integration in the action cookie')
    if (opened.post_id !== postId) throw actionError(`the action cookie belongs to post ${opened.post_id}, not ${postId}`)
    const channel = await channels.getReadable(session, opened.channel_id)
    return {
      stored: false, channel, integration: opened.integration as PostActionIntegration, type: opened.type, dataSource: opened.data_source,
      props: {}, retained: opened.retain_props ?? {}, replyRootId: opened.root_post_id === postId ? '' : opened.root_post_id,
    }
  }

  return {
    /**
     * `POST /posts/{post_id}/actions/{action_id}`: sends the click to the action's integration and
     * applies its answer (update the post, ephemeral text to the clicker). A stored post's own
     * action wins; for an ephemeral post (never stored) the action comes from its sealed `cookie`.
     * @returns the client trigger id (an integration may open a dialog with its signed twin) and
     *   where the client should go (`goto_location`, or '').
     * @throws AppError 404 unknown post or action, 403 when the caller cannot read the post or
     *   the cookie's channel, 400 `api.post.do_action.action_integration.app_error` when the
     *   integration fails or the cookie is not this server's.
     */
    async doPostAction(session: AuthSession, postId: string, actionId: string, input: { selected_option?: string; cookie?: string }): Promise<{ triggerId: string; gotoLocation: string }> {
      const target = await actionTarget(session, postId, actionId, input.cookie)
      const channel = target.channel
      const team = channel.teamId ? await teams.requireTeam(channel.teamId) : null
      const user = await users.getById(session.userId)
      const context: Record<string, unknown> = { ...(target.integration.context ?? {}) }
      if (input.selected_option !== undefined && input.selected_option !== '') context.selected_option = input.selected_option
      const ids = triggerIds.issue(session.userId)
      const request: ActionRequest = {
        user_id: session.userId, user_name: user?.username ?? '', channel_id: channel.id, channel_name: channel.name,
        team_id: channel.teamId, team_domain: team?.name ?? '', post_id: postId, trigger_id: ids.signed,
        type: target.type, data_source: target.dataSource, context,
      }
      const apply = async (response: ActionResponse): Promise<{ triggerId: string; gotoLocation: string }> => {
        if (response.update) {
          const raw = response.update.message ?? ''
          const message = response.skip_slack_parsing ? raw : processSlackText(raw)
          const props: Record<string, unknown> = response.update.props ? { ...response.update.props } : { ...target.props }
          for (const key of RETAINED_PROPS) delete props[key]
          Object.assign(props, target.retained)
          if (target.stored) await posts.updateFromIntegration(postId, { message, props })
          else await posts.sendEphemeral(session.userId, channel.id, message, target.replyRootId, props, postId)
        }
        if (response.ephemeral_text) {
          const text = response.skip_slack_parsing ? response.ephemeral_text : processSlackText(response.ephemeral_text)
          await posts.sendEphemeral(session.userId, channel.id, text, target.replyRootId, target.retained)
        }
        return { triggerId: ids.client, gotoLocation: response.goto_location ?? '' }
      }
      const url = target.integration.url ?? ''
      if (url === '') throw actionError(`action ${actionId} of post ${postId} has no integration URL`)
      const handlerId = inProcessHandlerId(url)
      if (handlerId === null) return apply(readActionResponse(await postJson(url, request)))
      const handler = handlers.get(handlerId)
      if (!handler) throw actionError(`no in-process handler "${handlerId}" for ${url}`)
      // Clicks on one post run one after another, so an update rendered from older state cannot
      // overwrite a newer one (two voters at once).
      return oneAtATime(postId, async () => apply(await handler.handleAction(request, session)))
    },

    /**
     * `POST /actions/dialogs/open`: checks the trigger id and the dialog, then tells the user's
     * clients to show it (`open_dialog`).
     * @throws AppError 400 for a missing url, a bad or expired trigger id, or an invalid dialog.
     */
    async openDialog(request: OpenDialogRequest): Promise<void> {
      if (!request.url) throw invalidParam('url')
      if (!request.trigger_id) throw invalidParam('trigger_id')
      const { userId, clientId } = triggerIds.verify(request.trigger_id)
      checkDialog(request.dialog)
      // Clients see the client id they were given with the command or click, never the signed one.
      await bus.publish({
        type: 'dialog.opened',
        payload: { userId },
        ws: { event: 'open_dialog', data: { dialog: JSON.stringify({ ...request, trigger_id: clientId }) }, audience: { userId } },
      })
    },

    /**
     * `POST /actions/dialogs/submit`: sends the submission to the dialog's integration as the
     * caller and returns its answer (`errors` per field), or null when it had nothing to say.
     * @throws AppError 403 when the caller cannot read the channel, 400 when the integration fails.
     */
    async submitDialog(session: AuthSession, input: Omit<DialogSubmission, 'user_id' | 'type'>): Promise<DialogSubmitResponse | null> {
      const submission = await dialogRequest(session, input, 'dialog_submission')
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

    /**
     * `POST /actions/dialogs/lookup`: asks the dialog's integration for the options of a dynamic
     * select (Mattermost LookupInteractiveDialog: `type` dialog_lookup, the typed text in
     * `submission.query`, the field in `submission.selected_field`).
     * @returns the options (`items`), none when the integration answered with an empty body.
     * @throws AppError 400 for a URL that is not http(s) or a bad answer, 403 when the caller cannot read the channel.
     */
    async lookupDialog(session: AuthSession, input: Omit<DialogSubmission, 'user_id' | 'type'>): Promise<{ items: { text: string; value: string }[] }> {
      if (!/^https?:\/\/[^/]/i.test(input.url)) throw invalidParam('url', 'the lookup URL must be an http or https URL')
      const lookup = await dialogRequest(session, input, 'dialog_lookup')
      const raw = readAnswer(await postJson(input.url, lookup), [], 'response')
      if (raw.items === undefined || raw.items === null) return { items: [] }
      if (!Array.isArray(raw.items)) throw actionError('response.items: expected a list of {text, value}')
      const items = raw.items.map((item: unknown, i: number) => {
        if (!isObject(item) || typeof item.text !== 'string' || typeof item.value !== 'string') throw actionError(`response.items[${i}]: expected {text, value} strings`)
        return { text: item.text, value: item.value }
      })
      return { items }
    },
  }
}

export type InteractiveService = ReturnType<typeof createInteractiveService>
