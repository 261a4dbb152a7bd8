/**
 * People for dry runs (`playbook simulate --people`, a test's `people:`): a people file maps
 * `group:`, `team:` and `oncall:` references to the people they name, e.g.
 * `{ "group:sre": ["alice", "bob"], "oncall:primary": ["dave@example.com"] }`. The dry run asks
 * it where the server asks its groups, teams and PagerDuty schedules, through the same resolution
 * (people.ts), so it picks who the server would: group and team members by username, on-call
 * people in the order given (escalation levels).
 *
 * Without a people file, such references find nobody, as before; each one met is noted, so the
 * output says why nobody holds a role or gets a message.
 */
import { createPeopleNow, isMultiRef, type PersonRecord } from './people.ts'
import type { RoleHolder, RunState } from './state.ts'

/** A people file's content: reference → usernames (`alice`, `@alice`, `user:alice`) or emails. */
export type PeopleMap = Record<string, string[]>

const KEY = /^(group|team|oncall):\S+$/

/** A people file of the wrong shape; the message names the source and the bad key. */
export class PeopleFileError extends Error {}

/**
 * `value` as a people map, or a PeopleFileError saying what is wrong in `source` (a file name,
 * or `tests[2].people`).
 */
export function parsePeopleMap(value: unknown, source: string): PeopleMap {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PeopleFileError(`${source}: expected an object mapping group:, team: or oncall: references to lists of usernames (e.g. {"group:sre": ["alice", "bob"]})`)
  }
  const out: PeopleMap = {}
  for (const [key, list] of Object.entries(value)) {
    if (!KEY.test(key)) throw new PeopleFileError(`${source}: "${key}" is not a group:, team: or oncall: reference (e.g. group:sre, team:ops, oncall:primary)`)
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string' && simulatedUser(p) !== null)) {
      throw new PeopleFileError(`${source}: "${key}" must be a list of usernames or emails (e.g. ["alice", "bob@example.com"])`)
    }
    out[key] = list as string[]
  }
  return out
}

/**
 * A user reference (or an object with id, username or email) as a simulated person, named by
 * username: `user:alice`, `@alice`, `alice` and `alice@example.com` are all alice. Null for
 * anything with a prefix the dry run does not know as a user (`group:x`, …) or nothing.
 */
export function simulatedUser(value: unknown): RoleHolder | null {
  if (typeof value === 'object' && value !== null) {
    const r = value as { id?: string; username?: string; email?: string }
    const name = r.username ?? r.id ?? r.email?.split('@')[0]
    return name ? { id: name, username: name, email: r.email ?? '', displayName: name } : null
  }
  if (typeof value !== 'string' || value === '') return null
  const name = value.replace(/^user:/, '').replace(/^@/, '')
  if (name === '' || name.includes(':') || /\s/.test(name)) return null
  if (!name.includes('@')) return { id: name, username: name, email: '', displayName: name }
  const username = name.split('@')[0]!
  return username ? { id: username, username, email: name, displayName: username } : null
}

export interface DryRunPeople {
  /** Whether a people file was given: only then does the dry run know who `group:`, `team:` and `oncall:` name. */
  readonly known: boolean
  /** Everyone `ref` names (as people.ts `many`); `where` (e.g. `steps.notify.message.to`) heads the note on a reference it cannot resolve. */
  many(state: Pick<RunState, 'roles' | 'teamId'>, ref: string, where: string): RoleHolder[]
  /** One person for `ref` (as people.ts `one`: a group or team gives its first member by username). */
  one(ref: unknown, teamId: string, where: string): RoleHolder | null
}

export interface DryRunPeopleOptions {
  /** Told to the user when a reference needs a people file (default: `pass --people to simulate it`). */
  hint?: string
  /** Receives each note once. */
  note: (text: string) => void
}

/** The dry run's people, over `map` when given. */
export function dryRunPeople(map: PeopleMap | undefined, options: DryRunPeopleOptions): DryRunPeople {
  const hint = options.hint ?? 'pass --people to simulate it'
  const noted = new Set<string>()
  const note = (text: string) => {
    if (!noted.has(text)) options.note(text)
    noted.add(text)
  }
  const list = (ref: string) => map?.[ref] ?? []
  const records = new Map<string, PersonRecord>()
  for (const entries of Object.values(map ?? {})) {
    for (const entry of entries) {
      const h = simulatedUser(entry)!
      if (!records.has(h.id) || h.email) records.set(h.id, { id: h.id, username: h.username, email: h.email, firstName: '', lastName: '', deleteAt: 0, isBot: false })
    }
  }
  const ids = (ref: string) => list(ref).map((e) => simulatedUser(e)!.id)
  const people = createPeopleNow({
    directory: {
      groupMemberIds: (name) => ids(`group:${name}`),
      // A team's id is its name here: nothing else tells teams apart.
      teamByName: (name) => (map?.[`team:${name}`] ? { id: name, deleteAt: 0 } : null),
      teamMemberIds: (teamId) => ids(`team:${teamId}`),
      getUsersByIds: (wanted) => wanted.flatMap((id) => records.get(id) ?? []),
      onCallEmails: (_teamId, schedule) => list(`oncall:${schedule}`),
    },
    resolveUserRef: simulatedUser,
  })
  /** False, with a note, for a reference the dry run cannot resolve. */
  const resolvable = (ref: string, where: string): boolean => {
    if (!isMultiRef(ref)) return true
    if (!map) note(`${where}: ${ref} is resolved by the server; ${hint}`)
    else if (!map[ref]) note(`${where}: ${ref} is not in the people file, so it names nobody here`)
    return map !== undefined
  }
  return {
    known: map !== undefined,
    many: (state, ref, where) => (resolvable(ref, where) ? people.many(state, ref) : []),
    one: (ref, teamId, where) => (typeof ref === 'string' && !resolvable(ref, where) ? null : people.one(ref, teamId)),
  }
}
