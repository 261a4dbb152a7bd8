/**
 * What a post says: its Markdown text and its Slack-style attachments, or for a system post one
 * plain sentence. The chrome around it (author, time, reactions, thread link) is the channel
 * view's.
 */
import type { ComponentChildren } from 'preact'
import { MessageAttachments } from '../attachments/Attachment.tsx'
import type { AttachmentContext } from '../attachments/types.ts'
import { renderMarkdown } from '../markdown/render.tsx'
import { isSystemPostType, systemSentence } from './system.tsx'

/** The fields of a Mattermost post this needs (the API's Post has more). */
export interface PostLike {
  id: string
  message: string
  type?: string
  props?: Record<string, unknown> | null
  delete_at?: number
}

export function MessageBody(props: { post: PostLike; ctx?: AttachmentContext }): ComponentChildren {
  const { post } = props
  const ctx = props.ctx ?? {}
  const postProps = post.props && typeof post.props === 'object' ? post.props : {}
  if (post.delete_at) return <div class="post-message post-message--deleted">(message deleted)</div>
  if (isSystemPostType(post.type)) {
    return <div class="post-message post-message--system">{systemSentence(post.type!, postProps, post.message, ctx)}</div>
  }
  return (
    <div class="post-message">
      {post.message ? <div class="post-message__text">{renderMarkdown(post.message, ctx)}</div> : null}
      <MessageAttachments postId={post.id} props={postProps} ctx={ctx} />
    </div>
  )
}
