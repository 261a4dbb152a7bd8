import { expect } from 'chai'
import { nextFocus } from '../src/components/Modal.tsx'

describe('dialog focus trap', () => {
  it('moves Tab to the next control and from the last back to the first', () => {
    expect(nextFocus(3, 0, false)).to.equal(1)
    expect(nextFocus(3, 2, false)).to.equal(0)
  })

  it('moves Shift+Tab from the first control to the last', () => {
    expect(nextFocus(3, 0, true)).to.equal(2)
  })

  it('brings focus that escaped the dialog back into it', () => {
    expect(nextFocus(3, -1, false)).to.equal(0)
    expect(nextFocus(3, -1, true)).to.equal(2)
  })

  it('has nowhere to go in a dialog without controls', () => {
    expect(nextFocus(0, -1, false)).to.equal(-1)
  })
})
