/**
 * Interactive message actions inside a post's `props.attachments` (Mattermost model/slack_attachment.go
 * PostAction, model/post.go GenerateActionIds / GetAction / StripActionIntegrations). Pure functions.
 */
import { newId } from '../ids.ts'

/** Mattermost's PostActionIntegration: where a click is sent, and what the integration gets back. */
export interface PostActionIntegration {
  url?: string
  context?: Record<string, unknown>
}

/** Mattermost's PostAction: a button or a menu (static options, `users` or `channels` data source). */
export interface PostAction {
  id?: string
  type?: string
  name?: string
  disabled?: boolean
  style?: string
  data_source?: string
  options?: { text: string; value: string }[]
  default_option?: string
  integration?: PostActionIntegration
  cookie?: string
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function actionsOf(attachment: Record<string, unknown>): PostAction[] {
  return Array.isArray(attachment.actions) ? (attachment.actions.filter(isObject) as PostAction[]) : []
}

/** The props with `change` applied to every action object; the same object when nothing changed. */
function mapActions(props: Record<string, unknown>, change: (action: PostAction) => PostAction): Record<string, unknown> {
  if (!Array.isArray(props.attachments)) return props
  let changed = false
  const attachments = props.attachments.map((attachment: unknown) => {
    if (!isObject(attachment) || !Array.isArray(attachment.actions)) return attachment
    const actions = attachment.actions.map((action: unknown) => {
      if (!isObject(action)) return action
      const next = change(action as PostAction)
      if (next !== action) changed = true
      return next
    })
    return { ...attachment, actions }
  })
  return changed ? { ...props, attachments } : props
}

/**
 * Props whose attachment actions all have an id (Mattermost's GenerateActionIds): a new id for
 * each action without one; ids the sender chose are kept.
 */
export function withActionIds(props: Record<string, unknown>): Record<string, unknown> {
  return mapActions(props, (action) => (typeof action.id === 'string' && action.id !== '' ? action : { ...action, id: newId() }))
}

/**
 * The props as clients see them (Mattermost's StripActionIntegrations): actions without their
 * `integration`, whose URL and context are for the server and the integration only.
 */
export function withoutActionIntegrations(props: Record<string, unknown>): Record<string, unknown> {
  return mapActions(props, (action) => {
    if (action.integration === undefined) return action
    const { integration: _hidden, ...rest } = action
    return rest
  })
}

/** The action with `id` in the post's attachments (Mattermost's Post.GetAction), or undefined. */
export function findAction(props: Record<string, unknown>, id: string): PostAction | undefined {
  const attachments = Array.isArray(props.attachments) ? props.attachments.filter(isObject) : []
  for (const attachment of attachments) {
    const found = actionsOf(attachment).find((action) => action.id === id)
    if (found) return found
  }
  return undefined
}
