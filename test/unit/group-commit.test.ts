import { expect } from 'chai'
import { groupCommit } from '../../core/group-commit.ts'

describe('group commit', () => {
  it('flushes the calls of one turn together and gives each caller its own result', async () => {
    const flushes: number[][] = []
    const double = groupCommit(async (items: number[]) => {
      flushes.push(items)
      return items.map((i) => i * 2)
    }, { max: 100 })
    const results = await Promise.all([1, 2, 3].map(double))
    expect(results).to.deep.equal([2, 4, 6])
    expect(flushes).to.deep.equal([[1, 2, 3]])
  })

  it('gathers the calls made while a flush runs into the next flush, at most max at a time', async () => {
    const flushes: number[][] = []
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const echo = groupCommit(async (items: number[]) => {
      flushes.push(items)
      if (flushes.length === 1) await gate
      return items
    }, { max: 2 })
    const first = echo(0)
    await new Promise((r) => setImmediate(r))
    const later = [1, 2, 3].map(echo)
    release()
    expect(await Promise.all([first, ...later])).to.deep.equal([0, 1, 2, 3])
    expect(flushes).to.deep.equal([[0], [1, 2], [3]])
  })

  it('rejects every call of a flush that throws, and goes on with the next', async () => {
    let calls = 0
    const flaky = groupCommit(async (items: string[]) => {
      calls += 1
      if (calls === 1) throw new Error('database gone')
      return items
    }, { max: 10 })
    const failed = await Promise.allSettled(['a', 'b'].map(flaky))
    expect(failed.map((r) => r.status)).to.deep.equal(['rejected', 'rejected'])
    expect(await flaky('c')).to.equal('c')
  })

  it('rejects the calls of a flush that returns the wrong number of results', async () => {
    const short = groupCommit(async (items: number[]) => items.slice(1), { max: 10 })
    const settled = await Promise.allSettled([1, 2].map(short))
    expect(settled.every((r) => r.status === 'rejected')).to.equal(true)
  })
})
