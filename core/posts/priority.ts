/**
 * Message priority of a root post (Mattermost's model.PostPriority and PostsPriority table):
 * `priority` is "", "important" or "urgent"; `requested_ack` and `persistent_notifications` are
 * flags. Posts carry it as `metadata.priority`.
 */
import { invalidParam } from '../errors.ts'

/** As a client or integration sends it; every field optional. */
export interface PostPriorityInput {
  priority?: string
  requested_ack?: boolean
  persistent_notifications?: boolean
}

export interface PostPriorityRecord {
  postId: string
  channelId: string
  priority: string
  requestedAck: boolean
  persistentNotifications: boolean
}

export const POST_PRIORITIES = ['', 'important', 'urgent'] as const

/**
 * Checks the fields of a priority (values Mattermost's clients understand).
 * @throws AppError 400 `api.context.invalid_param.app_error` naming `param` for another value.
 */
export function checkPriority(input: PostPriorityInput, param: string): void {
  if (input.priority !== undefined && !(POST_PRIORITIES as readonly string[]).includes(input.priority)) {
    throw invalidParam(`${param}.priority`, `priority must be "", "important" or "urgent", got ${JSON.stringify(input.priority)}`)
  }
}

export function toPriorityRecord(postId: string, channelId: string, input: PostPriorityInput): PostPriorityRecord {
  return {
    postId, channelId, priority: input.priority ?? '', requestedAck: input.requested_ack ?? false, persistentNotifications: input.persistent_notifications ?? false,
  }
}

/** `metadata.priority` as Mattermost answers it (read back from its PostsPriority row). */
export function presentPriority(record: PostPriorityRecord): Record<string, unknown> {
  return { priority: record.priority, requested_ack: record.requestedAck, persistent_notifications: record.persistentNotifications }
}
