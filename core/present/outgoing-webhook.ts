/** Outgoing webhook → Mattermost's OutgoingWebhook JSON (model/outgoing_webhook.go). */
import type { OutgoingWebhookRecord } from '../webhooks/outgoing-store.ts'

export function presentOutgoingWebhook(hook: OutgoingWebhookRecord): Record<string, unknown> {
  return {
    id: hook.id,
    token: hook.token,
    create_at: hook.createAt,
    update_at: hook.updateAt,
    delete_at: hook.deleteAt,
    creator_id: hook.creatorId,
    channel_id: hook.channelId,
    team_id: hook.teamId,
    trigger_words: hook.triggerWords,
    trigger_when: hook.triggerWhen,
    callback_urls: hook.callbackUrls,
    display_name: hook.displayName,
    description: hook.description,
    content_type: hook.contentType,
    username: hook.username,
    icon_url: hook.iconUrl,
  }
}
