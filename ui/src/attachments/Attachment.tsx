/**
 * One Slack-style attachment laid out as Mattermost's webapp does (message_attachment.tsx):
 * pretext above; inside a box with a colour bar: author, title, text, fields (short ones two to a
 * row), image, thumbnail on the right, footer, and the interactive actions.
 */
import type { ComponentChildren } from 'preact'
import { anchor } from '../markdown/links.tsx'
import { renderMarkdown } from '../markdown/render.tsx'
import { safeImageUrl, safeLinkUrl } from '../markdown/urls.ts'
import { AttachmentActions } from './actions.tsx'
import { readAttachments, type AttachmentContext, type AttachmentField, type MessageAttachment } from './types.ts'

// Slack's named colours, which webhooks written for Slack send.
const NAMED_COLORS: Record<string, string> = { good: '#2eb886', warning: '#daa038', danger: '#a30200' }
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i
// Mattermost cuts a footer at this many characters.
const MAX_FOOTER_LENGTH = 300

export function attachmentColor(color: string | undefined): string | undefined {
  if (!color) return undefined
  const key = color.toLowerCase()
  if (Object.hasOwn(NAMED_COLORS, key)) return NAMED_COLORS[key]
  return HEX_COLOR.test(color) ? color : undefined
}

function image(url: string | undefined, cls: string, alt: string, size?: number): ComponentChildren {
  const safe = url ? safeImageUrl(url) : undefined
  if (!safe) return null
  return <img class={cls} src={safe.href} alt={alt} width={size} height={size} loading="lazy" referrerpolicy="no-referrer" />
}

/** `children` as a link to `url` when that URL is allowed, else just the children. */
function maybeLink(url: string | undefined, cls: string, children: ComponentChildren): ComponentChildren {
  const safe = url ? safeLinkUrl(url) : undefined
  return safe ? anchor(safe, cls, children) : children
}

/**
 * Fields in rows as Mattermost groups them: two short fields share a row; a long field, or a
 * field after a long one, starts a new row.
 */
export function fieldRows(fields: readonly AttachmentField[]): AttachmentField[][] {
  const rows: AttachmentField[][] = []
  let row: AttachmentField[] = []
  let lastWasLong = false
  for (const field of fields) {
    if (row.length === 2 || !field.short || lastWasLong) {
      if (row.length) rows.push(row)
      row = []
    }
    row.push(field)
    lastWasLong = !field.short
  }
  if (row.length) rows.push(row)
  return rows
}

function Fields(props: { fields: AttachmentField[]; ctx: AttachmentContext }): ComponentChildren {
  if (props.fields.length === 0) return null
  return (
    <div class="attachment-fields">
      {fieldRows(props.fields).map((row) => (
        <div class="attachment-fields__row">
          {row.map((field) => (
            <div class={field.short ? 'attachment-field attachment-field--short' : 'attachment-field'}>
              {field.title ? <div class="attachment-field__caption">{field.title}</div> : null}
              <div class="attachment-field__value">{renderMarkdown(field.value, props.ctx)}</div>
            </div>
          ))}
        </div>
      ))}
    </div>
  )
}

function Footer(props: { attachment: MessageAttachment }): ComponentChildren {
  const { footer, footer_icon, ts } = props.attachment
  if (!footer && ts === undefined) return null
  const text = footer && footer.length > MAX_FOOTER_LENGTH ? `${footer.slice(0, MAX_FOOTER_LENGTH - 1)}…` : footer
  const date = ts === undefined ? undefined : new Date(ts * 1000)
  return (
    <div class="attachment__footer">
      {footer ? image(footer_icon, 'attachment__footer-icon', '', 16) : null}
      {text ? <span class="attachment__footer-text">{text}</span> : null}
      {date && !Number.isNaN(date.getTime()) ? (
        <time class="attachment__ts" dateTime={date.toISOString()}>
          {date.toLocaleString()}
        </time>
      ) : null}
    </div>
  )
}

export function Attachment(props: { postId: string; attachment: MessageAttachment; ctx: AttachmentContext }): ComponentChildren {
  const { postId, attachment: a, ctx } = props
  const color = attachmentColor(a.color)
  const author =
    a.author_name || a.author_icon
      ? maybeLink(a.author_link, 'attachment__author-link', [
          image(a.author_icon, 'attachment__author-icon', '', 14),
          a.author_name ? <span class="attachment__author-name">{a.author_name}</span> : null,
        ])
      : null
  const thumb = image(a.thumb_url, 'attachment__thumb', '')
  return (
    <div class="attachment">
      {a.pretext ? <div class="attachment__pretext">{renderMarkdown(a.pretext, ctx)}</div> : null}
      <div class="attachment__content" style={color ? { borderLeftColor: color } : undefined}>
        <div class="attachment__body">
          {author ? <div class="attachment__author">{author}</div> : null}
          {a.title ? <h1 class="attachment__title">{maybeLink(a.title_link, 'attachment__title-link', a.title)}</h1> : null}
          {a.text ? <div class="attachment__text">{renderMarkdown(a.text, ctx)}</div> : null}
          <Fields fields={a.fields} ctx={ctx} />
          {a.image_url ? <div class="attachment__image-container">{image(a.image_url, 'attachment__image', a.title ?? '')}</div> : null}
          <Footer attachment={a} />
          <AttachmentActions postId={postId} actions={a.actions} ctx={ctx} />
        </div>
        {thumb ? <div class="attachment__thumb-container">{thumb}</div> : null}
      </div>
    </div>
  )
}

/** Every attachment in a post's props, in order; nothing when there are none. */
export function MessageAttachments(props: { postId: string; props: unknown; ctx?: AttachmentContext }): ComponentChildren {
  const attachments = readAttachments(props.props)
  if (attachments.length === 0) return null
  const ctx = props.ctx ?? {}
  return (
    <div class="attachments">
      {attachments.map((attachment) => (
        <Attachment postId={props.postId} attachment={attachment} ctx={ctx} />
      ))}
    </div>
  )
}
