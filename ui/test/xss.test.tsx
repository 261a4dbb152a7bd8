// Classic XSS payloads in every place a post carries user-controlled text: each must render as
// inert text. Checked on the HTML string the vnodes produce, which is what the browser would get.
import { expect } from 'chai'
import { render } from 'preact-render-to-string'
import { EmojiPicker } from '../src/emoji/EmojiPicker.tsx'
import { MessageBody } from '../src/message/index.ts'
import { activeMarkup } from './helpers/inert.ts'

const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](java&#x09;script:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x]( javascript:alert(1))',
  '[x](<javascript:alert(1)>)',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](vbscript:msgbox(1))',
  '![x](javascript:alert(1))',
  '![x](data:text/html,<script>alert(1)</script>)',
  '<javascript:alert(1)>',
  '[x][ref]\n\n[ref]: javascript:alert(1)',
  '**<b onmouseover=alert(1)>bold</b>**',
  '```html\n<script>alert(1)</script>\n```',
  '`<img src=x onerror=alert(1)>`',
  '@<b onmouseover=alert(1)>',
  ':<img src=x onerror=alert(1)>:',
  '"><script>alert(1)</script>',
]

/** The HTML must hold no live markup, and no script URL anywhere outside visible, escaped text. */
function expectInert(html: string, payload: string): void {
  expect(activeMarkup(html), `${payload}\n→ ${html}`).to.deep.equal([])
  expect(html, payload).to.not.match(/<script/i)
  expect(html, payload).to.not.match(/(href|src)="\s*(javascript|data|vbscript):/i)
}

/** A payload whose URL sat in a Markdown link or image target: the URL must be gone entirely. */
const isMarkdownTarget = (payload: string) => /\]\(|\]: /.test(payload)

const renderPost = (post: { message?: string; type?: string; props?: Record<string, unknown> }) =>
  render(<MessageBody post={{ id: 'p1', message: '', ...post }} ctx={{ currentUsername: 'anna', onMention: () => {}, onChannelLink: () => {} }} />)

describe('xss', () => {
  it('has a checker that tells live markup from escaped text', () => {
    expect(activeMarkup('<a href="java\tscript:x">x</a>')).to.have.length(1)
    expect(activeMarkup('<img src="x" onerror="alert(1)"/>')).to.deep.equal(['onerror= on <img>'])
    expect(activeMarkup('<svg>')).to.deep.equal(['<svg> element'])
    expect(activeMarkup('<img src="data:text/html,x"/>')).to.have.length(1)
    expect(activeMarkup('<p>&lt;img src=x onerror=alert(1)> javascript:alert(1)</p><b title="a > onclick=x">t</b>')).to.deep.equal([])
  })

  it('renders every payload in message text as inert text', () => {
    for (const payload of PAYLOADS) {
      const html = renderPost({ message: payload })
      expectInert(html, payload)
      if (isMarkdownTarget(payload)) expect(html, payload).to.not.match(/javascript|vbscript|data:text/i)
    }
  })

  it('renders every payload in attachment text, pretext, title, fields, author and footer as inert text', () => {
    for (const payload of PAYLOADS) {
      const attachment = {
        pretext: payload, title: payload, text: payload, author_name: payload, footer: payload, fallback: payload,
        fields: [{ title: payload, value: payload, short: true }],
        actions: [{ id: 'a', name: payload }, { id: 'b', name: payload, type: 'select', options: [{ text: payload, value: payload }] }],
      }
      expectInert(renderPost({ props: { attachments: [attachment] } }), payload)
    }
  })

  it('refuses javascript: and data: URLs in every attachment link and image field', () => {
    const urls = ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'data:image/svg+xml,<svg onload=alert(1)>', 'vbscript:x']
    for (const url of urls) {
      const attachment = { title: 't', title_link: url, author_name: 'a', author_link: url, author_icon: url, image_url: url, thumb_url: url, footer: 'f', footer_icon: url }
      const html = renderPost({ props: { attachments: [attachment] } })
      expectInert(html, url)
      expect(html, url).to.not.match(/javascript|vbscript|data:/i)
    }
  })

  it('keeps a colour or button style from becoming CSS', () => {
    const html = renderPost({ props: { attachments: [{ color: 'red;background:url(javascript:alert(1))', actions: [{ id: 'a', name: 'n', style: 'x;background:url(javascript:alert(1))' }] }] } })
    expectInert(html, 'style')
    expect(html).to.not.include('javascript')
  })

  it('renders user names with markup in system posts as text', () => {
    const name = '<b onmouseover=alert(1)>x</b>'
    for (const type of ['system_join_channel', 'system_add_to_channel', 'system_header_change']) {
      const html = renderPost({ type, message: name, props: { username: name, addedUsername: name, old_header: name, new_header: '<script>alert(1)</script>' } })
      expectInert(html, type)
    }
  })

  it('renders emoji names with markup in the picker as text', () => {
    const name = '<img src=x onerror=alert(1)>'
    expectInert(render(<EmojiPicker onPick={() => {}} onClose={() => {}} recent={[name, 'smile']} />), name)
  })
})
