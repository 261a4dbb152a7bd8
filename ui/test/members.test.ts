import { expect } from 'chai'
import type { Channel, User } from '../src/api/types.ts'
import { fullName, managesMembers } from '../src/members/Members.tsx'

const user = (fields: Partial<User>): User => ({ id: 'u1', username: 'ann', roles: 'system_user', delete_at: 0, ...fields })
const channel = (fields: Partial<Channel>): Channel => ({ id: 'c1', team_id: 't1', name: 'ops', display_name: 'Ops', type: 'O', delete_at: 0, last_post_at: 0, total_msg_count: 0, ...fields })

describe('members panel', () => {
  it('names a member by full name and nickname when they set them', () => {
    expect(fullName(user({ first_name: 'Ann', last_name: 'Lee', nickname: 'annie' }))).to.equal('Ann Lee (annie)')
    expect(fullName(user({ nickname: 'annie' }))).to.equal('(annie)')
    expect(fullName(user({}))).to.equal('')
  })

  it('offers adding and removing people in open and private channels, not in direct or group messages or archived channels', () => {
    expect(managesMembers(channel({ type: 'O' }))).to.equal(true)
    expect(managesMembers(channel({ type: 'P' }))).to.equal(true)
    expect(managesMembers(channel({ type: 'D' }))).to.equal(false)
    expect(managesMembers(channel({ type: 'G' }))).to.equal(false)
    expect(managesMembers(channel({ type: 'P', delete_at: 1 }))).to.equal(false)
  })
})
