/**
 * Does autovacuum's work on the embedded database. PGlite runs PostgreSQL in single-user mode, where no
 * autovacuum launcher runs, so without this:
 * - every UPDATE and DELETE leaves its old row version behind for good (a job is written three times, a
 *   channel's row and its members' once per post), and the tables and their indexes only grow;
 * - the planner's statistics stay as they were at the first query: it then takes every word for rare,
 *   and a search for a common word collects and sorts every match (seconds at a million posts) instead
 *   of walking the newest posts (milliseconds).
 *
 * The thresholds are autovacuum's defaults. VACUUM reads the activity counters (dead and inserted rows
 * since the last vacuum); PGlite starts them at zero at every open, as PostgreSQL does after a crash.
 * ANALYZE goes by growth in pages, which survives a restart: a table is analysed when its size on
 * disk exceeds the size recorded at its last ANALYZE or VACUUM (pg_class.relpages) by 10% and 8 pages.
 * Updates that do not grow a table do not count; the values the planner needs most (word frequencies,
 * rows per channel) come with growth. A table due for both gets `VACUUM (ANALYZE)`: a plain VACUUM
 * would record its new size and hide the growth.
 *
 * Between two tables a pass pauses as long as the last one took: the embedded database has one
 * connection, and a job poll or a request sends several statements in a row, each of which would
 * otherwise queue behind the next table's VACUUM, so the pass held them all until it ended. Measured
 * with bench:playbooks on PGlite after a storm of runs (2026-11-27, a slow day): a pass of ten tables,
 * 11-448 ms each and 2.2 s in all, made every reminder due during it 2.2 s late. With the pauses the
 * pass takes up to half of the database's time, and work waits for one VACUUM at most.
 */
import type { Database } from './open-database.ts'
import { query } from './sql.ts'
import { runPeriodically, type PeriodicTask } from './periodic.ts'
import type { Logger } from '../log.ts'

export interface AutovacuumPass {
  /** Tables vacuumed, in name order. */
  vacuumed: string[]
  /** Tables analysed, in name order. */
  analysed: string[]
}

/** How often a pass looks for tables to vacuum or analyse: autovacuum_naptime's default. */
export const DEFAULT_AUTOVACUUM_INTERVAL_MS = 60_000

// autovacuum_vacuum_threshold / _scale_factor and autovacuum_vacuum_insert_threshold / _scale_factor.
const DEAD_BASE = 50
const INSERT_BASE = 1000
const SCALE = 0.2
const GROWTH = 1.1
const MIN_PAGES = 8

export function keepEmbeddedAutovacuum(db: Pick<Database, 'pool'>, log: Logger, intervalMs = DEFAULT_AUTOVACUUM_INTERVAL_MS): PeriodicTask<AutovacuumPass> {
  let stopping = false
  /** Ends the pause in progress early (stop). */
  let endPause = () => {}
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      endPause = resolve
      setTimeout(resolve, ms).unref()
    })

  async function runOnce(): Promise<AutovacuumPass> {
    // The backend publishes its counters at most once a second; this makes the next statement see them all.
    await query(db, 'SELECT pg_stat_force_next_flush()')
    const due = await query<{ name: string; vacuum: boolean; analysis: boolean }>(
      db,
      `SELECT name, vacuum, analysis FROM (
         SELECT c.relname AS name,
           COALESCE(s.n_dead_tup > ${DEAD_BASE} + ${SCALE} * GREATEST(c.reltuples, 0)
             OR s.n_ins_since_vacuum > ${INSERT_BASE} + ${SCALE} * GREATEST(c.reltuples, 0), false) AS vacuum,
           pg_relation_size(c.oid) / current_setting('block_size')::int > GREATEST(c.relpages, 0) * ${GROWTH} + ${MIN_PAGES} AS analysis
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
         WHERE n.nspname = current_schema() AND c.relkind = 'r'
       ) t
       WHERE vacuum OR analysis
       ORDER BY name`,
    )
    const done: typeof due = []
    for (const table of due) {
      if (stopping) break
      const command = table.vacuum ? (table.analysis ? 'VACUUM (ANALYZE)' : 'VACUUM') : 'ANALYZE'
      const started = performance.now()
      await query(db, `${command} "${table.name.replace(/"/g, '""')}"`)
      const ms = performance.now() - started
      log.debug({ table: table.name, command, ms: Math.round(ms) }, 'table maintained')
      done.push(table)
      if (table !== due.at(-1)) await pause(ms)
    }
    return { vacuumed: done.filter((t) => t.vacuum).map((t) => t.name), analysed: done.filter((t) => t.analysis).map((t) => t.name) }
  }
  const task = runPeriodically(runOnce, intervalMs, log, 'could not vacuum or analyse the embedded database')
  return {
    runOnce: task.runOnce,
    // A pass in progress ends after its current table: the rest are due again at the next open.
    async stop() {
      stopping = true
      endPause()
      await task.stop()
    },
  }
}
