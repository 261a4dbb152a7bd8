/**
 * A server process for the two-process jobs test: starts Bridgehead on DATABASE_URL, registers
 * `test.exactly-once` (which records each run in `test_job_runs`), prints `ready`, and stops
 * cleanly on SIGTERM. Usage: node --import tsx worker-process.ts <databaseUrl> <dataDir>
 */
import { query } from '../../../core/db/index.ts'
import { startServer } from '../../../core/main.ts'

const [databaseUrl, dataDir] = process.argv.slice(2)
if (!databaseUrl || !dataDir) {
  process.stderr.write('usage: worker-process.ts <databaseUrl> <dataDir>\n')
  process.exit(2)
}

const server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl, dataDir, logLevel: 'silent', jobPollIntervalMs: 50 })
server.jobs.register({
  id: 'test.exactly-once',
  handler: async (job) => {
    await query(server.db, 'INSERT INTO test_job_runs (job_id, pid) VALUES ($1, $2)', [job.id, process.pid])
    // Long enough that both processes are busy at once.
    await new Promise((resolve) => setTimeout(resolve, 20))
  },
})
process.once('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`close failed: ${String(err)}\n`)
      process.exit(1)
    },
  )
})
process.stdout.write('ready\n')
