/** Deterministic data for the benches: a seeded PRNG (mulberry32) and a small word list. */

export type Rng = () => number

/** mulberry32: fast, 32-bit state, good enough for test data; same seed, same sequence. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1))
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!
}

const WORDS = (
  'the deploy is green again after we rolled back the config change on the api gateway ' +
  'can someone look at the flaky test in the billing service before the release cut tomorrow ' +
  'latency on the search cluster went up around noon and the dashboard shows more cache misses ' +
  'please review my pull request it renames the queue consumer and adds a retry with backoff ' +
  'incident channel is open pager fired for disk usage on two database replicas in eu west'
).split(' ')

/** A sentence of `min`..`max` words from a fixed list. */
export function sentence(rng: Rng, min: number, max: number): string {
  const n = intBetween(rng, min, max)
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(pick(rng, WORDS))
  return out.join(' ')
}
