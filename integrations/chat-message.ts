/** What a connector's formatter turns a normalised event into: the text a vendor bot posts, and how it relates to earlier posts. */

export interface ChatMessage {
  /** Markdown, as Mattermost renders it. */
  text: string
  /** What later events about the same thing find this post by (`incident:<id>`, `alert:<fingerprint>`, `issue:<key>`). */
  refKey: string
  /**
   * `post`: a new root post. `reply`: a reply in the thread of the first post made for `refKey` in that channel (a
   * root post when there is none). `update`: replaces that first post's text (a new post when there is none).
   */
  mode: 'post' | 'reply' | 'update'
  /** Props beside `from_bot` on a new post. */
  props?: Record<string, unknown>
  /**
   * For `update` messages that accumulate (alert groups): the text and props from the latest post for `refKey` and its
   * props, or null to leave it be and start a new post. Without it the first post's text is replaced.
   */
  mergeWith?(earlierProps: Record<string, unknown>): { text: string; props: Record<string, unknown> } | null
}

/** `[text](url)`, or the text alone without a URL; brackets in the text would end the link early. */
export function link(text: string, url: string | undefined): string {
  const safe = text.replace(/([[\]])/g, '\\$1')
  return url ? `[${safe}](${url})` : safe
}
