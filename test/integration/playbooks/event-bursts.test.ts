/**
 * A burst of connector events, published at once as a busy connector delivers them: the engine
 * handles them in batches (group commit for the starts, batch jobs for channels and steps), and
 * each event must still come out as if it had arrived alone: one run per event, its own channel,
 * overview and first step, duplicates and correlated events recognised inside one batch, and an
 * event that cannot start its run failing alone.
 */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeTeamWithMembers, type TeamWorld } from '../../helpers/factories.ts'
import { rawRequest } from '../../helpers/expect-status.ts'
import { eventually } from '../../helpers/eventually.ts'
import { usePlaybookServer } from './support.ts'

const BURST = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: burst, title: Burst, version: 1 }
on:
  pagerduty: { events: [incident.triggered], if: "\${{ trigger.data.kind == 'burst' }}" }
concurrency: { key: "\${{ trigger.correlationKey }}", onDuplicate: attach }
inputs:
  title: { type: string, default: "\${{ trigger.title }}" }
channel:
  name: "burst-\${{ run.number }}"
  header: "Incident {{trigger.data.id}}"
steps:
  - id: first
    message: { text: "first step of {{trigger.id}}" }
  - id: resolved
    wait: { until: "\${{ run.status == 'resolved' }}", timeout: 1d }
hooks:
  trigger.correlated:
    - { if: "\${{ trigger.status == 'resolved' }}", set: { status: resolved } }
`

const STRICT = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: strict, title: Strict, version: 1 }
on:
  pagerduty: { events: [incident.triggered], if: "\${{ trigger.data.kind == 'strict' }}" }
inputs:
  service: { type: choice, options: [api, web], default: "\${{ trigger.data.service }}" }
channel:
  name: "strict-\${{ run.number }}"
steps:
  - id: first
    message: { text: "strict first step of {{trigger.id}}" }
`

// The first step calls out: it is attempted in the same batch as its run's channel, before the step is recorded as started.
const calling = (receiverUrl: string) => `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: calling, title: Calling, version: 1 }
on:
  pagerduty: { events: [incident.triggered] }
channel:
  name: "calling-\${{ run.number }}"
steps:
  - id: call
    uses: http.request@v1
    with: { url: "${receiverUrl}/\${{ trigger.data.path }}", body: { incident: "\${{ trigger.id }}" } }
    retry: { max: 2, backoff: fixed, initial: 1s, on: [5xx] }
  - id: after
    message: { text: "after the call of {{trigger.id}}" }
`

type Run = { id: string; number: number; name: string; playbook_id: string; channel_id: string; current_status: string; steps: { id: string; status: string }[] }

forEachBackend((backend) => {
  describe('a burst of connector events', function () {
    this.timeout(120_000)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-bursts-'))
    fs.writeFileSync(path.join(dir, 'burst.yaml'), BURST)
    fs.writeFileSync(path.join(dir, 'strict.yaml'), STRICT)
    after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const ctx = useTestServer(backend, { jobPollIntervalMs: 100, playbooksDir: dir })
    let world: TeamWorld

    before(async () => {
      world = await makeTeamWithMembers(ctx.server, 0)
    })

    const api = (route: string) => rawRequest(ctx.server.url, `/plugins/playbooks/api/v0${route}`, { token: world.owner.token } as never)
    const runsOf = async (playbook: string) =>
      (JSON.parse((await api(`/runs?team_id=${world.team.id}&per_page=100`)).text) as { items: Run[] }).items.filter((r) => r.playbook_id === playbook)
    const publish = (event: Record<string, unknown>) =>
      ctx.server.bus.publish({ type: 'integration.event', payload: { teamId: world.team.id, connectionId: 'c1', event: { occurredAt: Date.now(), ...event } } })
    const incident = (id: string, key: string, data: Record<string, unknown>, status = 'triggered') => ({
      source: 'pagerduty', type: `pagerduty.incident.${status}`, vendorEvent: `incident.${status}`, id, correlationKey: key, title: `Incident ${id}`, status, data,
    })
    const messages = async (channelId: string) => Object.values((await world.owner.client.getPosts(channelId, 0, 100)).posts).map((p) => p.message)

    it('starts one run per event, each with its own channel, header, overview and first step', async () => {
      const n = 60
      await Promise.all(Array.from({ length: n }, (_, i) => publish(incident(`b-${i}`, `KEY-${i}`, { kind: 'burst', id: `P${i}` }))))
      const runs = await eventually('every first step', async () => {
        const all = await runsOf('burst')
        return all.length === n && all.every((r) => r.steps.find((s) => s.id === 'first')?.status === 'succeeded') ? all : undefined
      }, 60_000)
      expect(new Set(runs.map((r) => r.number)).size).to.equal(n)
      expect(new Set(runs.map((r) => r.channel_id)).size).to.equal(n)
      for (const run of runs.slice(0, 5)) {
        const channel = await world.owner.client.getChannel(run.channel_id)
        expect(channel.name).to.equal(`burst-${run.number}`)
        const id = /^Incident b-(\d+)$/.exec(run.name)![1]
        expect(channel.header).to.equal(`Incident P${id}`)
        const said = await messages(run.channel_id)
        expect(said.filter((m) => m.startsWith('#### Incident'))).to.have.length(1)
        expect(said).to.include(`first step of b-${id}`)
      }
    })

    it('starts the run of an event whose id and title were cut inside an emoji, the lone half shown as U+FFFD', async () => {
      const half = '\ud83d' // the first half of 🔥, as a vendor's truncated title ends
      await publish(incident(`cut-${half}`, `KEY-cut-${half}`, { kind: 'burst', id: `PX${half}` }))
      const run = await eventually('the run past its first step', async () => {
        const r = (await runsOf('burst')).find((x) => x.name.startsWith('Incident cut-'))
        return r?.steps.find((s) => s.id === 'first')?.status === 'succeeded' ? r : undefined
      })
      expect(run.name).to.equal('Incident cut-\ufffd')
      expect(await messages(run.channel_id)).to.include('first step of cut-\ufffd')
    })

    it('starts one run for an event delivered twice within one burst', async () => {
      const before = (await runsOf('burst')).length
      await Promise.all([1, 2, 3].map(() => publish(incident('twice', 'KEY-twice', { kind: 'burst', id: 'PT' }))))
      await eventually('the run', async () => ((await runsOf('burst')).length > before ? true : undefined))
      await new Promise((r) => setTimeout(r, 500))
      expect((await runsOf('burst')).filter((r) => r.name === 'Incident twice')).to.have.length(1)
    })

    it('attaches a later event of the same burst with the same correlation key to the run the earlier one started', async () => {
      await Promise.all([
        publish(incident('c-trig', 'KEY-corr', { kind: 'burst', id: 'PC' })),
        publish(incident('c-res', 'KEY-corr', { kind: 'burst', id: 'PC' }, 'resolved')),
      ])
      const run = await eventually('the resolved run', async () => {
        const r = (await runsOf('burst')).find((x) => x.name === 'Incident c-trig')
        return r?.current_status === 'resolved' ? r : undefined
      })
      expect((await runsOf('burst')).filter((r) => r.name.startsWith('Incident c-'))).to.deep.equal([run])
    })

    it('lets an event whose run cannot start fail alone: the others of its burst start', async () => {
      await Promise.all([
        publish(incident('s-ok-1', 'KEY-s1', { kind: 'strict', service: 'api' })),
        publish(incident('s-bad', 'KEY-s2', { kind: 'strict', service: 'mainframe' })),
        publish(incident('s-ok-2', 'KEY-s3', { kind: 'strict', service: 'web' })),
      ])
      const runs = await eventually('two strict runs', async () => {
        const all = await runsOf('strict')
        return all.length >= 2 && all.every((r) => r.steps.find((s) => s.id === 'first')?.status === 'succeeded') ? all : undefined
      })
      await new Promise((r) => setTimeout(r, 500))
      expect((await runsOf('strict')).map((r) => r.name).sort()).to.deep.equal(['Incident s-ok-1', 'Incident s-ok-2'])
      expect(runs).to.have.length(2)
    })
  })

  describe('first steps attempted with their run channel', function () {
    this.timeout(120_000)
    const ctx = usePlaybookServer(backend, (url) => ({ 'calling.yaml': calling(url) }))
    let world: TeamWorld

    before(async () => {
      world = await makeTeamWithMembers(ctx.server, 0)
    })

    const runsOf = async () =>
      (JSON.parse((await rawRequest(ctx.server.url, `/plugins/playbooks/api/v0/runs?team_id=${world.team.id}&per_page=100`, { token: world.owner.token } as never)).text) as { items: (Run & { steps: { id: string; status: string; attempts: number }[] })[] }).items
    const timeline = async (runId: string) =>
      (JSON.parse((await rawRequest(ctx.server.url, `/plugins/playbooks/api/v0/runs/${runId}/timeline`, { token: world.owner.token } as never)).text) as { event_type: string; summary: string }[])
    const publishAll = (ids: string[], path: string) =>
      Promise.all(ids.map((id) => ctx.server.bus.publish({
        type: 'integration.event',
        payload: { teamId: world.team.id, connectionId: 'c1', event: { source: 'pagerduty', type: 'pagerduty.incident.triggered', vendorEvent: 'incident.triggered', id, correlationKey: id, occurredAt: Date.now(), title: `Incident ${id}`, data: { path } } },
      })))

    it('retries a first step that fails as its policy says: one more call with the same idempotency key, then the next step', async () => {
      const calls = new Map<string, number>()
      ctx.receiver().answer('/flaky', (req) => {
        const incident = (JSON.parse(req.body) as { incident: string }).incident
        calls.set(incident, (calls.get(incident) ?? 0) + 1)
        return calls.get(incident) === 1 ? { status: 503, body: 'busy' } : { body: { ok: true } }
      })
      const ids = Array.from({ length: 8 }, (_, i) => `flaky-${i}`)
      await publishAll(ids, 'flaky')
      const runs = await eventually('every run past its call', async () => {
        const all = (await runsOf()).filter((r) => r.name.startsWith('Incident flaky-'))
        return all.length === ids.length && all.every((r) => r.steps.find((s) => s.id === 'after')?.status === 'succeeded') ? all : undefined
      }, 60_000)
      for (const run of runs) expect(run.steps.find((s) => s.id === 'call')).to.include({ status: 'succeeded', attempts: 2 })
      const sent = ctx.receiver().received.filter((r) => r.url === '/flaky')
      expect(sent).to.have.length(ids.length * 2)
      for (const id of ids) {
        const mine = sent.filter((r) => (JSON.parse(r.body) as { incident: string }).incident === id)
        expect(new Set(mine.map((r) => r.headers['idempotency-key'])).size, id).to.equal(1)
      }
      const types = (await timeline(runs[0]!.id)).map((e) => e.event_type)
      expect(types.filter((t) => t === 'step_started')).to.have.length(2)
      expect(types.indexOf('participants_changed')).to.be.lessThan(types.indexOf('step_retry'))
      expect(types.indexOf('step_retry')).to.be.lessThan(types.indexOf('step_succeeded'))
    })

    it('records a first step that fails for good once, and shows the failure in the run channel', async () => {
      ctx.receiver().answer('/broken', { status: 400, body: 'no such incident' })
      await publishAll(['broken-1', 'broken-2'], 'broken')
      const runs = await eventually('both calls failed', async () => {
        const all = (await runsOf()).filter((r) => r.name.startsWith('Incident broken-'))
        return all.length === 2 && all.every((r) => r.steps.find((s) => s.id === 'call')?.status === 'failed') ? all : undefined
      }, 60_000)
      expect(ctx.receiver().received.filter((r) => r.url === '/broken')).to.have.length(2)
      for (const run of runs) {
        expect(run.steps.find((s) => s.id === 'call')).to.include({ attempts: 1 })
        const said = await eventually('the failure post', async () => {
          const messages = Object.values((await world.owner.client.getPosts(run.channel_id, 0, 100)).posts).map((p) => p.message)
          return messages.some((m) => m.startsWith(':warning: Step')) ? messages : undefined
        })
        expect(said.filter((m) => m.startsWith(':warning: Step'))).to.have.length(1)
        const failed = (await timeline(run.id)).filter((e) => e.event_type === 'step_failed').map((e) => e.summary)
        // The call once; the step after it is cancelled because of it.
        expect(failed).to.have.length(2)
        expect(failed[0]).to.match(/^call: failed \(POST .* answered 400/)
        expect(failed[1]).to.match(/^after: cancelled/)
      }
    })
  })
})
