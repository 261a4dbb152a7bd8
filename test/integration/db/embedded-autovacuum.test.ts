/** Specifies the embedded database's housekeeping: autovacuum's and the checkpointer's work, which PGlite's single-user mode does not do (embedded-database.test.ts shows an open database runs it). */
import { expect } from 'chai'
import { query } from '../../../core/db/index.ts'
import { keepEmbeddedAutovacuum } from '../../../core/db/embedded-autovacuum.ts'
import { keepEmbeddedCheckpoints } from '../../../core/db/embedded-checkpoints.ts'
import { createLogger } from '../../../core/log.ts'
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts'
import { BACKENDS } from '../../helpers/server.ts'

const log = createLogger({ level: 'silent', destination: process.stderr })
const HOUR = 3_600_000
const MB = 1024 * 1024

if (BACKENDS.includes('pglite')) describe('embedded database housekeeping', function () {
  this.timeout(90_000)
  let test: TestDatabase

  beforeEach(async () => {
    // The database's own timers stay quiet: each test runs its keeper by hand.
    test = await createTestDatabase('pglite', { upkeep: { autovacuumIntervalMs: HOUR, checkpoints: { intervalMs: HOUR, maxWalBytes: 1024 * MB, maxAgeMs: HOUR } } })
  })
  afterEach(async () => {
    await test.cleanup()
  })

  const single = async <T>(text: string, params: unknown[] = []): Promise<T> => (await query<Record<string, T>>(test.db, text, params))[0]!.v!

  describe('autovacuum', () => {
    const rowEstimate = (table: string) => single<number>(`SELECT reltuples::float8 AS v FROM pg_class WHERE relname = $1`, [table])

    async function addPosts(count: number, from: number): Promise<void> {
      await query(test.db, `INSERT INTO posts (id, create_at, update_at, user_id, channel_id, message)
        SELECT 'stat' || lpad(i::text, 22, '0'), i, i, 'u', 'c', 'deploy the release ' || i FROM generate_series($1::int, $2::int) AS i`, [from, from + count - 1])
    }

    async function addJobs(count: number): Promise<void> {
      await query(test.db, `INSERT INTO jobs (id, type, status, run_at, max_attempts, create_at, last_activity_at)
        SELECT 'job' || lpad(i::text, 23, '0'), 'test', 'pending', i, 5, i, i FROM generate_series(1, $1::int) AS i`, [count])
    }

    /** What the job worker does to each job it runs: claims it, then gives it back for a retry. */
    async function claimAndRelease(): Promise<void> {
      await query(test.db, `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = 1 WHERE type = 'test'`)
      await query(test.db, `UPDATE jobs SET status = 'pending', locked_until = 0 WHERE type = 'test'`)
    }

    const jobsSize = () => single<number>(`SELECT pg_total_relation_size('jobs')::float8 AS v`)

    it('analyses a table that grew, so the planner knows its size and word frequencies', async () => {
      const keeper = keepEmbeddedAutovacuum(test.db, log, HOUR)
      try {
        await addPosts(5_000, 1)
        expect(await rowEstimate('posts')).to.be.at.most(0)
        expect((await keeper.runOnce()).analysed).to.include('posts')
        expect(await rowEstimate('posts')).to.equal(5_000)
        const common = await query<{ elems: string[] | null }>(test.db, `SELECT most_common_elems::text::text[] AS elems FROM pg_stats WHERE tablename = 'posts' AND attname = 'message_tsv'`)
        expect(common[0]?.elems).to.include.members(['deploy', 'release'])
      } finally {
        await keeper.stop()
      }
    })

    it('leaves a table unanalysed until it has grown by a tenth since its last analysis', async () => {
      const keeper = keepEmbeddedAutovacuum(test.db, log, HOUR)
      try {
        await addPosts(5_000, 1)
        await keeper.runOnce()
        expect((await keeper.runOnce()).analysed).to.not.include('posts')
        await addPosts(100, 5_001)
        expect((await keeper.runOnce()).analysed).to.not.include('posts')
        await addPosts(2_000, 5_101)
        expect((await keeper.runOnce()).analysed).to.include('posts')
        expect(await rowEstimate('posts')).to.equal(7_100)
      } finally {
        await keeper.stop()
      }
    })

    it('vacuums a table whose updates left old row versions behind, so it stops growing', async () => {
      const keeper = keepEmbeddedAutovacuum(test.db, log, HOUR)
      try {
        await addJobs(5_000)
        await keeper.runOnce()
        await claimAndRelease()
        expect((await keeper.runOnce()).vacuumed).to.include('jobs')
        const settled = await jobsSize()
        for (let round = 0; round < 4; round++) {
          await claimAndRelease()
          expect((await keeper.runOnce()).vacuumed).to.include('jobs')
        }
        // Each round writes every job twice more; vacuumed, the space of the old versions is used again.
        expect(await jobsSize()).to.be.at.most(settled * 1.1)
        expect(await single<number>(`SELECT n_dead_tup::float8 AS v FROM pg_stat_user_tables WHERE relname = 'jobs'`)).to.equal(0)
      } finally {
        await keeper.stop()
      }
    })

    it('without it, the same updates grow the table every round (what the keeper prevents)', async () => {
      await addJobs(5_000)
      await claimAndRelease()
      const before = await jobsSize()
      for (let round = 0; round < 4; round++) await claimAndRelease()
      expect(await jobsSize()).to.be.above(before * 1.5)
    })

    it('lets a run of statements through between two tables, instead of holding it until the pass ends', async () => {
      const keeper = keepEmbeddedAutovacuum(test.db, log, HOUR)
      try {
        await addJobs(5_000)
        await addPosts(5_000, 1)
        await keeper.runOnce()
        await claimAndRelease()
        await query(test.db, `UPDATE posts SET update_at = update_at + 1`)
        // A pass over jobs and posts, and beside it five statements in a row, as a job poll sends them.
        let poll = 0
        const pass = keeper.runOnce().then((result) => ({ result, at: performance.now() }))
        const statements = (async () => {
          for (let i = 0; i < 5; i++) await query(test.db, 'SELECT 1')
          poll = performance.now()
        })()
        const [{ result, at }] = await Promise.all([pass, statements])
        expect(result.vacuumed).to.include.members(['jobs', 'posts'])
        expect(poll, 'the statements ended before the pass').to.be.below(at)
      } finally {
        await keeper.stop()
      }
    })

    it('leaves a table alone while its old row versions are few', async () => {
      const keeper = keepEmbeddedAutovacuum(test.db, log, HOUR)
      try {
        await addJobs(5_000)
        await keeper.runOnce()
        await query(test.db, `UPDATE jobs SET status = 'running' WHERE id <= 'job' || lpad('40', 23, '0')`)
        expect((await keeper.runOnce()).vacuumed).to.not.include('jobs')
      } finally {
        await keeper.stop()
      }
    })
  })

  describe('checkpoints', () => {
    const walSinceCheckpoint = () => single<number>(`SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::float8 AS v FROM pg_control_checkpoint()`)
    const walOnDisk = () => single<number>(`SELECT sum(size)::float8 AS v FROM pg_ls_waldir()`)

    /** About `mb` MB of write-ahead log: rows of random text, each too short to be compressed. */
    async function writeLog(mb: number): Promise<void> {
      await query(test.db, `CREATE TABLE IF NOT EXISTS filler (body text)`)
      for (let i = 0; i < mb; i++) {
        await query(test.db, `INSERT INTO filler SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 30) g, generate_series(1, 1000) r GROUP BY r`)
      }
    }

    it('checkpoints once the log written since the last checkpoint passes the limit', async () => {
      const keeper = keepEmbeddedCheckpoints(test.db, log, { intervalMs: HOUR, maxWalBytes: 8 * MB, maxAgeMs: HOUR })
      try {
        await writeLog(2)
        expect(await keeper.runOnce()).to.equal(false)
        expect(await walSinceCheckpoint()).to.be.above(1 * MB)
        await writeLog(8)
        expect(await keeper.runOnce()).to.equal(true)
        // A server killed now replays only what came after the checkpoint.
        expect(await walSinceCheckpoint()).to.be.below(64 * 1024)
      } finally {
        await keeper.stop()
      }
    })

    it('checkpoints an old checkpoint once the log moved on, but not a quiet server', async () => {
      const keeper = keepEmbeddedCheckpoints(test.db, log, { intervalMs: HOUR, maxWalBytes: 1024 * MB, maxAgeMs: 0 })
      try {
        await writeLog(2)
        expect(await keeper.runOnce()).to.equal(true)
        await query(test.db, `INSERT INTO filler VALUES ('a trickle')`)
        expect(await keeper.runOnce()).to.equal(false)
      } finally {
        await keeper.stop()
      }
    })

    it('keeps pg_wal from growing with the log written', async () => {
      const keeper = keepEmbeddedCheckpoints(test.db, log, { intervalMs: HOUR, maxWalBytes: 16 * MB, maxAgeMs: HOUR })
      try {
        const start = await single<string>(`SELECT pg_current_wal_insert_lsn()::text AS v`)
        for (let round = 0; round < 12; round++) {
          await writeLog(20)
          await keeper.runOnce()
        }
        const written = await single<number>(`SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::float8 AS v`, [start])
        expect(written).to.be.above(200 * MB)
        // PostgreSQL keeps min_wal_size (80 MB) of old segments to reuse, and the segments since the last checkpoint.
        expect(await walOnDisk()).to.be.below(140 * MB)
      } finally {
        await keeper.stop()
      }
    })
  })
})
