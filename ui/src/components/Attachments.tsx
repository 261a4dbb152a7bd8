/**
 * Slack-style attachments (from webhooks and integrations) as plain text, until the attachment
 * renderer is wired in: every field is a text node, so a webhook cannot inject markup.
 */
import type { Post } from '../api/types.ts'

interface Attachment {
  pretext?: string
  title?: string
  title_link?: string
  text?: string
  color?: string
  fields?: { title?: string; value?: string }[]
  footer?: string
}

export function Attachments(props: { post: Post }) {
  const list = props.post.props?.attachments
  if (!Array.isArray(list) || list.length === 0) return null
  return (
    <div class="attachments">
      {(list as Attachment[]).map((a, i) => (
        <div key={i} class="attachment" style={{ borderLeftColor: /^#[0-9a-f]{3,8}$/i.test(a.color ?? '') ? a.color : undefined }}>
          {a.pretext && <p>{String(a.pretext)}</p>}
          {a.title && <p class="attachment-title"><strong>{String(a.title)}</strong></p>}
          {a.text && <p class="message-text">{String(a.text)}</p>}
          {Array.isArray(a.fields) && a.fields.map((f, j) => (
            <p key={j}><strong>{String(f.title ?? '')}</strong> {String(f.value ?? '')}</p>
          ))}
          {a.footer && <p class="muted">{String(a.footer)}</p>}
        </div>
      ))}
    </div>
  )
}
