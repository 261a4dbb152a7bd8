/** Custom group and group membership → Mattermost JSON (model/group.go, model/group_member.go). */
import type { GroupMemberRecord } from '../groups/store.ts'
import type { GroupView } from '../groups/service.ts'

export function presentGroup(group: GroupView): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: group.id,
    name: group.name,
    display_name: group.displayName,
    description: group.description,
    source: group.source,
    remote_id: group.remoteId,
    create_at: group.createAt,
    update_at: group.updateAt,
    delete_at: group.deleteAt,
    has_syncables: false,
    allow_reference: group.allowReference,
    // Not in Mattermost's JSON: who may manage the group here (see core/groups/service.ts).
    creator_id: group.creatorId,
    member_ids: null,
  }
  if (group.memberCount !== undefined) out.member_count = group.memberCount
  return out
}

export function presentGroupMember(member: GroupMemberRecord & { deleteAt?: number }): Record<string, unknown> {
  return { group_id: member.groupId, user_id: member.userId, create_at: member.createAt, delete_at: member.deleteAt ?? 0 }
}
