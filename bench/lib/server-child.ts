/**
 * The Bridgehead server in its own process, for the benches: `startServer` exactly as `serve` uses it,
 * plus IPC calls to read its heap after GC (run with --expose-gc) and, opt-in, profile it.
 */
import { startServer, type BridgeheadServer } from '../../core/main.ts'
import { query } from '../../core/db/index.ts'
import { memoryAfterGc, serveCalls } from './proc.ts'
import { startProfile, startQueryCount, stopProfile, stopQueryCount } from './profile.ts'

let server: BridgeheadServer | undefined

serveCalls(
  {
    async start(args: { dataDir: string; databaseUrl?: string }) {
      server = await startServer({ port: 0, host: '127.0.0.1', dataDir: args.dataDir, databaseUrl: args.databaseUrl, logLevel: 'silent' }, {})
      return { url: server.url, port: server.port, kind: server.db.kind }
    },
    /** One statement on the server's own pool (for PGlite the only way in), timed here so IPC is not counted. */
    async sql(args: { text: string; params?: unknown[] }) {
      if (!server) throw new Error('sql: the server is not started')
      const started = performance.now()
      const rows = await query(server.db, args.text, args.params ?? [])
      return { rows, ms: performance.now() - started }
    },
    mem: () => memoryAfterGc(),
    memNoGc: () => ({ ...process.memoryUsage(), gcForced: false }),
    connections: () => server?.hub.connectionCount() ?? 0,
    profileStart: () => startProfile(),
    profileStop: (args: { top?: number }) => stopProfile(args.top),
    queriesStart: () => startQueryCount(),
    queriesStop: (args: { top?: number }) => stopQueryCount(args.top),
    async close() {
      await server?.close()
      server = undefined
    },
  },
  async () => {
    await server?.close()
  },
)
