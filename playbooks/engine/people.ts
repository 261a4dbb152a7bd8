/**
 * Who a playbook reference names. `user:x`, `@x` (or an id or email) name one user; `role:x` the
 * run's holder of that role; `group:x` the active members of the custom group named x; `team:x`
 * the active human members of the team whose URL name is x; `oncall:s` whoever is on call now for
 * schedule s (core/oncall: the PagerDuty connector answers), as Bridgehead users with the same email.
 *
 * Where a reference stands for one person (a role's `from` or `fallback`), a group or team gives
 * its first active member in username order, so the choice is stable from run to run; an on-call
 * schedule gives the first escalation level's person.
 */
import type { UserRecord } from '../../core/users/store.ts'
import type { RoleHolder, RunState } from './state.ts'

/** The directory behind `group:` and `team:`; each answer is a list of user ids. */
export interface PeopleDirectory {
  /** Active members of the active custom group `name` (core/groups), by username. */
  groupMemberIds(name: string): Promise<string[]>
  /** The team with URL name `name`, or null. */
  teamByName(name: string): Promise<{ id: string; deleteAt: number } | null>
  /** Ids of the team's current members. */
  teamMemberIds(teamId: string): Promise<string[]>
  getUsersByIds(ids: string[]): Promise<UserRecord[]>
  /** Emails of who is on call now for `schedule` in the team, first escalation level first; [] when nobody is known. */
  onCallEmails(teamId: string, schedule: string): Promise<string[]>
}

export interface PeopleDeps {
  directory: PeopleDirectory
  /** A `user:`/`@`/id/email reference (or an object with id, username or email) as an active user. */
  resolveUserRef(ref: unknown): Promise<RoleHolder | null>
}

/** True for references that name several people. */
export function isMultiRef(ref: string): boolean {
  return ref.startsWith('group:') || ref.startsWith('team:') || ref.startsWith('oncall:')
}

/** True for the references people.ts resolves (the others name nobody). */
export function isPeopleRef(ref: string): boolean {
  return isMultiRef(ref) || ref.startsWith('role:') || ref.startsWith('user:') || ref.startsWith('@')
}

/** A user as a role holder (the shape runs keep). */
export function holderOf(user: UserRecord): RoleHolder {
  return { id: user.id, username: user.username, email: user.email, displayName: [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username }
}

export function createPeople(deps: PeopleDeps) {
  const { directory } = deps

  /** Active users among `ids`, by username; bots only when `withBots`. */
  async function activeUsers(ids: string[], withBots: boolean): Promise<RoleHolder[]> {
    if (ids.length === 0) return []
    const users = await directory.getUsersByIds([...new Set(ids)])
    return users
      .filter((u) => u.deleteAt === 0 && (withBots || !u.isBot))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
      .map(holderOf)
  }

  async function onCall(teamId: string, schedule: string): Promise<RoleHolder[]> {
    const found: RoleHolder[] = []
    for (const email of await directory.onCallEmails(teamId, schedule)) {
      const user = await deps.resolveUserRef(email)
      if (user && !found.some((u) => u.id === user.id)) found.push(user)
    }
    return found
  }

  async function membersOf(ref: string, teamId: string): Promise<RoleHolder[]> {
    if (ref.startsWith('oncall:')) return teamId ? onCall(teamId, ref.slice(7)) : []
    if (ref.startsWith('group:')) return activeUsers(await directory.groupMemberIds(ref.slice(6)), true)
    const team = await directory.teamByName(ref.slice(5))
    if (!team || team.deleteAt !== 0) return []
    // A team holds the playbook and connector bots too; a team reference means its people.
    return activeUsers(await directory.teamMemberIds(team.id), false)
  }

  return {
    /**
     * Everyone a reference names, without duplicates: a role's holder, a user, a group's or a
     * team's members, who is on call in the run's team; [] for anything unknown.
     */
    async many(state: Pick<RunState, 'roles' | 'teamId'>, ref: string): Promise<RoleHolder[]> {
      if (ref.startsWith('role:')) {
        const h = state?.roles[ref.slice(5)]
        return h ? [h] : []
      }
      if (isMultiRef(ref)) return membersOf(ref, state.teamId)
      const user = await deps.resolveUserRef(ref)
      return user ? [user] : []
    },

    /** One person for a reference in `teamId` (a role's `from`): a group or team gives its first member by username. */
    async one(ref: unknown, teamId: string): Promise<RoleHolder | null> {
      if (typeof ref === 'string' && isMultiRef(ref)) return (await membersOf(ref, teamId))[0] ?? null
      return deps.resolveUserRef(ref)
    },
  }
}

export type People = ReturnType<typeof createPeople>
