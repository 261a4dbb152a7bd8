/** A small seeded PRNG for the fuzzer, so every run sends the same requests in the same order. */

export type Random = () => number

/** mulberry32: 32-bit state, uniform floats in [0, 1). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ID_ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769'

/** A well-formed 26-character Mattermost id that names nothing. */
export function randomId(random: Random): string {
  let id = ''
  for (let i = 0; i < 26; i++) id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)]
  return id
}

/** Up to `count` items of `items`, chosen without replacement, in their original order. */
export function sample<T>(items: T[], count: number, random: Random): T[] {
  if (items.length <= count) return items
  const indexes = items.map((_, i) => i)
  for (let i = indexes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!]
  }
  return indexes.slice(0, count).sort((a, b) => a - b).map((i) => items[i]!)
}
