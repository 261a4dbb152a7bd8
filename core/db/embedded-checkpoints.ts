/**
 * Does the checkpointer's work on the embedded database. PGlite runs PostgreSQL in single-user mode, where
 * no checkpointer runs and the backend never checkpoints on its own: until the server closes, every byte
 * of write-ahead log stays in `pg_wal` (measured: 337 MB of it after writing 300 MB of rows; a playbook
 * run writes about 17 KB), and a killed server replays all of it when it starts again (1.4 s for 369 MB).
 * After a checkpoint PostgreSQL recycles the older segments and recovery starts from there.
 *
 * As PostgreSQL's checkpoint_timeout and max_wal_size do: a checkpoint once `maxWalBytes` of log were
 * written since the last one, or once it is `maxAgeMs` old and the log moved on (by more than a quiet
 * server's trickle). It writes the dirty pages of the page cache (at most its 32 MB) while the one
 * connection waits.
 */
import type { Database } from './open-database.ts'
import { query } from './sql.ts'
import { runPeriodically, type PeriodicTask } from './periodic.ts'
import type { Logger } from '../log.ts'

export interface CheckpointPolicy {
  intervalMs: number
  maxWalBytes: number
  maxAgeMs: number
}

export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = { intervalMs: 30_000, maxWalBytes: 256 * 1024 * 1024, maxAgeMs: 5 * 60_000 }

// Log written since the last checkpoint below which its age alone does not call for one.
const QUIET_WAL_BYTES = 1024 * 1024

/** `runOnce` resolves to whether it checkpointed. */
export function keepEmbeddedCheckpoints(db: Pick<Database, 'pool'>, log: Logger, policy: CheckpointPolicy = DEFAULT_CHECKPOINT_POLICY): PeriodicTask<boolean> {
  async function runOnce(): Promise<boolean> {
    const [since] = await query<{ wal: number; age_ms: number }>(
      db,
      `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::float8 AS wal,
              (extract(epoch FROM clock_timestamp() - checkpoint_time) * 1000)::float8 AS age_ms
       FROM pg_control_checkpoint()`,
    )
    const { wal, age_ms: ageMs } = since!
    if (wal < policy.maxWalBytes && (ageMs < policy.maxAgeMs || wal < QUIET_WAL_BYTES)) return false
    const started = performance.now()
    await query(db, 'CHECKPOINT')
    log.debug({ walMb: Math.round(wal / 1048576), ms: Math.round(performance.now() - started) }, 'checkpoint')
    return true
  }
  return runPeriodically(runOnce, policy.intervalMs, log, 'could not checkpoint the embedded database')
}
