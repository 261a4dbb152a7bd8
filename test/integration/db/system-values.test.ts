/** Specifies server-wide values (diagnostic id, public link salt, trigger id key): created once, even by servers starting together. */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { createSystemStore } from '../../../core/system/store.ts'
import { createTriggerIds } from '../../../core/interactive/trigger-ids.ts'
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

    it('stores one trigger id key, so an id issued by one server is accepted by another sharing the database', async () => {
      // Two servers starting together: separate stores and trigger-id instances over the same database.
      const [keyA, keyB] = await Promise.all([createSystemStore(test.db).triggerIdKey(), createSystemStore(test.db).triggerIdKey()])
      expect(keyA).to.equal(keyB)
      expect(Buffer.from(keyA, 'base64url')).to.have.length(32)
      const serverA = createTriggerIds({ key: keyA })
      const serverB = createTriggerIds({ key: await createSystemStore(test.db).triggerIdKey() })
      expect(serverB.verify(serverA.issue('u1').signed).userId).to.equal('u1')
      const stranger = createTriggerIds({ key: randomBytes(32) })
      expect(() => serverB.verify(stranger.issue('u1').signed)).to.throw().with.property('id', 'interactive_message.decode_trigger_id.verify_signature_failed')
    })
  })
}
