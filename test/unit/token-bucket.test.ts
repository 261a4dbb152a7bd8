// The per-hook rate limiter (core/webhooks/token-bucket.ts) with a hand-moved clock.
import { expect } from 'chai'
import { createTokenBuckets } from '../../core/webhooks/token-bucket.ts'

describe('createTokenBuckets', () => {
  let now = 0
  const clock = () => now
  beforeEach(() => {
    now = 1_000_000
  })

  it('allows a burst of perMinute, then says how long to wait for the next token', () => {
    const buckets = createTokenBuckets({ perMinute: 3, now: clock })
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).to.deep.equal([0, 0, 0])
    expect(buckets.take('a')).to.equal(20)
  })

  it('refills evenly: one token every 60/perMinute seconds', () => {
    const buckets = createTokenBuckets({ perMinute: 60, now: clock })
    for (let i = 0; i < 60; i++) buckets.take('a')
    expect(buckets.take('a')).to.equal(1)
    now += 1000
    expect(buckets.take('a')).to.equal(0)
    expect(buckets.take('a')).to.equal(1)
  })

  it('keeps one bucket per key', () => {
    const buckets = createTokenBuckets({ perMinute: 1, now: clock })
    expect(buckets.take('a')).to.equal(0)
    expect(buckets.take('a')).to.equal(60)
    expect(buckets.take('b')).to.equal(0)
  })

  it('never holds more than perMinute tokens after a long pause', () => {
    const buckets = createTokenBuckets({ perMinute: 2, now: clock })
    buckets.take('a')
    now += 60 * 60_000
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).to.deep.equal([0, 0, 30])
  })
})
