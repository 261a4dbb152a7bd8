/**
 * In-process integrations for interactive messages: a built-in (such as /poll) puts
 * `bridgehead://<handler id>/<anything>` as an action's `integration.url` and registers a handler
 * under that id here; clicks on its buttons then reach it without an HTTP hop. Everything else
 * (http, https) goes to the integration over the network, as in Mattermost.
 */
import { Registry, type Registered } from '../registry.ts'
import type { AuthSession } from '../auth/session-types.ts'

export const IN_PROCESS_PROTOCOL = 'bridgehead:'

/** Mattermost's PostActionIntegrationRequest (what the integration receives for a click). */
export interface ActionRequest {
  user_id: string
  user_name: string
  channel_id: string
  channel_name: string
  team_id: string
  team_domain: string
  post_id: string
  trigger_id: string
  type: string
  data_source: string
  context: Record<string, unknown>
}

/** The post an integration answers with; message and props replace the post's. */
export interface ActionUpdate {
  message?: string
  props?: Record<string, unknown> | null
}

/** Mattermost's PostActionIntegrationResponse. */
export interface ActionResponse {
  update?: ActionUpdate | null
  ephemeral_text?: string
  goto_location?: string
  skip_slack_parsing?: boolean
}

/** Mattermost's SubmitDialogRequest as the integration receives it. */
export interface DialogSubmission {
  type: string
  url: string
  callback_id: string
  state: string
  user_id: string
  channel_id: string
  team_id: string
  submission: Record<string, unknown>
  cancelled: boolean
}

/** Mattermost's SubmitDialogResponse: a general error and per-field errors. */
export interface DialogSubmitResponse {
  error?: string
  errors?: Record<string, string>
}

export interface InProcessHandler extends Registered {
  /** The host part of `bridgehead://<id>/…`. */
  id: string
  /** A click on one of the handler's actions; `session` is the clicker's. */
  handleAction(request: ActionRequest, session: AuthSession): Promise<ActionResponse>
  /** A dialog the handler opened was submitted (absent: the handler opens no dialogs). */
  submitDialog?(submission: DialogSubmission, session: AuthSession): Promise<DialogSubmitResponse>
}

export type InProcessHandlerRegistry = Registry<InProcessHandler>

export function createInProcessHandlerRegistry(): InProcessHandlerRegistry {
  return new Registry<InProcessHandler>('in-process action handler')
}

/** The handler id of a `bridgehead://id/…` URL, or null for any other URL. */
export function inProcessHandlerId(url: string): string | null {
  if (!url.startsWith(`${IN_PROCESS_PROTOCOL}//`)) return null
  try {
    return new URL(url).hostname || null
  } catch {
    return null
  }
}
