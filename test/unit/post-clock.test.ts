// Creation times of new posts: a channel's posts never share a millisecond, so every list keeps one order.
import { expect } from 'chai'
import { createPostClock } from '../../core/posts/post-clock.ts'

describe('post clock', () => {
  it('spaces posts written together one millisecond apart within a channel, in order', () => {
    const clock = createPostClock(() => 1_000)
    expect(clock.times(['a', 'b', 'a', 'a', 'b'])).to.deep.equal([1_000, 1_000, 1_001, 1_002, 1_001])
  })

  it('puts a second write in the same millisecond after the first one\'s posts in that channel, not in others', () => {
    const clock = createPostClock(() => 1_000)
    expect(clock.times(['a', 'a'])).to.deep.equal([1_000, 1_001])
    expect(clock.times(['a', 'c'])).to.deep.equal([1_002, 1_000])
  })

  it('follows the clock again once it has passed a channel\'s last time', () => {
    let now = 1_000
    const clock = createPostClock(() => now)
    clock.times(['a', 'a', 'a'])
    now = 1_001
    expect(clock.times(['a'])).to.deep.equal([1_003])
    now = 1_050
    expect(clock.times(['a'])).to.deep.equal([1_050])
  })

  it('keeps its promise for a busy channel while it drops the channels the clock has passed', () => {
    let now = 1_000
    const clock = createPostClock(() => now)
    clock.times(Array.from({ length: 10_001 }, (_, i) => `quiet-${i}`))
    clock.times(['busy', 'busy', 'busy', 'busy', 'busy'])
    now = 1_002
    expect(clock.times(['busy', 'quiet-1'])).to.deep.equal([1_005, 1_002])
  })
})
