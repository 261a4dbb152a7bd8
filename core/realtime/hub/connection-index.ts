/** Finds connections by id and by user, and counts the open ones (for presence). */
import type { WebSocket } from 'ws'
import type { Connection } from './connection.ts'

export class ConnectionIndex {
  private readonly byId = new Map<string, Connection>()
  // Arrays, not Sets: a user rarely has more than a few connections and an array is far smaller.
  private readonly byUser = new Map<string, Connection[]>()
  private readonly openByUser = new Map<string, number>()
  private open = 0

  /** Open (socket attached) connections. */
  get openCount(): number {
    return this.open
  }

  get(connectionId: string): Connection | undefined {
    return this.byId.get(connectionId)
  }

  /** Open and retained connections of a user. */
  forUser(userId: string): readonly Connection[] {
    return this.byUser.get(userId) ?? []
  }

  all(): IterableIterator<Connection> {
    return this.byId.values()
  }

  isUserOnline(userId: string): boolean {
    return this.openByUser.has(userId)
  }

  add(conn: Connection): void {
    this.byId.set(conn.id, conn)
    const list = this.byUser.get(conn.userId)
    if (list) list.push(conn)
    else this.byUser.set(conn.userId, [conn])
  }

  /** Gives the connection a socket (replacing any previous one). @returns true when it is the user's first open one. */
  attach(conn: Connection, ws: WebSocket): boolean {
    const wasOpen = conn.ws !== null
    conn.ws = ws
    conn.alive = true
    if (wasOpen) return false
    this.open++
    const count = (this.openByUser.get(conn.userId) ?? 0) + 1
    this.openByUser.set(conn.userId, count)
    return count === 1
  }

  /** Takes the socket away, keeping the state. @returns true when the user has no open connection left. */
  detach(conn: Connection): boolean {
    if (conn.ws === null) return false
    conn.ws = null
    this.open--
    const count = (this.openByUser.get(conn.userId) ?? 1) - 1
    if (count > 0) {
      this.openByUser.set(conn.userId, count)
      return false
    }
    this.openByUser.delete(conn.userId)
    return true
  }

  /** Forgets a connection; detach it first. */
  remove(conn: Connection): void {
    if (this.byId.get(conn.id) === conn) this.byId.delete(conn.id)
    const list = this.byUser.get(conn.userId)
    if (!list) return
    const at = list.indexOf(conn)
    if (at >= 0) list.splice(at, 1)
    if (list.length === 0) this.byUser.delete(conn.userId)
  }

  clear(): void {
    this.byId.clear()
    this.byUser.clear()
    this.openByUser.clear()
    this.open = 0
  }
}
