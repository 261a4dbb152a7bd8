// The words a search highlights in a post (core/search/highlight.ts): Mattermost's `matches` map.
import { expect } from 'chai'
import { matchedWords } from '../../core/search/highlight.ts'

const word = (text: string, prefix = false) => ({ text, prefix, phrase: false })
const phrase = (text: string) => ({ text, prefix: false, phrase: true })

describe('matchedWords', () => {
  it('gives a word term as written in the message, whatever its case', () => {
    expect(matchedWords('Deploy went fine, deploy again', [word('deploy')], [])).to.deep.equal(['Deploy', 'deploy'])
  })

  it('gives the words a prefix term matched (deploy* → deploying)', () => {
    expect(matchedWords('deploying now, deployed later, redeploy never', [word('deploy', true)], [])).to.deep.equal(['deploying', 'deployed'])
  })

  it('gives each word of a phrase', () => {
    expect(matchedWords('the release notes are out', [phrase('release notes')], [])).to.deep.equal(['release', 'notes'])
  })

  it('gives #hashtags as written, matched without regard to case', () => {
    expect(matchedWords('shipping #Release-1.2 today', [], ['#release-1.2'])).to.deep.equal(['#Release-1.2'])
  })

  it('gives nothing for a term that is not a whole word of the message', () => {
    expect(matchedWords('redeploy', [word('deploy')], [])).to.deep.equal([])
  })

  it('reads non-Latin words', () => {
    expect(matchedWords('привет мир', [word('мир')], [])).to.deep.equal(['мир'])
  })
})
