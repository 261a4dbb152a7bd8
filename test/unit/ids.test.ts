// Ids: Mattermost's shape (26 characters of z-base-32), never repeated, and stable for a key.
import { expect } from 'chai'
import { idFromKey, isValidId, newId } from '../../core/ids.ts'

describe('ids', () => {
  it('makes 26-character z-base-32 ids that Mattermost clients accept, none repeated across many random refills', () => {
    // 2,000 ids span several refills of the entropy pool (256 ids each).
    const ids = Array.from({ length: 2000 }, newId)
    for (const id of ids) {
      expect(id).to.match(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{26}$/)
      expect(isValidId(id)).to.equal(true)
    }
    expect(new Set(ids).size).to.equal(ids.length)
  })

  it('derives the same id from the same key and different ids from different keys', () => {
    expect(idFromKey('run-1:channel')).to.equal(idFromKey('run-1:channel'))
    expect(idFromKey('run-1:channel')).not.to.equal(idFromKey('run-2:channel'))
    expect(isValidId(idFromKey('anything'))).to.equal(true)
  })
})
