// Grafana unified alerting webhooks: HMAC with and without timestamp (connectors spec §2.1 vectors), basic/bearer
// fallback, one event per alert correlated by group key, dedupe of repeated notifications.
import { expect } from 'chai'
import { createConnectorRegistry, createGrafanaConnector } from '../../../integrations/index.ts'
import { bytes, eventsOf, fixtureBytes, fixtureJson, hmacHex, invalidMessage } from './fixture.ts'

const grafana = createConnectorRegistry().get('grafana')!
const SECRET = 'bridgehead-grafana-test-secret'
const VECTOR_BODY = '{"receiver":"bridgehead","status":"firing","version":"1","alerts":[]}'
const VECTOR_SIG = '11508f2fc6c08aa3e0b39a9f0fb574ef9b564ce3673b69866eb02de1e050a8c3'
const VECTOR_TS = '1700000000'
const VECTOR_TS_SIG = '2cb3415530a0c784f6cc8acd0d93e17d86be79376d45cde33a39193561e4a3ba'
const at = (seconds: number) => createGrafanaConnector({ now: () => seconds * 1000 })

describe('Grafana alerting webhooks', () => {
  describe('signature', () => {
    it('accepts the spec vector signed over the body alone', async () => {
      const headers = { 'x-grafana-alerting-signature': VECTOR_SIG }
      expect(await grafana.verify({ rawBody: bytes(VECTOR_BODY), headers }, [SECRET])).to.deep.equal({ ok: true })
    })

    it('accepts the spec vector signed over timestamp:body while the timestamp is fresh', async () => {
      const headers = { 'X-Grafana-Alerting-Signature': VECTOR_TS_SIG, 'X-Grafana-Alerting-Signature-Timestamp': VECTOR_TS }
      expect(await at(1700000000 + 299).verify({ rawBody: bytes(VECTOR_BODY), headers }, [SECRET])).to.deep.equal({ ok: true })
    })

    it('rejects a replay whose timestamp is more than five minutes old', async () => {
      const headers = { 'x-grafana-alerting-signature': VECTOR_TS_SIG, 'x-grafana-alerting-signature-timestamp': VECTOR_TS }
      const result = await at(1700000000 + 301).verify({ rawBody: bytes(VECTOR_BODY), headers }, [SECRET])
      expect(result).to.deep.equal({ ok: false, reason: 'X-Grafana-Alerting-Signature-Timestamp is 301 s away from now' })
    })

    it('rejects a timestamp more than five minutes in the future', async () => {
      const headers = { 'x-grafana-alerting-signature': VECTOR_TS_SIG, 'x-grafana-alerting-signature-timestamp': VECTOR_TS }
      expect((await at(1700000000 - 400).verify({ rawBody: bytes(VECTOR_BODY), headers }, [SECRET])).ok).to.equal(false)
    })

    it('rejects a timestamp changed after signing', async () => {
      const headers = { 'x-grafana-alerting-signature': VECTOR_TS_SIG, 'x-grafana-alerting-signature-timestamp': '1700000001' }
      expect(await at(1700000000).verify({ rawBody: bytes(VECTOR_BODY), headers }, [SECRET])).to.deep.equal({ ok: false, reason: 'signature does not match' })
    })

    it('rejects a body altered after signing', async () => {
      const headers = { 'x-grafana-alerting-signature': VECTOR_SIG }
      const altered = bytes(VECTOR_BODY.replace('firing', 'resolved'))
      expect(await grafana.verify({ rawBody: altered, headers }, [SECRET])).to.deep.equal({ ok: false, reason: 'signature does not match' })
    })

    it('accepts a delivery signed with either of two secrets during rotation', async () => {
      const headers = { 'x-grafana-alerting-signature': VECTOR_SIG }
      expect(await grafana.verify({ rawBody: bytes(VECTOR_BODY), headers }, ['a-new-secret', SECRET])).to.deep.equal({ ok: true })
      expect(await grafana.verify({ rawBody: bytes(VECTOR_BODY), headers }, ['a-new-secret'])).to.deep.equal({ ok: false, reason: 'signature does not match' })
    })

    it('refuses an untimestamped signature when the connection requires timestamps', async () => {
      const strict = createGrafanaConnector({ requireTimestamp: true })
      const headers = { 'x-grafana-alerting-signature': VECTOR_SIG }
      expect(await strict.verify({ rawBody: bytes(VECTOR_BODY), headers }, [SECRET])).to.deep.equal({ ok: false, reason: 'missing X-Grafana-Alerting-Signature-Timestamp header' })
    })

    it('accepts the contact point basic auth credentials when nothing is signed', async () => {
      const headers = { authorization: `Basic ${Buffer.from('grafana:s3cret-pass').toString('base64')}` }
      expect(await grafana.verify({ rawBody: bytes(VECTOR_BODY), headers }, ['grafana:s3cret-pass'])).to.deep.equal({ ok: true })
    })

    it('rejects a delivery with neither a signature nor credentials', async () => {
      expect(await grafana.verify({ rawBody: bytes(VECTOR_BODY), headers: {} }, [SECRET])).to.deep.equal({
        ok: false,
        reason: 'missing X-Grafana-Alerting-Signature header (or Authorization credentials)',
      })
    })
  })

  describe('normalising', () => {
    it('normalises each firing alert with the group key as correlation key and its fingerprint and labels in data', () => {
      const raw = fixtureJson('grafana', 'alerts.firing.json')
      const events = eventsOf(grafana.parse(fixtureBytes('grafana', 'alerts.firing.json'), {}))
      expect(events).to.have.length(2)
      const first = events[0]!
      expect(first.id).to.match(/^[0-9a-f]{32}:c6eadffa33fcdf37$/)
      expect({ ...first, id: '' }).to.deep.equal({
        source: 'grafana',
        type: 'grafana.alert.firing',
        vendorEvent: 'alert.firing',
        id: '',
        correlationKey: '{}:{}',
        occurredAt: Date.parse('2021-10-12T07:51:03.157Z'),
        title: 'High memory usage: This alert was triggered for zone us-1',
        severity: 'warning',
        status: 'firing',
        url: 'https://play.grafana.org/alerting/1afz29v7z/edit',
        data: { ...raw.alerts[0], groupKey: '{}:{}', groupStatus: 'firing', groupLabels: {}, commonLabels: { team: 'blue' }, receiver: 'My Super Webhook', externalURL: 'https://play.grafana.org/' },
        raw,
      })
      expect(events[1]).to.deep.include({ correlationKey: '{}:{}', title: 'High CPU usage: This alert was triggered for zone eu-1' })
      expect((events[1]!.data as { fingerprint: string }).fingerprint).to.equal('bc97ff14869b13e3')
    })

    it('normalises a resolved alert as grafana.alert.resolved at its end time', () => {
      const [event] = eventsOf(grafana.parse(fixtureBytes('grafana', 'alerts.resolved.json'), {}))
      expect(event).to.deep.include({ type: 'grafana.alert.resolved', status: 'resolved', correlationKey: '{}:{}', occurredAt: Date.parse('2021-10-12T08:06:03.157Z') })
    })

    it('takes severity from the severity label', () => {
      const raw = fixtureJson('grafana', 'alerts.firing.json')
      raw.alerts[0].labels.severity = 'critical'
      expect(eventsOf(grafana.parse(bytes(JSON.stringify(raw)), {}))[0]!.severity).to.equal('critical')
    })

    it('ignores the legacy (pre-unified) alert format as known but unhandled', () => {
      const result = grafana.parse(fixtureBytes('grafana', 'legacy-alert.json'), {})
      expect(result).to.have.property('kind', 'ignored')
    })

    it('ignores a notification without alerts', () => {
      const raw = { ...fixtureJson('grafana', 'alerts.firing.json'), alerts: [] }
      expect(grafana.parse(bytes(JSON.stringify(raw)), {})).to.deep.equal({ kind: 'ignored', vendorEvent: 'alert.firing', reason: 'the notification holds no alerts' })
    })
  })

  describe('malformed bodies', () => {
    it('refuses an Alertmanager body by naming version', () => {
      expect(invalidMessage(grafana.parse(fixtureBytes('alertmanager', 'alerts.firing.json'), {}))).to.match(/^version: /)
    })

    it('names alerts[1].status when it is neither firing nor resolved', () => {
      const raw = fixtureJson('grafana', 'alerts.firing.json')
      raw.alerts[1].status = 'pending'
      expect(invalidMessage(grafana.parse(bytes(JSON.stringify(raw)), {}))).to.equal('alerts[1].status: Invalid option: expected one of "firing"|"resolved"')
    })

    it('names groupKey when it is missing', () => {
      const raw = fixtureJson('grafana', 'alerts.firing.json')
      delete raw.groupKey
      expect(invalidMessage(grafana.parse(bytes(JSON.stringify(raw)), {}))).to.match(/^groupKey: /)
    })
  })

  describe('dedupe', () => {
    it('gives a repeated notification of the same alerts the same key', () => {
      const rawBody = fixtureBytes('grafana', 'alerts.firing.json')
      const reordered = fixtureJson('grafana', 'alerts.firing.json')
      reordered.alerts.reverse()
      expect(grafana.dedupeKey({ rawBody, headers: {} })).to.equal(grafana.dedupeKey({ rawBody: bytes(JSON.stringify(reordered)), headers: {} }))
    })

    it('gives the group a new key once an alert resolves', () => {
      const firing = grafana.dedupeKey({ rawBody: fixtureBytes('grafana', 'alerts.firing.json'), headers: {} })
      const resolved = grafana.dedupeKey({ rawBody: fixtureBytes('grafana', 'alerts.resolved.json'), headers: {} })
      expect(firing).not.to.equal(resolved)
    })

    it('uses the dedupe key as the prefix of each event id', () => {
      const rawBody = fixtureBytes('grafana', 'alerts.firing.json')
      const key = grafana.dedupeKey({ rawBody, headers: {} })
      expect(eventsOf(grafana.parse(rawBody, {})).map((e) => e.id)).to.deep.equal([`${key}:c6eadffa33fcdf37`, `${key}:bc97ff14869b13e3`])
    })
  })

  it('signs the recorded fixture as Grafana would and accepts it', async () => {
    const rawBody = fixtureBytes('grafana', 'alerts.firing.json')
    const headers = { 'x-grafana-alerting-signature': hmacHex(SECRET, rawBody) }
    expect(await grafana.verify({ rawBody, headers }, [SECRET])).to.deep.equal({ ok: true })
  })
})
