/** Teams: creation with default channels, visibility, membership and unread summaries. */
import { AppError, forbidden, invalidParam, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Database } from '../db/index.ts'
import { isUniqueViolation, withTransaction } from '../db/index.ts'
import type { EventBus } from '../realtime/events.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { ChannelService, SystemPoster } from '../channels/service.ts'
import type { ChannelStore } from '../channels/store.ts'
import type { UserStore } from '../users/store.ts'
import { presentTeamMember } from '../present/team.ts'
import { checkTeamFields } from './rules.ts'
import type { TeamMemberRecord, TeamRecord, TeamStore } from './store.ts'

export interface TeamServiceOptions {
  db: Database
  store: TeamStore
  channels: ChannelService
  channelStore: ChannelStore
  users: UserStore
  bus: EventBus
}

export function createTeamService(options: TeamServiceOptions) {
  const { db, store, channels, channelStore, users, bus } = options
  let postSystem: SystemPoster = async () => {}

  async function requireTeam(id: string): Promise<TeamRecord> {
    const team = await store.getById(id)
    if (!team || team.deleteAt > 0) throw notFound('team', id, 'app.team.get.find.app_error')
    return team
  }

  async function membership(teamId: string, userId: string): Promise<TeamMemberRecord | null> {
    const member = await store.getMember(teamId, userId)
    return member && member.deleteAt === 0 ? member : null
  }

  async function isTeamAdmin(session: AuthSession, teamId: string): Promise<boolean> {
    if (session.isSystemAdmin) return true
    return (await membership(teamId, session.userId))?.schemeAdmin ?? false
  }

  /** @throws AppError 403 unless member, admin, or the team is open. */
  async function getVisible(session: AuthSession, team: TeamRecord): Promise<TeamRecord> {
    if (session.isSystemAdmin || team.allowOpenInvite || (await membership(team.id, session.userId))) return team
    throw forbidden(`no access to team ${team.id}`)
  }

  async function announceJoin(team: TeamRecord, userId: string, addedBy: string | undefined, joined: { id: string }[]): Promise<void> {
    const user = await users.getById(userId)
    const username = user?.username ?? ''
    const townSquare = await channelStore.getByName(team.id, 'town-square')
    await bus.publish({ type: 'team.member_added', payload: { teamId: team.id, userId }, ws: { event: 'added_to_team', data: { team_id: team.id, user_id: userId }, audience: { userId } } })
    if (townSquare) {
      if (addedBy && addedBy !== userId) {
        const adder = await users.getById(addedBy)
        await postSystem([{ channelId: townSquare.id, userId: addedBy, type: 'system_add_to_team', message: `${username} added to the team by ${adder?.username ?? ''}.`, props: { userId: addedBy, username: adder?.username ?? '', addedUserId: userId, addedUsername: username } }])
      } else {
        await postSystem([{ channelId: townSquare.id, userId, type: 'system_join_team', message: `${username} joined the team.`, props: { username } }])
      }
    }
    for (const channel of joined) {
      const record = await channelStore.getById(channel.id)
      if (!record) continue
      if (record.name !== 'town-square') {
        await postSystem([{ channelId: record.id, userId, type: 'system_join_channel', message: `${username} joined the channel.`, props: { username } }])
      }
      await channels.publishUserAdded(record, userId)
    }
  }

  /** The team row, the creator as its admin and its default channels, in one transaction (no events). */
  async function insertTeam(fields: { name: string; displayName: string; description: string; type: string; allowOpenInvite: boolean }, creatorId: string): Promise<TeamRecord> {
    const now = nowMillis()
    return withTransaction(db, async (tx) => {
      const created = await store.insert(tx, {
        id: newId(), createAt: now, updateAt: now, deleteAt: 0, ...fields, email: '', companyName: '', allowedDomains: '', inviteId: newId(),
      })
      await store.upsertMember(tx, { teamId: created.id, userId: creatorId, schemeAdmin: true, createAt: now, deleteAt: 0 })
      await channels.createDefaultChannels(tx, created.id, creatorId)
      return created
    })
  }

  return {
    requireTeam,
    membership,
    isTeamAdmin,

    setSystemPoster(poster: SystemPoster): void {
      postSystem = poster
    },

    /**
     * Creates a team with town-square and off-topic; the creator becomes team admin.
     * @throws AppError 400 for bad or taken names.
     */
    async create(session: AuthSession, input: { name: string; display_name: string; type?: string; description?: string; allow_open_invite?: boolean }): Promise<TeamRecord> {
      checkTeamFields(input, true)
      const type = input.type ?? 'O'
      if (type !== 'O' && type !== 'I') throw invalidParam('type', 'type must be O (open) or I (invite only)')
      let team: TeamRecord
      try {
        team = await insertTeam({ name: input.name, displayName: input.display_name.trim(), description: input.description ?? '', type, allowOpenInvite: input.allow_open_invite ?? false }, session.userId)
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('app.team.save.existing.app_error', 'A team with that name already exists.', 400)
        throw err
      }
      const defaults = await Promise.all(['town-square', 'off-topic'].map((name) => channelStore.getByName(team.id, name)))
      await announceJoin(team, session.userId, undefined, defaults.filter((c): c is NonNullable<typeof c> => c !== null))
      return team
    },

    /**
     * The team with this name, created (open, with town-square and off-topic, `creatorId` as its
     * admin) when there is none: what an import into a named team needs, with no session of its own.
     * @throws AppError 400 for an invalid name.
     */
    async ensureByName(name: string, creatorId: string): Promise<TeamRecord> {
      const existing = await store.getByName(name)
      if (existing) return existing
      checkTeamFields({ name, display_name: name }, true)
      try {
        return await insertTeam({ name, displayName: name, description: '', type: 'O', allowOpenInvite: false }, creatorId)
      } catch (err) {
        // Created meanwhile by someone else: theirs is the team.
        const raced = isUniqueViolation(err) ? await store.getByName(name) : null
        if (raced) return raced
        throw err
      }
    },

    async get(session: AuthSession, id: string): Promise<TeamRecord> {
      return getVisible(session, await requireTeam(id))
    },

    async getByName(session: AuthSession, name: string): Promise<TeamRecord> {
      const team = await store.getByName(name)
      if (!team || team.deleteAt > 0) throw notFound('team', name, 'app.team.get_by_name.missing.app_error')
      return getVisible(session, team)
    },

    /** Teams of a user. @throws AppError 403 for another user's teams (unless admin). */
    async listForUser(session: AuthSession, userId: string): Promise<TeamRecord[]> {
      if (userId !== session.userId && !session.isSystemAdmin) throw forbidden('teams of another user')
      return store.listForUser(userId)
    },

    /** `GET /teams`: all teams for admins, open teams for everyone else. */
    async list(session: AuthSession, offset: number, limit: number): Promise<TeamRecord[]> {
      return store.list({ openOnly: !session.isSystemAdmin, offset, limit })
    },

    async membershipsOfUser(session: AuthSession, userId: string): Promise<TeamMemberRecord[]> {
      if (userId !== session.userId && !session.isSystemAdmin) throw forbidden('team memberships of another user')
      return store.membershipsOfUser(userId)
    },

    /**
     * Adds a user to a team (self-join of an open team, or by a team admin) and to its default channels.
     * @throws AppError 403 without permission, 404 for unknown users.
     */
    async addMember(session: AuthSession, teamId: string, userId: string): Promise<TeamMemberRecord> {
      const team = await requireTeam(teamId)
      const self = userId === session.userId
      const allowed = (await isTeamAdmin(session, teamId)) || (self && team.allowOpenInvite) || (!self && (await membership(teamId, session.userId)) !== null && team.allowOpenInvite)
      if (!allowed) throw forbidden(`adding ${userId} to team ${teamId}`)
      const user = await users.getById(userId)
      if (!user || user.deleteAt > 0) throw notFound('user', userId, 'app.user.missing_account.const')
      const existing = await membership(teamId, userId)
      if (existing) return existing
      const { member, joined } = await withTransaction(db, async (tx) => {
        const m = await store.upsertMember(tx, { teamId, userId, schemeAdmin: false, createAt: nowMillis(), deleteAt: 0 })
        return { member: m, joined: await channels.joinDefaultChannels(tx, teamId, userId) }
      })
      await announceJoin(team, userId, session.userId, joined)
      return member
    },

    /**
     * Removes a user from a team and its channels (or leaves).
     * @throws AppError 403 unless self, team admin or system admin.
     */
    async removeMember(session: AuthSession, teamId: string, userId: string): Promise<void> {
      await requireTeam(teamId)
      const self = userId === session.userId
      if (!self && !(await isTeamAdmin(session, teamId))) throw forbidden(`removing ${userId} from team ${teamId}`)
      if (!(await membership(teamId, userId))) throw notFound('team_member', `${teamId}/${userId}`, 'app.team.get_member.missing.app_error')
      const user = await users.getById(userId)
      const townSquare = await channelStore.getByName(teamId, 'town-square')
      if (townSquare) {
        const username = user?.username ?? ''
        await postSystem([
          self
            ? { channelId: townSquare.id, userId, type: 'system_leave_team', message: `${username} left the team.`, props: { username } }
            : { channelId: townSquare.id, userId: session.userId, type: 'system_remove_from_team', message: `${username} was removed from the team.`, props: { removedUserId: userId, removedUsername: username } },
        ])
      }
      const channelIds = await withTransaction(db, async (tx) => {
        await store.markMemberDeleted(tx, teamId, userId, nowMillis())
        return channels.leaveTeamChannels(tx, teamId, userId)
      })
      await bus.publish({ type: 'team.member_removed', payload: { teamId, userId }, ws: { event: 'leave_team', data: { team_id: teamId, user_id: userId }, audience: { teamId } } })
      await bus.publish({ type: 'team.member_removed.self', payload: { teamId, userId }, ws: { event: 'leave_team', data: { team_id: teamId, user_id: userId }, audience: { userId } } })
      for (const channelId of channelIds) {
        await bus.publish({ type: 'channel.member_removed', payload: { channelId, userId, removerId: session.userId }, ws: { event: 'user_removed', data: { user_id: userId, remover_id: session.userId }, audience: { channelId } } })
      }
    },

    /**
     * Makes a member team admin or plain member.
     * @throws AppError 403 unless the caller is a team admin or system admin.
     */
    async setMemberAdmin(session: AuthSession, teamId: string, userId: string, admin: boolean): Promise<TeamMemberRecord> {
      await requireTeam(teamId)
      if (!(await isTeamAdmin(session, teamId))) throw forbidden(`changing roles in team ${teamId}`)
      const existing = await membership(teamId, userId)
      if (!existing) throw notFound('team_member', `${teamId}/${userId}`, 'app.team.get_member.missing.app_error')
      const member = await withTransaction(db, (tx) => store.upsertMember(tx, { ...existing, schemeAdmin: admin }))
      await bus.publish({
        type: 'team.member_updated',
        payload: { teamId, userId },
        ws: { event: 'memberrole_updated', data: { member: JSON.stringify(presentTeamMember(member)) }, audience: { userId } },
      })
      return member
    },

    /** @throws AppError 403 unless the caller may see the team's members. */
    async members(session: AuthSession, teamId: string, offset: number, limit: number): Promise<TeamMemberRecord[]> {
      await requireTeam(teamId)
      if (!session.isSystemAdmin && !(await membership(teamId, session.userId))) throw forbidden(`members of team ${teamId}`)
      return store.members(teamId, offset, limit)
    },

    async member(session: AuthSession, teamId: string, userId: string): Promise<TeamMemberRecord> {
      await requireTeam(teamId)
      if (!session.isSystemAdmin && !(await membership(teamId, session.userId))) throw forbidden(`members of team ${teamId}`)
      const member = await membership(teamId, userId)
      if (!member) throw notFound('team_member', `${teamId}/${userId}`, 'app.team.get_member.missing.app_error')
      return member
    },

    /** Unread summaries for each of the user's teams (GET /users/{uid}/teams/unread). */
    async unreads(session: AuthSession, userId: string, excludeTeamId?: string): Promise<Record<string, unknown>[]> {
      if (userId !== session.userId && !session.isSystemAdmin) throw forbidden('unreads of another user')
      const teams = await store.listForUser(userId)
      const memberships = await channelStore.membershipsWithChannels(userId)
      return teams
        .filter((t) => t.id !== excludeTeamId)
        .map((team) => {
          let msgCount = 0, mentionCount = 0, msgCountRoot = 0, mentionCountRoot = 0
          for (const { member, channel } of memberships) {
            if (channel.teamId !== team.id) continue
            const markMentionOnly = member.notifyProps.mark_unread === 'mention'
            if (!markMentionOnly) {
              msgCount += Math.max(0, channel.totalMsgCount - member.msgCount)
              msgCountRoot += Math.max(0, channel.totalMsgCountRoot - member.msgCountRoot)
            }
            mentionCount += member.mentionCount
            mentionCountRoot += member.mentionCountRoot
          }
          return { team_id: team.id, msg_count: msgCount, mention_count: mentionCount, mention_count_root: mentionCountRoot, msg_count_root: msgCountRoot, thread_count: 0, thread_mention_count: 0, thread_urgent_mention_count: 0 }
        })
    },

    memberIds: (teamId: string) => store.memberIds(teamId),
  }
}

export type TeamService = ReturnType<typeof createTeamService>
