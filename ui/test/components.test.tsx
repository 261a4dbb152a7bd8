import { expect } from 'chai'
import { renderToString } from 'preact-render-to-string'
import type { Post } from '../src/api/types.ts'
import { PostItem } from '../src/components/PostItem.tsx'
import { state } from '../src/state/store.ts'

function post(extra: Partial<Post> = {}): Post {
  return { id: 'p1', user_id: 'u1', channel_id: 'c1', root_id: '', create_at: Date.UTC(2026, 10, 26, 9), update_at: 0, edit_at: 0, delete_at: 0, message: 'hello **team**', type: '', props: {}, ...extra }
}

describe('a post in the list', () => {
  before(() => {
    state.me = { id: 'u1', username: 'alice', roles: 'system_user', delete_at: 0 }
    state.users.u1 = state.me
    state.users.u2 = { id: 'u2', username: 'bob', roles: 'system_user', delete_at: 0 }
  })

  it('shows the author, the rendered Markdown and the (edited) mark', () => {
    const html = renderToString(<PostItem post={post({ edit_at: 1 })} />)
    expect(html).to.contain('alice')
    expect(html).to.contain('<strong>team</strong>')
    expect(html).to.contain('(edited)')
  })

  it('offers Edit and Delete on your own posts only', () => {
    expect(renderToString(<PostItem post={post()} />)).to.contain('aria-label="Edit"')
    const theirs = renderToString(<PostItem post={post({ user_id: 'u2' })} />)
    expect(theirs).not.to.contain('aria-label="Edit"')
    expect(theirs).not.to.contain('aria-label="Delete"')
  })

  it('counts reactions per emoji and marks the ones you added', () => {
    const reactions = [
      { user_id: 'u1', post_id: 'p1', emoji_name: '+1', create_at: 1 },
      { user_id: 'u2', post_id: 'p1', emoji_name: '+1', create_at: 2 },
      { user_id: 'u2', post_id: 'p1', emoji_name: 'tada', create_at: 3 },
    ]
    const html = renderToString(<PostItem post={post({ metadata: { reactions } })} />)
    expect(html).to.match(/aria-pressed="true"[^>]*aria-label="\+1 reaction, 2"/)
    expect(html).to.match(/aria-pressed="false"[^>]*aria-label="tada reaction, 1"/)
  })

  it('says an ephemeral answer is only visible to you and offers no actions on it', () => {
    const html = renderToString(<PostItem post={post({ type: 'system_ephemeral', message: 'only you' })} />)
    expect(html).to.contain('(Only visible to you)')
    expect(html).not.to.contain('Message actions')
  })
})
