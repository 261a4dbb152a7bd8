/**
 * Keeps the planner's statistics fresh on the embedded database. PostgreSQL's autovacuum launcher
 * re-ANALYZEs a table after about 10% of it changed; PGlite runs PostgreSQL in single-user mode with
 * no launcher, so without this the statistics stay as they were at the first query: the planner
 * then takes every word for rare, and a search for a common word collects and sorts every match
 * (seconds at a million posts) instead of walking the newest posts (milliseconds).
 *
 * PGlite does not keep the row counters autovacuum reads (pg_stat_user_tables stays at zero), so
 * growth is measured in pages: a table is analysed when its size on disk exceeds the size recorded
 * at its last ANALYZE (pg_class.relpages) by 10% and 8 pages. Updates that do not grow a table do
 * not count; the values the planner needs most (word frequencies, rows per channel) come with growth.
 */
import { query, type Database } from './index.ts'
import type { Logger } from '../log.ts'

export interface StatisticsKeeper {
  /** Analyses the tables that grew enough; returns their names. */
  runOnce(): Promise<string[]>
  stop(): void
}

const GROWTH = 1.1
const MIN_PAGES = 8

export function keepEmbeddedStatistics(db: Database, log: Logger, intervalMs: number): StatisticsKeeper {
  let running: Promise<string[]> | undefined
  async function runOnce(): Promise<string[]> {
    const grown = await query<{ name: string }>(
      db,
      `SELECT c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind = 'r'
         AND pg_relation_size(c.oid) / current_setting('block_size')::int > GREATEST(c.relpages, 0) * ${GROWTH} + ${MIN_PAGES}
       ORDER BY c.relname`,
    )
    for (const { name } of grown) {
      const started = performance.now()
      await query(db, `ANALYZE "${name.replace(/"/g, '""')}"`)
      log.debug({ table: name, ms: Math.round(performance.now() - started) }, 'statistics refreshed')
    }
    return grown.map((g) => g.name)
  }
  const timer = setInterval(() => {
    running ??= runOnce()
      .catch((err: unknown) => {
        log.warn({ err }, 'could not refresh the planner statistics')
        return []
      })
      .finally(() => {
        running = undefined
      })
  }, intervalMs)
  timer.unref()
  return {
    runOnce,
    stop: () => clearInterval(timer),
  }
}
