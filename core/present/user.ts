/** User → Mattermost JSON (model/user.go Sanitize / SanitizeProfile). */
import type { UserRecord } from '../users/store.ts'

export interface Viewer {
  userId: string
  isSystemAdmin: boolean
}

export function presentUser(user: UserRecord, viewer: Viewer | undefined): Record<string, unknown> {
  const self = viewer?.userId === user.id
  const admin = viewer?.isSystemAdmin ?? false
  const full = self || admin
  const out: Record<string, unknown> = {
    id: user.id,
    create_at: user.createAt,
    update_at: user.updateAt,
    delete_at: user.deleteAt,
    username: user.username,
    auth_data: '',
    auth_service: admin ? user.authService : '',
    email: user.email,
    email_verified: full ? user.emailVerified : false,
    nickname: user.nickname,
    first_name: user.firstName,
    last_name: user.lastName,
    position: user.position,
    roles: user.roles,
    locale: user.locale,
    timezone: user.timezone,
    disable_welcome_email: false,
  }
  out.props = user.props
  // Mattermost's ClearNonProfileFields: only the user themself sees these, admins included.
  if (self) {
    out.notify_props = user.notifyProps
    out.last_password_update = user.lastPasswordUpdate
    out.failed_attempts = user.failedAttempts
  }
  if (user.lastPictureUpdate) out.last_picture_update = user.lastPictureUpdate
  if (user.isBot) out.is_bot = true
  return out
}
