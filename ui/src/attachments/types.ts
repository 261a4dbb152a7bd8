/**
 * Slack-style message attachments as they arrive in `post.props.attachments` (Mattermost
 * model/slack_attachment.go SlackAttachment and PostAction). The props come from webhooks and
 * bots, so every field is read defensively: a value of the wrong type is dropped, never rendered.
 */
import type { MarkdownContext } from '../markdown/context.ts'

export interface PostActionOption {
  text: string
  value: string
}

/** A button, or a menu (`type: 'select'`) of static options or of the team's `users` / `channels`. */
export interface PostAction {
  id: string
  name: string
  type: 'button' | 'select'
  style?: string
  disabled: boolean
  data_source?: string
  options: PostActionOption[]
  default_option?: string
  cookie?: string
}

export interface AttachmentField {
  title: string
  value: string
  short: boolean
}

export interface MessageAttachment {
  fallback?: string
  color?: string
  pretext?: string
  author_name?: string
  author_link?: string
  author_icon?: string
  title?: string
  title_link?: string
  text?: string
  fields: AttachmentField[]
  image_url?: string
  thumb_url?: string
  footer?: string
  footer_icon?: string
  /** Seconds since the epoch (Slack's `ts`, a number or a numeric string). */
  ts?: number
  actions: PostAction[]
}

export interface AttachmentContext extends MarkdownContext {
  /**
   * A click on a button or a choice in a menu: the app POSTs
   * `/api/v4/posts/{postId}/actions/{actionId}` with `selected_option` and `cookie`.
   */
  onAction?: (postId: string, actionId: string, selectedOption?: string, cookie?: string) => void
  /** The choices of a `users` or `channels` menu (the app knows the team's users and channels). */
  actionOptions?: (dataSource: 'users' | 'channels') => PostActionOption[]
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

/** A field value as text: Mattermost accepts any JSON value there and shows numbers and booleans too. */
function fieldValue(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return ''
}

function readOption(value: unknown): PostActionOption | undefined {
  if (!isObject(value)) return undefined
  const text = str(value.text)
  if (text === undefined || typeof value.value !== 'string') return undefined
  return { text, value: value.value }
}

function readAction(value: unknown): PostAction | undefined {
  if (!isObject(value)) return undefined
  const id = str(value.id)
  const name = str(value.name)
  // Mattermost shows no action without an id and a name: there is nothing to click or to call.
  if (id === undefined || name === undefined) return undefined
  return {
    id,
    name,
    type: value.type === 'select' ? 'select' : 'button',
    style: str(value.style),
    disabled: value.disabled === true,
    data_source: str(value.data_source),
    options: Array.isArray(value.options) ? value.options.map(readOption).filter((o): o is PostActionOption => o !== undefined) : [],
    default_option: str(value.default_option),
    cookie: str(value.cookie),
  }
}

function readTimestamp(value: unknown): number | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined
}

function readAttachment(value: unknown): MessageAttachment | undefined {
  if (!isObject(value)) return undefined
  return {
    fallback: str(value.fallback),
    color: str(value.color),
    pretext: str(value.pretext),
    author_name: str(value.author_name),
    author_link: str(value.author_link),
    author_icon: str(value.author_icon),
    title: str(value.title),
    title_link: str(value.title_link),
    text: str(value.text),
    fields: Array.isArray(value.fields)
      ? value.fields.filter(isObject).map((f) => ({ title: typeof f.title === 'string' ? f.title : '', value: fieldValue(f.value), short: f.short === true }))
      : [],
    image_url: str(value.image_url),
    thumb_url: str(value.thumb_url),
    footer: str(value.footer),
    footer_icon: str(value.footer_icon),
    ts: readTimestamp(value.ts),
    actions: Array.isArray(value.actions) ? value.actions.map(readAction).filter((a): a is PostAction => a !== undefined) : [],
  }
}

/** The attachments in a post's props; anything that is not an attachment object is skipped. */
export function readAttachments(props: unknown): MessageAttachment[] {
  if (!isObject(props) || !Array.isArray(props.attachments)) return []
  return props.attachments.map(readAttachment).filter((a): a is MessageAttachment => a !== undefined)
}
