/**
 * Mattermost-flavoured Markdown → Preact vnodes. `marked`'s lexer does the CommonMark + GFM
 * parsing (a maintained tokenizer is far cheaper than a hand-written one that gets emphasis and
 * list rules right); rendering is ours, to vnodes only, so message text can never become markup:
 * raw HTML shows as text, and only allowlisted URLs become links or images.
 */
import { Lexer, type Token, type Tokens } from 'marked'
import type { ComponentChildren } from 'preact'
import type { MarkdownContext } from './context.ts'
import { decorateText, termMatcher, type DecorateOptions } from './decorate.tsx'
import { decodeEntities } from './entities.ts'
import { highlightCode } from './highlight.tsx'
import { anchor } from './links.tsx'
import { safeImageUrl, safeLinkUrl } from './urls.ts'

interface State extends DecorateOptions {
  ctx: MarkdownContext
}

const isPlainText = (token: Token): token is Tokens.Text => token.type === 'text' && !(token as Tokens.Text).tokens?.length

/**
 * Mattermost strikes through only `~~double~~` tildes; marked also takes `~single~`, which would
 * swallow `~town-square or ~off-topic~`. Such a token is put back as its tildes and contents, and
 * adjacent text is joined again so that `~name` is seen whole by the channel-link pass.
 */
function withSingleTildesAsText(tokens: readonly Token[]): Token[] {
  const out: Token[] = []
  const push = (token: Token) => {
    const previous = out[out.length - 1]
    if (previous && isPlainText(previous) && isPlainText(token)) {
      out[out.length - 1] = { type: 'text', raw: previous.raw + token.raw, text: previous.text + token.text }
    } else out.push(token)
  }
  for (const token of tokens) {
    if (token.type === 'del' && !token.raw.startsWith('~~')) {
      const tilde: Tokens.Text = { type: 'text', raw: '~', text: '~' }
      for (const inner of [tilde, ...((token as Tokens.Del).tokens ?? []), tilde]) push(inner)
    } else push(token)
  }
  return out
}

function renderInline(tokens: readonly Token[] | undefined, state: State): ComponentChildren[] {
  return withSingleTildesAsText(tokens ?? []).map((token) => inline(token, state))
}

function inline(token: Token, state: State): ComponentChildren {
  switch (token.type) {
    case 'text': {
      const text = token as Tokens.Text
      if (text.tokens?.length) return renderInline(text.tokens, state)
      return decorateText(decodeEntities(text.text), state.ctx, state)
    }
    case 'escape':
      return decorateText((token as Tokens.Escape).text, state.ctx, state)
    case 'strong':
      return <strong>{renderInline((token as Tokens.Strong).tokens, state)}</strong>
    case 'em':
      return <em>{renderInline((token as Tokens.Em).tokens, state)}</em>
    case 'del':
      return <del>{renderInline((token as Tokens.Del).tokens, state)}</del>
    case 'codespan':
      return <code>{(token as Tokens.Codespan).text}</code>
    case 'br':
      return <br />
    case 'link':
      return link(token as Tokens.Link, state)
    case 'image':
      return image(token as Tokens.Image, state)
    // Raw HTML is shown as typed, never interpreted.
    case 'html':
    case 'tag':
      return token.raw
    default:
      return 'raw' in token ? String(token.raw) : ''
  }
}

function link(token: Tokens.Link, state: State): ComponentChildren {
  const children = renderInline(token.tokens, { ...state, inLink: true })
  const url = safeLinkUrl(token.href)
  // An unsafe target keeps the words the author linked, as Mattermost does, but not the target.
  if (!url) return children
  return anchor(url, 'markdown__link', children, token.title ? decodeEntities(token.title) : undefined)
}

function image(token: Tokens.Image, state: State): ComponentChildren {
  const alt = decodeEntities(token.text)
  const url = safeImageUrl(token.href)
  if (!url) return decorateText(alt, state.ctx, state)
  const title = token.title ? decodeEntities(token.title) : undefined
  return <img class="markdown-inline-img" src={url.href} alt={alt} title={title} loading="lazy" referrerpolicy="no-referrer" />
}

function listItem(item: Tokens.ListItem, state: State): ComponentChildren {
  // A task item's first token is its checkbox; the rest is the item's body.
  const body = item.tokens.filter((token) => token.type !== 'checkbox')
  const content = renderBlocks(body, state, !item.loose)
  if (!item.task) return <li>{content}</li>
  return (
    <li class="task-list-item">
      <input type="checkbox" checked={item.checked} disabled aria-label={item.checked ? 'done' : 'not done'} />{' '}
      {content}
    </li>
  )
}

type Align = 'left' | 'right' | 'center' | null
const cellStyle = (align: Align) => (align ? { textAlign: align } : undefined)

function table(token: Tokens.Table, state: State): ComponentChildren {
  return (
    <div class="markdown__table-wrap">
      <table class="markdown__table">
        <thead>
          <tr>
            {token.header.map((cell, i) => (
              <th style={cellStyle(token.align[i])}>{renderInline(cell.tokens, state)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {token.rows.map((row) => (
            <tr>
              {row.map((cell, i) => (
                <td style={cellStyle(token.align[i])}>{renderInline(cell.tokens, state)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function block(token: Token, state: State, tight: boolean): ComponentChildren {
  switch (token.type) {
    case 'space':
    case 'def':
      return null
    case 'paragraph': {
      const children = renderInline((token as Tokens.Paragraph).tokens, state)
      return tight ? children : <p>{children}</p>
    }
    case 'text': {
      const text = token as Tokens.Text
      const children = text.tokens ? renderInline(text.tokens, state) : decorateText(decodeEntities(text.text), state.ctx, state)
      return tight ? children : <p>{children}</p>
    }
    case 'heading': {
      const heading = token as Tokens.Heading
      const Tag = `h${Math.min(Math.max(heading.depth, 1), 6)}` as 'h1'
      return <Tag class="markdown__heading">{renderInline(heading.tokens, state)}</Tag>
    }
    case 'code': {
      const code = token as Tokens.Code
      const lang = (code.lang ?? '').trim().split(/\s/)[0].toLowerCase()
      return (
        <pre class="post-code">
          <code class={lang ? `hljs language-${lang.replace(/[^a-z0-9+#_-]/g, '')}` : 'hljs'}>{highlightCode(code.text, lang)}</code>
        </pre>
      )
    }
    case 'blockquote':
      return <blockquote>{renderBlocks((token as Tokens.Blockquote).tokens, state, false)}</blockquote>
    case 'list': {
      const list = token as Tokens.List
      const items = list.items.map((item) => listItem(item, state))
      if (!list.ordered) return <ul class={list.items.some((item) => item.task) ? 'markdown__list task-list' : 'markdown__list'}>{items}</ul>
      const start = typeof list.start === 'number' && list.start !== 1 ? list.start : undefined
      return <ol class="markdown__list" start={start}>{items}</ol>
    }
    case 'table':
      return table(token as Tokens.Table, state)
    case 'hr':
      return <hr />
    // Raw HTML is shown as typed, never interpreted.
    case 'html':
      return <p class="markdown__html">{(token as Tokens.HTML).text}</p>
    default:
      return 'raw' in token ? <p>{String(token.raw)}</p> : null
  }
}

function renderBlocks(tokens: readonly Token[], state: State, tight: boolean): ComponentChildren[] {
  return tokens.map((token) => block(token, state, tight))
}

/** A message's text as vnodes. Never throws: text the lexer cannot read is shown as typed. */
export function renderMarkdown(text: string, ctx: MarkdownContext = {}): ComponentChildren {
  const state: State = { ctx, matcher: termMatcher(ctx.highlightTerms) }
  let tokens: Token[]
  try {
    // `breaks`: a single newline in a message is a line break in Mattermost, as people expect in chat.
    tokens = new Lexer({ gfm: true, breaks: true }).lex(text)
  } catch {
    return <p>{text}</p>
  }
  return renderBlocks(tokens, state, false)
}
