import { expect } from 'chai'
import { mayHoldSurrogateEscape, parseJson, wellFormed, wellFormedDeep } from '../../core/well-formed.ts'

describe('well-formed text (lone surrogates become U+FFFD, as Mattermost reads them)', () => {
  it('replaces a lone high or low surrogate and keeps a pair', () => {
    expect(wellFormed('cut \ud83d')).to.equal('cut \ufffd')
    expect(wellFormed('\udd25 tail')).to.equal('\ufffd tail')
    expect(wellFormed('🔥 \ud83d\udd25 ok')).to.equal('🔥 🔥 ok')
    expect(wellFormed('\udd25\ud83d')).to.equal('\ufffd\ufffd')
  })

  it('fixes strings and keys at any depth of parsed JSON', () => {
    const value = { a: ['x', { '\ud83d': 'cut \udd25' }], n: 1, t: true, z: null }
    expect(wellFormedDeep(value)).to.deep.equal({ a: ['x', { '\ufffd': 'cut \ufffd' }], n: 1, t: true, z: null })
  })

  it('parses JSON text with a lone surrogate escape into well-formed strings, and other JSON as JSON.parse does', () => {
    expect(parseJson('{"m":"cut \\ud83d","pair":"\\ud83d\\udd25"}')).to.deep.equal({ m: 'cut \ufffd', pair: '🔥' })
    expect(parseJson('{"m":"plain","n":[1,2]}')).to.deep.equal({ m: 'plain', n: [1, 2] })
    expect(() => parseJson('{')).to.throw(SyntaxError)
  })

  it('looks for surrogate escapes in text and in bytes', () => {
    expect(mayHoldSurrogateEscape('"\\uD83D"')).to.equal(true)
    expect(mayHoldSurrogateEscape(Buffer.from('"\\ud83d"'))).to.equal(true)
    expect(mayHoldSurrogateEscape('{"a":"\\u00e9"}')).to.equal(false)
  })
})
