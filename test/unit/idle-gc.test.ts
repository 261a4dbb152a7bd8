// The idle collector: one full collection after a quiet spell, none while requests keep coming.
import { expect } from 'chai'
import { startIdleCollector } from '../../core/idle-gc.ts'
import { createLogger } from '../../core/log.ts'

const log = createLogger({ level: 'silent' })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('idle collector', () => {
  it('collects once after activity stops for the idle time', async () => {
    let collections = 0
    const collector = startIdleCollector({ idleMs: 300, log, collect: () => collections++ })
    collector.touch()
    await sleep(900)
    collector.stop()
    expect(collections).to.equal(1)
  })

  it('does not collect while activity continues', async () => {
    let collections = 0
    const collector = startIdleCollector({ idleMs: 300, log, collect: () => collections++ })
    for (let i = 0; i < 8; i++) {
      collector.touch()
      await sleep(100)
    }
    collector.stop()
    expect(collections).to.equal(0)
  })

  it('collects again after the next burst of activity', async () => {
    let collections = 0
    const collector = startIdleCollector({ idleMs: 200, log, collect: () => collections++ })
    collector.touch()
    await sleep(600)
    collector.touch()
    await sleep(600)
    collector.stop()
    expect(collections).to.equal(2)
  })
})
