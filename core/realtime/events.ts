/**
 * Domain events: every state change publishes one on the bus after its transaction commits.
 * Events must be plain JSON (no bigint, no Date) so that a Redis bus can carry them across nodes.
 */

/** Who may receive a WebSocket event derived from a domain event (Mattermost's `broadcast`). */
export interface Audience {
  /** Only this user. */
  userId?: string
  /** Members of this channel. */
  channelId?: string
  /** Members of this team. */
  teamId?: string
  /** Everyone connected (e.g. `new_user`). Ignored when any of the above is set. */
  all?: boolean
  /** Never these users. */
  omitUsers?: string[]
  /** Never this WebSocket connection (the one that caused it). */
  omitConnectionId?: string
  /** Only this WebSocket connection (Mattermost's `broadcast.connection_id`); overrides every other field. */
  connectionId?: string
}

/**
 * A WebSocket event in Mattermost's format, ready for fan-out. `data` values are what the client
 * reads (e.g. `post` is a JSON string). `perUser` lets one event carry extra fields for some users
 * (e.g. `mentions` only in the mentioned users' copy of `posted`).
 */
export interface WsEvent {
  event: string
  data: Record<string, unknown>
  audience: Audience
  perUser?: Record<string, Record<string, unknown>>
}

/** A domain event on the bus. `ws` is filled when the change is visible to WebSocket clients. */
export interface DomainEvent<P = Record<string, unknown>> {
  /** `noun.past_verb`, e.g. `post.created`. */
  type: string
  payload: P
  ws?: WsEvent
  /** Node that published it (for cross-node buses). */
  origin?: string
}

export interface Subscriber {
  id: string
  /** Event types handled; `'*'` for all. */
  events: string[] | '*'
  handle(event: DomainEvent): void | Promise<void>
}

export interface EventBus {
  /** Delivers to every subscriber; a failing subscriber is logged and the others go on. */
  publish(event: DomainEvent): Promise<void>
  /** @returns a function that unsubscribes. */
  subscribe(subscriber: Subscriber): () => void
  close(): Promise<void>
}
