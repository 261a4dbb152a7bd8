/** Status → Mattermost JSON (model/status.go); `dnd_end_time` is in seconds, `prev_status` is never sent. */
import type { StatusRecord } from '../status/store.ts'

export function presentStatus(status: StatusRecord): Record<string, unknown> {
  return {
    user_id: status.userId,
    status: status.status,
    manual: status.manual,
    last_activity_at: status.lastActivityAt,
    dnd_end_time: status.dndEndTime,
  }
}
