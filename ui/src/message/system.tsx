/**
 * System posts (joins, leaves, header changes, …) as one plain sentence, built from the post's
 * props as Mattermost's webapp does (post_utils / system_message_helpers), with the people in it
 * as mentions. A type we do not know, or props missing a name, falls back to the server's message.
 */
import type { ComponentChildren } from 'preact'
import type { MarkdownContext } from '../markdown/context.ts'
import { renderMention } from '../markdown/decorate.tsx'

type Props = Record<string, unknown>
type Part = string | { user: string }

const name = (props: Props, key: string): string | undefined => {
  const value = props[key]
  return typeof value === 'string' && value !== '' ? value : undefined
}
const text = (props: Props, key: string): string => (typeof props[key] === 'string' ? (props[key] as string) : '')

/** Each builder returns the sentence's parts, or undefined when the props lack what it needs. */
const SENTENCES: Record<string, (props: Props) => Part[] | undefined> = {
  system_join_channel: (p) => whom(p, 'username', ' joined the channel.'),
  system_leave_channel: (p) => whom(p, 'username', ' left the channel.'),
  system_join_team: (p) => whom(p, 'username', ' joined the team.'),
  system_leave_team: (p) => whom(p, 'username', ' left the team.'),
  system_add_to_channel: (p) => byWhom(p, 'addedUsername', ' added to the channel by ', 'username'),
  system_add_to_team: (p) => byWhom(p, 'addedUsername', ' added to the team by ', 'username'),
  system_remove_from_channel: (p) => whom(p, 'removedUsername', ' was removed from the channel.'),
  system_remove_from_team: (p) => whom(p, 'removedUsername', ' was removed from the team.'),
  system_channel_deleted: (p) => whom(p, 'username', ' archived the channel.'),
  system_channel_restored: (p) => whom(p, 'username', ' unarchived the channel.'),
  system_header_change: (p) => changed(p, 'header', text(p, 'old_header'), text(p, 'new_header')),
  system_purpose_change: (p) => changed(p, 'purpose', text(p, 'old_purpose'), text(p, 'new_purpose')),
  system_displayname_change: (p) => changed(p, 'display name', text(p, 'old_displayname'), text(p, 'new_displayname')),
  system_convert_channel: () => ['This channel has been converted to a Private Channel.'],
}

function whom(props: Props, key: string, rest: string): Part[] | undefined {
  const user = name(props, key)
  return user ? [{ user }, rest] : undefined
}

function byWhom(props: Props, key: string, middle: string, byKey: string): Part[] | undefined {
  const user = name(props, key)
  const by = name(props, byKey)
  return user && by ? [{ user }, middle, { user: by }, '.'] : undefined
}

function changed(props: Props, what: string, before: string, after: string): Part[] | undefined {
  const user = name(props, 'username')
  if (!user) return undefined
  if (after === '') return [{ user }, ` removed the channel ${what} (was: ${before})`]
  if (before === '') return [{ user }, ` updated the channel ${what} to: ${after}`]
  return [{ user }, ` updated the channel ${what} from: ${before} to: ${after}`]
}

export function isSystemPostType(type: string | undefined): boolean {
  return typeof type === 'string' && type.startsWith('system_') && type !== 'system_ephemeral'
}

/** The sentence for a system post, with the people in it as mentions. */
export function systemSentence(type: string, props: Props, message: string, ctx: MarkdownContext): ComponentChildren {
  const parts = Object.hasOwn(SENTENCES, type) ? SENTENCES[type](props) : undefined
  if (!parts) return message
  return parts.map((part) => (typeof part === 'string' ? part : renderMention(part.user, ctx)))
}
