/**
 * Two server processes on one PostgreSQL database share the work of many playbook runs: every
 * step's action (a hook's too) runs exactly once, both processes take part, and every run finishes.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { openDatabase, query, type Database } from '../../../core/db/index.ts'
import { createLogger } from '../../../core/log.ts'
import { BACKENDS, createPostgresDatabase, type TestServer } from '../../helpers/server.ts'
import { makeTeamWithMembers } from '../../helpers/factories.ts'
import { rawRequest } from '../../helpers/expect-status.ts'

const SCRIPT = path.join(import.meta.dirname, 'server-process.ts')
const RUNS = 20
const STEPS = ['s1', 's2', 's3', 's4', 's5']
const log = createLogger({ level: 'silent' })

const PLAYBOOK = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: shared, title: Shared work, version: 1 }
on:
  manual: { label: Run }
channel:
  name: "shared-\${{ run.number }}"
steps:
${STEPS.map((s) => `  - id: ${s}\n    uses: test.record@v1\n    idempotencyKey: "\${{ run.id }}-${s}"\n    with: { run: "\${{ run.id }}", step: ${s} }`).join('\n')}
  - id: said
    message: { text: "all steps recorded for run {{run.number}}" }
finally:
  - { id: done, uses: run.finish@v1 }
hooks:
  run.finished:
    - { id: hooked, uses: test.record@v1, idempotencyKey: "\${{ run.id }}-hooked", with: { run: "\${{ run.id }}", step: hooked } }
`

function startProcess(databaseUrl: string, dataDir: string, playbooksDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, databaseUrl, dataDir, playbooksDir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server process not ready after 60 s: ${stderr}`)), 60_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /ready (\S+)/.exec(chunk.toString())
      if (m) {
        clearTimeout(timer)
        resolve({ child, url: m[1]! })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server process exited with ${code} before it was ready: ${stderr}`))
    })
  })
}

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.kill('SIGTERM')
  })
}

;(BACKENDS.includes('postgres') ? describe : describe.skip)('playbook runs with two server processes on one PostgreSQL database', function () {
  this.timeout(180_000)
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>
  let db: Database
  let dataDir: string
  let playbooksDir: string
  const processes: { child: ChildProcess; url: string }[] = []

  before(async () => {
    database = await createPostgresDatabase()
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-pb-two-'))
    playbooksDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-pb-dir-'))
    processes.push(...(await Promise.all([startProcess(database.url, path.join(dataDir, 'a'), playbooksDir), startProcess(database.url, path.join(dataDir, 'b'), playbooksDir)])))
    db = await openDatabase({ databaseUrl: database.url, dataDir, sharedBuffers: '32MB', log })
    await query(db, 'CREATE TABLE test_step_runs (run_id varchar(26) NOT NULL, step_id varchar(64) NOT NULL, pid integer NOT NULL)')
    // Written after start: each process reloads it and lints it against its own registry, which has test.record@v1.
    await fs.writeFile(path.join(playbooksDir, 'shared.yaml'), PLAYBOOK)
  })

  after(async () => {
    const codes = await Promise.all(processes.map((p) => stop(p.child)))
    await db?.close()
    await database?.drop()
    await fs.rm(dataDir, { recursive: true, force: true })
    await fs.rm(playbooksDir, { recursive: true, force: true })
    expect(codes, 'exit codes after SIGTERM').to.deep.equal([0, 0])
  })

  it(`runs every step of ${RUNS} runs exactly once, with both processes taking part, and finishes them all`, async () => {
    const world = await makeTeamWithMembers({ url: processes[0]!.url } as TestServer, 0)
    const token = world.owner.token
    for (const p of processes) {
      for (let i = 0; i < 100; i++) {
        const list = JSON.parse((await rawRequest(p.url, '/plugins/playbooks/api/v0/playbooks', { token })).text) as { items: { id: string }[] }
        if (list.items.some((e) => e.id === 'shared')) break
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    const ids: string[] = []
    for (let i = 0; i < RUNS; i++) {
      const res = await rawRequest(processes[i % 2]!.url, '/plugins/playbooks/api/v0/runs', { token, method: 'POST', body: { playbook_id: 'shared', team_id: world.team.id, name: `run ${i}` } })
      expect(res.status, res.text).to.equal(201)
      ids.push((JSON.parse(res.text) as { id: string }).id)
    }
    const deadline = Date.now() + 120_000
    for (;;) {
      const [row] = await query<{ n: number }>(db, `SELECT count(*)::int AS n FROM playbook_runs WHERE status = 'finished'`)
      if (row!.n === RUNS) break
      if (Date.now() > deadline) throw new Error(`only ${row!.n} of ${RUNS} runs finished in 120 s`)
      await new Promise((r) => setTimeout(r, 200))
    }
    // The run.finished hook's step runs after the finish: wait for its success on every run.
    for (;;) {
      const [row] = await query<{ n: number }>(db, `SELECT count(*)::int AS n FROM playbook_run_timeline WHERE type = 'step_succeeded' AND step_id = 'hooks.run.finished#1/hooked'`)
      if (row!.n >= RUNS) break
      if (Date.now() > deadline) throw new Error(`the run.finished hook ran in only ${row!.n} of ${RUNS} runs in 120 s`)
      await new Promise((r) => setTimeout(r, 200))
    }
    await new Promise((r) => setTimeout(r, 500))
    const calls = await query<{ run_id: string; step_id: string; pid: number }>(db, 'SELECT run_id, step_id, pid FROM test_step_runs')
    const perStep = new Map<string, number>()
    for (const c of calls) perStep.set(`${c.run_id}:${c.step_id}`, (perStep.get(`${c.run_id}:${c.step_id}`) ?? 0) + 1)
    expect([...perStep.entries()].filter(([, n]) => n !== 1), 'steps whose action ran more than once').to.deep.equal([])
    expect(perStep.size).to.equal(RUNS * (STEPS.length + 1))
    expect(new Set(calls.map((c) => c.pid)).size, 'processes that ran steps').to.equal(2)
    const posts = await query<{ n: number }>(db, `SELECT count(*)::int AS n FROM posts WHERE message LIKE 'all steps recorded for run %'`)
    expect(posts[0]!.n).to.equal(RUNS)
    const timeline = await query<{ run_id: string; n: number }>(db, `SELECT run_id, count(*)::int AS n FROM playbook_run_timeline WHERE type = 'step_succeeded' GROUP BY run_id`)
    // Five recorded steps, the message, the finish and the hook's step: eight successes per run, never one twice.
    expect(timeline.filter((t) => t.n !== STEPS.length + 3)).to.deep.equal([])
    expect(timeline).to.have.length(RUNS)
  })
})
