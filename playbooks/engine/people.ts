/**
 * Who a playbook reference names. `user:x`, `@x` (or an id or email) name one user; `role:x` the
 * run's holder of that role; `group:x` the active members of the custom group named x; `team:x`
 * the active human members of the team whose URL name is x; `oncall:s` whoever is on call now for
 * schedule s (core/oncall: the PagerDuty connector answers), as Bridgehead users with the same email.
 *
 * Where a reference stands for one person (a role's `from` or `fallback`), a group or team gives
 * its first active member in username order, so the choice is stable from run to run; an on-call
 * schedule gives the first escalation level's person.
 *
 * The server asks its database (`createPeople`); `playbook simulate` and `playbook test` ask a
 * people file (dry-run-people.ts, `createPeopleNow`) through the same resolution.
 */
import type { UserRecord } from '../../core/users/store.ts'
import type { RoleHolder, RunState } from './state.ts'

/**
 * An answer now (the dry run's directory, from a file) or later (the server's, from the database).
 * The resolution below is written once over both, so a dry run picks people exactly as the server does.
 */
export type Awaitable<T> = T | Promise<T>

/** What people.ts needs to know of a user. */
export type PersonRecord = Pick<UserRecord, 'id' | 'username' | 'email' | 'firstName' | 'lastName' | 'deleteAt' | 'isBot'>

/** The directory behind `group:`, `team:` and `oncall:`; each answer is a list of user ids. */
export interface PeopleDirectory {
  /** Active members of the active custom group `name` (core/groups), by username. */
  groupMemberIds(name: string): Awaitable<string[]>
  /** The team with URL name `name`, or null. */
  teamByName(name: string): Awaitable<{ id: string; deleteAt: number } | null>
  /** Ids of the team's current members. */
  teamMemberIds(teamId: string): Awaitable<string[]>
  getUsersByIds(ids: string[]): Awaitable<PersonRecord[]>
  /** Emails of who is on call now for `schedule` in the team, first escalation level first; [] when nobody is known. */
  onCallEmails(teamId: string, schedule: string): Awaitable<string[]>
}

export interface PeopleDeps {
  directory: PeopleDirectory
  /** A `user:`/`@`/id/email reference (or an object with id, username or email) as an active user. */
  resolveUserRef(ref: unknown): Awaitable<RoleHolder | null>
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
export function holderOf(user: PersonRecord): RoleHolder {
  return { id: user.id, username: user.username, email: user.email, displayName: [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username }
}

/** `f(x)`, now when `x` is already there, later when it is a promise. */
function then<A, B>(x: Awaitable<A>, f: (a: A) => Awaitable<B>): Awaitable<B> {
  return x instanceof Promise ? x.then(f) : f(x)
}

/** `f` over `xs` one after the other (the embedded database has one connection: no fan-out). */
function mapInOrder<A, B>(xs: readonly A[], f: (a: A) => Awaitable<B>): Awaitable<B[]> {
  const out: B[] = []
  const from = (i: number): Awaitable<B[]> => (i === xs.length ? out : then(f(xs[i]!), (b) => (out.push(b), from(i + 1))))
  return from(0)
}

/** The resolution itself, answering as soon as the directory does. */
function resolver(deps: PeopleDeps) {
  const { directory } = deps

  /** Active users among `ids`, by username; bots only when `withBots`. */
  const activeUsers = (ids: string[], withBots: boolean): Awaitable<RoleHolder[]> => {
    if (ids.length === 0) return []
    return then(directory.getUsersByIds([...new Set(ids)]), (users) =>
      users
        .filter((u) => u.deleteAt === 0 && (withBots || !u.isBot))
        .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
        .map(holderOf),
    )
  }

  const onCall = (teamId: string, schedule: string): Awaitable<RoleHolder[]> =>
    then(directory.onCallEmails(teamId, schedule), (emails) =>
      then(mapInOrder(emails, (email) => deps.resolveUserRef(email)), (users) => {
        const found: RoleHolder[] = []
        for (const user of users) if (user && !found.some((u) => u.id === user.id)) found.push(user)
        return found
      }),
    )

  const membersOf = (ref: string, teamId: string): Awaitable<RoleHolder[]> => {
    if (ref.startsWith('oncall:')) return teamId ? onCall(teamId, ref.slice(7)) : []
    if (ref.startsWith('group:')) return then(directory.groupMemberIds(ref.slice(6)), (ids) => activeUsers(ids, true))
    return then(directory.teamByName(ref.slice(5)), (team) =>
      // A team holds the playbook and connector bots too; a team reference means its people.
      !team || team.deleteAt !== 0 ? [] : then(directory.teamMemberIds(team.id), (ids) => activeUsers(ids, false)),
    )
  }

  return {
    many(state: Pick<RunState, 'roles' | 'teamId'>, ref: string): Awaitable<RoleHolder[]> {
      if (ref.startsWith('role:')) {
        const h = state?.roles[ref.slice(5)]
        return h ? [h] : []
      }
      if (isMultiRef(ref)) return membersOf(ref, state.teamId)
      return then(deps.resolveUserRef(ref), (user) => (user ? [user] : []))
    },
    one(ref: unknown, teamId: string): Awaitable<RoleHolder | null> {
      if (typeof ref === 'string' && isMultiRef(ref)) return then(membersOf(ref, teamId), (found) => found[0] ?? null)
      return deps.resolveUserRef(ref)
    },
  }
}

/** The server's people: a directory backed by the database. */
export function createPeople(deps: PeopleDeps) {
  const r = resolver(deps)
  return {
    /**
     * Everyone a reference names, without duplicates: a role's holder, a user, a group's or a
     * team's members, who is on call in the run's team; [] for anything unknown.
     */
    async many(state: Pick<RunState, 'roles' | 'teamId'>, ref: string): Promise<RoleHolder[]> {
      return r.many(state, ref)
    },

    /** One person for a reference in `teamId` (a role's `from`): a group or team gives its first member by username. */
    async one(ref: unknown, teamId: string): Promise<RoleHolder | null> {
      return r.one(ref, teamId)
    },
  }
}

export type People = ReturnType<typeof createPeople>

/** A directory that answers at once (a dry run's, from a file): the same resolution, without promises. */
export interface PeopleDepsNow {
  directory: { [K in keyof PeopleDirectory]: (...args: Parameters<PeopleDirectory[K]>) => Awaited<ReturnType<PeopleDirectory[K]>> }
  resolveUserRef(ref: unknown): RoleHolder | null
}

/** People over a directory that answers at once, as `createPeople`'s `many` and `one` but synchronous. */
export function createPeopleNow(deps: PeopleDepsNow) {
  const r = resolver(deps)
  const now = <T>(x: Awaitable<T>): T => {
    // Unreachable with a PeopleDepsNow; a guard against a promise slipping in through a cast.
    if (x instanceof Promise) throw new Error('createPeopleNow: the directory answered with a promise')
    return x
  }
  return {
    many: (state: Pick<RunState, 'roles' | 'teamId'>, ref: string): RoleHolder[] => now(r.many(state, ref)),
    one: (ref: unknown, teamId: string): RoleHolder | null => now(r.one(ref, teamId)),
  }
}
