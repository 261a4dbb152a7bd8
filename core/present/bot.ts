/** Bot → Mattermost JSON (model/bot.go, including its computed `system_owned`). */
import type { BotWithUsername } from '../bots/store.ts'

// model.ProtectedBotUsernames: system bots that back core features and may not be disabled.
const SYSTEM_OWNED_USERNAMES = new Set(['system-bot'])

export function presentBot(bot: BotWithUsername): Record<string, unknown> {
  const out: Record<string, unknown> = {
    system_owned: SYSTEM_OWNED_USERNAMES.has(bot.username),
    user_id: bot.userId,
    username: bot.username,
    owner_id: bot.ownerId,
    create_at: bot.createAt,
    update_at: bot.updateAt,
    delete_at: bot.deleteAt,
  }
  // Go `omitempty` fields.
  if (bot.displayName) out.display_name = bot.displayName
  if (bot.description) out.description = bot.description
  if (bot.lastIconUpdate) out.last_icon_update = bot.lastIconUpdate
  return out
}
