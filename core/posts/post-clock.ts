/**
 * Creation times for new posts. Lists, `since` queries and clients order a channel's posts by `create_at`, so two
 * posts of one channel must not share a millisecond: posts written together are one millisecond apart, and a write
 * that starts in the same millisecond as an earlier one to the same channel (concurrent batches, on PostgreSQL's
 * several connections) goes on after it. Only within this process: a channel's times may run a few milliseconds ahead
 * of the clock during a burst into it, never behind an earlier post's.
 */
import { nowMillis } from '../clock.ts'

export interface PostClock {
  /** One time per post written together, in order, each later than every time given before to its channel. */
  times(channelIds: readonly string[]): number[]
}

// A channel's last time matters only while it is ahead of the clock; past this many entries the others are dropped.
const PRUNE_AT = 10_000

export function createPostClock(now: () => number = nowMillis): PostClock {
  const last = new Map<string, number>()
  return {
    times(channelIds) {
      const at = now()
      if (last.size > PRUNE_AT) for (const [channelId, time] of last) if (time < at) last.delete(channelId)
      return channelIds.map((channelId) => {
        const previous = last.get(channelId)
        const time = previous === undefined || previous < at ? at : previous + 1
        last.set(channelId, time)
        return time
      })
    },
  }
}
