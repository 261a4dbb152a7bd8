/**
 * A server process for the two-process playbook test: starts Bridgehead on DATABASE_URL with
 * PLAYBOOKS_DIR, registers `test.record@v1` (which records each call with this process's pid in
 * `test_step_runs`), and prints `ready <url>`; stops cleanly on SIGTERM.
 * Usage: node --import tsx server-process.ts <databaseUrl> <dataDir> <playbooksDir>
 */
import { z } from 'zod'
import { query } from '../../../core/db/index.ts'
import { startServer } from '../../../core/main.ts'

const [databaseUrl, dataDir, playbooksDir] = process.argv.slice(2)
if (!databaseUrl || !dataDir || !playbooksDir) {
  process.stderr.write('usage: server-process.ts <databaseUrl> <dataDir> <playbooksDir>\n')
  process.exit(2)
}

const server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl, dataDir, playbooksDir, logLevel: 'silent', jobPollIntervalMs: 50 })
server.actions.registry.register({
  id: 'test.record@v1',
  source: 'test',
  description: 'Records the call with the pid of the process that made it',
  input: z.object({ run: z.string(), step: z.string() }),
  outputs: ['pid'],
  sideEffect: true,
  async run(input) {
    await query(server.db, 'INSERT INTO test_step_runs (run_id, step_id, pid) VALUES ($1, $2, $3)', [input.run, input.step, process.pid])
    // Long enough that both processes are busy at once.
    await new Promise((resolve) => setTimeout(resolve, 10))
    return { pid: process.pid }
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
process.stdout.write(`ready ${server.url}\n`)
