import { expect } from 'chai'
import { parseRoute } from '../src/router.ts'
import { backoffMs } from '../src/realtime/socket.ts'
import { readCookie } from '../src/api/client.ts'

describe('routes', () => {
  it('reads Mattermost-style URLs', () => {
    expect(parseRoute('/ops/channels/town-square')).to.deep.equal({ name: 'channel', team: 'ops', channel: 'town-square' })
    expect(parseRoute('/ops/messages/abc__def')).to.deep.equal({ name: 'channel', team: 'ops', channel: 'abc__def' })
    expect(parseRoute('/ops/pl/p1')).to.deep.equal({ name: 'channel', team: 'ops', channel: '', postId: 'p1' })
    expect(parseRoute('/ops/threads')).to.deep.equal({ name: 'threads', team: 'ops' })
    expect(parseRoute('/ops/playbooks/runs/r1')).to.deep.equal({ name: 'run', team: 'ops', runId: 'r1' })
    expect(parseRoute('/admin_console')).to.deep.equal({ name: 'console', section: 'users' })
    expect(parseRoute('/')).to.deep.equal({ name: 'home' })
  })
})

describe('reconnecting', () => {
  it('waits longer after each failed attempt, up to 30 seconds', () => {
    expect([0, 1, 2, 3].map(backoffMs)).to.deep.equal([500, 1000, 2000, 4000])
    expect(backoffMs(50)).to.equal(30_000)
  })
})

describe('CSRF token', () => {
  it('reads the MMCSRF cookie the login set', () => {
    expect(readCookie('MMCSRF', 'MMUSERID=u1; MMCSRF=tok%20en; other=1')).to.equal('tok en')
    expect(readCookie('MMCSRF', 'MMUSERID=u1')).to.equal(undefined)
  })
})
