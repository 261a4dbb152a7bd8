/** Fans one WebSocket event out to the connections of its audience, serialising each distinct payload once. */
import type { Logger } from '../../log.ts'
import type { Audience, WsEvent } from '../events.ts'
import type { Connection } from './connection.ts'
import type { ConnectionIndex } from './connection-index.ts'
import { eventPrefix, type EventPrefix } from './envelope.ts'

export interface FanOutDeps {
  log: Logger
  index: ConnectionIndex
  channelMemberIds(channelId: string): Promise<string[]>
  teamMemberIds(teamId: string): Promise<string[]>
}

export interface FanOut {
  /** Resolves once the event is queued on every recipient; rejects when its audience cannot be resolved. */
  broadcast(event: WsEvent): Promise<void>
  /** Resolves when every broadcast so far has been delivered. */
  idle(): Promise<void>
}

// Mattermost drops these first when a client reads slowly (its send queue half full), and closes
// the socket when the queue is full; bytes stand in for its 256-message queue here.
const SLOW_CLIENT_BYTES = 256 * 1024
const STALLED_CLIENT_BYTES = 4 * 1024 * 1024
const DROPPABLE_WHEN_SLOW = new Set(['typing', 'status_change', 'multiple_channels_viewed'])

export function createFanOut({ log, index, channelMemberIds, teamMemberIds }: FanOutDeps): FanOut {
  // Broadcasts resolve their audiences concurrently but are delivered in call order, so that a
  // client never sees `post_edited` before the `posted` it follows.
  let deliveries: Promise<void> = Promise.resolve()

  /** Mattermost's `ShouldSendEvent` precedence: connection, then user, channel, team, everyone. */
  async function resolveAudience(audience: Audience): Promise<Connection[]> {
    if (audience.connectionId) {
      const conn = index.get(audience.connectionId)
      return conn ? [conn] : []
    }
    let targets: Connection[]
    if (audience.userId) targets = [...index.forUser(audience.userId)]
    else if (audience.channelId) targets = connectionsOf(await channelMemberIds(audience.channelId))
    else if (audience.teamId) targets = connectionsOf(await teamMemberIds(audience.teamId))
    else if (audience.all) targets = [...index.all()]
    else {
      log.warn({ audience }, 'websocket event has no audience')
      return []
    }
    const omitUsers = audience.omitUsers?.length ? new Set(audience.omitUsers) : null
    if (!omitUsers && !audience.omitConnectionId) return targets
    return targets.filter((c) => c.id !== audience.omitConnectionId && !omitUsers?.has(c.userId))
  }

  function connectionsOf(userIds: string[]): Connection[] {
    const targets: Connection[] = []
    for (const userId of userIds) targets.push(...index.forUser(userId))
    return targets
  }

  function deliver(event: WsEvent, targets: Connection[]): void {
    let shared: EventPrefix | undefined
    // Keyed by the extra fields' JSON, so users with identical extras share one serialisation.
    const personal = new Map<string, EventPrefix>()
    for (const conn of targets) {
      const extra = event.perUser && Object.hasOwn(event.perUser, conn.userId) ? event.perUser[conn.userId] : undefined
      let prefix: EventPrefix
      if (extra) {
        const key = JSON.stringify(extra)
        prefix = personal.get(key) ?? eventPrefix(event.event, { ...event.data, ...extra }, event.audience)
        personal.set(key, prefix)
      } else {
        shared ??= eventPrefix(event.event, event.data, event.audience)
        prefix = shared
      }
      enqueue(conn, event.event, prefix)
    }
  }

  function enqueue(conn: Connection, type: string, prefix: EventPrefix): void {
    const ws = conn.ws
    if (ws && ws.bufferedAmount > SLOW_CLIENT_BYTES && DROPPABLE_WHEN_SLOW.has(type)) return
    conn.push(prefix)
    if (ws && ws.bufferedAmount > STALLED_CLIENT_BYTES) {
      // The events stay in the dead queue: a client that reconnects promptly loses nothing.
      log.warn({ connectionId: conn.id, userId: conn.userId, bufferedBytes: ws.bufferedAmount }, 'websocket client stalled; closing')
      ws.terminate()
    }
  }

  return {
    broadcast(event) {
      // Settled into a value at once, so a failed lookup is never an unhandled rejection while it waits its turn.
      const audience = resolveAudience(event.audience).then(
        (targets) => ({ targets }),
        (err: unknown) => ({ err }),
      )
      const delivered = deliveries.then(async () => {
        const resolved = await audience
        if ('err' in resolved) throw new Error(`cannot resolve the audience of websocket event ${event.event}`, { cause: resolved.err })
        deliver(event, resolved.targets)
      })
      // The chain only orders deliveries; each caller gets its own outcome through `delivered`.
      deliveries = delivered.then(
        () => undefined,
        () => undefined,
      )
      return delivered
    },

    idle: () => deliveries,
  }
}
