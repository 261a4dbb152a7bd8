/**
 * The posts a webhook message becomes (Mattermost CreateWebhookPost), shared by incoming webhooks
 * and outgoing webhooks' answers: Slack markup converted, the overrides the settings allow,
 * `from_webhook`, attachments as a `slack_attachment` post, a long text split into parts.
 */
import { invalidParam } from '../errors.ts'
import type { UserStore } from '../users/store.ts'
import { processSlackAttachments, processSlackText, slackUserIdsIn, splitWebhookPost, type SlackAttachment } from '../posts/slack-compat.ts'

/** Mattermost's model.DefaultWebhookUsername, shown when overrides are on and none is given. */
const DEFAULT_WEBHOOK_USERNAME = 'webhook'

export interface WebhookMessage {
  text: string
  attachments: SlackAttachment[]
  props: Record<string, unknown>
  type: string
  /** The message's own username and icon, before the hook's. */
  username: string
  iconUrl: string
  iconEmoji: string
}

export interface WebhookIdentity {
  displayName: string
  username: string
  iconUrl: string
}

export interface WebhookPostSettings {
  users: Pick<UserStore, 'getByIds'>
  enablePostUsernameOverride: boolean
  enablePostIconOverride: boolean
}

export interface WebhookPostPart {
  message: string
  type: string
  props: Record<string, unknown>
}

/**
 * The parts to post for a webhook message (one unless the text is longer than a post).
 * @throws AppError 400 `api.context.invalid_param.app_error` (post.type) for a `system_*` type; 400 for props too large to split.
 */
export async function buildWebhookPostParts(message: WebhookMessage, hook: WebhookIdentity, settings: WebhookPostSettings): Promise<WebhookPostPart[]> {
  const named = await settings.users.getByIds(slackUserIdsIn(message.text, message.attachments))
  const usernames = new Map(named.map((u) => [u.id, u.username]))
  const lookup = (id: string) => usernames.get(id)
  const text = processSlackText(message.text, lookup)
  const attachments = message.attachments.length > 0 ? processSlackAttachments(message.attachments, lookup) : []
  const type = attachments.length > 0 ? 'slack_attachment' : message.type
  if (type.startsWith('system_')) throw invalidParam('post.type', 'webhooks may not create system_* posts')

  const props: Record<string, unknown> = { from_webhook: 'true' }
  if (settings.enablePostUsernameOverride) props.override_username = message.username || hook.username || DEFAULT_WEBHOOK_USERNAME
  if (settings.enablePostIconOverride) {
    const iconUrl = message.iconUrl || hook.iconUrl
    if (iconUrl) props.override_icon_url = iconUrl
    if (message.iconEmoji) props.override_icon_emoji = message.iconEmoji
  }
  // The message's own props may not claim to be another webhook or override what the settings forbid.
  for (const [key, value] of Object.entries({ ...message.props, webhook_display_name: hook.displayName })) {
    if (key !== 'attachments' && key !== 'override_icon_url' && key !== 'override_username' && key !== 'from_webhook') props[key] = value
  }
  if (attachments.length > 0) props.attachments = attachments
  return splitWebhookPost({ message: text, props }).map((part) => ({ ...part, type }))
}
