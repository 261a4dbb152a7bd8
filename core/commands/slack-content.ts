/**
 * A command response's text and attachments made ready to post: Slack markup converted and the
 * attachments read as Mattermost does (HandleCommandResponsePost + CreateCommandPost), unless the
 * integration asked for `skip_slack_parsing`.
 */
import { processSlackAttachments, processSlackText, readSlackAttachments, slackAttachmentProblems, slackUserIdsIn, type SlackAttachment } from '../posts/slack-compat.ts'
import type { UserStore } from '../users/store.ts'
import type { CommandResponse } from './registry.ts'

export interface SlackContent {
  text: string
  /** Null when the response has none (the post keeps no `attachments` prop). */
  attachments: SlackAttachment[] | null
  /** Mattermost logs these and posts anyway. */
  problems: string[]
}

/** @throws SlackPayloadError when an attachment field has the wrong type. */
export async function prepareSlackContent(response: CommandResponse, users: Pick<UserStore, 'getByIds'>): Promise<SlackContent> {
  const text = response.text ?? ''
  const read = response.attachments ? readSlackAttachments(response.attachments) : null
  const attachments = read && read.length > 0 ? read : null
  const problems = (attachments ?? []).flatMap((a, i) => slackAttachmentProblems(a, `attachments[${i}]`))
  if (response.skip_slack_parsing) return { text, attachments, problems }
  const ids = slackUserIdsIn(text, attachments ?? [])
  const names = new Map((ids.length > 0 ? await users.getByIds(ids) : []).map((u) => [u.id, u.username]))
  const lookup = (id: string) => names.get(id)
  return { text: processSlackText(text, lookup), attachments: attachments && processSlackAttachments(attachments, lookup), problems }
}
