/** Channel and ChannelMember → Mattermost JSON (model/channel.go, model/channel_member.go). */
import type { ChannelMemberRecord, ChannelRecord } from '../channels/store.ts'

export function presentChannel(channel: ChannelRecord): Record<string, unknown> {
  return {
    id: channel.id,
    create_at: channel.createAt,
    update_at: channel.updateAt,
    delete_at: channel.deleteAt,
    team_id: channel.teamId,
    type: channel.type,
    display_name: channel.displayName,
    name: channel.name,
    header: channel.header,
    purpose: channel.purpose,
    last_post_at: channel.lastPostAt,
    total_msg_count: channel.totalMsgCount,
    extra_update_at: channel.extraUpdateAt,
    creator_id: channel.creatorId,
    scheme_id: null,
    props: null,
    group_constrained: null,
    shared: null,
    total_msg_count_root: channel.totalMsgCountRoot,
    policy_id: null,
    last_root_post_at: channel.lastRootPostAt,
  }
}

export function presentChannelMember(member: ChannelMemberRecord): Record<string, unknown> {
  return {
    channel_id: member.channelId,
    user_id: member.userId,
    roles: member.schemeAdmin ? 'channel_user channel_admin' : 'channel_user',
    last_viewed_at: member.lastViewedAt,
    msg_count: member.msgCount,
    mention_count: member.mentionCount,
    mention_count_root: member.mentionCountRoot,
    urgent_mention_count: member.urgentMentionCount,
    msg_count_root: member.msgCountRoot,
    notify_props: member.notifyProps,
    last_update_at: member.lastUpdateAt,
    scheme_guest: false,
    scheme_user: true,
    scheme_admin: member.schemeAdmin,
    explicit_roles: '',
  }
}
