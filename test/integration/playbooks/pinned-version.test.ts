/**
 * A run pins the playbook version it started with: editing the file changes the runs started after
 * the edit, not the runs under way, also once a restarted server reads them back. Each pinned version
 * is stored once, however many runs pin it.
 */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { forEachBackend, useServerStorage, type TestServer } from '../../helpers/server.ts'
import { makeTeamWithMembers, type TeamWorld } from '../../helpers/factories.ts'
import { eventually } from '../../helpers/eventually.ts'
import { DEFAULT_MIGRATIONS_DIR, migrate, query } from '../../../core/db/index.ts'
import { createLogger } from '../../../core/log.ts'
import type { BridgeheadServer } from '../../../core/main.ts'
import { createRunStore } from '../../../playbooks/engine/store.ts'
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts'
import { playbookClient } from './support.ts'

const playbook = (version: number) => `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: pinned, title: Pinned, version: ${version} }
on:
  command: { name: /pinned }
roles:
  commander: { from: "\${{ trigger.actor }}" }
channel:
  name: "pinned-\${{ run.number }}"
steps:
  - id: gate
    approval: { approvers: [role:commander], timeout: 1h }
  - id: after
    message: { text: "finished by version ${version}" }
finally:
  - { id: done, uses: run.finish@v1 }
`

type Run = { id: string; channel_id: string; current_status: string; steps: { id: string; status: string }[] }

forEachBackend((backend) => {
  describe('upgrading runs that carried their own playbook copy (0018)', function () {
    this.timeout(60_000)
    let test: TestDatabase
    let before0018: string
    before(async () => {
      test = await createTestDatabase(backend, { migrated: false })
      before0018 = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-before-0018-'))
      for (const name of fs.readdirSync(DEFAULT_MIGRATIONS_DIR).filter((n) => n < '0018')) fs.copyFileSync(path.join(DEFAULT_MIGRATIONS_DIR, name), path.join(before0018, name))
    })
    after(async () => {
      await test?.cleanup()
      fs.rmSync(before0018, { recursive: true, force: true })
    })

    it('keeps the playbook of every run, storing each distinct copy once', async () => {
      const log = createLogger({ level: 'silent', destination: process.stderr })
      await migrate(test.db, log, before0018)
      const copy = (version: number) => ({ apiVersion: 'bridgehead/v1', kind: 'Playbook', metadata: { name: 'old', version }, steps: [{ id: 'a', message: { text: `v${version} — ünïcode` } }] })
      const runs = [['run-a', copy(1)], ['run-b', copy(1)], ['run-c', copy(2)]] as const
      for (const [i, [id, playbook]] of runs.entries()) {
        await query(test.db, `INSERT INTO playbook_runs (id, number, playbook_name, playbook_version, playbook, title, status, team_id, owner_id, state, create_at, update_at)
          VALUES ($1, $2::int, 'old', $3::int, $4::jsonb, 'old run', 'in_progress', 'team', 'owner', '{}'::jsonb, $5::bigint, $5::bigint)`, [id, i + 1, playbook.metadata.version, JSON.stringify(playbook), 1000 + i])
      }
      expect((await migrate(test.db, log)).applied).to.include('0018_playbook_pins.sql')
      const [pins] = await query<{ n: number }>(test.db, 'SELECT count(*)::int AS n FROM playbook_pins')
      expect(pins!.n).to.equal(2)
      const store = createRunStore(test.db)
      for (const [id, playbook] of runs) expect((await store.get(id))!.playbook, id).to.deep.equal(playbook)
    })
  })

  describe('a run pins the playbook version it started with', function () {
    this.timeout(120_000)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-pinned-'))
    const file = path.join(dir, 'pinned.yaml')
    fs.writeFileSync(file, playbook(1))
    after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const { start } = useServerStorage(backend, { jobPollIntervalMs: 100, playbooksDir: dir })

    let server: BridgeheadServer
    let world: TeamWorld
    let townSquareId: string
    const { api, getRun, command } = playbookClient<Run & { name: string }>(() => server.url, () => world.team.id, () => world.owner)

    /** Declares a run in town square and waits until its approval waits; returns its id. */
    async function declare(title: string): Promise<string> {
      await command(world.owner, townSquareId, `/pinned declare "${title}"`)
      const list = JSON.parse((await api(world.owner, `/runs?team_id=${world.team.id}&per_page=100`)).text) as { items: (Run & { name: string })[] }
      const id = list.items.find((r) => r.name === title)!.id
      await eventually(`the approval of ${title} to wait`, async () => ((await getRun(id)).steps.find((s) => s.id === 'gate')?.status === 'waiting' ? true : undefined))
      return id
    }

    async function pinCount(): Promise<number> {
      const [row] = await query<{ n: number }>(server.db, 'SELECT count(*)::int AS n FROM playbook_pins')
      return row!.n
    }

    it('finishes each run with its own version after the file changed and the server restarted, storing each version once', async () => {
      server = await start()
      world = await makeTeamWithMembers({ url: server.url } as TestServer, 0)
      townSquareId = (await world.owner.client.getChannelByName(world.team.id, 'town-square')).id
      const before1 = await declare('Started on version 1')
      const before2 = await declare('Also on version 1')
      expect(await pinCount()).to.equal(1)

      fs.writeFileSync(file, playbook(2))
      await eventually('version 2 to load', async () => {
        const list = JSON.parse((await api(world.owner, '/playbooks')).text) as { items: { id: string; version: number }[] }
        return list.items.find((p) => p.id === 'pinned')?.version === 2 ? true : undefined
      })
      const after = await declare('Started on version 2')
      expect(await pinCount()).to.equal(2)
      await server.close()

      // A new process knows no pinned playbook yet: it reads each run's from the database.
      server = await start()
      world.owner.client.setUrl(server.url)
      for (const id of [before1, before2, after]) {
        const res = await api(world.owner, `/runs/${id}/approvals/gate`, { method: 'POST', body: { decision: 'approved' } })
        expect(res.status, res.text).to.equal(200)
      }
      const finishedBy = async (id: string) => {
        const run = await eventually(`run ${id} to finish`, async () => {
          const r = await getRun(id)
          return r.current_status === 'finished' ? r : undefined
        })
        const posts = await world.owner.client.getPosts(run.channel_id, 0, 100)
        return Object.values(posts.posts).map((p) => p.message).filter((m) => m.startsWith('finished by'))
      }
      expect(await finishedBy(before1)).to.deep.equal(['finished by version 1'])
      expect(await finishedBy(before2)).to.deep.equal(['finished by version 1'])
      expect(await finishedBy(after)).to.deep.equal(['finished by version 2'])

      await declare('Version 2 after the restart')
      expect(await pinCount()).to.equal(2)
    })
  })
})
