// Zoom's pure parts: the meeting post, its token cache's expiry, and a playbook step that calls zoom.meeting.create@v1.
import { expect } from 'chai'
import { ActionRegistry } from '../../../core/actions/index.ts'
import type { ConnectorActionDeps } from '../../../integrations/action-deps.ts'
import { zoomActions, type ZoomActionDeps } from '../../../integrations/zoom/actions.ts'
import { formatMeetingPost, spacedMeetingId } from '../../../integrations/zoom/format.ts'
import { createZoomTokenCache } from '../../../integrations/zoom/tokens.ts'
import { formatDiagnostic, loadPlaybook } from '../../../playbooks/dsl/index.ts'
import { liveActionCatalog } from '../../../playbooks/catalog.ts'

const SEV1 = `apiVersion: bridgehead/v1
kind: Playbook
metadata: { name: sev1-bridge, title: SEV1 bridge, version: 1 }
on:
  pagerduty: { events: [incident.triggered] }
channel:
  name: "sev1-\${{ run.number }}"
steps:
  - id: bridge
    uses: zoom.meeting.create@v1
    idempotencyKey: "bridge-\${{ run.id }}"
    with: { connection: zoom, topic: "SEV1: \${{ trigger.title }}", channel_id: "\${{ run.channel }}" }
  - id: tell
    message: { text: "Bridge: {{steps.bridge.outputs.joinUrl}}" }
`

describe('Zoom connector', () => {
  describe('meeting post', () => {
    it('spaces an 11-digit meeting id as Zoom shows it and leaves short ids alone', () => {
      expect(spacedMeetingId('81234567890')).to.equal('812 3456 7890')
      expect(spacedMeetingId('8123456789')).to.equal('812 345 6789')
      expect(spacedMeetingId('123456789')).to.equal('123456789')
    })

    it('escapes asterisks in the topic so it cannot end the bold early', () => {
      expect(formatMeetingPost({ id: '1', joinUrl: 'https://zoom.us/j/1', topic: '*urgent*' }).message.split('\n')[0]).to.equal(':video_camera: **Zoom meeting started: \\*urgent\\***')
    })
  })

  describe('token cache', () => {
    const connection = { id: 'c1', credentials: { account_id: 'a', client_id: 'b', client_secret: 'c' } }

    it('keeps a token until a minute before it expires, then fetches a new one', async () => {
      let clock = 0
      let fetched = 0
      const cache = createZoomTokenCache(() => clock)
      const fetch = async () => ({ token: `t${++fetched}`, expiresInMs: 3_600_000 })
      expect(await cache.get(connection, fetch)).to.equal('t1')
      clock = 3_540_000 - 1
      expect(await cache.get(connection, fetch)).to.equal('t1')
      clock = 3_540_000
      expect(await cache.get(connection, fetch)).to.equal('t2')
    })

    it('shares one fetch between concurrent callers', async () => {
      let fetched = 0
      const cache = createZoomTokenCache(() => 0)
      const fetch = async () => ({ token: `t${++fetched}`, expiresInMs: 3_600_000 })
      expect(await Promise.all([cache.get(connection, fetch), cache.get(connection, fetch)])).to.deep.equal(['t1', 't1'])
    })

    it('fetches anew after the credentials change or the token is dropped, and forgets a failed fetch', async () => {
      let fetched = 0
      const cache = createZoomTokenCache(() => 0)
      const fetch = async () => ({ token: `t${++fetched}`, expiresInMs: 3_600_000 })
      await cache.get(connection, fetch)
      expect(await cache.get({ ...connection, credentials: { ...connection.credentials, client_secret: 'd' } }, fetch)).to.equal('t2')
      cache.drop('c1')
      expect(await cache.get(connection, fetch)).to.equal('t3')
      cache.drop('c1')
      await cache.get(connection, async () => { throw new Error('zoom down') }).catch(() => undefined)
      expect(await cache.get(connection, fetch)).to.equal('t4')
    })
  })

  it('zoom.meeting.create@v1 is callable from a playbook step: lint accepts its with: keys', () => {
    const registry = new ActionRegistry()
    for (const action of zoomActions({ ...({} as ConnectorActionDeps), tokens: createZoomTokenCache(), now: Date.now } as unknown as ZoomActionDeps)) registry.register(action)
    const result = loadPlaybook('sev1.yaml', SEV1, { catalog: liveActionCatalog(registry) })
    expect(result.diagnostics.map(formatDiagnostic)).to.deep.equal([])
    const typo = loadPlaybook('sev1.yaml', SEV1.replace('topic:', 'title:'), { catalog: liveActionCatalog(registry) })
    expect(typo.diagnostics.map(formatDiagnostic).join('\n')).to.contain('zoom.meeting.create@v1 has no input "title"')
  })

  it('zoom.meeting.create@v1 is known to the offline catalog `bridgehead playbook lint` uses', () => {
    expect(loadPlaybook('sev1.yaml', SEV1).diagnostics.map(formatDiagnostic)).to.deep.equal([])
  })
})
