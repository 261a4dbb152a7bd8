/** Expires keys a fixed delay after they were added, using one timer for all of them. */

/**
 * Because every key gets the same delay, insertion order is deadline order: only the oldest key
 * needs a timer. This replaces one timer per socket (auth timeout, reconnect retention).
 * `onExpire` must not throw.
 */
export class DeadlineQueue<K> {
  private readonly deadlines = new Map<K, number>()
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly delayMs: number,
    private readonly onExpire: (key: K) => void,
  ) {}

  /** (Re)starts the key's delay. */
  add(key: K): void {
    this.deadlines.delete(key)
    this.deadlines.set(key, Date.now() + this.delayMs)
    this.arm()
  }

  delete(key: K): void {
    this.deadlines.delete(key)
    if (this.deadlines.size === 0) this.disarm()
  }

  clear(): void {
    this.deadlines.clear()
    this.disarm()
  }

  private arm(): void {
    if (this.timer) return
    const first = this.deadlines.values().next()
    if (first.done) return
    this.timer = setTimeout(() => this.expire(), Math.max(0, first.value - Date.now()))
    // Pending expiries alone must not keep the process alive.
    this.timer.unref()
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private expire(): void {
    this.timer = null
    const now = Date.now()
    for (const [key, at] of this.deadlines) {
      if (at > now) break
      this.deadlines.delete(key)
      this.onExpire(key)
    }
    this.arm()
  }
}
