// Connector secrets at rest: sealed with AES-256-GCM, opened only with the same key for the same connection.
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { createSecretBox } from '../../../integrations/secret-box.ts'

describe('connector secret box', () => {
  const key = randomBytes(32)
  const box = createSecretBox(key)

  it('opens what it sealed for the same connection', () => {
    const sealed = box.seal('bridgehead-pd-test-secret', 'conn1')
    expect(sealed).to.match(/^v1:/)
    expect(sealed).not.to.contain('bridgehead-pd-test-secret')
    expect(box.open(sealed, 'conn1')).to.equal('bridgehead-pd-test-secret')
  })

  it('seals the same secret differently each time (a fresh nonce)', () => {
    expect(box.seal('same', 'conn1')).not.to.equal(box.seal('same', 'conn1'))
  })

  it('refuses a value sealed for another connection', () => {
    const sealed = box.seal('secret', 'conn1')
    expect(() => box.open(sealed, 'conn2')).to.throw('does not open with this server key')
  })

  it('refuses a value altered by one bit', () => {
    const sealed = box.seal('secret', 'conn1')
    const bytes = Buffer.from(sealed.slice(3), 'base64')
    bytes[14]! ^= 1
    expect(() => box.open(`v1:${bytes.toString('base64')}`, 'conn1')).to.throw('does not open with this server key')
  })

  it('refuses a value sealed under another key', () => {
    const sealed = createSecretBox(randomBytes(32)).seal('secret', 'conn1')
    expect(() => box.open(sealed, 'conn1')).to.throw('does not open with this server key')
  })

  it('keeps an empty value empty', () => {
    expect(box.seal('', 'conn1')).to.equal('')
    expect(box.open('', 'conn1')).to.equal('')
  })

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createSecretBox(randomBytes(16))).to.throw('must be 32 bytes')
  })
})
