/** Child-process entry that runs PGlite's initdb on a new data dir, so the server never carries initdb's memory peak. */
import v8 from 'node:v8'
import { PGlite } from '@electric-sql/pglite'

const [dataDir, sharedBuffers] = process.argv.slice(2)
if (!dataDir || !sharedBuffers) {
  process.stderr.write('usage: pglite-initdb <dataDir> <sharedBuffers>\n')
  process.exit(2)
}

v8.setFlagsFromString('--liftoff-only')
const db = await PGlite.create(dataDir, {
  startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`],
})
await db.query('SELECT 1')
await db.close()
