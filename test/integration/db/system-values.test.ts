/** Specifies server-wide values (diagnostic id, public link salt): created once, even by servers starting together. */
import { expect } from 'chai'
import { createSystemStore } from '../../../core/system/store.ts'
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts'
import { BACKENDS } from '../../helpers/server.ts'

for (const backend of BACKENDS) {
  describe(`server-wide values on ${backend}`, function () {
    this.timeout(60_000)
    let test: TestDatabase
    beforeEach(async () => {
      test = await createTestDatabase(backend)
    })
    afterEach(async () => {
      await test.cleanup()
    })

    it('creates the diagnostic id once when many ask at the same moment, and all get the same one', async () => {
      // Separate stores, as separate server processes would have; on PostgreSQL the pool runs them in parallel.
      const ids = await Promise.all(Array.from({ length: 12 }, () => createSystemStore(test.db).diagnosticId()))
      expect(new Set(ids).size).to.equal(1)
      expect(ids[0]).to.match(/^[a-z0-9]{26}$/)
      expect(await createSystemStore(test.db).diagnosticId()).to.equal(ids[0])
    })

    it('keeps one public link salt under concurrent first use, and replaces it on regeneration', async () => {
      const store = createSystemStore(test.db)
      const salts = await Promise.all(Array.from({ length: 12 }, () => store.publicLinkSalt()))
      expect(new Set(salts).size).to.equal(1)
      await store.regeneratePublicLinkSalt()
      const fresh = await store.publicLinkSalt()
      expect(fresh).to.not.equal(salts[0])
      expect(await store.publicLinkSalt()).to.equal(fresh)
    })
  })
}
