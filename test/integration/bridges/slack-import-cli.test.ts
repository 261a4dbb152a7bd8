// `bridgehead import slack`: its report and exit codes, and a run killed with SIGKILL mid-way then rerun ends where an uninterrupted import ends.
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { startServer } from '../../../core/main.ts'
import { openDatabase, query } from '../../../core/db/index.ts'
import { createLogger } from '../../../core/log.ts'
import { createServerStorage, forEachBackend, type ServerStorage } from '../../helpers/server.ts'
import { generateSlackExport } from '../../../bench/lib/slack-export.ts'

const ROOT = path.resolve(import.meta.dirname, '../../..')

interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs the command from the sources; `killWhen` sees stderr as it grows and may ask for SIGKILL. */
function importCli(storage: ServerStorage, file: string, killWhen?: (stderr: string) => boolean, extra: string[] = []): Promise<CliRun> {
  return new Promise((resolve) => {
    const env = { ...process.env, DATA_DIR: storage.dataDir, LOG_LEVEL: 'silent', ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}) }
    if (!storage.databaseUrl) delete env.DATABASE_URL
    const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'import', 'slack', file, '--team', 'acme', ...extra], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => {
      stderr += d
      if (killWhen?.(stderr)) child.kill('SIGKILL')
    })
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

async function withAdmin(storage: ServerStorage): Promise<void> {
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir: storage.dataDir, databaseUrl: storage.databaseUrl, logLevel: 'silent' })
  try {
    const res = await fetch(`${server.url}/api/v4/users`, { method: 'POST', body: JSON.stringify({ username: 'importer', email: 'importer@example.com', password: 'Importer-passw0rd' }) })
    expect(res.status).to.equal(201)
  } finally {
    await server.close()
  }
}

/**
 * What the import wrote, as digests: posts, reactions, threads, followers, channel totals and read
 * positions. Posts and channels are named by their Slack identity (channel, ts; channel name):
 * their ids are derived from the team's, which differs between two servers. User ids are not.
 */
async function fingerprint(storage: ServerStorage): Promise<Record<string, string>> {
  const db = await openDatabase({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir, sharedBuffers: '32MB', log: createLogger({ level: 'silent' }) })
  const key = (p: string) => `concat_ws(':', ${p}.props->>'slack_channel', ${p}.props->>'slack_ts')`
  const digest = (rows: string, from: string) => `(SELECT count(*)::text || ':' || md5(string_agg(r, ',' ORDER BY r)) FROM (SELECT ${rows} AS r ${from}) x)`
  const imported = "SELECT DISTINCT channel_id FROM posts WHERE props->>'from_slack' = 'true'"
  try {
    const [row] = await query<Record<string, string>>(db, `SELECT
      ${digest(`concat_ws('|', ${key('p')}, p.create_at, p.update_at, p.edit_at, p.is_pinned, p.user_id, ${key('root')}, p.message, p.type, p.props::text, p.has_reactions)`,
        "FROM posts p LEFT JOIN posts root ON root.id = p.root_id WHERE p.props->>'from_slack' = 'true'")} AS posts,
      ${digest(`concat_ws('|', ${key('p')}, r.user_id, r.emoji_name, r.create_at)`, 'FROM reactions r JOIN posts p ON p.id = r.post_id')} AS reactions,
      ${digest(`concat_ws('|', ${key('p')}, t.reply_count, t.last_reply_at, t.participants::text)`, 'FROM threads t JOIN posts p ON p.id = t.post_id')} AS threads,
      ${digest(`concat_ws('|', ${key('p')}, m.user_id, m.following, m.last_viewed)`, 'FROM thread_memberships m JOIN posts p ON p.id = m.post_id')} AS followers,
      ${digest('concat_ws(\'|\', c.name, c.total_msg_count, c.total_msg_count_root, c.last_post_at, c.last_root_post_at)', `FROM channels c WHERE c.id IN (${imported})`)} AS channels,
      ${digest('concat_ws(\'|\', c.name, m.user_id, m.msg_count, m.msg_count_root, m.last_viewed_at)', `FROM channel_members m JOIN channels c ON c.id = m.channel_id WHERE c.id IN (${imported})`)} AS members`)
    return row!
  } finally {
    await db.close()
  }
}

describe('bridgehead import slack', function () {
  this.timeout(300_000)

  forEachBackend((backend) => {
    let dir: string
    let file: string
    const storages: ServerStorage[] = []

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'bh-slack-resume-'))
      file = path.join(dir, 'export.zip')
      await generateSlackExport(file, { users: 40, channels: 6, messages: 4_000, seed: 11 })
    })
    after(async () => {
      for (const s of storages) await s.remove()
      await rm(dir, { recursive: true, force: true })
    })

    it('ends in the state of an uninterrupted import when rerun after kill -9 mid-way', async () => {
      const interrupted = await createServerStorage(backend)
      const clean = await createServerStorage(backend)
      storages.push(interrupted, clean)
      await withAdmin(interrupted)
      await withAdmin(clean)

      // The first progress line comes after the first batch is written: kill while the rest is in flight.
      const killed = await importCli(interrupted, file, (stderr) => / [1-9][\d,]* messages/.test(stderr))
      expect(killed.signal, killed.stderr).to.equal('SIGKILL')
      const partial = await fingerprint(interrupted)

      const resumed = await importCli(interrupted, file)
      expect(resumed.code, resumed.stderr).to.equal(0)
      const whole = await importCli(clean, file)
      expect(whole.code, whole.stderr).to.equal(0)

      const expected = await fingerprint(clean)
      expect(partial.posts, 'the kill came after the import had finished').not.to.equal(expected.posts)
      expect(await fingerprint(interrupted)).to.deep.equal(expected)
    })

    it('writes the report as JSON with --report and exits 1 naming the problem for a corrupt archive', async () => {
      const storage = await createServerStorage(backend)
      storages.push(storage)
      await withAdmin(storage)
      const reportFile = path.join(dir, `report-${backend}.json`)
      const ok = await importCli(storage, file, undefined, ['--report', reportFile])
      expect(ok.code, ok.stderr).to.equal(0)
      expect(ok.stdout).to.match(/^Slack import into team "acme" took [\d.]+ s\nImported: 40 users, 6 channels, 4000 posts, \d+ reactions/)
      // Not a terminal: progress comes as plain lines, with counts, rate and ETA.
      expect(ok.stderr).to.match(/^\d+% [\d,]+ messages, [\d,]+\/s, ETA /m)
      const report = JSON.parse(await readFile(reportFile, 'utf8'))
      expect(report.counts).to.include({ posts: 4_000, channels: 6, users: 40 })
      expect(report.duration_ms).to.be.a('number')

      const corrupt = path.join(dir, 'corrupt.zip')
      await writeFile(corrupt, 'not a zip at all')
      const bad = await importCli(storage, corrupt)
      expect(bad.code).to.equal(1)
      expect(bad.stderr).to.include('Import failed: archive: cannot open the export as a zip')
    })
  })
})
