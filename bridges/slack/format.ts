/**
 * Slack text → Markdown (spec §3): tokens, entities and mrkdwn, with code spans and fenced blocks
 * left as written. Pure; the import and (later) the mirror share it.
 */
import type { SlackAttachment } from '../../core/posts/slack-compat.ts'

/** What a token resolves against: Slack ids to local names. Unknown ids fall back to the label or the id. */
export interface TokenNames {
  user(slackId: string): string | undefined
  channel(slackId: string): string | undefined
}

const NO_NAMES: TokenNames = { user: () => undefined, channel: () => undefined }

/** Decodes the three entities Slack escapes; `&amp;` last so `&amp;lt;` stays `&lt;`. */
export function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

const CODE = /```[\s\S]*?```|`[^`\n]+`/g
// A private-use character cannot occur in Slack text we keep, so it marks lifted code safely.
const MARK = '\uE000'

/**
 * Converts one Slack message text (mrkdwn, entity-escaped) to Markdown.
 * Order per §3.3: lift code, resolve tokens, emphasis, quotes, unescape, restore code.
 */
export function slackToMarkdown(text: string, names: TokenNames = NO_NAMES): string {
  const code: string[] = []
  let out = text.replace(CODE, (match) => {
    code.push(decodeEntities(match))
    return `${MARK}${code.length - 1}${MARK}`
  })
  out = out.replace(/<([^<>\n]*)>/g, (_m, inner: string) => resolveToken(inner, names))
  out = convertEmphasis(out)
  out = convertQuotes(out)
  out = decodeEntities(out)
  return out.replace(new RegExp(`${MARK}(\\d+)${MARK}`, 'g'), (_m, i: string) => code[Number(i)] ?? '')
}

function resolveToken(inner: string, names: TokenNames): string {
  const bar = inner.indexOf('|')
  const target = bar === -1 ? inner : inner.slice(0, bar)
  const label = bar === -1 ? '' : inner.slice(bar + 1)
  if (target.startsWith('@')) {
    const id = target.slice(1)
    const name = names.user(id) ?? (label || id)
    return `@${name.replace(/^@/, '')}`
  }
  if (target.startsWith('#')) {
    const id = target.slice(1)
    return `~${names.channel(id) ?? (label || id)}`
  }
  if (target.startsWith('!')) {
    const command = target.slice(1)
    if (command === 'here') return '@here'
    if (command === 'channel') return '@channel'
    if (command === 'everyone') return '@all'
    if (command.startsWith('subteam^')) return label ? `@${label.replace(/^@/, '')}` : `@${command.slice('subteam^'.length)}`
    if (command.startsWith('date^')) return label || command.split('^')[1] || ''
    return label || `<${inner}>`
  }
  if (/^(https?|mailto|tel|ftp):/i.test(target)) {
    const url = decodeEntities(target)
    if (!label) return /^(mailto|tel):/i.test(url) ? `[${url.replace(/^(mailto|tel):/i, '')}](${url})` : `<${url}>`
    return `[${label}](${url})`
  }
  return `<${inner}>`
}

// Slack applies emphasis only at word boundaries: `~stri~ke` stays as written.
const BOLD = /(^|[\s(\[{"'>~_])\*(?=\S)([^*\n]*?\S)\*(?=$|[\s)\]}".,;:!?'<~_])/gm
const STRIKE = /(^|[\s(\[{"'>*_])~(?=\S)([^~\n]*?\S)~(?=$|[\s)\]}".,;:!?'<*_])/gm

function convertEmphasis(text: string): string {
  return text.replace(BOLD, (_m, pre: string, body: string) => `${pre}**${body}**`).replace(STRIKE, (_m, pre: string, body: string) => `${pre}~~${body}~~`)
}

/** `&gt;` at a line start is a quote; `&gt;&gt;&gt;` quotes the rest of the message. */
function convertQuotes(text: string): string {
  const lines = text.split('\n')
  const out: string[] = []
  let quoteRest = false
  for (const line of lines) {
    if (quoteRest) {
      out.push(`> ${line}`.trimEnd())
      continue
    }
    if (line.startsWith('&gt;&gt;&gt;')) {
      quoteRest = true
      out.push(`> ${line.slice('&gt;&gt;&gt;'.length).trimStart()}`.trimEnd())
    } else if (line.startsWith('&gt;')) {
      out.push(`>${line.slice('&gt;'.length)}`)
    } else {
      out.push(line)
    }
  }
  return out.join('\n')
}

/**
 * Converts the text fields of attachments (already read into core's shape, §2.5): pretext, text
 * and field values fully, the fallback's entities. Returns new objects.
 */
export function convertAttachments(attachments: SlackAttachment[], names: TokenNames = NO_NAMES): SlackAttachment[] {
  return attachments.map((a) => ({
    ...a,
    pretext: slackToMarkdown(a.pretext, names),
    text: slackToMarkdown(a.text, names),
    fallback: decodeEntities(a.fallback),
    fields: a.fields?.map((f) => ({ ...f, value: f.value === null ? null : slackToMarkdown(f.value, names) })) ?? null,
  }))
}

type Block = { type?: string; text?: { type?: string; text?: string } | string; elements?: Block[]; fields?: { text?: string }[]; image_url?: string; alt_text?: string; title?: { text?: string }; [key: string]: unknown }

/**
 * Renders layout and rich-text blocks to Markdown. Interactive blocks (`actions`, `input`, …)
 * are skipped and counted in `skipped`, so the report can name them.
 */
export function renderBlocks(blocks: unknown[], names: TokenNames = NO_NAMES): { markdown: string; skipped: string[] } {
  const parts: string[] = []
  const skipped: string[] = []
  for (const raw of blocks) {
    if (!raw || typeof raw !== 'object') continue
    const block = raw as Block
    const text = typeof block.text === 'object' && block.text ? block.text.text ?? '' : typeof block.text === 'string' ? block.text : ''
    switch (block.type) {
      case 'section': {
        const fields = (block.fields ?? []).map((f) => slackToMarkdown(f?.text ?? '', names)).filter(Boolean)
        parts.push([slackToMarkdown(text, names), ...fields].filter(Boolean).join('\n'))
        break
      }
      case 'header':
        parts.push(`### ${decodeEntities(text)}`)
        break
      case 'context':
        parts.push((block.elements ?? []).map((e) => (e.type === 'image' ? '' : slackToMarkdown(typeof e.text === 'string' ? e.text : '', names))).filter(Boolean).join(' '))
        break
      case 'divider':
        parts.push('---')
        break
      case 'image':
        if (typeof block.image_url === 'string') parts.push(`![${block.alt_text ?? block.title?.text ?? ''}](${block.image_url})`)
        break
      case 'rich_text':
        parts.push(renderRichText((block.elements ?? []) as unknown as RichElement[], names))
        break
      default:
        skipped.push(String(block.type ?? 'unknown'))
    }
  }
  return { markdown: parts.filter((p) => p !== '').join('\n\n'), skipped }
}

type RichElement = { type?: string; text?: string; style?: Record<string, boolean> | string; elements?: RichElement[]; url?: string; user_id?: string; channel_id?: string; usergroup_id?: string; name?: string; unicode?: string; range?: string; indent?: number; fallback?: string }

function renderRichText(elements: RichElement[], names: TokenNames): string {
  return elements.map((el) => {
    const inner = (el.elements ?? []).map((leaf) => renderRichLeaf(leaf, names))
    switch (el.type) {
      case 'rich_text_preformatted':
        return '```\n' + (el.elements ?? []).map((leaf) => leaf.text ?? '').join('') + '\n```'
      case 'rich_text_quote':
        return inner.join('').split('\n').map((l) => `> ${l}`).join('\n')
      case 'rich_text_list':
        return (el.elements ?? []).map((item, i) => `${'  '.repeat(el.indent ?? 0)}${el.style === 'ordered' ? `${i + 1}.` : '-'} ${(item.elements ?? []).map((leaf) => renderRichLeaf(leaf, names)).join('')}`).join('\n')
      default:
        return inner.join('')
    }
  }).join('\n')
}

function renderRichLeaf(leaf: RichElement, names: TokenNames): string {
  const style = typeof leaf.style === 'object' && leaf.style ? leaf.style : {}
  switch (leaf.type) {
    case 'text': {
      const raw = leaf.text ?? ''
      if (style.code) return `\`${raw}\``
      // Markdown emphasis must hug its text: keep the spaces outside the markers.
      const [, lead, core, trail] = /^(\s*)([\s\S]*?)(\s*)$/.exec(raw) ?? ['', '', raw, '']
      let t = core ?? ''
      if (t && style.bold) t = `**${t}**`
      if (t && style.italic) t = `_${t}_`
      if (t && style.strike) t = `~~${t}~~`
      return `${lead}${t}${trail}`
    }
    case 'link':
      return leaf.text ? `[${leaf.text}](${leaf.url ?? ''})` : `<${leaf.url ?? ''}>`
    case 'user':
      return `@${names.user(leaf.user_id ?? '') ?? leaf.user_id ?? ''}`
    case 'channel':
      return `~${names.channel(leaf.channel_id ?? '') ?? leaf.channel_id ?? ''}`
    case 'usergroup':
      return `@${leaf.usergroup_id ?? ''}`
    case 'emoji':
      return `:${leaf.name ?? ''}:`
    case 'broadcast':
      return leaf.range === 'everyone' ? '@all' : `@${leaf.range ?? ''}`
    case 'date':
      return leaf.fallback ?? ''
    default:
      return leaf.text ?? ''
  }
}

/** A reaction name as a local emoji name: skin tones stripped (§3.2), at most 64 characters. */
export function reactionEmojiName(name: string): string {
  return name.replace(/::skin-tone-\d$/, '').slice(0, 64)
}
