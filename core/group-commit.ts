/**
 * Group commit: calls made in the same turn of the event loop, or while a flush is running, go
 * together into one flush, so under load many callers share one statement or transaction; an idle
 * system waits one turn at most. Each caller gets its own entry of the flush's result; a flush that
 * throws rejects every call of its batch.
 */
export function groupCommit<I, O>(flush: (items: I[]) => Promise<O[]>, options: { max: number; concurrency?: number }): (item: I) => Promise<O> {
  const queue: { item: I; resolve: (o: O) => void; reject: (err: unknown) => void }[] = []
  const concurrency = options.concurrency ?? 1
  let running = 0
  let scheduled = false

  async function drain(): Promise<void> {
    running += 1
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, options.max)
        try {
          const results = await flush(batch.map((b) => b.item))
          if (results.length !== batch.length) throw new Error(`a group commit flush returned ${results.length} results for ${batch.length} items`)
          batch.forEach((b, i) => b.resolve(results[i]!))
        } catch (err) {
          for (const b of batch) b.reject(err)
        }
      }
    } finally {
      running -= 1
    }
  }

  /** Drains start one turn after the first call, so the calls of that turn go together. */
  function schedule(): void {
    if (scheduled || running >= concurrency) return
    scheduled = true
    setImmediate(() => {
      scheduled = false
      void drain()
      // More waiting than one flush takes: another drain beside it, up to `concurrency`.
      if (queue.length > 0) schedule()
    })
  }

  return (item: I) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject })
      schedule()
    })
}
