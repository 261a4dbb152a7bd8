/**
 * Drives the official `WebSocketClient` from @mattermost/client on Node 20 (sockets from `ws`),
 * records every event it delivers, and waits for events by name and predicate.
 */
import { WebSocket as NodeWebSocket } from 'ws'
import mm from '@mattermost/client'

const { WebSocketClient } = mm
type WebSocketClientInstance = InstanceType<typeof WebSocketClient>

installBrowserGlobals()
quietRoutineLibraryLogs()

/** One server event as the client library delivered it. */
export interface WsEvent {
  event: string
  data: Record<string, any>
  broadcast: Record<string, any>
  seq: number
}

/** A reply to a client action (`seq_reply`). */
export interface WsReply {
  status: string
  seq_reply: number
  data?: Record<string, any>
  error?: Record<string, any>
}

export interface ConnectOptions {
  /** Reconnect delay after a drop; the library's default is 3 s + up to 2 s jitter. */
  retryMs?: number
  /** How long to wait for `hello`. */
  timeoutMs?: number
}

export interface WsSession {
  client: WebSocketClientInstance
  /** Every event delivered so far, oldest first (hello included). */
  events: WsEvent[]
  /** Every URL the library opened (first connect, then each reconnect). */
  urls: string[]
  /** `connection_id` from the first hello. */
  connectionId: string
  /** How many times the library reconnected after a drop. */
  readonly reconnects: number
  /**
   * How many times a reconnect got a new connection_id (the server had lost the connection's
   * state), which makes the library tell the app to resync.
   */
  readonly resyncs: number
  /**
   * Resolves with the first event named `event` matching `predicate`, looking at events already
   * received before waiting for new ones.
   * @throws Error after `timeoutMs`, listing the events that did arrive.
   */
  waitFor(event: string, predicate?: (msg: WsEvent) => boolean, timeoutMs?: number): Promise<WsEvent>
  /** Events named `event` received so far that match `predicate`. */
  received(event: string, predicate?: (msg: WsEvent) => boolean): WsEvent[]
  /** Sends an action through the library and resolves with the server's reply. */
  request(action: string, data: unknown, timeoutMs?: number): Promise<WsReply>
  /** Kills the TCP connection under the library without telling it, as a network drop would. */
  dropConnection(): Promise<void>
  /** Resolves once the library has reconnected `count` times in total. */
  waitForReconnect(count?: number, timeoutMs?: number): Promise<void>
  close(): void
}

/** `http://host:port` → `ws://host:port/api/v4/websocket`. */
export function websocketUrl(serverUrl: string): string {
  return `${serverUrl.replace(/^http/, 'ws')}/api/v4/websocket`
}

export interface RawSocket {
  socket: NodeWebSocket
  /** Every frame received, parsed. */
  messages: Record<string, any>[]
  /** Resolves when the socket is open; rejects if it fails to open. */
  opened: Promise<void>
  /** Resolves with the first received frame matching `predicate`, earlier ones included. */
  next(predicate: (message: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>
}

/**
 * A bare `ws` socket to /api/v4/websocket that records every frame, for what the client
 * library hides: upgrade headers, the challenge reply, malformed frames, resumption by hand.
 */
export function openRawSocket(url: string, headers: Record<string, string> = {}): RawSocket {
  const socket = new NodeWebSocket(url, { headers })
  const messages: Record<string, any>[] = []
  socket.on('message', (data) => {
    const text = String(data)
    try {
      messages.push(JSON.parse(text) as Record<string, any>)
    } catch {
      // Kept, not thrown: an unparsable frame should fail the test's assertions, not crash mocha.
      messages.push({ unparsable: text })
    }
  })
  socket.on('error', () => undefined)
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  async function next(predicate: (message: Record<string, any>) => boolean, timeoutMs = 5000) {
    const started = Date.now()
    while (Date.now() - started < timeoutMs) {
      const found = messages.find(predicate)
      if (found) return found
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    throw new Error(`no matching WebSocket frame within ${timeoutMs} ms (got ${JSON.stringify(messages).slice(0, 500)})`)
  }
  return { socket, messages, opened, next }
}

/**
 * Connects the official WebSocketClient, authenticating with `token` through its
 * `authentication_challenge`, and resolves after `hello`.
 * @throws Error when no hello arrives in time.
 */
export async function connectWs(serverUrl: string, token: string, options: ConnectOptions = {}): Promise<WsSession> {
  const sockets: NodeWebSocket[] = []
  const urls: string[] = []
  const events: WsEvent[] = []
  const waiters = new Set<() => void>()
  const reconnectWaiters = new Set<() => void>()
  let reconnects = 0
  let resyncs = 0
  let closed = false

  const client = new WebSocketClient({
    newWebSocketFn: (url: string) => {
      urls.push(url)
      const socket = new NodeWebSocket(url)
      // Errors surface through the library's onerror/onclose; without a listener ws would throw.
      socket.on('error', () => undefined)
      sockets.push(socket)
      return socket as never
    },
    minWebSocketRetryTime: options.retryMs ?? 300,
    reconnectJitterRange: 0,
    // The library pings every 30 s and reconnects when unanswered; tests are shorter than that.
    clientPingInterval: 60_000,
  })
  client.addMessageListener((msg) => {
    events.push(msg as unknown as WsEvent)
    for (const wake of [...waiters]) wake()
  })
  // The library records the hello's connection_id, and so resumes on reconnect, only when the
  // app listens for missed messages (as the webapp does).
  client.addMissedMessageListener(() => {
    resyncs += 1
  })
  client.addReconnectListener(() => {
    reconnects += 1
    for (const wake of [...reconnectWaiters]) wake()
  })

  const session: WsSession = {
    client,
    events,
    urls,
    connectionId: '',
    get reconnects() {
      return reconnects
    },
    get resyncs() {
      return resyncs
    },
    received: (event, predicate = () => true) => events.filter((e) => e.event === event && predicate(e)),
    waitFor(event, predicate = () => true, timeoutMs = 5000) {
      return new Promise<WsEvent>((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find((e) => e.event === event && predicate(e))
          if (!found) return false
          clearTimeout(timer)
          waiters.delete(wake)
          resolve(found)
          return true
        }
        const wake = () => void check()
        const timer = setTimeout(() => {
          waiters.delete(wake)
          const seen = events.map((e) => `${e.seq}:${e.event}`).join(', ') || 'none'
          reject(new Error(`no WebSocket "${event}" event matching the predicate within ${timeoutMs} ms (received: ${seen})`))
        }, timeoutMs)
        if (!check()) waiters.add(wake)
      })
    },
    request(action, data, timeoutMs = 5000) {
      return new Promise<WsReply>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to WebSocket action "${action}" within ${timeoutMs} ms`)), timeoutMs)
        client.sendMessage(action, data, (reply: unknown) => {
          clearTimeout(timer)
          resolve(reply as WsReply)
        })
      })
    },
    async dropConnection() {
      const socket = sockets.at(-1)
      if (!socket) throw new Error('no socket to drop')
      const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()))
      socket.terminate()
      await gone
    },
    waitForReconnect(count = reconnects + 1, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const wake = () => {
          if (reconnects < count) return
          clearTimeout(timer)
          reconnectWaiters.delete(wake)
          resolve()
        }
        const timer = setTimeout(() => {
          reconnectWaiters.delete(wake)
          reject(new Error(`the WebSocket client did not reconnect within ${timeoutMs} ms`))
        }, timeoutMs)
        reconnectWaiters.add(wake)
        wake()
      })
    },
    close() {
      if (closed) return
      closed = true
      client.close()
      for (const socket of sockets) socket.terminate()
    },
  }

  client.initialize(websocketUrl(serverUrl), token)
  try {
    const hello = await session.waitFor('hello', () => true, options.timeoutMs ?? 5000)
    session.connectionId = String(hello.data.connection_id ?? '')
  } catch (err) {
    session.close()
    throw err
  }
  return session
}

/**
 * The client library reads `WebSocket.OPEN` and builds `CloseEvent`s from globals, which Node 20
 * lacks; give it the `ws` class (same readyState constants) and a minimal CloseEvent.
 */
function installBrowserGlobals(): void {
  const g = globalThis as Record<string, unknown>
  if (g.WebSocket === undefined) g.WebSocket = NodeWebSocket
  if (g.CloseEvent === undefined) {
    g.CloseEvent = class CloseEvent extends Event {
      readonly code: number
      readonly reason: string
      readonly wasClean: boolean
      constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
        super(type)
        this.code = init.code ?? 0
        this.reason = init.reason ?? ''
        this.wasClean = init.wasClean ?? false
      }
    }
  }
}

/**
 * The library console.logs every connect, hello and manual close; with dozens of sockets per
 * suite that buries mocha's report. Drop those routine lines and keep everything else.
 */
function quietRoutineLibraryLogs(): void {
  const routine = [/^websocket connecting to /, /^got connection id /, /^websocket closed manually$/, /^websocket re-established connection$/, /^websocket closed: /]
  const original = console.log.bind(console)
  console.log = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && routine.some((re) => re.test(args[0] as string))) return
    original(...args)
  }
}
