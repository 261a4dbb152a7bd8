/** File store on local disk, under `DATA_DIR/files`; keys never resolve outside that directory. */
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import { checkStorageKey, InvalidStorageKeyError, StorageNotFoundError, type FileStorage, type StoredObject } from './storage.ts'

/** Opens (and creates) a store rooted at `root`. */
export function createLocalStorage(root: string): FileStorage {
  const base = path.resolve(root)

  function resolve(key: string, options: { prefix?: boolean } = {}): string {
    checkStorageKey(key, options)
    const full = path.resolve(base, key)
    // Belt and braces over checkStorageKey: the resolved path must stay under the root.
    if (full !== base && !full.startsWith(base + path.sep)) throw new InvalidStorageKeyError(key, 'outside the store')
    return full
  }

  async function walk(dir: string, rel: string, out: string[]): Promise<void> {
    let entries: fs.Dirent[]
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return
      throw err
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.tmp-')) continue
      const key = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), key, out)
      else if (entry.isFile()) out.push(key)
    }
  }

  return {
    kind: 'local',

    async put(key, data) {
      const full = resolve(key)
      await fsp.mkdir(path.dirname(full), { recursive: true })
      // Write then rename, so a reader never sees half a file.
      const temp = path.join(path.dirname(full), `.tmp-${randomBytes(8).toString('hex')}`)
      try {
        await fsp.writeFile(temp, data)
        await fsp.rename(temp, full)
      } catch (err) {
        await fsp.rm(temp, { force: true })
        throw new Error(`writing stored file "${key}" failed`, { cause: err })
      }
    },

    async get(key): Promise<Readable> {
      const full = resolve(key)
      let handle: fsp.FileHandle
      try {
        handle = await fsp.open(full, 'r')
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') throw new StorageNotFoundError(key)
        throw err
      }
      const stat = await handle.stat()
      if (!stat.isFile()) {
        await handle.close()
        throw new StorageNotFoundError(key)
      }
      return handle.createReadStream()
    },

    async stat(key): Promise<StoredObject | null> {
      try {
        const stat = await fsp.stat(resolve(key))
        return stat.isFile() ? { key, size: stat.size } : null
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'ENOTDIR') return null
        throw err
      }
    },

    async delete(key) {
      await fsp.rm(resolve(key), { force: true })
    },

    async list(prefix) {
      resolve(prefix, { prefix: true })
      // Walk only the deepest directory the prefix names, then filter by the rest.
      const slash = prefix.lastIndexOf('/')
      const dirKey = slash >= 0 ? prefix.slice(0, slash) : ''
      const keys: string[] = []
      await walk(dirKey ? path.join(base, dirKey) : base, dirKey, keys)
      return keys.filter((k) => k.startsWith(prefix)).sort()
    },
  }
}
