// Prometheus Alertmanager webhooks (version "4"): credential checks (Alertmanager does not sign), per-alert events
// correlated by group key, dedupe of repeated group notifications.
import { expect } from 'chai'
import { createConnectorRegistry } from '../../../integrations/index.ts'
import { bytes, eventsOf, fixtureBytes, fixtureJson, invalidMessage, onlyEvent } from './fixture.ts'

const alertmanager = createConnectorRegistry().get('alertmanager')!
const TOKEN = 'am-bearer-token-0123456789'
const body = fixtureBytes('alertmanager', 'alerts.firing.json')
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`

describe('Alertmanager webhooks', () => {
  describe('credentials', () => {
    it('accepts the bearer token from http_config.authorization', async () => {
      expect(await alertmanager.verify({ rawBody: body, headers: { authorization: `Bearer ${TOKEN}` } }, [TOKEN])).to.deep.equal({ ok: true })
    })

    it('accepts either of two tokens during rotation', async () => {
      expect(await alertmanager.verify({ rawBody: body, headers: { authorization: `Bearer ${TOKEN}` } }, ['the-new-token', TOKEN])).to.deep.equal({ ok: true })
    })

    it('rejects another bearer token', async () => {
      expect(await alertmanager.verify({ rawBody: body, headers: { authorization: 'Bearer guessed' } }, [TOKEN])).to.deep.equal({ ok: false, reason: 'bearer token does not match' })
    })

    it('accepts http_config.basic_auth stored as user:password', async () => {
      expect(await alertmanager.verify({ rawBody: body, headers: { Authorization: basic('alertmanager:pa:ss') } }, ['alertmanager:pa:ss'])).to.deep.equal({ ok: true })
    })

    it('rejects basic auth with the wrong password', async () => {
      expect((await alertmanager.verify({ rawBody: body, headers: { authorization: basic('alertmanager:nope') } }, ['alertmanager:pa:ss'])).ok).to.equal(false)
    })

    it('rejects a delivery without Authorization', async () => {
      expect(await alertmanager.verify({ rawBody: body, headers: {} }, [TOKEN])).to.deep.equal({ ok: false, reason: 'missing Authorization header' })
    })

    it('rejects an unsupported scheme', async () => {
      expect(await alertmanager.verify({ rawBody: body, headers: { authorization: `Digest ${TOKEN}` } }, [TOKEN])).to.deep.equal({ ok: false, reason: 'unsupported Authorization scheme Digest' })
    })

    it('rejects every delivery when the connection has no credentials', async () => {
      expect((await alertmanager.verify({ rawBody: body, headers: { authorization: 'Bearer ' } }, [])).ok).to.equal(false)
    })
  })

  describe('normalising', () => {
    it('normalises a firing alert with the group key as correlation key and severity from its label', () => {
      const raw = fixtureJson('alertmanager', 'alerts.firing.json')
      const event = onlyEvent(alertmanager.parse(body, {}))
      expect({ ...event, id: event.id.split(':').at(-1) }).to.deep.equal({
        source: 'alertmanager',
        type: 'alertmanager.alert.firing',
        vendorEvent: 'alert.firing',
        id: '1a30ba71cca2921f',
        correlationKey: '{}/{severity="critical"}:{alertname="ProbeFailure"}',
        occurredAt: Date.parse('2023-02-06T13:08:45.828Z'),
        title: 'ProbeFailure: BlackBox Probe Failure: https://server.example.org',
        severity: 'critical',
        status: 'firing',
        url: 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1',
        data: {
          ...raw.alerts[0],
          groupKey: '{}/{severity="critical"}:{alertname="ProbeFailure"}',
          groupStatus: 'firing',
          groupLabels: { alertname: 'ProbeFailure' },
          commonLabels: raw.commonLabels,
          receiver: 'sms',
          externalURL: 'http://prometheus.example.org:9093',
        },
        raw,
      })
    })

    it('scopes the correlation key and event id to the connection it is parsed for, as two teams can share a group key', () => {
      const event = onlyEvent(alertmanager.parse(body, {}, { connectionId: 'k3x9w1' }))
      expect(event.correlationKey).to.equal('k3x9w1:{}/{severity="critical"}:{alertname="ProbeFailure"}')
      expect(event.id).to.match(/^k3x9w1:[0-9a-f]{32}:1a30ba71cca2921f$/)
    })

    it('hashes a connection\'s group key that would not fit a run\'s correlation key', () => {
      const raw = fixtureJson('alertmanager', 'alerts.firing.json')
      raw.groupKey = `{}:{instance="${'x'.repeat(600)}"}`
      expect(onlyEvent(alertmanager.parse(bytes(JSON.stringify(raw)), {}, { connectionId: 'k3x9w1' })).correlationKey).to.match(/^k3x9w1:[0-9a-f]{32}$/)
    })

    it('correlates a resolved alert by its fingerprint while its group still fires, and by the group once all resolve', () => {
      const raw = fixtureJson('alertmanager', 'alerts.firing.json')
      const other = { ...raw.alerts[0], status: 'resolved', endsAt: '2023-02-06T13:20:00Z', fingerprint: '2b41cb82ddb3a30e', labels: { ...raw.alerts[0].labels, instance: 'https://api.example.org' } }
      const partly = eventsOf(alertmanager.parse(bytes(JSON.stringify({ ...raw, alerts: [raw.alerts[0], other] })), {}, { connectionId: 'c1' }))
      expect(partly.map((e) => [e.status, e.correlationKey])).to.deep.equal([
        ['firing', 'c1:{}/{severity="critical"}:{alertname="ProbeFailure"}'],
        ['resolved', 'c1:{}/{severity="critical"}:{alertname="ProbeFailure"}#2b41cb82ddb3a30e'],
      ])
      const all = eventsOf(alertmanager.parse(fixtureBytes('alertmanager', 'alerts.resolved.json'), {}, { connectionId: 'c1' }))
      expect(all.map((e) => [e.status, e.correlationKey])).to.deep.equal([['resolved', 'c1:{}/{severity="critical"}:{alertname="ProbeFailure"}']])
    })

    it('normalises a resolved alert at its end time', () => {
      const event = onlyEvent(alertmanager.parse(fixtureBytes('alertmanager', 'alerts.resolved.json'), {}))
      expect(event).to.deep.include({ type: 'alertmanager.alert.resolved', status: 'resolved', occurredAt: Date.parse('2023-02-06T13:23:45.828Z') })
    })

    it('defaults severity to warning when the alert has no severity label', () => {
      const raw = fixtureJson('alertmanager', 'alerts.firing.json')
      delete raw.alerts[0].labels.severity
      expect(onlyEvent(alertmanager.parse(bytes(JSON.stringify(raw)), {})).severity).to.equal('warning')
    })

    it('keeps fields newer Alertmanagers add (notification_reason, routeLabels) in raw', () => {
      const raw = { ...fixtureJson('alertmanager', 'alerts.firing.json'), notification_reason: 'new_alerts', routeLabels: { team: 'db' } }
      expect(onlyEvent(alertmanager.parse(bytes(JSON.stringify(raw)), {})).raw).to.deep.include({ notification_reason: 'new_alerts' })
    })
  })

  describe('malformed bodies', () => {
    it('refuses a Grafana body by naming version', () => {
      expect(invalidMessage(alertmanager.parse(fixtureBytes('grafana', 'alerts.firing.json'), {}))).to.equal('version: Invalid input: expected "4"')
    })

    it('names alerts[0].fingerprint when it is missing', () => {
      const raw = fixtureJson('alertmanager', 'alerts.firing.json')
      delete raw.alerts[0].fingerprint
      expect(invalidMessage(alertmanager.parse(bytes(JSON.stringify(raw)), {}))).to.match(/^alerts\[0\]\.fingerprint: /)
    })

    it('names alerts[0].labels when a label value is not a string', () => {
      const raw = fixtureJson('alertmanager', 'alerts.firing.json')
      raw.alerts[0].labels.instance = 9100
      expect(invalidMessage(alertmanager.parse(bytes(JSON.stringify(raw)), {}))).to.match(/^alerts\[0\]\.labels\.instance: /)
    })

    it('says so when the body is empty', () => {
      expect(invalidMessage(alertmanager.parse(bytes(''), {}))).to.equal('the body is empty')
    })
  })

  describe('dedupe', () => {
    it('gives a repeat of the same group, alerts and states the same key', () => {
      const repeat = bytes(JSON.stringify(fixtureJson('alertmanager', 'alerts.firing.json')))
      expect(alertmanager.dedupeKey({ rawBody: body, headers: {} })).to.equal(alertmanager.dedupeKey({ rawBody: repeat, headers: {} }))
    })

    it('gives the group a new key when a new alert joins it', () => {
      const raw = fixtureJson('alertmanager', 'alerts.firing.json')
      raw.alerts.push({ ...raw.alerts[0], fingerprint: '2b41cb82ddb3a30e', labels: { ...raw.alerts[0].labels, instance: 'https://api.example.org' } })
      expect(eventsOf(alertmanager.parse(bytes(JSON.stringify(raw)), {}))).to.have.length(2)
      expect(alertmanager.dedupeKey({ rawBody: bytes(JSON.stringify(raw)), headers: {} })).not.to.equal(alertmanager.dedupeKey({ rawBody: body, headers: {} }))
    })

    it('gives the group a new key when its alert fires again after resolving (a new startsAt, the same fingerprint)', () => {
      const raw = fixtureJson('alertmanager', 'alerts.firing.json')
      raw.alerts[0].startsAt = '2023-02-07T09:00:00Z'
      expect(alertmanager.dedupeKey({ rawBody: bytes(JSON.stringify(raw)), headers: {} })).not.to.equal(alertmanager.dedupeKey({ rawBody: body, headers: {} }))
    })

    it('gives the group a new key when its alert resolves', () => {
      const resolved = fixtureBytes('alertmanager', 'alerts.resolved.json')
      expect(alertmanager.dedupeKey({ rawBody: resolved, headers: {} })).not.to.equal(alertmanager.dedupeKey({ rawBody: body, headers: {} }))
    })
  })
})
