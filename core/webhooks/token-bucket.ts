/** A token bucket per key (e.g. per incoming webhook): a burst of `perMinute`, refilled evenly. */

export interface TokenBuckets {
  /** Takes one token for `key`: 0 when allowed, else the seconds to wait for the next token. */
  take(key: string): number
}

export function createTokenBuckets(options: { perMinute: number; now?: () => number }): TokenBuckets {
  const now = options.now ?? Date.now
  const buckets = new Map<string, { tokens: number; at: number }>()
  const msPerToken = 60_000 / options.perMinute
  return {
    take(key) {
      const t = now()
      let bucket = buckets.get(key)
      if (bucket) {
        bucket.tokens = Math.min(options.perMinute, bucket.tokens + (t - bucket.at) / msPerToken)
        bucket.at = t
      } else {
        // A full bucket is no different from none: forget full ones so the map stays small.
        if (buckets.size > 10_000) for (const [k, b] of buckets) if (b.tokens + (t - b.at) / msPerToken >= options.perMinute) buckets.delete(k)
        bucket = { tokens: options.perMinute, at: t }
        buckets.set(key, bucket)
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return 0
      }
      return Math.max(1, Math.ceil(((1 - bucket.tokens) * msPerToken) / 1000))
    },
  }
}
