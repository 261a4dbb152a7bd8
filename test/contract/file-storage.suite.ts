/** The file store's contract, run on local disk and on an S3-compatible server. */
import { expect } from 'chai'
import type { Readable } from 'node:stream'
import { randomBytes } from 'node:crypto'
import { InvalidStorageKeyError, StorageNotFoundError, type FileStorage } from '../../core/files/storage/index.ts'

export interface OpenedFileStorage {
  storage: FileStorage
  cleanup(): Promise<void>
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected the call to fail')
}

export function fileStorageSuite(open: () => Promise<OpenedFileStorage>): void {
  let opened: OpenedFileStorage
  let storage: FileStorage
  let n = 0
  // Each test writes under its own prefix so tests do not see each other's objects.
  const scope = () => `t${++n}-${randomBytes(4).toString('hex')}`

  before(async function () {
    this.timeout(60_000)
    opened = await open()
    storage = opened.storage
  })

  after(async () => {
    await opened?.cleanup()
  })

  it('returns the exact bytes that were put', async () => {
    const key = `${scope()}/a/file.bin`
    const data = randomBytes(70_000)
    await storage.put(key, data, { contentType: 'application/octet-stream' })
    expect((await readAll(await storage.get(key))).equals(data)).to.equal(true)
  })

  it('replaces an object put twice under the same key', async () => {
    const key = `${scope()}/x.txt`
    await storage.put(key, Buffer.from('first'))
    await storage.put(key, Buffer.from('second'))
    expect((await readAll(await storage.get(key))).toString()).to.equal('second')
  })

  it('stores an empty object', async () => {
    const key = `${scope()}/empty`
    await storage.put(key, new Uint8Array(0))
    expect(await storage.stat(key)).to.deep.equal({ key, size: 0 })
  })

  it('keeps keys with spaces, unicode and reserved URL characters apart', async () => {
    const prefix = scope()
    const keys = [`${prefix}/my file (1).png`, `${prefix}/résumé+%.pdf`, `${prefix}/a&b=c?d#e.txt`]
    for (const [i, key] of keys.entries()) await storage.put(key, Buffer.from(String(i)))
    for (const [i, key] of keys.entries()) expect((await readAll(await storage.get(key))).toString()).to.equal(String(i))
    expect(await storage.list(`${prefix}/`)).to.deep.equal([...keys].sort())
  })

  it('reports the size of a stored object and null for a missing one', async () => {
    const key = `${scope()}/sized`
    await storage.put(key, Buffer.alloc(1234, 7))
    expect(await storage.stat(key)).to.deep.equal({ key, size: 1234 })
    expect(await storage.stat(`${scope()}/missing`)).to.equal(null)
  })

  it('throws StorageNotFoundError when getting a missing key', async () => {
    const key = `${scope()}/missing`
    const err = await rejection(storage.get(key))
    expect(err).to.be.instanceOf(StorageNotFoundError)
    expect((err as StorageNotFoundError).key).to.equal(key)
  })

  it('deletes an object, and deleting a missing one succeeds', async () => {
    const key = `${scope()}/gone`
    await storage.put(key, Buffer.from('x'))
    await storage.delete(key)
    expect(await storage.stat(key)).to.equal(null)
    await storage.delete(key)
  })

  it('lists every key under a prefix, sorted, across folders, and nothing else', async () => {
    const prefix = scope()
    const inside = [`${prefix}/b/2.txt`, `${prefix}/a/1.txt`, `${prefix}/a/deep/3.txt`, `${prefix}/top`]
    for (const key of inside) await storage.put(key, Buffer.from(key))
    await storage.put(`${prefix}-other/x`, Buffer.from('x'))
    expect(await storage.list(`${prefix}/`)).to.deep.equal([...inside].sort())
    expect(await storage.list(`${prefix}/a/`)).to.deep.equal([`${prefix}/a/1.txt`, `${prefix}/a/deep/3.txt`])
    expect(await storage.list(`${prefix}/a/d`)).to.deep.equal([`${prefix}/a/deep/3.txt`])
    expect(await storage.list(`${scope()}/`)).to.deep.equal([])
  })

  for (const bad of ['../escape', 'a/../../escape', '/etc/passwd', 'a//b', 'a/./b', 'a\\..\\b', 'nul\u0000byte', '']) {
    it(`refuses the key ${JSON.stringify(bad)} on put, get, stat and delete`, async () => {
      for (const call of [() => storage.put(bad, Buffer.from('x')), () => storage.get(bad), () => storage.stat(bad), () => storage.delete(bad)]) {
        expect(await rejection(call())).to.be.instanceOf(InvalidStorageKeyError)
      }
    })
  }

  it('refuses a prefix that climbs out of the store', async () => {
    expect(await rejection(storage.list('../'))).to.be.instanceOf(InvalidStorageKeyError)
  })
}
