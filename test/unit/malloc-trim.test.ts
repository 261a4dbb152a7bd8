// malloc_trim: what the idle collector calls to give freed memory back to the system.
import v8 from 'node:v8'
import vm from 'node:vm'
import { expect } from 'chai'
import { loadMallocTrim, optimiseWasmByDefault } from '../../core/malloc-trim.ts'
import { wasmOptimisationOf } from '../../core/db/open-database.ts'

const rssMb = () => process.memoryUsage().rss / 1048576

describe('malloc_trim', () => {
  it('hands memory freed inside glibc heaps back to the system and keeps what is still in use', async function () {
    if (process.platform !== 'linux') this.skip()
    const trim = loadMallocTrim()
    expect(trim, 'koffi should reach glibc malloc_trim on Linux').to.be.a('function')
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    // 200 MB in 2 KB backing stores (below glibc's mmap threshold, so inside its heaps); one in
    // fifty stays alive, so the freed memory is in the middle of the heap, where free() leaves it.
    let buffers: Uint8Array[] = []
    const kept: Uint8Array[] = []
    for (let i = 0; i < 100_000; i++) {
      const b = new Uint8Array(new ArrayBuffer(2000)).fill(i % 251)
      buffers.push(b)
      if (i % 50 === 0) kept.push(b)
    }
    buffers = []
    gc()
    gc()
    const freed = rssMb()
    expect(trim!()).to.equal(true)
    const trimmed = rssMb()
    expect(freed - trimmed, `RSS ${Math.round(freed)} MB → ${Math.round(trimmed)} MB`).to.be.above(100)
    expect(kept.every((b, i) => b[0] === (i * 50) % 251 && b[1999] === (i * 50) % 251)).to.equal(true)
  })

  describe('the default wasm tier (PGLITE_OPTIMIZE unset)', () => {
    const withTrim = () => () => true
    it('optimises when npm start has limited the malloc arenas and malloc_trim is there', () => {
      expect(optimiseWasmByDefault(2, withTrim)).to.equal(true)
      expect(optimiseWasmByDefault(4, withTrim)).to.equal(true)
    })

    it('stays on Liftoff without an arena limit, with a loose one, or without malloc_trim', () => {
      expect(optimiseWasmByDefault(undefined, withTrim)).to.equal(false)
      expect(optimiseWasmByDefault(16, withTrim)).to.equal(false)
      expect(optimiseWasmByDefault(0, withTrim)).to.equal(false)
      expect(optimiseWasmByDefault(2, () => null)).to.equal(false)
    })

    it('lets PGLITE_OPTIMIZE decide when it is set, and never optimises on PostgreSQL', () => {
      expect(wasmOptimisationOf({ databaseUrl: undefined, pgliteOptimize: true, mallocArenaMax: undefined })).to.equal(true)
      expect(wasmOptimisationOf({ databaseUrl: undefined, pgliteOptimize: false, mallocArenaMax: 2 })).to.equal(false)
      expect(wasmOptimisationOf({ databaseUrl: 'postgres://127.0.0.1/test', pgliteOptimize: true, mallocArenaMax: 2 })).to.equal(false)
    })
  })
})
