/** Specifies the planner-statistics keeper of the embedded database (PGlite has no autovacuum). */
import { expect } from 'chai'
import { query } from '../../../core/db/index.ts'
import { keepEmbeddedStatistics } from '../../../core/db/embedded-statistics.ts'
import { createLogger } from '../../../core/log.ts'
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts'
import { BACKENDS } from '../../helpers/server.ts'

const log = createLogger({ level: 'silent', destination: process.stderr })

if (BACKENDS.includes('pglite')) describe('embedded database statistics', function () {
  this.timeout(60_000)
  let test: TestDatabase

  beforeEach(async () => {
    test = await createTestDatabase('pglite')
  })
  afterEach(async () => {
    await test.cleanup()
  })

  const rowEstimate = async (table: string) =>
    Number((await query<{ reltuples: number }>(test.db, `SELECT reltuples FROM pg_class WHERE relname = $1`, [table]))[0]!.reltuples)

  async function addPosts(count: number, from: number): Promise<void> {
    await query(test.db, `INSERT INTO posts (id, create_at, update_at, user_id, channel_id, message)
      SELECT 'stat' || lpad(i::text, 22, '0'), i, i, 'u', 'c', 'deploy the release ' || i FROM generate_series($1::int, $2::int) AS i`, [from, from + count - 1])
  }

  it('analyses a table that grew, so the planner knows its size and word frequencies', async () => {
    const keeper = keepEmbeddedStatistics(test.db, log, 3_600_000)
    try {
      await addPosts(5_000, 1)
      expect(await rowEstimate('posts')).to.be.at.most(0)
      expect(await keeper.runOnce()).to.include('posts')
      expect(await rowEstimate('posts')).to.equal(5_000)
      const common = await query<{ elems: string[] | null }>(test.db, `SELECT most_common_elems::text::text[] AS elems FROM pg_stats WHERE tablename = 'posts' AND attname = 'message_tsv'`)
      expect(common[0]?.elems).to.include.members(['deploy', 'release'])
    } finally {
      keeper.stop()
    }
  })

  it('leaves a table alone until it has grown by a tenth since its last analysis', async () => {
    const keeper = keepEmbeddedStatistics(test.db, log, 3_600_000)
    try {
      await addPosts(5_000, 1)
      await keeper.runOnce()
      expect(await keeper.runOnce()).to.not.include('posts')
      await addPosts(100, 5_001)
      expect(await keeper.runOnce()).to.not.include('posts')
      await addPosts(2_000, 5_101)
      expect(await keeper.runOnce()).to.include('posts')
      expect(await rowEstimate('posts')).to.equal(7_100)
    } finally {
      keeper.stop()
    }
  })
})
