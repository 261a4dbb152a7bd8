/** Runs the data-layer contract on each backend selected by TEST_DB (both by default). */
import { databaseSuite } from '../../contract/database.suite.ts'
import { createTestDatabase } from '../../helpers/database.ts'
import { BACKENDS } from '../../helpers/server.ts'

for (const backend of BACKENDS) {
  describe(`database contract on ${backend === 'pglite' ? 'PGlite' : 'PostgreSQL'}`, function () {
    this.timeout(30_000)
    databaseSuite(() => createTestDatabase(backend))
  })
}
