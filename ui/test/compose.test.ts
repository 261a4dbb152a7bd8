import { expect } from 'chai'
import { applyCompletion, findTrigger } from '../src/lib/autocomplete.ts'
import { highlightTerms } from '../src/lib/search-terms.ts'

describe('compose autocomplete', () => {
  it('offers users after @, channels after ~ and emoji after two letters of :', () => {
    expect(findTrigger('hi @al', 6)).to.deep.equal({ kind: 'user', query: 'al', start: 3 })
    expect(findTrigger('see ~town', 9)).to.deep.equal({ kind: 'channel', query: 'town', start: 4 })
    expect(findTrigger('nice :th', 8)).to.deep.equal({ kind: 'emoji', query: 'th', start: 5 })
    expect(findTrigger('nice :t', 7)).to.equal(null)
  })

  it('does not take an e-mail address or a time for a trigger', () => {
    expect(findTrigger('mail bob@example', 16)).to.equal(null)
    expect(findTrigger('at 10:30', 8)).to.equal(null)
  })

  it('offers slash commands for a one-line message starting with /', () => {
    expect(findTrigger('/playbook st', 12)).to.deep.equal({ kind: 'command', query: '/playbook st', start: 0 })
    expect(findTrigger('/x\nmore', 7)).to.equal(null)
  })

  it('replaces the typed fragment with the choice and a space, keeping the rest', () => {
    const trigger = findTrigger('hi @al and more', 6)!
    expect(applyCompletion('hi @al and more', 6, trigger, '@alice')).to.deep.equal({ text: 'hi @alice  and more', cursor: 10 })
  })
})

describe('search highlighting', () => {
  it('highlights the words of a query but not its modifiers or excluded words', () => {
    expect(highlightTerms('from:alice in:town-square deploy "green build" -red rollout*')).to.deep.equal(['deploy', 'green build', 'rollout*'])
  })
})
