/**
 * Worker-thread entry that runs the embedded database (PGlite and its socket server), so Postgres's
 * WebAssembly runs on a thread of its own while the server's JavaScript runs on the main one. The
 * main thread reaches it only through the unix socket, as it reaches a PostgreSQL server.
 *
 * Plain JavaScript: on Node 20 tsx's loader hooks do not reach worker threads, and this way the
 * same file runs from the sources and, copied by the build, beside the bundle.
 * workerData: PgliteWorkerData in open-database.ts. Posts { type: 'ready' } once open, then
 * { type: 'closed' } after the parent posts 'close'; { type: 'failed', message } when either fails.
 */
import v8 from 'node:v8'
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

if (!parentPort) throw new Error('pglite-worker runs only as a worker thread')
const port = parentPort
const { dbDir, sharedBuffers, socketPath, maxConnections, optimize } = workerData

// V8's flags are per process: the first database opened decides for all later ones.
// Liftoff only keeps V8's optimising tier off PGlite's Wasm: 60-140 MB less RSS
// (shared/notes/pglite.md) for about a quarter less speed (PGLITE_OPTIMIZE in the README).
if (!optimize) v8.setFlagsFromString('--liftoff-only')

let db
let server
port.on('message', (message) => {
  if (message === 'close') void close()
})

try {
  db = await PGlite.create(dbDir, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`] })
  server = new PGLiteSocketServer({ db, path: socketPath, maxConnections })
  await server.start()
  port.postMessage({ type: 'ready' })
} catch (err) {
  await db?.close().catch(() => undefined)
  port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) })
  port.close()
}

async function close() {
  const errors = []
  await server?.stop().catch((err) => errors.push(`its socket server: ${err.message}`))
  await db?.close().catch((err) => errors.push(`PGlite: ${err.message}`))
  port.postMessage(errors.length ? { type: 'failed', message: errors.join('; ') } : { type: 'closed' })
  port.close()
}
