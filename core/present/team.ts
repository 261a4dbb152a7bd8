/** Team and TeamMember → Mattermost JSON (model/team.go, model/team_member.go). */
import type { TeamMemberRecord, TeamRecord } from '../teams/store.ts'

export function presentTeam(team: TeamRecord, viewer: { isSystemAdmin: boolean; isTeamAdmin?: boolean }): Record<string, unknown> {
  const privileged = viewer.isSystemAdmin || viewer.isTeamAdmin === true
  return {
    id: team.id,
    create_at: team.createAt,
    update_at: team.updateAt,
    delete_at: team.deleteAt,
    display_name: team.displayName,
    name: team.name,
    description: team.description,
    email: privileged ? team.email : '',
    type: team.type,
    company_name: team.companyName,
    allowed_domains: team.allowedDomains,
    invite_id: privileged ? team.inviteId : '',
    allow_open_invite: team.allowOpenInvite,
    scheme_id: null,
    group_constrained: null,
    policy_id: null,
    cloud_limits_archived: false,
  }
}

export function presentTeamMember(member: TeamMemberRecord): Record<string, unknown> {
  return {
    team_id: member.teamId,
    user_id: member.userId,
    roles: member.schemeAdmin ? 'team_user team_admin' : 'team_user',
    delete_at: member.deleteAt,
    scheme_guest: false,
    scheme_user: true,
    scheme_admin: member.schemeAdmin,
    explicit_roles: '',
  }
}
