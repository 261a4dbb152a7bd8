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

/**
 * Whether V8 may optimise PGlite's WebAssembly when PGLITE_OPTIMIZE is unset. Its compiler's scratch
 * memory, freed in the malloc arenas of V8's worker threads, stayed resident even after malloc_trim
 * (30-40 MB at rest after bench:core's workload) unless those threads share a few arenas, which only
 * MALLOC_ARENA_MAX set before the process starts can arrange (`npm start` sets 2). With both, the
 * optimised server held as little at rest as the unoptimised one.
 */
export function optimiseWasmByDefault(mallocArenaMax: number | undefined, trim: () => MallocTrim | null = loadMallocTrim): boolean {
  return mallocArenaMax !== undefined && mallocArenaMax >= 1 && mallocArenaMax <= 4 && trim() !== null
}
