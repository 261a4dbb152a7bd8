/**
 * The WebSocket to /api/v4/websocket (authenticated by the session cookie), with reconnects that
 * back off. A reconnect asks to resume (Mattermost's `connection_id` and `sequence_number`): the
 * server then replays the events missed. When it cannot (a new `connection_id` in its hello), the
 * app is told to fetch what it missed itself.
 */
export interface ServerEvent {
  event: string
  data: Record<string, unknown>
  broadcast: { channel_id?: string; team_id?: string; user_id?: string }
  seq: number
}

export interface SocketHandlers {
  onEvent(e: ServerEvent): void
  onStatus(status: 'connecting' | 'online' | 'offline'): void
  /** After a reconnect the server could not resume: fetch what happened while the socket was down. */
  onReconnect(): void
}

export interface Socket {
  send(action: string, data: Record<string, unknown>): void
  close(): void
  /** Drops the connection as a network failure would (tests and "reconnect now"). */
  drop(): void
}

export function backoffMs(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.min(attempt, 6))
}

export function openSocket(handlers: SocketHandlers): Socket {
  let ws: WebSocket | undefined
  let seq = 1
  let attempt = 0
  let closed = false
  let timer: ReturnType<typeof setTimeout> | undefined
  /** The server's id for this client's connection, from its hello; '' before the first. */
  let connectionId = ''
  /** The sequence number of the next server event expected (where a resume starts). */
  let nextServerSeq = 0

  const connect = () => {
    handlers.onStatus('connecting')
    const resume = connectionId ? `?connection_id=${encodeURIComponent(connectionId)}&sequence_number=${nextServerSeq}` : ''
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v4/websocket${resume}`
    const socket = new WebSocket(url)
    ws = socket
    socket.onopen = () => {
      attempt = 0
      handlers.onStatus('online')
    }
    socket.onmessage = (msg) => {
      let parsed: ServerEvent
      try {
        parsed = JSON.parse(String(msg.data)) as ServerEvent
      } catch {
        return
      }
      if (!parsed.event) return
      if (typeof parsed.seq === 'number') nextServerSeq = parsed.seq + 1
      if (parsed.event === 'hello') {
        const id = String(parsed.data?.connection_id ?? '')
        // A hello with another id: a fresh connection, so the events in between are lost.
        if (connectionId && id !== connectionId) handlers.onReconnect()
        connectionId = id
      }
      handlers.onEvent({ ...parsed, data: parsed.data ?? {}, broadcast: parsed.broadcast ?? {} })
    }
    socket.onclose = () => {
      if (ws !== socket) return
      ws = undefined
      if (closed) return
      handlers.onStatus('offline')
      timer = setTimeout(connect, backoffMs(attempt++))
    }
  }
  // Come back at once when the browser says the network is back, instead of waiting out a backoff.
  const onOnline = () => {
    if (!ws && !closed) {
      clearTimeout(timer)
      connect()
    }
  }
  addEventListener('online', onOnline)
  connect()
  return {
    send(action, data) {
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ action, seq: seq++, data }))
    },
    close() {
      closed = true
      clearTimeout(timer)
      removeEventListener('online', onOnline)
      ws?.close()
    },
    drop() {
      ws?.close()
    },
  }
}
