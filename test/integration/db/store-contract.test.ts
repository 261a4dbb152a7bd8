/** Runs the stores' contract on each backend selected by TEST_DB (both by default). */
import { storeSuite } from '../../contract/store.suite.ts'
import { createTestDatabase } from '../../helpers/database.ts'
import { BACKENDS } from '../../helpers/server.ts'

for (const backend of BACKENDS) {
  describe(`store contract on ${backend === 'pglite' ? 'PGlite' : 'PostgreSQL'}`, function () {
    this.timeout(30_000)
    storeSuite(() => createTestDatabase(backend))
  })
}
