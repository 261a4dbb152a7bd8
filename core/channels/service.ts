/** Channels of every type: creation, access rules, membership, viewing and unread counts. */
import { AppError, forbidden, forInput, invalidParam, notFound } from '../errors.ts'
import { isValidId, newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Database } from '../db/index.ts'
import { isUniqueViolation, withSqlTransaction, withTransaction } from '../db/index.ts'
import type { DbClient } from '../db-client.ts'
import type { EventBus } from '../realtime/events.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { TeamRecord, TeamStore } from '../teams/store.ts'
import type { UserStore, UserRecord } from '../users/store.ts'
import { presentChannel, presentChannelMember } from '../present/channel.ts'
import { createReadCache } from '../cache/read-cache.ts'
import { checkChannelFields, directChannelName, groupChannelName } from './rules.ts'
import { DEFAULT_CHANNEL_NOTIFY_PROPS, type ChannelMemberRecord, type ChannelRecord, type ChannelStore } from './store.ts'

export interface SystemPostInput { channelId: string; userId: string; type: string; message: string; props: Record<string, unknown> }

/** Posts system messages (join/leave/header change), all of them in one write; supplied by the posts service. */
export type SystemPoster = (posts: SystemPostInput[]) => Promise<void>

type NewChannelInput = { team_id: string; name: string; display_name: string; type: string; purpose?: string; header?: string }

/** One channel of `ensureMany`. */
export interface EnsureChannelInput {
  /** A deterministic id (core/ids.ts idFromKey) lets a retry find the row it wrote; default a new id. */
  id?: string
  team_id: string
  name: string
  display_name: string
  type: 'O' | 'P'
  purpose?: string
  header?: string
  /** Users to make members; those who are not live members of the team are skipped. */
  members?: string[]
}

export interface EnsuredChannel {
  channel: ChannelRecord
  created: boolean
  /** The `members` who became members by this call. */
  added: string[]
}

export interface ChannelServiceOptions {
  db: Database
  store: ChannelStore
  teams: TeamStore
  users: UserStore
  bus: EventBus
}

const channelExists = () => new AppError('store.sql_channel.save_channel.exists.app_error', 'A channel with that name already exists on the same team.', 400)

const MEMBERSHIP_EVENTS = ['channel.created', 'channel.member_added', 'channel.member_removed', 'channel.member_removed.self', 'channel.direct_added', 'channel.group_added']
const CHANNEL_EVENTS = ['channel.updated', 'channel.archived', 'channel.restored']

export const DEFAULT_CHANNELS = [
  { name: 'town-square', displayName: 'Town Square' },
  { name: 'off-topic', displayName: 'Off-Topic' },
]

function newMember(channelId: string, userId: string, channel: ChannelRecord, admin: boolean, now: number): ChannelMemberRecord {
  return {
    channelId,
    userId,
    schemeAdmin: admin,
    lastViewedAt: now,
    msgCount: channel.totalMsgCount,
    msgCountRoot: channel.totalMsgCountRoot,
    mentionCount: 0,
    mentionCountRoot: 0,
    urgentMentionCount: 0,
    notifyProps: { ...DEFAULT_CHANNEL_NOTIFY_PROPS },
    lastUpdateAt: now,
  }
}

/** `create`'s checks of the input alone. @throws AppError 400 for a bad type, name, display name, header or purpose. */
function checkNewChannelFields(input: NewChannelInput): void {
  if (input.type !== 'O' && input.type !== 'P') throw invalidParam('type', 'type must be O (public) or P (private)')
  checkChannelFields(input, true)
}

/** `create`'s checks of the team. @throws AppError 404 for a missing or deleted team, 403 when the caller may not create in it. */
function checkNewChannelAccess(session: AuthSession, input: NewChannelInput, team: TeamRecord | null, callerInTeam: boolean): asserts team is TeamRecord {
  if (!team || team.deleteAt > 0) throw notFound('team', input.team_id, 'app.team.get.find.app_error')
  if (!session.isSystemAdmin && !callerInTeam) throw forbidden('not a team member')
}

function newChannelRow(session: AuthSession, input: NewChannelInput, id: string, now: number): ChannelRecord {
  return {
    id, createAt: now, updateAt: now, deleteAt: 0, teamId: input.team_id, type: input.type, name: input.name, displayName: input.display_name.trim(),
    header: input.header ?? '', purpose: input.purpose ?? '', creatorId: session.userId, lastPostAt: now, lastRootPostAt: now,
    totalMsgCount: 0, totalMsgCountRoot: 0, extraUpdateAt: 0,
  }
}

export function createChannelService(options: ChannelServiceOptions) {
  const { db, store, teams, users, bus } = options
  let postSystem: SystemPoster = async () => {}

  // Hot-path caches (posting, WebSocket fan-out), invalidated by the domain events that change them.
  const channelCache = createReadCache<ChannelRecord | null>({ ttlMs: 60_000, maxEntries: 20_000 })
  const memberCache = createReadCache<Set<string>>({ ttlMs: 60_000, maxEntries: 20_000 })
  bus.subscribe({
    id: 'channels.cache',
    events: [...MEMBERSHIP_EVENTS, ...CHANNEL_EVENTS, 'team.member_removed'],
    handle(event) {
      const channelId = typeof event.payload.channelId === 'string' ? event.payload.channelId : undefined
      if (event.type === 'team.member_removed') return memberCache.clear()
      if (!channelId) return
      if (MEMBERSHIP_EVENTS.includes(event.type)) memberCache.delete(channelId)
      if (CHANNEL_EVENTS.includes(event.type)) channelCache.delete(channelId)
    },
  })

  async function requireChannel(id: string): Promise<ChannelRecord> {
    const channel = await store.getById(id)
    if (!channel) throw notFound('channel', id, 'app.channel.get.existing.app_error')
    return channel
  }

  async function isTeamMember(teamId: string, userId: string): Promise<boolean> {
    const member = await teams.getMember(teamId, userId)
    return member !== null && member.deleteAt === 0
  }

  /** Whether the caller may read the channel and its posts. */
  async function canRead(session: AuthSession, channel: ChannelRecord): Promise<boolean> {
    if (session.isSystemAdmin) return true
    if (channel.type === 'O') return isTeamMember(channel.teamId, session.userId)
    return (await store.getMember(channel.id, session.userId)) !== null
  }

  /**
   * The channel, if the caller may read it.
   * @throws AppError 404 for unknown ids, 403 when the caller may not read it.
   */
  async function getReadable(session: AuthSession, id: string): Promise<ChannelRecord> {
    const channel = await requireChannel(id)
    if (!(await canRead(session, channel))) throw forbidden(`no read access to channel ${id}`)
    return channel
  }

  /** @throws AppError 403 unless the caller is a member of the channel (or a system admin when allowed). */
  async function requireMembership(session: AuthSession, channel: ChannelRecord): Promise<ChannelMemberRecord | null> {
    const member = await store.getMember(channel.id, session.userId)
    if (!member && !session.isSystemAdmin) throw forbidden(`not a member of channel ${channel.id}`)
    return member
  }

  async function publishChannelUpdated(channel: ChannelRecord): Promise<void> {
    await bus.publish({
      type: 'channel.updated',
      payload: { channelId: channel.id },
      ws: { event: 'channel_updated', data: { channel: JSON.stringify(presentChannel(channel)) }, audience: channel.type === 'O' ? { teamId: channel.teamId } : { channelId: channel.id } },
    })
  }

  /** Adds one member inside a transaction; no-op (returns existing) when already a member. */
  async function addMemberTx(tx: DbClient, channel: ChannelRecord, userId: string, admin: boolean): Promise<{ member: ChannelMemberRecord; created: boolean }> {
    const existing = await store.getMember(channel.id, userId, tx)
    if (existing) return { member: existing, created: false }
    return { member: await store.insertMember(tx, newMember(channel.id, userId, channel, admin, nowMillis())), created: true }
  }

  /** The D/G channel with this name, created with its members when missing (concurrent creators meet on one). */
  async function findOrCreateDirectOrGroup(session: AuthSession, type: 'D' | 'G', name: string, displayName: string, memberIds: string[]): Promise<{ channel: ChannelRecord; created: boolean }> {
    const existing = await store.getByName('', name)
    if (existing) return { channel: existing, created: false }
    const now = nowMillis()
    try {
      const channel = await withTransaction(db, async (tx) => {
        const created = await store.insert(tx, {
          id: newId(), createAt: now, updateAt: now, deleteAt: 0, teamId: '', type, name, displayName, header: '', purpose: '',
          creatorId: session.userId, lastPostAt: now, lastRootPostAt: now, totalMsgCount: 0, totalMsgCountRoot: 0, extraUpdateAt: 0,
        })
        for (const userId of memberIds) await store.insertMember(tx, newMember(created.id, userId, created, false, now))
        return created
      })
      return { channel, created: true }
    } catch (err) {
      // Two clients opening the same conversation at once: the loser reads the winner's channel.
      if (isUniqueViolation(err)) {
        const raced = await store.getByName('', name)
        if (raced) return { channel: raced, created: false }
      }
      throw err
    }
  }

  async function publishUserAdded(channel: ChannelRecord, userId: string): Promise<void> {
    await bus.publish({
      type: 'channel.member_added',
      payload: { channelId: channel.id, userId, teamId: channel.teamId },
      ws: { event: 'user_added', data: { user_id: userId, team_id: channel.teamId }, audience: { channelId: channel.id } },
    })
  }

  const service = {
    requireChannel,

    /**
     * The channel from the cache; its counters may be stale, its type, team, names and archive
     * state are current. For the posting hot path only.
     * @throws AppError 404 for unknown ids.
     */
    async getCached(id: string): Promise<ChannelRecord> {
      const channel = await channelCache.get(id, () => store.getById(id))
      if (!channel) {
        channelCache.delete(id)
        throw notFound('channel', id, 'app.channel.get.existing.app_error')
      }
      return channel
    },

    /** Member user ids of a channel (cached; used by posting and WebSocket fan-out). */
    memberIdsCached(channelId: string): Promise<Set<string>> {
      return memberCache.get(channelId, async () => new Set(await store.memberIds(channelId)))
    },

    getReadable,
    canRead,
    requireMembership,
    isTeamMember,

    /** Wired by the composition root once the posts service exists. */
    setSystemPoster(poster: SystemPoster): void {
      postSystem = poster
    },

    /** Creates the default channels of a new team and joins the creator (inside the team's transaction). */
    async createDefaultChannels(tx: DbClient, teamId: string, creatorId: string): Promise<ChannelRecord[]> {
      const now = nowMillis()
      const created: ChannelRecord[] = []
      for (const def of DEFAULT_CHANNELS) {
        const channel = await store.insert(tx, {
          id: newId(), createAt: now, updateAt: now, deleteAt: 0, teamId, type: 'O', name: def.name, displayName: def.displayName,
          header: '', purpose: '', creatorId, lastPostAt: now, lastRootPostAt: now, totalMsgCount: 0, totalMsgCountRoot: 0, extraUpdateAt: 0,
        })
        await store.insertMember(tx, newMember(channel.id, creatorId, channel, false, now))
        created.push(channel)
      }
      return created
    },

    /** Joins a user to a team's default channels (team join). */
    async joinDefaultChannels(tx: DbClient, teamId: string, userId: string): Promise<ChannelRecord[]> {
      const joined: ChannelRecord[] = []
      for (const def of DEFAULT_CHANNELS) {
        const channel = await store.getByName(teamId, def.name, tx)
        if (!channel || channel.deleteAt > 0) continue
        const { created } = await addMemberTx(tx, channel, userId, false)
        if (created) joined.push(channel)
      }
      return joined
    },

    publishUserAdded,

    /**
     * Creates a public (O) or private (P) channel; the creator becomes its admin.
     * @throws AppError 400 for bad fields or a taken name; 403 when not a team member.
     */
    async create(session: AuthSession, input: NewChannelInput): Promise<ChannelRecord> {
      checkNewChannelFields(input)
      const team = await teams.getById(input.team_id)
      checkNewChannelAccess(session, input, team, session.isSystemAdmin || (team !== null && (await isTeamMember(team.id, session.userId))))
      const now = nowMillis()
      let channel: ChannelRecord
      try {
        channel = await withTransaction(db, async (tx) => {
          const created = await store.insert(tx, newChannelRow(session, input, newId(), now))
          await store.insertMember(tx, newMember(created.id, session.userId, created, true, now))
          return created
        })
      } catch (err) {
        if (isUniqueViolation(err)) throw channelExists()
        throw err
      }
      await bus.publish({ type: 'channel.created', payload: { channelId: channel.id, teamId: team.id, userId: session.userId }, ws: { event: 'channel_created', data: { channel_id: channel.id, team_id: team.id }, audience: { userId: session.userId } } })
      const user = await users.getById(session.userId)
      await postSystem([{ channelId: channel.id, userId: session.userId, type: 'system_join_channel', message: `${user?.username ?? 'someone'} joined the channel.`, props: { username: user?.username ?? '' } }])
      return (await store.getById(channel.id)) ?? channel
    },

    /**
     * Creates public/private channels in one transaction, or reuses a live channel of the same team and name; then
     * makes `members` members of each (ON CONFLICT DO NOTHING). The caller becomes the admin member of channels it created.
     * For a bot or system caller making many channels at once (playbook runs); the same checks as `create` per input.
     * A reused channel the caller is not in takes new members only as `addMember` would allow (the caller joining a
     * public one), unless the caller is a system admin. Members who are not live team members are skipped.
     * @throws AppError 400/403/404 as `create` would, naming the input's index, before anything is written.
     */
    async ensureMany(session: AuthSession, inputs: EnsureChannelInput[]): Promise<EnsuredChannel[]> {
      if (inputs.length === 0) return []
      const teamIds = [...new Set(inputs.map((input) => input.team_id))]
      const wantedIds = [...new Set(inputs.flatMap((input) => input.members ?? []))]
      const teamList = await teams.getByIds(teamIds)
      const userList = await users.getByIds([...new Set([...wantedIds, session.userId])])
      const inTeam = await teams.liveMemberKeys(teamIds, [...new Set([...wantedIds, session.userId])])
      const teamsById = new Map(teamList.map((t) => [t.id, t]))
      const usersById = new Map(userList.map((u) => [u.id, u]))
      const byName = new Map<string, number>()
      const byId = new Map<string, number>()
      for (const [i, input] of inputs.entries()) {
        try {
          checkNewChannelFields(input)
          checkNewChannelAccess(session, input, teamsById.get(input.team_id) ?? null, inTeam.has(`${input.team_id}:${session.userId}`))
          if (input.id !== undefined && !isValidId(input.id)) throw invalidParam('id', 'an id is 26 letters or digits')
          // Two inputs for one channel would race each other for it inside one statement.
          const nameKey = `${input.team_id}:${input.name}`
          if (byName.has(nameKey)) throw invalidParam('name', `the same team and name as inputs[${byName.get(nameKey)}]`)
          if (input.id !== undefined && byId.has(input.id)) throw invalidParam('id', `the same id as inputs[${byId.get(input.id)}]`)
          byName.set(nameKey, i)
          if (input.id !== undefined) byId.set(input.id, i)
        } catch (err) {
          throw forInput(i, err)
        }
      }
      const wanted = inputs.map((input) => [...new Set(input.members ?? [])].filter((userId) => usersById.get(userId)?.deleteAt === 0 && inTeam.has(`${input.team_id}:${userId}`)))
      const now = nowMillis()
      const planned = inputs.map((input) => newChannelRow(session, input, input.id ?? newId(), now))

      const { resolved, insertedMembers } = await withSqlTransaction(db, async (tx) => {
        const inserted = new Map((await store.insertMany(tx, planned)).map((c) => [c.id, c]))
        const missing = planned.filter((p) => !inserted.has(p.id))
        const found = await store.getByNamesOrIds(tx, missing.map((p) => ({ teamId: p.teamId, name: p.name })), missing.map((p) => p.id), session.userId)
        const resolved = planned.map((p, i): { channel: ChannelRecord; created: boolean } => {
          const mine = inserted.get(p.id)
          if (mine) return { channel: mine, created: true }
          // By name first: a retry whose channel was renamed meanwhile finds it by its deterministic id.
          const hit = found.find((f) => f.channel.teamId === p.teamId && f.channel.name === p.name) ?? found.find((f) => f.channel.id === p.id)
          if (!hit) throw new Error(`ensureMany: inputs[${i}] (team ${p.teamId}, name ${p.name}, id ${p.id}) was neither inserted nor found`)
          if (hit.channel.deleteAt > 0) throw forInput(i, channelExists())
          if (!session.isSystemAdmin && !hit.userIsMember) {
            const joinsOnlySelf = wanted[i]!.every((userId) => userId === session.userId) && hit.channel.type === 'O'
            if (wanted[i]!.length > 0 && !joinsOnlySelf) throw forInput(i, forbidden(`adding members to channel ${hit.channel.id}, which the caller is not in`))
          }
          return { channel: hit.channel, created: false }
        })
        const members = resolved.flatMap(({ channel, created }, i) => [
          ...(created ? [newMember(channel.id, session.userId, channel, true, now)] : []),
          ...wanted[i]!.filter((userId) => !(created && userId === session.userId)).map((userId) => newMember(channel.id, userId, channel, false, now)),
        ])
        const insertedMembers = new Set((await store.insertMembers(tx, members)).map((m) => `${m.channelId}:${m.userId}`))
        return { resolved, insertedMembers }
      })

      const added = resolved.map(({ channel, created }, i) => wanted[i]!.filter((userId) => !(created && userId === session.userId) && insertedMembers.has(`${channel.id}:${userId}`)))
      for (const { channel } of resolved) {
        // Fresh records for the system posts below; member sets are reloaded on next use.
        channelCache.set(channel.id, channel)
        memberCache.delete(channel.id)
      }
      for (const { channel, created } of resolved) {
        if (!created) continue
        await bus.publish({ type: 'channel.created', payload: { channelId: channel.id, teamId: channel.teamId, userId: session.userId }, ws: { event: 'channel_created', data: { channel_id: channel.id, team_id: channel.teamId }, audience: { userId: session.userId } } })
      }
      // A channel this call created has exactly the members it wrote: the posts below need not read them back.
      // (Publishing channel.created and user_added drops the cached sets, so they are put back after each.)
      const primeMembers = () => {
        for (const [i, { channel, created }] of resolved.entries()) if (created) memberCache.set(channel.id, new Set([session.userId, ...added[i]!]))
      }
      primeMembers()
      const caller = usersById.get(session.userId)
      const callerName = caller?.username ?? ''
      const systemPosts = resolved.flatMap(({ channel, created }, i): SystemPostInput[] => [
        ...(created ? [{ channelId: channel.id, userId: session.userId, type: 'system_join_channel', message: `${caller?.username ?? 'someone'} joined the channel.`, props: { username: callerName } }] : []),
        ...added[i]!.map((userId): SystemPostInput => {
          const target = usersById.get(userId)!
          if (userId === session.userId) return { channelId: channel.id, userId, type: 'system_join_channel', message: `${target.username} joined the channel.`, props: { username: target.username } }
          return {
            channelId: channel.id, userId: session.userId, type: 'system_add_to_channel', message: `${target.username} added to the channel by ${callerName}.`,
            props: { userId: session.userId, username: callerName, addedUserId: userId, addedUsername: target.username },
          }
        }),
      ])
      if (systemPosts.length > 0) await postSystem(systemPosts)
      for (const [i, { channel }] of resolved.entries()) {
        for (const userId of added[i]!) await publishUserAdded(channel, userId)
      }
      primeMembers()
      // The system posts moved the counters.
      const fresh = new Map((await store.getByIds(resolved.map((r) => r.channel.id))).map((c) => [c.id, c]))
      return resolved.map(({ channel, created }, i) => ({ channel: fresh.get(channel.id) ?? channel, created, added: added[i]! }))
    },

    /**
     * The direct channel between two users (created when missing); the same id twice = self-DM.
     * @throws AppError 400 for a bad user list, 403 when the caller is not one of them (unless admin).
     */
    async createDirect(session: AuthSession, userIds: string[]): Promise<{ channel: ChannelRecord; created: boolean }> {
      if (userIds.length !== 2) throw invalidParam('user_ids', 'a direct message needs exactly 2 user ids')
      if (!userIds.includes(session.userId) && !session.isSystemAdmin) throw forbidden('creating a direct channel between other users')
      const found = await users.getByIds([...new Set(userIds)])
      if (found.length !== new Set(userIds).size) throw invalidParam('user_ids', 'unknown user id')
      const name = directChannelName(userIds[0]!, userIds[1]!)
      const { channel, created } = await findOrCreateDirectOrGroup(session, 'D', name, '', [...new Set(userIds)])
      if (!created) return { channel, created }
      // Mattermost broadcasts it to the new channel's members, with the other user as teammate.
      const teammate = userIds.find((id) => id !== session.userId) ?? session.userId
      await bus.publish({ type: 'channel.direct_added', payload: { channelId: channel.id }, ws: { event: 'direct_added', data: { creator_id: session.userId, teammate_id: teammate }, audience: { channelId: channel.id } } })
      return { channel, created: true }
    },

    /**
     * A group message channel of 3–8 users including the caller.
     * @throws AppError 400 for the wrong number of users or unknown ids.
     */
    async createGroup(session: AuthSession, userIds: string[]): Promise<{ channel: ChannelRecord; created: boolean }> {
      const ids = [...new Set([...userIds, session.userId])]
      if (ids.length < 3 || ids.length > 8) {
        throw new AppError('api.channel.create_group.bad_size.app_error', 'Group message channels must contain at least 3 and no more than 8 users.', 400)
      }
      const members = await users.getByIds(ids)
      if (members.length !== ids.length) throw invalidParam('user_ids', 'unknown user id')
      const name = groupChannelName(ids)
      const displayName = members.map((u: UserRecord) => u.username).sort().join(', ')
      const { channel, created } = await findOrCreateDirectOrGroup(session, 'G', name, displayName.slice(0, 64), ids)
      if (!created) return { channel, created }
      await bus.publish({ type: 'channel.group_added', payload: { channelId: channel.id }, ws: { event: 'group_added', data: { teammate_ids: JSON.stringify(ids) }, audience: { channelId: channel.id } } })
      return { channel, created: true }
    },

    /**
     * Updates display name, name, header or purpose; posts the change as a system message.
     * @throws AppError 403 for non-members, 400 for D/G name changes or bad fields.
     */
    async patch(session: AuthSession, id: string, patch: { display_name?: string; name?: string; header?: string; purpose?: string }): Promise<ChannelRecord> {
      const channel = await getReadable(session, id)
      await requireMembership(session, channel)
      if (channel.deleteAt > 0) throw new AppError('api.channel.patch_update_channel.forbidden.app_error', 'Archived channels cannot be changed.', 400)
      if ((channel.type === 'D' || channel.type === 'G') && (patch.name !== undefined || patch.display_name !== undefined)) {
        throw invalidParam('name', 'direct and group message channels cannot be renamed')
      }
      checkChannelFields(patch, false)
      const data: Partial<ChannelRecord> = { updateAt: nowMillis() }
      if (patch.display_name !== undefined) data.displayName = patch.display_name.trim()
      if (patch.name !== undefined) data.name = patch.name
      if (patch.header !== undefined) data.header = patch.header
      if (patch.purpose !== undefined) data.purpose = patch.purpose
      let updated: ChannelRecord
      try {
        updated = await store.update(id, data)
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('store.sql_channel.save_channel.exists.app_error', 'A channel with that name already exists on the same team.', 400)
        throw err
      }
      const user = await users.getById(session.userId)
      const username = user?.username ?? ''
      if (patch.header !== undefined && patch.header !== channel.header) {
        const message = patch.header ? `${username} updated the channel header to: ${patch.header}` : `${username} removed the channel header (was: ${channel.header})`
        await postSystem([{ channelId: id, userId: session.userId, type: 'system_header_change', message, props: { username, old_header: channel.header, new_header: patch.header } }])
      }
      if (patch.display_name !== undefined && updated.displayName !== channel.displayName) {
        await postSystem([{ channelId: id, userId: session.userId, type: 'system_displayname_change', message: `${username} updated the channel display name from: ${channel.displayName} to: ${updated.displayName}`, props: { username, old_displayname: channel.displayName, new_displayname: updated.displayName } }])
      }
      if (patch.purpose !== undefined && patch.purpose !== channel.purpose) {
        await postSystem([{ channelId: id, userId: session.userId, type: 'system_purpose_change', message: `${username} updated the channel purpose to: ${patch.purpose}`, props: { username, old_purpose: channel.purpose, new_purpose: patch.purpose } }])
      }
      const fresh = (await store.getById(id)) ?? updated
      await publishChannelUpdated(fresh)
      return fresh
    },

    /**
     * Archives (soft-deletes) an O/P channel.
     * @throws AppError 400 for D/G or already archived channels, 403 for non-members.
     */
    async archive(session: AuthSession, id: string): Promise<ChannelRecord> {
      const channel = await getReadable(session, id)
      if (channel.type === 'D' || channel.type === 'G') throw new AppError('api.channel.delete_channel.type.invalid', 'Direct and group message channels cannot be deleted.', 400)
      if (channel.deleteAt > 0) throw new AppError('api.channel.delete_channel.deleted.app_error', 'The channel has been archived or deleted.', 400)
      if (channel.name === 'town-square') throw new AppError('api.channel.delete_channel.cannot.app_error', 'Unable to delete the default channel town-square.', 400)
      await requireMembership(session, channel)
      const user = await users.getById(session.userId)
      await postSystem([{ channelId: id, userId: session.userId, type: 'system_channel_deleted', message: `${user?.username ?? ''} archived the channel`, props: { username: user?.username ?? '' } }])
      const now = nowMillis()
      const updated = await store.update(id, { deleteAt: now, updateAt: now })
      await bus.publish({
        type: 'channel.archived',
        payload: { channelId: id, teamId: channel.teamId },
        ws: { event: 'channel_deleted', data: { channel_id: id, delete_at: now }, audience: channel.type === 'O' ? { teamId: channel.teamId } : { channelId: id } },
      })
      return updated
    },

    /** Restores an archived channel. @throws AppError 403 unless a member or admin. */
    async unarchive(session: AuthSession, id: string): Promise<ChannelRecord> {
      const channel = await getReadable(session, id)
      if (channel.deleteAt === 0) throw new AppError('api.channel.restore_channel.restored.app_error', 'The channel is not archived.', 400)
      await requireMembership(session, channel)
      const updated = await store.update(id, { deleteAt: 0, updateAt: nowMillis() })
      const user = await users.getById(session.userId)
      await postSystem([{ channelId: id, userId: session.userId, type: 'system_channel_restored', message: `${user?.username ?? ''} unarchived the channel`, props: { username: user?.username ?? '' } }])
      await bus.publish({ type: 'channel.restored', payload: { channelId: id }, ws: { event: 'channel_restored', data: { channel_id: id }, audience: channel.type === 'O' ? { teamId: channel.teamId } : { channelId: id } } })
      return updated
    },

    /**
     * Adds a user to an O/P channel: oneself to a public channel of one's team, or others as a member.
     * @throws AppError 400 for D/G, 403 without permission or when the user is not in the team.
     */
    async addMember(session: AuthSession, channelId: string, userId: string): Promise<ChannelMemberRecord> {
      const channel = await requireChannel(channelId)
      if (channel.type === 'D' || channel.type === 'G') throw new AppError('api.channel.add_user_to_channel.type.app_error', 'Can not add user to this channel type.', 400)
      if (channel.deleteAt > 0) throw new AppError('api.channel.add_user.to.channel.failed.deleted.app_error', 'Failed to add user to channel because the channel has been archived.', 400)
      const self = userId === session.userId
      if (!session.isSystemAdmin) {
        if (self && channel.type === 'O') {
          if (!(await isTeamMember(channel.teamId, session.userId))) throw forbidden('joining a channel of a team one is not in')
        } else if (!(await store.getMember(channelId, session.userId))) {
          throw forbidden('adding members to a channel one is not in')
        }
      }
      const target = await users.getById(userId)
      if (!target || target.deleteAt > 0) throw notFound('user', userId, 'app.user.missing_account.const')
      if (!(await isTeamMember(channel.teamId, userId))) {
        throw new AppError('api.channel.add_members.user_denied', 'The user is not a member of the channel\'s team.', 403, { context: { userId, teamId: channel.teamId } })
      }
      const { member, created } = await withTransaction(db, (tx) => addMemberTx(tx, channel, userId, false))
      if (created) {
        if (self) {
          await postSystem([{ channelId, userId, type: 'system_join_channel', message: `${target.username} joined the channel.`, props: { username: target.username } }])
        } else {
          const adder = await users.getById(session.userId)
          await postSystem([{
            channelId, userId: session.userId, type: 'system_add_to_channel', message: `${target.username} added to the channel by ${adder?.username ?? ''}.`,
            props: { userId: session.userId, username: adder?.username ?? '', addedUserId: userId, addedUsername: target.username },
          }])
        }
        await publishUserAdded(channel, userId)
      }
      return (await store.getMember(channelId, userId)) ?? member
    },

    /**
     * Removes a member (or leaves). Town Square cannot be left.
     * @throws AppError 400 for town-square or D channels, 403 without permission.
     */
    async removeMember(session: AuthSession, channelId: string, userId: string): Promise<void> {
      const channel = await requireChannel(channelId)
      if (channel.type === 'D') throw new AppError('api.channel.remove_user_from_channel.type.app_error', 'You cannot leave a direct message channel.', 400)
      if (channel.name === 'town-square' && channel.type === 'O') {
        throw new AppError('api.channel.remove.default.app_error', 'Unable to remove user from the default channel town-square.', 400)
      }
      const self = userId === session.userId
      if (!self && !session.isSystemAdmin && !(await store.getMember(channelId, session.userId))) throw forbidden('removing members of a channel one is not in')
      if (!(await store.getMember(channelId, userId))) throw notFound('channel_member', `${channelId}/${userId}`, 'app.channel.get_member.missing.app_error')
      const target = await users.getById(userId)
      if (self) {
        await postSystem([{ channelId, userId, type: 'system_leave_channel', message: `${target?.username ?? ''} left the channel.`, props: { username: target?.username ?? '' } }])
      } else {
        const remover = await users.getById(session.userId)
        await postSystem([{
          channelId, userId: session.userId, type: 'system_remove_from_channel', message: `${target?.username ?? ''} was removed from the channel.`,
          props: { userId: session.userId, username: remover?.username ?? '', removedUserId: userId, removedUsername: target?.username ?? '' },
        }])
      }
      await withTransaction(db, (tx) => store.deleteMember(tx, channelId, userId))
      await bus.publish({
        type: 'channel.member_removed',
        payload: { channelId, userId, removerId: session.userId },
        ws: { event: 'user_removed', data: { user_id: userId, remover_id: session.userId }, audience: { channelId } },
      })
      await bus.publish({
        type: 'channel.member_removed.self',
        payload: { channelId, userId },
        ws: { event: 'user_removed', data: { channel_id: channelId, remover_id: session.userId }, audience: { userId } },
      })
    },

    /**
     * Makes a member channel admin or plain member (roles `channel_user [channel_admin]`).
     * @throws AppError 403 unless the caller is a channel admin, team admin or system admin.
     */
    async setMemberAdmin(session: AuthSession, channelId: string, userId: string, admin: boolean): Promise<ChannelMemberRecord> {
      const channel = await requireChannel(channelId)
      if (channel.type === 'D' || channel.type === 'G') throw invalidParam('channel_id', 'direct and group message channels have no admins')
      if (!session.isSystemAdmin) {
        const own = await store.getMember(channelId, session.userId)
        const teamMember = await teams.getMember(channel.teamId, session.userId)
        if (!own?.schemeAdmin && !(teamMember && teamMember.deleteAt === 0 && teamMember.schemeAdmin)) throw forbidden(`changing roles in channel ${channelId}`)
      }
      if (!(await store.getMember(channelId, userId))) throw notFound('channel_member', `${channelId}/${userId}`, 'app.channel.get_member.missing.app_error')
      const member = await store.updateMember(channelId, userId, { schemeAdmin: admin, lastUpdateAt: nowMillis() })
      await bus.publish({
        type: 'channel.member_updated',
        payload: { channelId, userId },
        ws: { event: 'channel_member_updated', data: { channelMember: JSON.stringify(presentChannelMember(member)) }, audience: { userId } },
      })
      return member
    },

    /** Updates the caller's notification settings for a channel (desktop, push, mark_unread, …). */
    async updateNotifyProps(session: AuthSession, channelId: string, userId: string, props: Record<string, string>): Promise<ChannelMemberRecord> {
      if (userId !== session.userId && !session.isSystemAdmin) throw forbidden('notification settings of another user')
      const member = await store.getMember(channelId, userId)
      if (!member) throw notFound('channel_member', `${channelId}/${userId}`, 'app.channel.get_member.missing.app_error')
      const allowed = Object.keys(DEFAULT_CHANNEL_NOTIFY_PROPS)
      const unknown = Object.keys(props).filter((k) => !allowed.includes(k))
      if (unknown.length > 0) throw invalidParam('notify_props', `unknown keys: ${unknown.join(', ')}`)
      if (props.mark_unread !== undefined && props.mark_unread !== 'all' && props.mark_unread !== 'mention') {
        throw invalidParam('notify_props.mark_unread', 'mark_unread must be all or mention')
      }
      const updated = await store.updateMember(channelId, userId, { notifyProps: { ...member.notifyProps, ...props }, lastUpdateAt: nowMillis() })
      await bus.publish({
        type: 'channel.member_updated',
        payload: { channelId, userId },
        ws: { event: 'channel_member_updated', data: { channelMember: JSON.stringify(presentChannelMember(updated)) }, audience: { userId } },
      })
      return updated
    },

    /** Removes a user from every channel of a team (team leave), inside the team's transaction. */
    async leaveTeamChannels(tx: DbClient, teamId: string, userId: string): Promise<string[]> {
      const ids = await store.idsInTeam(tx, teamId, userId)
      for (const channelId of ids) await store.deleteMember(tx, channelId, userId)
      return ids
    },

    /**
     * Marks channels viewed: last_viewed_at = now, counts caught up, mentions cleared.
     * @returns the new last_viewed_at per channel.
     */
    async view(session: AuthSession, userId: string, channelIds: string[]): Promise<Record<string, number>> {
      if (userId !== session.userId && !session.isSystemAdmin) throw forbidden('viewing channels for another user')
      const times: Record<string, number> = {}
      const now = nowMillis()
      for (const channelId of channelIds) {
        const channel = await store.getById(channelId)
        if (!channel) continue
        const member = await store.getMember(channelId, userId)
        if (!member) continue
        await store.updateMember(channelId, userId, {
          lastViewedAt: now, msgCount: channel.totalMsgCount, msgCountRoot: channel.totalMsgCountRoot, mentionCount: 0, mentionCountRoot: 0, urgentMentionCount: 0, lastUpdateAt: now,
        })
        times[channelId] = now
      }
      if (Object.keys(times).length > 0) {
        await bus.publish({ type: 'channel.viewed', payload: { userId, channelTimes: times }, ws: { event: 'multiple_channels_viewed', data: { channel_times: times }, audience: { userId } } })
        for (const channelId of Object.keys(times)) {
          await bus.publish({ type: 'channel.viewed.legacy', payload: { userId, channelId }, ws: { event: 'channel_viewed', data: { channel_id: channelId }, audience: { userId } } })
        }
      }
      return times
    },

    /** Unread counts of one channel for a user (Mattermost's ChannelUnread). */
    async unread(session: AuthSession, userId: string, channelId: string): Promise<Record<string, unknown>> {
      if (userId !== session.userId && !session.isSystemAdmin) throw forbidden('unreads of another user')
      const channel = await requireChannel(channelId)
      const member = await store.getMember(channelId, userId)
      if (!member) throw forbidden(`not a member of channel ${channelId}`)
      const markMentionOnly = member.notifyProps.mark_unread === 'mention'
      return {
        team_id: channel.teamId,
        channel_id: channel.id,
        msg_count: markMentionOnly ? 0 : Math.max(0, channel.totalMsgCount - member.msgCount),
        mention_count: member.mentionCount,
        mention_count_root: member.mentionCountRoot,
        urgent_mention_count: member.urgentMentionCount,
        msg_count_root: markMentionOnly ? 0 : Math.max(0, channel.totalMsgCountRoot - member.msgCountRoot),
      }
    },

  }
  return service
}

export type ChannelService = ReturnType<typeof createChannelService>
