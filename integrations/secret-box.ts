/**
 * Connector secrets at rest: AES-256-GCM under the server-wide key (`systemStore.integrationSecretKey()`),
 * bound to the connection's id as associated data so a sealed value copied onto another row does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

const NONCE_BYTES = 12
const TAG_BYTES = 16
/** Sealed values start with a version, so a future key rotation can tell old from new. */
const PREFIX = 'v1:'

export interface SecretBox {
  /** Seals `plain` for the row `context` (the connection id); '' stays '' (nothing to hide). */
  seal(plain: string, context: string): string
  /** @throws Error when the value was not sealed by this key for this context, or was altered. */
  open(sealed: string, context: string): string
}

/** `key`: 32 bytes, the same on every server sharing the database. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error(`the integration secret key must be 32 bytes, got ${key.length}`)
  return {
    seal(plain, context) {
      if (plain === '') return ''
      const nonce = randomBytes(NONCE_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, nonce)
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return PREFIX + Buffer.concat([nonce, body]).toString('base64')
    },
    open(sealed, context) {
      if (sealed === '') return ''
      if (!sealed.startsWith(PREFIX)) throw new Error('sealed connector secret has an unknown format')
      const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64')
      if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new Error('sealed connector secret is too short')
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES))
      decipher.setAAD(Buffer.from(context, 'utf8'))
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
      try {
        return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8')
      } catch (err) {
        throw new Error('sealed connector secret does not open with this server key (altered, or sealed for another connection)', { cause: err })
      }
    },
  }
}
