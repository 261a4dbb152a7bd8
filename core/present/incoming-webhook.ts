/** Incoming webhook → Mattermost's IncomingWebhook JSON (model/incoming_webhook.go). */
import type { IncomingWebhookRecord } from '../webhooks/incoming-store.ts'

export function presentIncomingWebhook(hook: IncomingWebhookRecord): Record<string, unknown> {
  return {
    id: hook.id,
    create_at: hook.createAt,
    update_at: hook.updateAt,
    delete_at: hook.deleteAt,
    user_id: hook.userId,
    channel_id: hook.channelId,
    team_id: hook.teamId,
    display_name: hook.displayName,
    description: hook.description,
    username: hook.username,
    icon_url: hook.iconUrl,
    channel_locked: hook.channelLocked,
    webhook_schema_translation: null,
  }
}
