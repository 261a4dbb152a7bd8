/** Zoom actions: start a meeting, and post its join link in a channel as the Zoom bot. */
import { z } from 'zod'
import type { ActionDefinition } from '../../core/actions/index.ts'
import { connectionRef, type ConnectorActionDeps } from '../action-deps.ts'
import type { BotPoster } from '../bot-posts.ts'
import { createZoomClient } from './client.ts'
import { formatMeetingPost } from './format.ts'
import type { ZoomTokenCache } from './tokens.ts'

const SOURCE = 'integrations/zoom'

export interface ZoomActionDeps extends ConnectorActionDeps {
  tokens: ZoomTokenCache
  post: BotPoster
  now: () => number
}

/** Zoom's `start_time` format: UTC without milliseconds (`yyyy-MM-ddTHH:mm:ssZ`). */
function zoomTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function zoomActions(deps: ZoomActionDeps): ActionDefinition[] {
  return [
    {
      id: 'zoom.meeting.create@v1',
      source: SOURCE,
      description: "Starts a Zoom meeting (server-to-server OAuth app of the connection) and, given a channel, posts its join link there as the Zoom bot",
      input: z.object({
        connection: connectionRef,
        topic: z.string().trim().min(1, 'must not be empty').max(200, 'Zoom takes at most 200 characters'),
        channel_id: z.string().regex(/^[a-z0-9]{26}$/, 'expected a 26-character id').optional(),
        duration: z.number().int().min(1).max(1440).optional(),
        agenda: z.string().max(2000).optional(),
      }),
      outputs: ['meetingId', 'joinUrl', 'postId'],
      sideEffect: true,
      async run(input: { connection: string; topic: string; channel_id?: string; duration?: number; agenda?: string }, ctx) {
        const connection = await deps.connections.forAction(ctx.session, 'zoom', input.connection)
        // Checked before Zoom is called: a meeting nobody is told about is worse than none.
        if (input.channel_id) await deps.post.check(ctx.session, { teamId: connection.teamId, channelId: input.channel_id })
        const meeting = await createZoomClient(deps.outbound, connection, deps.tokens).createMeeting({
          topic: input.topic, type: 2, start_time: zoomTime(deps.now()),
          ...(input.duration ? { duration: input.duration } : {}), ...(input.agenda ? { agenda: input.agenda } : {}),
        })
        const meetingId = String(meeting.id)
        let postId = ''
        if (input.channel_id) {
          const post = formatMeetingPost({ id: meetingId, joinUrl: meeting.join_url, topic: meeting.topic ?? input.topic, ...(meeting.password ? { password: meeting.password } : {}) })
          postId = await deps.post.create(ctx.session, { vendor: 'zoom', vendorName: 'Zoom', teamId: connection.teamId, channelId: input.channel_id, ...post })
        }
        return { meetingId, joinUrl: meeting.join_url, postId }
      },
    },
  ]
}
