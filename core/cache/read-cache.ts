/**
 * A small read-through cache for hot lookups (channel records, channel member ids, users) that
 * domain events on the bus invalidate, so it stays correct across nodes once the bus spans them.
 */

export interface ReadCacheOptions {
  /** Entries older than this are reloaded even without an invalidating event (a safety net). */
  ttlMs: number
  maxEntries: number
}

export interface ReadCache<V> {
  get(key: string, load: () => Promise<V>): Promise<V>
  delete(key: string): void
  /** Replaces the entry with a value the caller has just read or written (and discards loads begun before). */
  set(key: string, value: V): void
  clear(): void
}

export function createReadCache<V>(options: ReadCacheOptions): ReadCache<V> {
  const entries = new Map<string, { value: V; at: number }>()
  // Bumped by every invalidation; a load that started before an invalidation of its key (or a
  // clear) must not store its possibly stale result.
  const generation = new Map<string, number>()
  let clearCount = 0

  function invalidate(key: string): void {
    entries.delete(key)
    generation.set(key, (generation.get(key) ?? 0) + 1)
    // Generations of keys without entries can be forgotten once they pile up.
    if (generation.size > options.maxEntries * 2) generation.clear()
  }

  return {
    async get(key, load) {
      const hit = entries.get(key)
      const now = Date.now()
      if (hit && now - hit.at < options.ttlMs) return hit.value
      const startGen = generation.get(key) ?? 0
      const startClear = clearCount
      const value = await load()
      if ((generation.get(key) ?? 0) === startGen && clearCount === startClear) {
        if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value as string)
        entries.set(key, { value, at: now })
      }
      return value
    },
    delete: invalidate,
    set(key, value) {
      invalidate(key)
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value as string)
      entries.set(key, { value, at: Date.now() })
    },
    clear() {
      entries.clear()
      clearCount += 1
    },
  }
}
