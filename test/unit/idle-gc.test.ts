// The idle collector: one full collection after a quiet spell, none while the server works.
import { expect } from 'chai'
import v8 from 'node:v8'
import { idleCollection, shareIdleCollector, startIdleCollector, type IdleCollector } from '../../core/idle-gc.ts'
import { createLogger } from '../../core/log.ts'

const log = createLogger({ level: 'silent' })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const MB = 1024 * 1024

/** Keeps the event loop busy for `ms` (synchronous work, as a burst of queries on PGlite is). */
function spin(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until);
}

/** A collector that counts its collections instead of collecting, whatever the process's size. */
function counting(idleMs: number): { collector: IdleCollector; collections: () => number } {
  let n = 0
  const collector = startIdleCollector({ idleMs, log, collect: () => n++, minGrowthBytes: 0 })
  return { collector, collections: () => n }
}

describe('idle collector', () => {
  it('collects once after activity stops for the idle time', async () => {
    const { collector, collections } = counting(300)
    collector.touch()
    await sleep(900)
    collector.stop()
    expect(collections()).to.equal(1)
  })

  it('collects once after the start, before any request', async () => {
    const { collector, collections } = counting(200)
    await sleep(800)
    collector.stop()
    expect(collections()).to.equal(1)
  })

  it('does not collect while requests keep coming', async () => {
    const { collector, collections } = counting(300)
    for (let i = 0; i < 8; i++) {
      collector.touch()
      await sleep(100)
    }
    collector.stop()
    expect(collections()).to.equal(0)
  })

  it('counts a busy event loop as activity, with no request at all', async () => {
    const { collector, collections } = counting(400)
    // Busy 80 ms of every 100 for 1.2 s: the server working through jobs or a playbook burst.
    for (let i = 0; i < 12; i++) {
      spin(80)
      await sleep(20)
    }
    expect(collections()).to.equal(0)
    await sleep(1000)
    collector.stop()
    expect(collections()).to.equal(1)
  })

  it('collects again after the next burst of activity', async () => {
    const { collector, collections } = counting(200)
    collector.touch()
    await sleep(600)
    collector.touch()
    await sleep(600)
    collector.stop()
    expect(collections()).to.equal(2)
  })

  it('skips a collection when the process has not grown since the last one', async () => {
    let collections = 0
    let size = 300 * MB
    const collector = startIdleCollector({ idleMs: 200, log, collect: () => collections++, measure: () => size, minGrowthBytes: 8 * MB })
    await sleep(600)
    expect(collections).to.equal(1)
    size += 4 * MB
    collector.touch()
    await sleep(600)
    expect(collections).to.equal(1)
    size += 8 * MB
    collector.touch()
    await sleep(600)
    collector.stop()
    expect(collections).to.equal(2)
  })

  it('is one collector for every server in the process, until the last one stops', async () => {
    let collections = 0
    const options = { idleMs: 200, log, collect: () => collections++, minGrowthBytes: 0 }
    const first = shareIdleCollector(options)
    const second = shareIdleCollector(options)
    await sleep(600)
    expect(collections).to.equal(1)
    first.stop()
    second.touch()
    await sleep(600)
    expect(collections).to.equal(2)
    second.stop()
    second.touch()
    await sleep(600)
    expect(collections).to.equal(2)
  })

  it('gives back the old generation a burst left fragmented, in one collection', () => {
    const collect = idleCollection(log)
    expect(collect, 'the idle collection needs gc').to.be.a('function')
    const oldSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!
    // What a burst leaves: objects promoted to the old generation, one in twenty of them still alive.
    // The first plain full collection after it frees the rest but keeps most of their pages
    // (45-75 MB of this burst's, measured), as V8 picks pages to compact by what it found alive before.
    const survivors: object[] = []
    let burst: object[] = []
    for (let i = 0; i < 3_000_000; i++) {
      const o = { i, text: `post ${i}` }
      if (i % 20 === 0) survivors.push(o)
      else burst.push(o)
      if (burst.length === 500_000) burst = []
    }
    burst = []
    const before = oldSpace()
    collect!()
    const after = oldSpace()
    const slackMB = (after.space_size - after.space_used_size) / MB
    expect(survivors).to.have.length(150_000)
    expect(slackMB, `old-space MB neither used nor given back (${(before.space_size / MB).toFixed(0)} MB before the collection)`).to.be.below(10)
  })
})
