/** The file store's one interface: local disk and S3-compatible servers both sit behind it. */
import type { Readable } from 'node:stream'

/** What `stat` knows about a stored object. */
export interface StoredObject {
  key: string
  size: number
}

/** Where uploaded files, thumbnails and previews are kept. Keys are `/`-separated relative paths. */
export interface FileStorage {
  readonly kind: 'local' | 's3'
  /**
   * Stores `data` under `key`, replacing any object already there.
   * @throws InvalidStorageKeyError for a key that is absolute, empty or climbs out with `..`.
   */
  put(key: string, data: Uint8Array, options?: { contentType?: string }): Promise<void>
  /**
   * Streams the object's bytes.
   * @throws StorageNotFoundError when nothing is stored under `key`.
   */
  get(key: string): Promise<Readable>
  /** Size of the object, or null when nothing is stored under `key`. */
  stat(key: string): Promise<StoredObject | null>
  /** Removes the object; removing a missing one is not an error. */
  delete(key: string): Promise<void>
  /** Every key that starts with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>
}

export class StorageNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no stored file under "${key}"`)
    this.name = 'StorageNotFoundError'
  }
}

export class InvalidStorageKeyError extends Error {
  constructor(readonly key: string, reason: string) {
    super(`invalid storage key ${JSON.stringify(key)}: ${reason}`)
    this.name = 'InvalidStorageKeyError'
  }
}

/**
 * Refuses keys that could escape the store's root or mean different things on disk and in S3.
 * @throws InvalidStorageKeyError naming the key and the reason.
 */
export function checkStorageKey(key: string, options: { prefix?: boolean } = {}): void {
  if (key === '' && options.prefix) return
  if (key === '') throw new InvalidStorageKeyError(key, 'empty')
  if (key.length > 1024) throw new InvalidStorageKeyError(key.slice(0, 64), 'longer than 1024 characters')
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(key)) throw new InvalidStorageKeyError(key, 'control character or backslash')
  if (key.startsWith('/')) throw new InvalidStorageKeyError(key, 'absolute')
  const segments = key.split('/')
  // A prefix may end with '/', a key may not.
  const inner = options.prefix && key.endsWith('/') ? segments.slice(0, -1) : segments
  for (const segment of inner) {
    if (segment === '' || segment === '.' || segment === '..') throw new InvalidStorageKeyError(key, `segment "${segment}" not allowed`)
  }
}
