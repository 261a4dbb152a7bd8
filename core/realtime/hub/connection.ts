/** One logical WebSocket connection: its id, event sequence and dead queue, which outlive a dropped socket. */
import { WebSocket } from 'ws'
import { eventFrame, type EventPrefix } from './envelope.ts'

/**
 * Kept small on purpose (thousands live at once): no timers, no closures, no copy of event bodies —
 * the dead queue holds the prefixes that all recipients of an event share.
 */
export class Connection {
  /** The open socket, or null while the client is away and its state is kept for a resume. */
  ws: WebSocket | null = null
  /** The seq the next event gets; a reconnecting client sends the seq it expects next. */
  nextSeq = 0
  /** Set by a pong or any client frame, cleared by each server ping; still false at the next ping = dead. */
  alive = true
  // Ring buffer of the last `capacity` events: the event with seq s sits at s % capacity. It grows
  // on demand so an idle connection holds only its `hello`.
  private readonly queue: EventPrefix[] = []

  constructor(
    readonly id: string,
    readonly userId: string,
    public sessionId: string,
    private readonly capacity: number,
  ) {}

  /** Gives the event the next seq, keeps it for a replay, and sends it when the socket is open. */
  push(prefix: EventPrefix): void {
    const seq = this.nextSeq++
    if (this.queue.length < this.capacity) this.queue.push(prefix)
    else this.queue[seq % this.capacity] = prefix
    this.send(eventFrame(prefix, seq))
  }

  /** True when every event from `seq` on is still queued (or `seq` is simply the next one). */
  canResumeFrom(seq: number): boolean {
    return Number.isSafeInteger(seq) && seq <= this.nextSeq && seq >= this.nextSeq - this.queue.length
  }

  /** Re-sends the queued events from `seq` on, with their original numbers. */
  replayFrom(seq: number): void {
    for (let s = seq; s < this.nextSeq; s++) this.send(eventFrame(this.queue[s % this.capacity]!, s))
  }

  /** Sends a frame that is not part of the sequence (a reply), when the socket is open. */
  send(frame: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(frame)
  }
}
