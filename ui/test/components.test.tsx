import { expect } from 'chai'
import { renderToString } from 'preact-render-to-string'
import { MessageText } from '../src/components/MessageText.tsx'
import { Attachments } from '../src/components/Attachments.tsx'
import type { Post } from '../src/api/types.ts'

describe('message rendering', () => {
  it('renders markup in a message as text', () => {
    const html = renderToString(<MessageText text={'<img src=x onerror=alert(1)><script>alert(2)</script>'} />)
    expect(html).not.to.contain('<img')
    expect(html).not.to.contain('<script')
    expect(html).to.contain('&lt;img src=x onerror=alert(1)>')
  })

  it('marks search terms with <mark>', () => {
    expect(renderToString(<MessageText text="deploy is green" terms={['green']} />)).to.contain('<mark>green</mark>')
  })

  it('renders every field of a webhook attachment as text', () => {
    const post = { props: { attachments: [{ pretext: '<b>pre</b>', title: '<i>t</i>', text: '<svg onload=alert(1)>', fields: [{ title: '<u>f</u>', value: '<a href="javascript:alert(1)">x</a>' }], color: 'red;background:url(x)' }] } } as unknown as Post
    const html = renderToString(<Attachments post={post} />)
    for (const tag of ['<b>', '<i>', '<svg', '<u>', '<a ']) expect(html).not.to.contain(tag)
    expect(html).not.to.contain('url(x)')
  })
})
