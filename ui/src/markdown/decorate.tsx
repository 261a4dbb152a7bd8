/**
 * The chat-specific parts of message text, found in plain text runs after Markdown parsing (so
 * never inside code): `@mentions`, `~channel` links, `#hashtags`, `:emoji:` shortcodes and `:)`
 * emoticons, and search-term marks.
 */
import type { ComponentChildren } from 'preact'
import { emojiFor } from '../emoji/table.ts'
import { CHANNEL_WIDE_MENTIONS, type MarkdownContext } from './context.ts'

/**
 * Text emoticons Mattermost shows as emoji (its `emoticonPatterns`): each stands alone, with no
 * letter or digit touching it, so `ratio 1:2` or `ftp://x` are left as they are.
 */
const EMOTICONS: Record<string, string[]> = {
  slightly_smiling_face: [':)', ':-)'],
  wink: [';)', ';-)'],
  open_mouth: [':o'],
  scream: [':-o'],
  smirk: [':]', ':-]'],
  smile: [':d', ':-d'],
  stuck_out_tongue_closed_eyes: ['x-d'],
  stuck_out_tongue: [':p', ':-p'],
  rage: [':@', ':-@', ':[', ':-['],
  slightly_frowning_face: [':(', ':-('],
  cry: [":'(", ":'-(", ':`(', ':`-(', ':’(', ':’-('],
  confused: [':/', ':-/'],
  confounded: [':s', ':-s'],
  neutral_face: [':|', ':-|'],
  flushed: [':$', ':-$'],
  mask: [':-x'],
  heart: ['<3'],
  broken_heart: ['</3'],
}
const EMOTICON_NAMES = new Map(Object.entries(EMOTICONS).flatMap(([name, faces]) => faces.map((face) => [face, name] as const)))
const EMOTICON_SOURCE = [...EMOTICON_NAMES.keys()]
  .sort((a, b) => b.length - a.length)
  .map((face) => face.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
  .join('|')

// Usernames and channel names as Mattermost allows them; a letter or digit just before the sigil
// (an e-mail address, `a~b`) means it is not one. Then `:shortcodes:`, emoticons, and hashtags
// (Mattermost's: a letter first, letters, digits, `.`, `-`, `_` after, not ending in punctuation).
const SPECIAL = new RegExp(
  '(?<![\\p{L}\\p{N}_])@([a-z0-9][a-z0-9._-]*)|(?<![\\p{L}\\p{N}_])~([a-z0-9][a-z0-9._-]*)|:([a-z0-9_+-]+):' +
    `|(?<![\\p{L}\\p{N}_])(${EMOTICON_SOURCE})(?![\\p{L}\\p{N}_])` +
    '|(?<![\\p{L}\\p{N}_&#])#(\\p{L}[\\p{L}\\p{N}._-]*[\\p{L}\\p{N}])',
  'giu',
)
// Mattermost does not link shorter hashtags (`#ok` stays text).
const MIN_HASHTAG_LENGTH = 3

/** A sentence ending right after a name (`thanks @anna.`) is not part of the name. */
const trimTrailingDots = (name: string) => name.replace(/\.+$/, '')

/** `@name` as Mattermost shows it: highlighted when it reaches the reader, clickable when the app listens. */
export function renderMention(name: string, ctx: MarkdownContext): ComponentChildren {
  const lower = name.toLowerCase()
  const everyone = CHANNEL_WIDE_MENTIONS.includes(lower)
  const highlight = everyone || (ctx.currentUsername !== undefined && lower === ctx.currentUsername.toLowerCase())
  const cls = highlight ? 'mention mention--highlight' : 'mention'
  if (everyone || !ctx.onMention) return <span class={cls} data-mention={lower}>@{name}</span>
  const onMention = ctx.onMention
  return (
    <button type="button" class={cls} data-mention={lower} onClick={() => onMention(lower)}>
      @{name}
    </button>
  )
}

function channelLink(name: string, ctx: MarkdownContext): ComponentChildren {
  const lower = name.toLowerCase()
  // Mattermost shows a known channel by its display name; an unknown one as typed.
  const label = `~${ctx.channelDisplayName?.(lower) ?? name}`
  if (!ctx.onChannelLink) return <span class="channel-link" data-channel={lower}>{label}</span>
  const onChannelLink = ctx.onChannelLink
  return (
    <button type="button" class="channel-link" data-channel={lower} onClick={() => onChannelLink(lower)}>
      {label}
    </button>
  )
}

function hashtag(tag: string, onHashtag: (hashtag: string) => void): ComponentChildren {
  return (
    <button type="button" class="hashtag" data-hashtag={tag} onClick={() => onHashtag(`#${tag}`)}>
      #{tag}
    </button>
  )
}

interface Matcher {
  pattern: RegExp
}

/**
 * Mattermost search terms as a matcher: `word` matches whole words, `pre*` word prefixes,
 * `"a phrase"` the phrase; `from:`/`in:`-style filters and `-excluded` terms mark nothing.
 */
export function termMatcher(terms: readonly string[] | undefined): Matcher | undefined {
  if (!terms || terms.length === 0) return undefined
  const sources: string[] = []
  for (const raw of terms) {
    for (const found of raw.matchAll(/"([^"]+)"|(\S+)/g)) {
      let term = (found[1] ?? found[2]).trim()
      if (term === '' || (found[2] !== undefined && (/^[a-z]+:/i.test(term) || term.startsWith('-')))) continue
      const prefix = term.endsWith('*')
      term = term.replace(/\*+$/, '').replace(/^[#@]/, '')
      if (term === '') continue
      const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+')
      sources.push(prefix ? `${escaped}[\\p{L}\\p{N}_]*` : `${escaped}(?![\\p{L}\\p{N}_])`)
    }
  }
  if (sources.length === 0) return undefined
  return { pattern: new RegExp(`(?<![\\p{L}\\p{N}_])(?:${sources.join('|')})`, 'giu') }
}

function mark(text: string, matcher: Matcher | undefined, out: ComponentChildren[]): void {
  if (!matcher) {
    if (text) out.push(text)
    return
  }
  let last = 0
  for (const found of text.matchAll(matcher.pattern)) {
    if (found[0] === '') continue
    if (found.index > last) out.push(text.slice(last, found.index))
    out.push(<mark class="search-highlight">{found[0]}</mark>)
    last = found.index + found[0].length
  }
  if (last < text.length) out.push(text.slice(last))
}

export interface DecorateOptions {
  /** Inside a link's text: no mention or channel buttons (a button inside a link is invalid and confusing). */
  inLink?: boolean
  matcher?: Matcher
}

/** Plain text as text nodes, with mentions, channel links, hashtags, emoji and search marks made into elements. */
export function decorateText(text: string, ctx: MarkdownContext, options: DecorateOptions = {}): ComponentChildren[] {
  const out: ComponentChildren[] = []
  let last = 0
  for (const found of text.matchAll(SPECIAL)) {
    const [whole, user, channel, shortcode, emoticon, tag] = found
    let node: ComponentChildren
    let length = whole.length
    if (tag !== undefined) {
      if (options.inLink || tag.length < MIN_HASHTAG_LENGTH || !ctx.onHashtag) continue
      node = hashtag(tag, ctx.onHashtag)
    } else if (shortcode !== undefined || emoticon !== undefined) {
      if (emoticon !== undefined && ctx.emoticons === false) continue
      const emojiName = shortcode ?? EMOTICON_NAMES.get(emoticon!.toLowerCase())!
      const char = emojiFor(emojiName.toLowerCase())
      if (!char) continue
      node = <span class="emoticon" title={shortcode !== undefined ? `:${emojiName}:` : emoticon} role="img" aria-label={emojiName}>{char}</span>
    } else {
      if (options.inLink) continue
      const name = trimTrailingDots(user ?? channel!)
      if (name === '') continue
      length = name.length + 1
      node = user !== undefined ? renderMention(name, ctx) : channelLink(name, ctx)
    }
    mark(text.slice(last, found.index), options.matcher, out)
    out.push(node)
    last = found.index + length
  }
  mark(text.slice(last), options.matcher, out)
  return out
}
