import { expect } from 'chai'
import type { Post } from '../src/api/types.ts'
import { buildRows, dayKey, mergeOrder } from '../src/lib/posts.ts'

const at = (iso: string) => new Date(iso).getTime()
function post(id: string, userId: string, createAt: number, extra: Partial<Post> = {}): Post {
  return { id, user_id: userId, create_at: createAt, update_at: createAt, edit_at: 0, delete_at: 0, channel_id: 'c', root_id: '', message: id, type: '', props: {}, ...extra }
}

describe('message list rows', () => {
  const now = at('2026-11-26T12:00:00')

  it('puts a date separator before the first post of each day', () => {
    const rows = buildRows([post('a', 'u1', at('2026-11-25T09:00:00')), post('b', 'u1', at('2026-11-26T09:00:00'))], { now })
    expect(rows.map((r) => r.kind)).to.deep.equal(['date', 'post', 'date', 'post'])
    expect(rows[0]).to.include({ label: 'Yesterday' })
    expect(rows[2]).to.include({ label: 'Today' })
  })

  it('draws the "new messages" line once, before the first post by someone else after the last visit', () => {
    const posts = [post('a', 'u1', at('2026-11-26T09:00:00')), post('mine', 'me', at('2026-11-26T10:00:00')), post('b', 'u2', at('2026-11-26T10:05:00')), post('c', 'u2', at('2026-11-26T10:06:00'))]
    const rows = buildRows(posts, { now, myId: 'me', newSince: at('2026-11-26T09:30:00') })
    const kinds = rows.map((r) => (r.kind === 'post' ? r.post.id : r.kind))
    expect(kinds).to.deep.equal(['date', 'a', 'mine', 'new', 'b', 'c'])
  })

  it('draws no "new messages" line for a channel never viewed before', () => {
    const rows = buildRows([post('a', 'u1', at('2026-11-26T09:00:00'))], { now, newSince: 0 })
    expect(rows.some((r) => r.kind === 'new')).to.equal(false)
  })

  it('groups consecutive posts by one author within five minutes, but not system messages', () => {
    const rows = buildRows([
      post('a', 'u1', at('2026-11-26T09:00:00')),
      post('b', 'u1', at('2026-11-26T09:02:00')),
      post('c', 'u1', at('2026-11-26T09:09:00')),
      post('d', 'u1', at('2026-11-26T09:10:00'), { type: 'system_join_channel' }),
    ], { now })
    const continued = rows.flatMap((r) => (r.kind === 'post' ? [[r.post.id, r.continued]] : []))
    expect(continued).to.deep.equal([['a', false], ['b', true], ['c', false], ['d', false]])
  })

  it('merges a page and live posts in time order without duplicates', () => {
    const times: Record<string, number> = { a: 1, b: 2, c: 3, d: 4 }
    expect(mergeOrder(['b', 'd'], ['a', 'b', 'c'], (id) => times[id]!)).to.deep.equal(['a', 'b', 'c', 'd'])
  })

  it('keys days by local calendar date', () => {
    expect(dayKey(at('2026-01-02T23:59:00'))).to.equal('2026-01-02')
  })
})
