/**
 * Custom user groups (Mattermost app/group.go, source "custom"): named sets of users that
 * playbooks reference as `group:<name>`.
 *
 * Permissions: Mattermost's default scheme gives every system_user create, edit, delete and
 * manage-members on every custom group. Here any user (not a guest) may create one, but only its
 * creator and system admins may change it: playbooks use groups as approvers, and a group anyone
 * may join would let anyone approve.
 */
import { AppError, forbidden, invalidBodyParam } from '../errors.ts'
import { newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Database } from '../db/index.ts'
import { isUniqueViolation, withTransaction } from '../db/index.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { UserRecord, UserStore } from '../users/store.ts'
import type { GroupMemberRecord, GroupRecord, GroupStore } from './store.ts'

const NAME_MAX = 64
const DISPLAY_NAME_MAX = 128
const DESCRIPTION_MAX = 1024
/** model.UserNotifyAll, ChannelMentionsNotifyProp, UserNotifyHere: a group named so would clash with @-mentions. */
const RESERVED_NAMES = new Set(['all', 'channel', 'here'])
const VALID_NAME = /^[a-z0-9.\-_]+$/

export interface GroupServiceOptions {
  db: Database
  store: GroupStore
  users: Pick<UserStore, 'getById' | 'getByIds' | 'getByUsername'>
  now?: () => number
}

export interface CreateGroupInput {
  name?: string
  display_name: string
  description?: string
  source: string
  allow_reference?: boolean
  remote_id?: string | null
  user_ids?: string[]
}

export interface GroupPatchInput {
  name?: string
  display_name?: string
  description?: string
  allow_reference?: boolean
}

/** A group with what the JSON may carry besides the row. */
export type GroupView = GroupRecord & { memberCount?: number }

function groupNotFound(groupId: string): AppError {
  return new AppError('app.group.no_rows', 'Unable to find the group.', 404, { context: { groupId } })
}

/** Group.IsValidName. @throws AppError 400 `model.group.name.*`. */
function checkName(name: string | undefined): void {
  if (name === undefined || name.length === 0 || name.length > NAME_MAX) {
    throw new AppError('model.group.name.invalid_length.app_error', `Group name must be 1 to ${NAME_MAX} characters.`, 400)
  }
  if (RESERVED_NAMES.has(name)) throw new AppError('model.group.name.reserved_name.app_error', `The group name "${name}" is reserved.`, 400)
  if (!VALID_NAME.test(name)) {
    throw new AppError('model.group.name.invalid_chars.app_error', 'Group name may only contain lowercase letters, numbers, ".", "-" and "_".', 400, { context: { name } })
  }
}

/** Group.IsValidForCreate's length checks. @throws AppError 400. */
function checkFields(fields: { display_name?: string; description?: string }): void {
  if (fields.display_name !== undefined && (fields.display_name.length === 0 || [...fields.display_name].length > DISPLAY_NAME_MAX)) {
    throw new AppError('model.group.display_name.app_error', `Group display name must be 1 to ${DISPLAY_NAME_MAX} characters.`, 400)
  }
  if (fields.description !== undefined && [...fields.description].length > DESCRIPTION_MAX) {
    throw new AppError('model.group.description.app_error', `Group description must be at most ${DESCRIPTION_MAX} characters.`, 400)
  }
}

function mustBeReferenceable(): AppError {
  return new AppError('api.custom_groups.must_be_referenceable', 'Custom groups must be referenceable: allow_reference must be true.', 400)
}

function customOnly(): AppError {
  return new AppError('app.group.crud_permission', 'Only custom groups (source "custom") can be created or changed here.', 400)
}

export function createGroupService(options: GroupServiceOptions) {
  const { db, store, users } = options
  const now = options.now ?? nowMillis

  function canCreate(session: AuthSession): boolean {
    return session.isSystemAdmin || session.roles.split(' ').includes('system_user')
  }

  function canManage(session: AuthSession, group: GroupRecord): boolean {
    return session.isSystemAdmin || (group.creatorId !== '' && group.creatorId === session.userId)
  }

  /** @throws AppError 404 for an unknown or (unless asked) deleted group. */
  async function requireGroup(groupId: string, includeDeleted = false): Promise<GroupRecord> {
    const group = await store.getById(groupId)
    if (!group || (group.deleteAt !== 0 && !includeDeleted)) throw groupNotFound(groupId)
    return group
  }

  /** The group, checked for a change by `session`. @throws AppError 404, 400 (not custom), 403. */
  async function requireManaged(session: AuthSession, groupId: string): Promise<GroupRecord> {
    const group = await requireGroup(groupId)
    if (group.source !== 'custom') throw customOnly()
    if (!canManage(session, group)) throw forbidden(`only the group's creator or a system admin may change group ${groupId}`)
    return group
  }

  /** A name no user and no other group has. @throws AppError 400. */
  async function checkNameFree(name: string): Promise<void> {
    if (await users.getByUsername(name)) throw new AppError('api.ldap_groups.existing_user_name_error', `A user is already named "${name}"; a group may not take a username.`, 400)
  }

  /** Active users for each id, in order. @throws AppError 400 naming the first unknown one. */
  async function requireUsers(userIds: string[]): Promise<UserRecord[]> {
    const unique = [...new Set(userIds)]
    const found = new Map((await users.getByIds(unique)).map((u) => [u.id, u]))
    for (const [i, id] of userIds.entries()) {
      const user = found.get(id)
      if (!user || user.deleteAt !== 0) throw invalidBodyParam(`user_ids[${i}]`, `no active user ${id}`)
    }
    return unique.map((id) => found.get(id)!)
  }

  function duplicateName(err: unknown, name: string): AppError | undefined {
    if (isUniqueViolation(err, ['name'])) return new AppError('app.custom_group.unique_name', `A group named "${name}" already exists.`, 400, { cause: err })
    return undefined
  }

  async function withCount(group: GroupRecord): Promise<GroupView> {
    return { ...group, memberCount: (await store.memberCounts([group.id])).get(group.id) ?? 0 }
  }

  return {
    requireGroup,

    /**
     * Creates a custom group with its first members (CreateGroupWithUserIds).
     * @throws AppError 400 for a bad field, a taken name or an unknown user; 403 for a guest.
     */
    async create(session: AuthSession, input: CreateGroupInput): Promise<GroupView> {
      if (input.source !== 'custom') throw customOnly()
      if (!canCreate(session)) throw forbidden('create_custom_group')
      if (input.allow_reference !== true) throw mustBeReferenceable()
      if (input.remote_id) throw new AppError('api.custom_groups.no_remote_id', 'Custom groups may not have a remote_id.', 400)
      checkName(input.name)
      checkFields({ display_name: input.display_name, description: input.description ?? '' })
      const name = input.name!
      await checkNameFree(name)
      const members = await requireUsers(input.user_ids ?? [])
      const at = now()
      const group: GroupRecord = {
        id: newId(), name, displayName: input.display_name, description: input.description ?? '', source: 'custom', remoteId: null,
        allowReference: true, creatorId: session.userId, createAt: at, updateAt: at, deleteAt: 0,
      }
      try {
        const created = await withTransaction(db, async (tx) => {
          const row = await store.insert(tx, group)
          if (members.length) await store.addMembers(tx, row.id, members.map((u) => u.id), at)
          return row
        })
        return { ...created, memberCount: members.length }
      } catch (err) {
        throw duplicateName(err, name) ?? err
      }
    },

    /** @throws AppError 404. */
    async get(_session: AuthSession, groupId: string, includeMemberCount: boolean): Promise<GroupView> {
      const group = await requireGroup(groupId)
      return includeMemberCount ? withCount(group) : group
    },

    async list(_session: AuthSession, filter: { q: string; page: number; perPage: number; includeMemberCount: boolean; includeArchived: boolean }): Promise<GroupView[]> {
      const groups = await store.list({ q: filter.q, includeDeleted: filter.includeArchived, offset: filter.page * filter.perPage, limit: filter.perPage })
      if (!filter.includeMemberCount) return groups
      const counts = await store.memberCounts(groups.map((g) => g.id))
      return groups.map((g) => ({ ...g, memberCount: counts.get(g.id) ?? 0 }))
    },

    /** @throws AppError 404, 400 (bad field, taken name, allow_reference false), 403. */
    async patch(session: AuthSession, groupId: string, patch: GroupPatchInput): Promise<GroupView> {
      const group = await requireManaged(session, groupId)
      if (patch.allow_reference === false) throw mustBeReferenceable()
      if (patch.name !== undefined && patch.name !== group.name) {
        checkName(patch.name)
        await checkNameFree(patch.name)
      }
      checkFields(patch)
      const data: Partial<GroupRecord> = { updateAt: now() }
      if (patch.name !== undefined) data.name = patch.name
      if (patch.display_name !== undefined) data.displayName = patch.display_name
      if (patch.description !== undefined) data.description = patch.description
      try {
        return await store.update(groupId, data)
      } catch (err) {
        throw duplicateName(err, patch.name ?? group.name) ?? err
      }
    },

    /** Soft delete: the group keeps its name and members but resolves to nobody. @throws AppError 404, 400, 403. */
    async remove(session: AuthSession, groupId: string): Promise<GroupRecord> {
      await requireManaged(session, groupId)
      const at = now()
      return store.update(groupId, { deleteAt: at, updateAt: at })
    },

    /** The active members by username, and their total. @throws AppError 404. */
    async members(_session: AuthSession, groupId: string, page: number, perPage: number): Promise<{ members: UserRecord[]; total: number }> {
      await requireGroup(groupId)
      const ids = await store.activeMemberIds(groupId, page * perPage, perPage)
      const byId = new Map((await users.getByIds(ids)).map((u) => [u.id, u]))
      const total = (await store.memberCounts([groupId])).get(groupId) ?? 0
      return { members: ids.flatMap((id) => byId.get(id) ?? []), total }
    },

    /** Adds users (UpsertGroupMembers). @throws AppError 404, 400 (unknown user), 403. */
    async addMembers(session: AuthSession, groupId: string, userIds: string[]): Promise<GroupMemberRecord[]> {
      await requireManaged(session, groupId)
      const members = await requireUsers(userIds)
      const at = now()
      return withTransaction(db, async (tx) => {
        const added = await store.addMembers(tx, groupId, members.map((u) => u.id), at)
        await store.touch(tx, groupId, at)
        return added
      })
    },

    /** Removes users; returns the memberships removed, with their delete time. @throws AppError 404, 403. */
    async removeMembers(session: AuthSession, groupId: string, userIds: string[]): Promise<(GroupMemberRecord & { deleteAt: number })[]> {
      await requireManaged(session, groupId)
      const at = now()
      const removed = await withTransaction(db, (tx) => store.removeMembers(tx, groupId, userIds))
      return removed.map((m) => ({ ...m, deleteAt: at }))
    },

    /** Active members of the active group `name`, by username; [] for an unknown or deleted group. */
    async activeMemberIdsByName(name: string): Promise<string[]> {
      const group = await store.getByName(name)
      if (!group || group.deleteAt !== 0) return []
      return store.activeMemberIds(group.id)
    },
  }
}

export type GroupService = ReturnType<typeof createGroupService>
