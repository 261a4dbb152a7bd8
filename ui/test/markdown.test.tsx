import { expect } from 'chai'
import { render } from 'preact-render-to-string'
import { renderMarkdown, type MarkdownContext } from '../src/markdown/index.ts'
import { safeImageUrl, safeLinkUrl } from '../src/markdown/urls.ts'
import { findOne } from './helpers/vnodes.ts'

const html = (text: string, ctx: MarkdownContext = {}) => render(<div>{renderMarkdown(text, ctx)}</div>).replace(/^<div>|<\/div>$/g, '')

describe('markdown', () => {
  describe('text formatting', () => {
    it('renders bold, italic, strikethrough and inline code', () => {
      expect(html('**bold** *it* _it2_ ~~gone~~ `x < y`')).to.equal(
        '<p><strong>bold</strong> <em>it</em> <em>it2</em> <del>gone</del> <code>x &lt; y</code></p>',
      )
    })

    it('strikes through only double tildes, so ~channel ~names stay as typed', () => {
      expect(html('~~two~~')).to.equal('<p><del>two</del></p>')
      expect(html('join ~town-square or ~off-topic~ now')).to.equal(
        '<p>join <span class="channel-link" data-channel="town-square">~town-square</span> or ' +
          '<span class="channel-link" data-channel="off-topic">~off-topic</span>~ now</p>',
      )
    })

    it('turns a single newline into a line break, as chat does', () => {
      expect(html('one\ntwo')).to.equal('<p>one<br/>two</p>')
    })

    it('decodes character references in text but not in code', () => {
      expect(html('Tom &amp; Jerry &copy; `&amp;`')).to.equal('<p>Tom &amp; Jerry © <code>&amp;amp;</code></p>')
    })

    it('keeps backslash-escaped characters literal', () => {
      expect(html('\\*not em\\*')).to.equal('<p>*not em*</p>')
    })
  })

  describe('blocks', () => {
    it('renders headings of every level', () => {
      expect(html('# One\n### Three\n###### Six')).to.equal(
        '<h1 class="markdown__heading">One</h1><h3 class="markdown__heading">Three</h3><h6 class="markdown__heading">Six</h6>',
      )
    })

    it('renders bullet, numbered and task lists', () => {
      expect(html('- a\n- b')).to.equal('<ul class="markdown__list"><li>a</li><li>b</li></ul>')
      expect(html('3. c\n4. d')).to.equal('<ol class="markdown__list" start="3"><li>c</li><li>d</li></ol>')
      const tasks = html('- [x] shipped\n- [ ] announce')
      expect(tasks).to.include('<input type="checkbox" checked disabled aria-label="done"/> shipped')
      expect(tasks).to.include('<input type="checkbox" disabled aria-label="not done"/> announce')
    })

    it('renders nested lists', () => {
      expect(html('- a\n  - b')).to.equal('<ul class="markdown__list"><li>a<ul class="markdown__list"><li>b</li></ul></li></ul>')
    })

    it('renders blockquotes and horizontal rules', () => {
      expect(html('> quoted\n\n---')).to.equal('<blockquote><p>quoted</p></blockquote><hr/>')
    })

    it('renders tables with column alignment', () => {
      const out = html('| name | n |\n|:-----|--:|\n| **a** | 1 |')
      expect(out).to.include('<th style="text-align:left;">name</th><th style="text-align:right;">n</th>')
      expect(out).to.include('<td style="text-align:left;"><strong>a</strong></td><td style="text-align:right;">1</td>')
    })

    it('renders fenced code with highlighting spans and the language class', () => {
      const out = html('```python\ndef f(x):  # doc\n    return "hi" + 42\n```')
      expect(out).to.include('<code class="hljs language-python">')
      expect(out).to.include('<span class="hljs-keyword">def</span>')
      expect(out).to.include('<span class="hljs-comment"># doc</span>')
      expect(out).to.include('<span class="hljs-string">&quot;hi&quot;</span>')
      expect(out).to.include('<span class="hljs-number">42</span>')
    })

    it('highlights the languages chat code mostly holds', () => {
      const code = (lang: string, text: string) => html(`\`\`\`${lang}\n${text}\n\`\`\``)
      expect(code('go', 'func f() { s := `raw` }')).to.include('<span class="hljs-keyword">func</span> f() { s := <span class="hljs-string">`raw`</span> }')
      expect(code('sql', "SELECT id FROM posts -- all")).to.include('<span class="hljs-keyword">SELECT</span> id <span class="hljs-keyword">FROM</span> posts <span class="hljs-comment">-- all</span>')
      expect(code('sh', 'echo $HOME')).to.include('<span class="hljs-keyword">echo</span> <span class="hljs-variable">$HOME</span>')
      expect(code('json', '{"ok": true}')).to.include('{<span class="hljs-attr">&quot;ok&quot;</span>: <span class="hljs-literal">true</span>}')
      expect(code('yaml', 'on:\n  - name: ci # c')).to.include('  - <span class="hljs-attr">name</span>: ci <span class="hljs-comment"># c</span>')
      expect(code('html', '<b class="x">hi</b>')).to.include('<span class="hljs-tag">&lt;b</span> class=<span class="hljs-string">&quot;x&quot;</span>')
    })

    it('highlights diffs by line and leaves unknown languages as plain text', () => {
      expect(html('```diff\n+added\n-removed\n```')).to.include('<span class="hljs-addition">+added\n</span><span class="hljs-deletion">-removed</span>')
      expect(html('```brainfuck\n+++ if\n```')).to.equal('<pre class="post-code"><code class="hljs language-brainfuck">+++ if</code></pre>')
    })

    it('does not interpret Markdown inside code', () => {
      expect(html('```\n**x** @anna :smile:\n```')).to.include('**x** @anna :smile:')
    })
  })

  describe('links and images', () => {
    it('opens external links in a new tab without an opener', () => {
      expect(html('[docs](https://example.com/a?b=1&c=2)')).to.equal(
        '<p><a class="markdown__link" href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">docs</a></p>',
      )
    })

    it('autolinks bare URLs, www. addresses and e-mail addresses', () => {
      const out = html('see https://example.com, www.example.org and ops@example.com')
      expect(out).to.include('href="https://example.com"')
      expect(out).to.include('href="http://www.example.org"')
      expect(out).to.include('<a class="markdown__link" href="mailto:ops@example.com">ops@example.com</a>')
    })

    it('keeps same-site paths in the same tab', () => {
      expect(html('[channel](/team/channels/town-square)')).to.equal('<p><a class="markdown__link" href="/team/channels/town-square">channel</a></p>')
    })

    it('shows only the words of a link whose target is not http, https, mailto or a path', () => {
      expect(html('[click](ftp://example.com) [rel](page.html)')).to.equal('<p>click rel</p>')
    })

    it('renders inline images from http(s) and same-site URLs', () => {
      expect(html('![chart](https://example.com/c.png "Q3")')).to.equal(
        '<p><img class="markdown-inline-img" src="https://example.com/c.png" alt="chart" title="Q3" loading="lazy" referrerpolicy="no-referrer"/></p>',
      )
      expect(html('![f](/api/v4/files/abc/preview)')).to.include('src="/api/v4/files/abc/preview"')
    })

    it('allows only http, https, mailto and paths as link targets', () => {
      expect(safeLinkUrl('HTTPS://EXAMPLE.COM')?.external).to.equal(true)
      expect(safeLinkUrl('mailto:a@b.c')?.external).to.equal(false)
      expect(safeLinkUrl('/x')?.external).to.equal(false)
      expect(safeLinkUrl('//evil.example')?.external).to.equal(true)
      for (const bad of ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'java&#x09;script:x', '&#106;avascript:x', 'javascript&colon;x', 'data:text/html,<b>', 'vbscript:x', 'file:///etc/passwd', 'x.html']) {
        expect(safeLinkUrl(bad), bad).to.equal(undefined)
      }
      expect(safeImageUrl('mailto:a@b.c')).to.equal(undefined)
      expect(safeImageUrl('data:image/png;base64,AAAA')).to.equal(undefined)
    })
  })

  describe('mentions', () => {
    it('renders @username as a button that calls onMention with the name', () => {
      const clicked: string[] = []
      const tree = renderMarkdown('ping @Anna.Lee please', { onMention: (name) => clicked.push(name) })
      const button = findOne(tree, (v) => v.props['data-mention'] === 'anna.lee')
      expect(button.type).to.equal('button')
      ;(button.props.onClick as () => void)()
      expect(clicked).to.deep.equal(['anna.lee'])
    })

    it('highlights a mention of the current user and of @here, @channel and @all', () => {
      const out = html('@anna @bob @here @channel @all', { currentUsername: 'anna', onMention: () => {} })
      expect(out).to.include('class="mention mention--highlight" data-mention="anna"')
      expect(out).to.include('class="mention" data-mention="bob"')
      for (const everyone of ['here', 'channel', 'all']) expect(out).to.include(`<span class="mention mention--highlight" data-mention="${everyone}">@${everyone}</span>`)
    })

    it('leaves a sentence-ending period out of the name', () => {
      expect(html('thanks @anna.')).to.equal('<p>thanks <span class="mention" data-mention="anna">@anna</span>.</p>')
    })

    it('does not take e-mail addresses or code for mentions', () => {
      expect(html('`@anna`')).to.equal('<p><code>@anna</code></p>')
      expect(html('ops@example.com')).to.not.include('data-mention')
    })
  })

  describe('channel links', () => {
    it('renders ~channel-name as a button that calls onChannelLink', () => {
      const opened: string[] = []
      const tree = renderMarkdown('see ~town-square and ~off-topic.', { onChannelLink: (name) => opened.push(name) })
      ;(findOne(tree, (v) => v.props['data-channel'] === 'off-topic').props.onClick as () => void)()
      expect(opened).to.deep.equal(['off-topic'])
      expect(html('see ~town-square')).to.equal('<p>see <span class="channel-link" data-channel="town-square">~town-square</span></p>')
    })
  })

  describe('hashtags', () => {
    it('renders #hashtags as buttons that search for them, when the app listens', () => {
      const searched: string[] = []
      const tree = renderMarkdown('release #v2-rollout, #ok and #42 [#linked](https://x.example)', { onHashtag: (tag) => searched.push(tag) })
      ;(findOne(tree, (v) => v.props['data-hashtag'] === 'v2-rollout').props.onClick as () => void)()
      expect(searched).to.deep.equal(['#v2-rollout'])
      const out = html('release #v2-rollout, #ok and #42 [#linked](https://x.example)', { onHashtag: () => {} })
      expect(out).to.include('#ok and #42')
      expect(out).to.include('target="_blank">#linked</a>')
      expect(html('#incident')).to.equal('<p>#incident</p>')
    })

    it('shows a known channel by its display name', () => {
      expect(html('~town-square ~nope', { channelDisplayName: (name) => (name === 'town-square' ? 'Town Square' : undefined) })).to.equal(
        '<p><span class="channel-link" data-channel="town-square">~Town Square</span> <span class="channel-link" data-channel="nope">~nope</span></p>',
      )
    })
  })

  describe('emoji', () => {
    it('turns known :shortcodes: into Unicode and leaves unknown ones as text', () => {
      expect(html(':+1: :white_check_mark: :not_an_emoji:')).to.equal(
        '<p><span class="emoticon" title=":+1:" role="img" aria-label="+1">👍</span> ' +
          '<span class="emoticon" title=":white_check_mark:" role="img" aria-label="white_check_mark">✅</span> :not_an_emoji:</p>',
      )
    })

    it('finds emoji inside formatting and right after a mention', () => {
      expect(html('**:tada:** @anna:fire:')).to.include('<strong><span class="emoticon" title=":tada:" role="img" aria-label="tada">🎉</span></strong>')
      expect(html('@anna:fire:')).to.include('🔥')
    })
  })

  describe('emoticons', () => {
    it('shows standalone text emoticons as emoji, as Mattermost does by default', () => {
      const out = html('hi :) :-( x-d <3 :P')
      for (const [face, name] of [[':)', 'slightly_smiling_face'], [':-(', 'slightly_frowning_face'], ['x-d', 'stuck_out_tongue_closed_eyes'], ['&lt;3', 'heart'], [':P', 'stuck_out_tongue']]) {
        expect(out).to.include(`title="${face}" role="img" aria-label="${name}"`)
      }
    })

    it('leaves emoticons touching letters or digits, in code, or switched off as typed', () => {
      expect(html('a:) :)b 1:2 ftp://host')).to.equal('<p>a:) :)b 1:2 ftp://host</p>')
      expect(html('`:)`')).to.equal('<p><code>:)</code></p>')
      expect(html('hi :)', { emoticons: false })).to.equal('<p>hi :)</p>')
    })
  })

  describe('search highlighting', () => {
    it('marks whole words, prefixes and phrases in any case', () => {
      const out = html('Deploy the deployment to prod; redeploy never', { highlightTerms: ['deploy'] })
      expect(out).to.equal('<p><mark class="search-highlight">Deploy</mark> the deployment to prod; redeploy never</p>')
      expect(html('deploying deployed', { highlightTerms: ['deploy*'] })).to.equal(
        '<p><mark class="search-highlight">deploying</mark> <mark class="search-highlight">deployed</mark></p>',
      )
      expect(html('the release notes are out', { highlightTerms: ['"release notes"'] })).to.include('<mark class="search-highlight">release notes</mark>')
    })

    it('ignores search filters and excluded terms', () => {
      expect(html('from anna in town', { highlightTerms: ['from:anna in:town -anna'] })).to.not.include('<mark')
    })

    it('marks inside formatting and link text but not inside code', () => {
      const out = html('**bug** [bug](https://x.example) `bug`', { highlightTerms: ['bug'] })
      expect(out).to.include('<strong><mark class="search-highlight">bug</mark></strong>')
      expect(out).to.include('target="_blank"><mark class="search-highlight">bug</mark></a>')
      expect(out).to.include('<code>bug</code>')
    })
  })

  it('shows raw HTML as the text that was typed', () => {
    expect(html('<b>hi</b>')).to.equal('<p>&lt;b>hi&lt;/b></p>')
    expect(html('<div>\nblock\n</div>')).to.equal('<p class="markdown__html">&lt;div>\nblock\n&lt;/div></p>')
  })
})
