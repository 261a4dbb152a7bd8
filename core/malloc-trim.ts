/**
 * glibc's malloc_trim(0), reached through koffi (an FFI library whose prebuilt binaries come with its
 * npm package, so nothing is compiled at install). glibc gives memory freed in the middle of its heaps
 * back to the system only when asked: without it, the server keeps resident what a burst freed, its
 * buffers' backing stores and the scratch memory V8 compiled PGlite's WebAssembly in (55-140 MB when
 * V8 optimises it, shared/notes/pglite.md). malloc_trim returns the free pages and keeps what is in use.
 */
import { createRequire } from 'node:module'

export type MallocTrim = () => boolean

let loaded: MallocTrim | null | undefined

/** The trim function, or null where there is no glibc (musl, macOS) or koffi cannot load. */
export function loadMallocTrim(): MallocTrim | null {
  if (loaded !== undefined) return loaded
  loaded = null
  if (process.platform !== 'linux') return loaded
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi')
    const trim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (pad: number) => number
    loaded = () => trim(0) === 1
  } catch {
    // musl has no libc.so.6 (nor malloc_trim): its heaps stay as they are.
    loaded = null
  }
  return loaded
}
