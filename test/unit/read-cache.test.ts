// The read-through cache behind channel, membership and user lookups.
import { expect } from 'chai'
import { createReadCache } from '../../core/cache/read-cache.ts'

describe('read cache', () => {
  it('loads once and serves later reads from memory', async () => {
    const cache = createReadCache<number>({ ttlMs: 60_000, maxEntries: 10 })
    let loads = 0
    const load = async () => ++loads
    expect(await cache.get('a', load)).to.equal(1)
    expect(await cache.get('a', load)).to.equal(1)
    expect(loads).to.equal(1)
  })

  it('reloads after the key is invalidated', async () => {
    const cache = createReadCache<number>({ ttlMs: 60_000, maxEntries: 10 })
    let loads = 0
    await cache.get('a', async () => ++loads)
    cache.delete('a')
    expect(await cache.get('a', async () => ++loads)).to.equal(2)
  })

  it('does not keep a value loaded before an invalidation that happened during the load', async () => {
    const cache = createReadCache<string>({ ttlMs: 60_000, maxEntries: 10 })
    let release!: () => void
    const slow = cache.get('a', () => new Promise<string>((resolve) => (release = () => resolve('stale'))))
    cache.delete('a')
    release()
    expect(await slow).to.equal('stale')
    expect(await cache.get('a', async () => 'fresh')).to.equal('fresh')
  })

  it('reloads entries older than the time to live', async () => {
    const cache = createReadCache<number>({ ttlMs: 0, maxEntries: 10 })
    let loads = 0
    await cache.get('a', async () => ++loads)
    expect(await cache.get('a', async () => ++loads)).to.equal(2)
  })

  it('evicts the oldest entry beyond its size', async () => {
    const cache = createReadCache<string>({ ttlMs: 60_000, maxEntries: 2 })
    await cache.get('a', async () => 'a1')
    await cache.get('b', async () => 'b1')
    await cache.get('c', async () => 'c1')
    expect(await cache.get('a', async () => 'a2')).to.equal('a2')
    expect(await cache.get('c', async () => 'c2')).to.equal('c1')
  })

  it('serves a value set by its writer without loading, over a load that began before', async () => {
    const cache = createReadCache<string>({ ttlMs: 60_000, maxEntries: 10 })
    let release!: () => void
    const slow = cache.get('a', () => new Promise<string>((resolve) => (release = () => resolve('stale'))))
    cache.set('a', 'written')
    release()
    await slow
    expect(await cache.get('a', async () => 'loaded')).to.equal('written')
  })
})
