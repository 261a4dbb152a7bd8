/** Runs the data-layer contract on both backends. */
import { databaseSuite } from '../../contract/database.suite.ts'
import { createTestDatabase } from '../../helpers/database.ts'

describe('database contract on PGlite', function () {
  this.timeout(30_000)
  databaseSuite(() => createTestDatabase('pglite'))
})

describe('database contract on PostgreSQL', function () {
  this.timeout(30_000)
  databaseSuite(() => createTestDatabase('postgres'))
})
