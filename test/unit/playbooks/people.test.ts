// Who playbook references name (playbooks/engine/people.ts), against an in-memory directory.
import { expect } from 'chai'
import { createPeople, type PeopleDirectory } from '../../../playbooks/engine/people.ts'
import type { UserRecord } from '../../../core/users/store.ts'
import type { RoleHolder } from '../../../playbooks/engine/state.ts'

const user = (id: string, username: string, extra: Partial<UserRecord> = {}) => ({ id, username, email: `${username}@example.com`, firstName: '', lastName: '', deleteAt: 0, isBot: false, ...extra }) as UserRecord

const USERS = [user('u1', 'zed'), user('u2', 'amy'), user('u3', 'gone', { deleteAt: 5 }), user('u4', 'playbooks', { isBot: true }), user('u5', 'bo')]

function people(groups: Record<string, string[]> = {}, teams: Record<string, string[]> = {}, onCall: Record<string, string[]> = {}) {
  const directory: PeopleDirectory = {
    groupMemberIds: async (name) => groups[name] ?? [],
    teamByName: async (name) => (teams[name] ? { id: `team-${name}`, deleteAt: 0 } : null),
    teamMemberIds: async (teamId) => teams[teamId.replace(/^team-/, '')] ?? [],
    getUsersByIds: async (ids) => USERS.filter((u) => ids.includes(u.id)),
    onCallEmails: async (teamId, schedule) => onCall[`${teamId}/${schedule}`] ?? [],
  }
  const resolveUserRef = async (ref: unknown): Promise<RoleHolder | null> => {
    const found = typeof ref === 'string' ? USERS.find((u) => `user:${u.username}` === ref || `@${u.username}` === ref || u.email === ref) : undefined
    return found && found.deleteAt === 0 ? { id: found.id, username: found.username, email: found.email, displayName: found.username } : null
  }
  return createPeople({ directory, resolveUserRef })
}

const RUN = { roles: {}, teamId: 't1' }

describe('playbook references (people.ts)', () => {
  it('expands group:x to its active members by username, deactivated users left out', async () => {
    const names = (await people({ qa: ['u1', 'u3', 'u2'] }).many(RUN, 'group:qa')).map((h) => h.username)
    expect(names).to.deep.equal(['amy', 'zed'])
  })

  it('expands team:x to its active people, without bots', async () => {
    const names = (await people({}, { sre: ['u4', 'u5', 'u1'] }).many(RUN, 'team:sre')).map((h) => h.username)
    expect(names).to.deep.equal(['bo', 'zed'])
  })

  it('names nobody for an unknown group or team, or a schedule nobody is on call for', async () => {
    const p = people()
    expect(await p.many(RUN, 'group:nope')).to.deep.equal([])
    expect(await p.many(RUN, 'team:nope')).to.deep.equal([])
    expect(await p.many(RUN, 'oncall:primary')).to.deep.equal([])
    expect(await p.one('oncall:primary', 't1')).to.equal(null)
  })

  it('expands oncall:s to the run team\'s on-call users by email, in escalation order, unknown and deactivated emails left out', async () => {
    const p = people({}, {}, { 't1/primary': ['zed@example.com', 'nobody@example.com', 'gone@example.com', 'amy@example.com'], 't2/primary': ['bo@example.com'] })
    expect((await p.many(RUN, 'oncall:primary')).map((h) => h.username)).to.deep.equal(['zed', 'amy'])
    expect((await p.one('oncall:primary', 't1'))?.username).to.equal('zed')
    expect((await p.one('oncall:primary', 't2'))?.username).to.equal('bo')
  })

  it('gives the first active member by username where a reference means one person', async () => {
    expect((await people({ qa: ['u1', 'u3', 'u5'] }).one('group:qa', 't1'))?.username).to.equal('bo')
  })

  it('resolves role:x to the run\'s holder and user:x through the user directory', async () => {
    const holder = { id: 'u9', username: 'cap', email: '', displayName: 'cap' }
    expect(await people().many({ roles: { captain: holder }, teamId: 't1' }, 'role:captain')).to.deep.equal([holder])
    expect((await people().many(RUN, 'user:amy')).map((h) => h.id)).to.deep.equal(['u2'])
  })
})
