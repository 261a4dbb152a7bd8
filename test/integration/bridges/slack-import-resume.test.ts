// `bridgehead import slack` killed with SIGKILL mid-way and run again ends where an uninterrupted import ends.
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
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
function importCli(storage: ServerStorage, file: string, killWhen?: (stderr: string) => boolean): Promise<CliRun> {
  return new Promise((resolve) => {
    const env = { ...process.env, DATA_DIR: storage.dataDir, LOG_LEVEL: 'silent', ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}) }
    if (!storage.databaseUrl) delete env.DATABASE_URL
    const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'import', 'slack', file, '--team', 'acme'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
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

/** What the import wrote, as digests: posts, reactions, threads, followers, channel totals and read positions. */
async function fingerprint(storage: ServerStorage): Promise<Record<string, string>> {
  const db = await openDatabase({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir, sharedBuffers: '32MB', log: createLogger({ level: 'silent' }) })
  try {
    const imported = "SELECT DISTINCT channel_id FROM posts WHERE props->>'from_slack' = 'true'"
    const [row] = await query<Record<string, string>>(db, `SELECT
      (SELECT count(*)::text || ':' || md5(string_agg(concat_ws('|', id, create_at, update_at, edit_at, is_pinned, user_id, channel_id, root_id, message, type, props::text, has_reactions, file_ids::text), ',' ORDER BY id)) FROM posts) AS posts,
      (SELECT count(*)::text || ':' || md5(string_agg(concat_ws('|', post_id, user_id, emoji_name, create_at), ',' ORDER BY post_id, user_id, emoji_name)) FROM reactions) AS reactions,
      (SELECT count(*)::text || ':' || md5(string_agg(concat_ws('|', post_id, reply_count, last_reply_at, participants::text), ',' ORDER BY post_id)) FROM threads) AS threads,
      (SELECT count(*)::text || ':' || md5(string_agg(concat_ws('|', post_id, user_id, following, last_viewed), ',' ORDER BY post_id, user_id)) FROM thread_memberships) AS followers,
      (SELECT md5(string_agg(concat_ws('|', id, name, total_msg_count, total_msg_count_root, last_post_at, last_root_post_at), ',' ORDER BY id)) FROM channels WHERE id IN (${imported})) AS channels,
      (SELECT count(*)::text || ':' || md5(string_agg(concat_ws('|', channel_id, user_id, msg_count, msg_count_root, last_viewed_at), ',' ORDER BY channel_id, user_id)) FROM channel_members WHERE channel_id IN (${imported})) AS members`)
    return row!
  } finally {
    await db.close()
  }
}

describe('slack import, killed and resumed', function () {
  this.timeout(300_000)

  forEachBackend((backend) => {
    let dir: string
    let file: string
    const storages: ServerStorage[] = []

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'bh-slack-resume-'))
      file = path.join(dir, 'export.zip')
      await generateSlackExport(file, { users: 40, channels: 6, messages: 36_000, seed: 11 })
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
  })
})
