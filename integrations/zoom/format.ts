/**
 * The post the Zoom bot makes for a meeting, shaped like the Mattermost Zoom plugin's (its `meeting_*` props), with the
 * topic, join link and meeting id in the text so every client shows them. The host's `start_url` is never posted.
 */
import { link } from '../chat-message.ts'

export interface MeetingPost {
  message: string
  props: Record<string, unknown>
}

/** Zoom shows meeting ids in groups (`812 3456 7890`); people read them aloud to join by phone. */
export function spacedMeetingId(id: string): string {
  return id.length > 9 ? `${id.slice(0, 3)} ${id.slice(3, id.length - 4)} ${id.slice(-4)}` : id
}

export function formatMeetingPost(meeting: { id: string; joinUrl: string; topic: string; password?: string }): MeetingPost {
  const lines = [
    `:video_camera: **Zoom meeting started: ${meeting.topic.replace(/\*/g, '\\*')}**`,
    `Join: ${link(meeting.joinUrl, meeting.joinUrl)}`,
    `Meeting ID: ${spacedMeetingId(meeting.id)}${meeting.password ? ` · Passcode: ${meeting.password}` : ''}`,
  ]
  return {
    message: lines.join('\n'),
    props: {
      from_bot: 'true',
      meeting_id: meeting.id,
      meeting_link: meeting.joinUrl,
      meeting_status: 'STARTED',
      meeting_personal: false,
      meeting_topic: meeting.topic,
      meeting_provider: 'Zoom',
    },
  }
}
