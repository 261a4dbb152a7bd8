import { expect } from 'chai'
import { render } from 'preact-render-to-string'
import { MessageBody, type PostLike } from '../src/message/index.ts'

const html = (post: Partial<PostLike>, currentUsername?: string) =>
  render(<MessageBody post={{ id: 'p1', message: '', ...post }} ctx={{ currentUsername }} />)

describe('message body', () => {
  it('renders the message as Markdown followed by its attachments', () => {
    const out = html({ message: 'Build **done**', props: { attachments: [{ title: 'Build #42', text: 'green' }] } })
    expect(out).to.equal(
      '<div class="post-message"><div class="post-message__text"><p>Build <strong>done</strong></p></div>' +
        '<div class="attachments"><div class="attachment"><div class="attachment__content"><div class="attachment__body">' +
        '<h1 class="attachment__title">Build #42</h1><div class="attachment__text"><p>green</p></div></div></div></div></div></div>',
    )
  })

  it('renders a post with only attachments, as webhooks send them', () => {
    expect(html({ props: { attachments: [{ text: 'only' }] } })).to.not.include('post-message__text')
  })

  it('renders join, leave and add posts as a sentence naming the people', () => {
    expect(html({ type: 'system_join_channel', message: 'anna joined the channel.', props: { username: 'anna' } })).to.equal(
      '<div class="post-message post-message--system"><span class="mention" data-mention="anna">@anna</span> joined the channel.</div>',
    )
    expect(html({ type: 'system_leave_channel', props: { username: 'bob' } })).to.include('@bob</span> left the channel.')
    expect(html({ type: 'system_add_to_channel', props: { username: 'anna', addedUsername: 'bob' } }, 'bob')).to.equal(
      '<div class="post-message post-message--system"><span class="mention mention--highlight" data-mention="bob">@bob</span> added to the channel by ' +
        '<span class="mention" data-mention="anna">@anna</span>.</div>',
    )
  })

  it('says what a header change changed, as plain text', () => {
    const post = (old_header: string, new_header: string) => ({ type: 'system_header_change', props: { username: 'anna', old_header, new_header } })
    expect(html(post('', '**Welcome**'))).to.include('@anna</span> updated the channel header to: **Welcome**')
    expect(html(post('old', 'new'))).to.include('@anna</span> updated the channel header from: old to: new')
    expect(html(post('old', ''))).to.include('@anna</span> removed the channel header (was: old)')
  })

  it("falls back to the server's text for a system post it does not know or whose props lack a name", () => {
    expect(html({ type: 'system_something_new', message: 'Something *happened*' })).to.equal(
      '<div class="post-message post-message--system">Something *happened*</div>',
    )
    expect(html({ type: 'system_join_channel', message: 'someone joined the channel.', props: {} })).to.include('someone joined the channel.')
  })

  it('renders an ephemeral reply like any message', () => {
    expect(html({ type: 'system_ephemeral', message: 'Only *you* can see this' })).to.include('<em>you</em>')
  })

  it('shows a deleted post as deleted', () => {
    expect(html({ message: 'secret', delete_at: 1 })).to.equal('<div class="post-message post-message--deleted">(message deleted)</div>')
  })
})
