import { expect } from 'chai'
import { jsonParam } from '../../core/db/sql.ts'

describe('jsonParam (JSON text for a jsonb parameter)', () => {
  it('writes plain values as JSON.stringify does', () => {
    const value = { a: 'tab\tquote" back\\slash', n: [1, 2.5, null], e: '🔥 ünïcode' }
    expect(jsonParam(value)).to.equal(JSON.stringify(value))
  })

  it('gives undefined for undefined, as JSON.stringify does (a NULL parameter)', () => {
    expect(jsonParam(undefined)).to.equal(undefined)
  })

  it('turns a lone surrogate into U+FFFD, which PostgreSQL jsonb accepts', () => {
    expect(JSON.parse(jsonParam({ t: 'cut \ud83d', u: '\udc25 tail' }))).to.deep.equal({ t: 'cut \ufffd', u: '\ufffd tail' })
    expect(jsonParam('\ud83d')).to.not.match(/\\ud83d/i)
  })

  it('keeps a surrogate pair and a backslash followed by the letters of an escape', () => {
    const value = { pair: '\ud83d\udd25', text: '\\ud83d is how JSON escapes it', both: '\\\ud83d' }
    expect(JSON.parse(jsonParam(value))).to.deep.equal({ pair: '🔥', text: '\\ud83d is how JSON escapes it', both: '\\\ufffd' })
  })
})
