// Slack text → Markdown: what a message imported from Slack reads like in Bridgehead.
import { expect } from 'chai'
import { readSlackAttachments } from '../../../core/posts/slack-compat.ts'
import { convertAttachments, decodeEntities, reactionEmojiName, renderBlocks, slackToMarkdown, type TokenNames } from '../../../bridges/slack/format.ts'

const names: TokenNames = {
  user: (id) => ({ U1: 'alice', U2: 'bob' } as Record<string, string>)[id],
  channel: (id) => ({ C1: 'general' } as Record<string, string>)[id],
}

describe('slack text to markdown', () => {
  it('decodes the three entities, &amp; last', () => {
    expect(decodeEntities('a &lt;b&gt; &amp;lt; &amp; c')).to.equal('a <b> &lt; & c')
    expect(slackToMarkdown('fish &amp; chips &lt;3')).to.equal('fish & chips <3')
  })

  it('turns user mentions into @username, with the label or id when the user is unknown', () => {
    expect(slackToMarkdown('hi <@U1> and <@U2|bobby> and <@U9|ghost> and <@W7>', names)).to.equal('hi @alice and @bob and @ghost and @W7')
  })

  it('turns channel links into ~name', () => {
    expect(slackToMarkdown('see <#C1|general> and <#C9|random> and <#C1>', names)).to.equal('see ~general and ~random and ~general')
  })

  it('maps here, channel and everyone to @here, @channel and @all', () => {
    expect(slackToMarkdown('<!here> <!channel> <!everyone> <!here|here>')).to.equal('@here @channel @all @here')
  })

  it('keeps user group handles and date fallbacks', () => {
    expect(slackToMarkdown('<!subteam^S123|@oncall> at <!date^1392734382^{date_short}|Feb 18>')).to.equal('@oncall at Feb 18')
  })

  it('turns labelled links into Markdown links and bare links into autolinks', () => {
    expect(slackToMarkdown('<https://x.io/a?b=1&amp;c=2|the docs> <https://y.io>')).to.equal('[the docs](https://x.io/a?b=1&c=2) <https://y.io>')
    expect(slackToMarkdown('<mailto:a@b.c|a@b.c> <tel:+123>')).to.equal('[a@b.c](mailto:a@b.c) [+123](tel:+123)')
  })

  it('converts bold and strike at word boundaries and leaves italic alone', () => {
    expect(slackToMarkdown('*bold* _it_ ~gone~')).to.equal('**bold** _it_ ~~gone~~')
    expect(slackToMarkdown('~stri~ke 2*3*4')).to.equal('~stri~ke 2*3*4')
    expect(slackToMarkdown('~*_all_*~')).to.equal('~~**_all_**~~')
  })

  it('leaves code spans and fenced blocks untouched apart from the entities', () => {
    const text = 'run `a *b* &lt;c&gt;` then\n```\nx = *y* ~z~ <@U1>\nif a &amp;&amp; b\n```'
    expect(slackToMarkdown(text, names)).to.equal('run `a *b* <c>` then\n```\nx = *y* ~z~ <@U1>\nif a && b\n```')
  })

  it('turns &gt; at a line start into a quote and &gt;&gt;&gt; into a quote of the rest', () => {
    expect(slackToMarkdown('&gt; quoted\nplain')).to.equal('> quoted\nplain')
    expect(slackToMarkdown('before\n&gt;&gt;&gt; one\ntwo')).to.equal('before\n> one\n> two')
  })
})

describe('slack blocks and attachments', () => {
  it('renders section, header, context, divider and image blocks and names the skipped ones', () => {
    const { markdown, skipped } = renderBlocks([
      { type: 'header', text: { type: 'plain_text', text: 'Deploy &amp; status' } },
      { type: 'section', text: { type: 'mrkdwn', text: '*done* by <@U1>' } },
      { type: 'divider' },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'ctx' }] },
      { type: 'image', image_url: 'https://i/x.png', alt_text: 'chart' },
      { type: 'actions', elements: [] },
    ], names)
    expect(markdown).to.equal('### Deploy & status\n\n**done** by @alice\n\n---\n\nctx\n\n![chart](https://i/x.png)')
    expect(skipped).to.deep.equal(['actions'])
  })

  it('renders rich text with styles, lists, code and mentions', () => {
    const { markdown } = renderBlocks([{ type: 'rich_text', elements: [
      { type: 'rich_text_section', elements: [{ type: 'text', text: 'hey ' }, { type: 'user', user_id: 'U2' }, { type: 'text', text: ' bold', style: { bold: true } }] },
      { type: 'rich_text_list', style: 'ordered', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] }] },
      { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'code *x*' }] },
    ] }], names)
    expect(markdown).to.equal('hey @bob **bold**\n1. one\n```\ncode *x*\n```')
  })

  it('converts the text fields of attachments and keeps the rest', () => {
    const [a] = convertAttachments(readSlackAttachments([{ color: '#f00', title: 'T', text: '*hi* &amp; <@U1>', fields: [{ title: 'F', value: '~x~', short: true }] }]), names)
    expect(a).to.deep.include({ color: '#f00', title: 'T', text: '**hi** & @alice' })
    expect(a!.fields![0]).to.deep.equal({ title: 'F', value: '~~x~~', short: true })
  })

  it('strips skin tones from reaction names', () => {
    expect(reactionEmojiName('wave::skin-tone-3')).to.equal('wave')
    expect(reactionEmojiName('+1')).to.equal('+1')
  })
})
