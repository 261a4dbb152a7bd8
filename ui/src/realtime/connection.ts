/** The app's one socket, opened after login; screens send typing notices through it. */
import { catchUp } from '../state/actions.ts'
import { handleServerEvent } from '../state/events.ts'
import { update } from '../state/store.ts'
import { openSocket, type Socket } from './socket.ts'

let socket: Socket | undefined

export function connect(): void {
  socket ??= openSocket({
    onEvent: handleServerEvent,
    onStatus: (status) => update((s) => (s.connection = status)),
    onReconnect: () => void catchUp(),
  })
}

export function disconnect(): void {
  socket?.close()
  socket = undefined
}

const lastTyping = new Map<string, number>()
/** Tells the channel we are typing, at most every 3 s (Mattermost's client does the same). */
export function sendTyping(channelId: string, parentId: string): void {
  const key = `${channelId}:${parentId}`
  const now = Date.now()
  if (now - (lastTyping.get(key) ?? 0) < 3000) return
  lastTyping.set(key, now)
  socket?.send('user_typing', { channel_id: channelId, parent_id: parentId })
}

/** Exposed for the end-to-end tests of reconnect and catch-up. */
export function dropConnection(): void {
  socket?.drop()
}
