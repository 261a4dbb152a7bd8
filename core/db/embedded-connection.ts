/**
 * pg's connection to the embedded database, without a socket: the bytes pg writes go to PGlite's protocol handler in
 * this process, and PGlite's answer comes back as the stream's data. pg and Prisma's adapter still speak the
 * PostgreSQL protocol, exactly as they do to a server. Through a unix socket (pglite-socket) each statement cost
 * 0.2–0.35 ms more CPU in this one process: both ends' system calls, and a promise, a mutex and a socket write per
 * protocol message (playbooks/README.md, measured 2026-11-27).
 *
 * PGlite is one backend, so every connection shares its one session. A connection owns the backend from its first
 * message until PostgreSQL is ready for the next query outside a transaction block; another connection's messages
 * wait till then, so they never run inside someone else's transaction. A connection that closes while it owns the
 * backend has its transaction rolled back, as a server does when a client goes away.
 */
import { Duplex } from 'node:stream'
import type { PGlite } from '@electric-sql/pglite'

// Requests sent before (or instead of) the startup packet, with no type byte (PostgreSQL's pqcomm.h).
const SSL_REQUEST = 80877103
const GSS_REQUEST = 80877104
const CANCEL_REQUEST = 80877102
const STARTUP = 0 // the startup packet: answered with ReadyForQuery, as a query is
const SYNC = 0x53 // 'S': ends an extended-protocol query
const QUERY = 0x51 // 'Q': a simple query
const TERMINATE = 0x58 // 'X'
const ROLLBACK = simpleQuery('ROLLBACK')
// Answers come back within the same turn of the event loop (microtasks) until this long after the last yield, then in
// the next turn: without a socket's I/O in between, a chain of queries (a job worker's loop) would otherwise hold off
// timers and HTTP requests for as long as it lasts. Shared by every connection: the event loop is the process's.
const YIELD_EVERY_MS = 2
let yieldedAt = 0

function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`)
  const message = Buffer.alloc(5 + text.length)
  message[0] = QUERY
  message.writeInt32BE(4 + text.length, 1)
  text.copy(message, 5)
  return message
}

/** The one PGlite backend and which connection owns it. */
class Backend {
  private owner: EmbeddedConnection | null = null
  private readonly waiting: (() => void)[] = []

  constructor(private readonly pglite: PGlite) {}

  /** Waits until `connection` may send to the backend. */
  async acquire(connection: EmbeddedConnection): Promise<void> {
    while (this.owner !== null && this.owner !== connection) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.owner = connection
  }

  /** Runs one protocol message for `connection` (which must own the backend) and returns PGlite's answer. */
  async run(message: Uint8Array): Promise<Buffer[]> {
    const out: Buffer[] = []
    // NODEFS writes each page through as Postgres writes it, so there is nothing to sync after a message.
    await this.pglite.execProtocolRawStream(message, { syncToFs: false, onRawData: (data) => out.push(Buffer.from(data)) })
    return out
  }

  /** After a message of `connection`: it keeps the backend while a query or transaction of its own is open. */
  settle(connection: EmbeddedConnection, type: number): void {
    if (this.owner !== connection) return
    const queryEnded = type === STARTUP || type === SYNC || type === QUERY || type === TERMINATE
    if (queryEnded && !this.pglite.isInTransaction()) this.handOver()
  }

  /** `connection` is gone: what it left open is rolled back. */
  async release(connection: EmbeddedConnection): Promise<void> {
    if (this.owner !== connection) return
    try {
      if (this.pglite.isInTransaction()) await this.run(ROLLBACK)
    } finally {
      this.handOver()
    }
  }

  private handOver(): void {
    this.owner = null
    for (const wake of this.waiting.splice(0)) wake()
  }
}

/** A pg stream (the `stream` option of pg's Client and Pool) to the embedded backend. */
class EmbeddedConnection extends Duplex {
  private pending: Buffer = Buffer.alloc(0)
  private started = false
  private draining = false
  private ending: (() => void) | undefined

  constructor(private readonly backend: Backend) {
    super()
  }

  // The parts of net.Socket that pg calls.
  connect(): this {
    process.nextTick(() => this.emit('connect'))
    return this
  }
  setNoDelay(): this {
    return this
  }
  setKeepAlive(): this {
    return this
  }
  ref(): this {
    return this
  }
  unref(): this {
    return this
  }

  override _read(): void {}

  /** Takes what pg wrote at once, as a socket's buffer does, and answers it on a microtask or in a later turn. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    this.schedule()
    done()
  }

  override _final(done: (err?: Error | null) => void): void {
    // The readable side ends once every message written before the end has been answered.
    this.ending = () => {
      this.push(null)
      done()
    }
    if (!this.draining) this.ending()
  }

  private schedule(): void {
    // A drain under way reads what arrived meanwhile.
    if (this.draining) return
    this.draining = true
    const now = performance.now()
    const later = now - yieldedAt >= YIELD_EVERY_MS
    if (later) yieldedAt = now
    ;(later ? setImmediate : queueMicrotask)(() => {
      this.drain().then(
        () => {
          this.draining = false
          if (this.nextLength() !== null) this.schedule()
          else this.ending?.()
        },
        (err: unknown) => {
          this.draining = false
          this.destroy(err instanceof Error ? err : new Error(String(err)))
        },
      )
    })
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.backend.release(this).then(() => done(err), (releaseErr: unknown) => done(err ?? (releaseErr as Error)))
  }

  /** Sends every complete message received so far, in order, and pushes the answers. */
  private async drain(): Promise<void> {
    // A destroyed connection has handed the backend over (_destroy); it must not take it again.
    while (!this.destroyed) {
      const message = this.nextMessage()
      if (!message) return
      let type: number
      if (this.started) type = message[0]!
      else {
        const code = message.readInt32BE(4)
        // No TLS or GSSAPI in process: 'N' tells the client to go on without (pg does not ask unless told to).
        if (code === SSL_REQUEST || code === GSS_REQUEST) this.push(Buffer.from('N'))
        // PGlite has no second process that could cancel a running statement.
        if (code === SSL_REQUEST || code === GSS_REQUEST || code === CANCEL_REQUEST) continue
        this.started = true
        type = STARTUP
      }
      await this.backend.acquire(this)
      if (this.destroyed) return this.backend.release(this)
      let answer: Buffer[]
      try {
        answer = await this.backend.run(message)
      } finally {
        this.backend.settle(this, type)
      }
      for (const part of answer) if (part.length > 0) this.push(part)
    }
  }

  /** The next complete message, cut from what was received. */
  private nextMessage(): Buffer | null {
    const length = this.nextLength()
    if (length === null) return null
    const message = this.pending.subarray(0, length)
    this.pending = this.pending.subarray(length)
    return message
  }

  /** The length of the next message if it has all arrived: the startup packet has no type byte, the rest have one. */
  private nextLength(): number | null {
    const head = this.started ? 1 : 0
    if (this.pending.length < head + 4) return null
    const length = head + this.pending.readInt32BE(head)
    return this.pending.length < length ? null : length
  }
}

/** pg's `stream` option for connections to `pglite`, which nothing else may use while they are open. */
export function embeddedConnections(pglite: PGlite): () => Duplex {
  const backend = new Backend(pglite)
  return () => new EmbeddedConnection(backend)
}
