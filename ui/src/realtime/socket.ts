/**
 * The WebSocket to /api/v4/websocket (authenticated by the session cookie), with reconnects that
 * back off and a callback after each reconnect so the app can fetch what it missed.
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
  /** After a reconnect (not the first connect): fetch what happened while the socket was down. */
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
  let connectedOnce = false
  let timer: ReturnType<typeof setTimeout> | undefined

  const connect = () => {
    handlers.onStatus('connecting')
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v4/websocket`
    const socket = new WebSocket(url)
    ws = socket
    socket.onopen = () => {
      attempt = 0
      handlers.onStatus('online')
      if (connectedOnce) handlers.onReconnect()
      connectedOnce = true
    }
    socket.onmessage = (msg) => {
      let parsed: ServerEvent
      try {
        parsed = JSON.parse(String(msg.data)) as ServerEvent
      } catch {
        return
      }
      if (parsed.event) handlers.onEvent({ ...parsed, data: parsed.data ?? {}, broadcast: parsed.broadcast ?? {} })
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
