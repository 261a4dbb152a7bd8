// PagerDuty Webhooks v3: signature (connectors spec §1.1 vectors), normalisation of recorded deliveries, dedupe.
import { expect } from 'chai'
import { createConnectorRegistry } from '../../../integrations/index.ts'
import { bytes, fixtureBytes, fixtureJson, hmacHex, invalidMessage, onlyEvent } from './fixture.ts'

const pagerduty = createConnectorRegistry().get('pagerduty')!
const SECRET = 'bridgehead-pd-test-secret'
const OLD_SECRET = 'bridgehead-pd-old-secret'
const VECTOR_BODY = '{"event":{"id":"01TESTEVENT","event_type":"incident.acknowledged","resource_type":"incident","data":{"id":"PTEST01","type":"incident","status":"acknowledged"}}}'
const VECTOR_SIG = 'v1=3091b09ec787ccc35978c8d55a54e6e4d78c823481d03caa08311f84d0cd503f'
const VECTOR_OLD_SIG = 'v1=ce488d039fa6a3733dd81fd940cd3f5d20ab29a8dfa735de70e6b92b6d27e061'

function delivery(name: string, headers: Record<string, string> = {}) {
  const rawBody = fixtureBytes('pagerduty', name)
  return { rawBody, headers: { 'x-pagerduty-signature': `v1=${hmacHex(SECRET, rawBody)}`, 'x-webhook-id': 'f6a1c2d0-7a5c-4e33-9c2b-0d6c1e0b9b11', ...headers } }
}

function parseFixture(name: string) {
  const { rawBody, headers } = delivery(name)
  return pagerduty.parse(rawBody, headers)
}

describe('PagerDuty webhooks', () => {
  describe('signature', () => {
    it('accepts the spec vector signed with the current secret', async () => {
      expect(await pagerduty.verify({ rawBody: bytes(VECTOR_BODY), headers: { 'x-pagerduty-signature': VECTOR_SIG } }, [SECRET])).to.deep.equal({ ok: true })
    })

    it('accepts a delivery signed with either of two secrets during rotation', async () => {
      const headers = { 'X-PagerDuty-Signature': `${VECTOR_OLD_SIG},${VECTOR_SIG}` }
      expect(await pagerduty.verify({ rawBody: bytes(VECTOR_BODY), headers }, [SECRET])).to.deep.equal({ ok: true })
      expect(await pagerduty.verify({ rawBody: bytes(VECTOR_BODY), headers }, [OLD_SECRET])).to.deep.equal({ ok: true })
    })

    it('accepts a delivery signed only with the previous secret while both are active', async () => {
      const headers = { 'x-pagerduty-signature': VECTOR_OLD_SIG }
      expect(await pagerduty.verify({ rawBody: bytes(VECTOR_BODY), headers }, [SECRET, OLD_SECRET])).to.deep.equal({ ok: true })
    })

    it('accepts signatures separated by a comma and a space', async () => {
      const headers = { 'x-pagerduty-signature': `${VECTOR_OLD_SIG}, ${VECTOR_SIG}` }
      expect(await pagerduty.verify({ rawBody: bytes(VECTOR_BODY), headers }, [SECRET])).to.deep.equal({ ok: true })
    })

    it('rejects a body altered after signing', async () => {
      const altered = bytes(VECTOR_BODY.replace('acknowledged', 'resolved'))
      expect(await pagerduty.verify({ rawBody: altered, headers: { 'x-pagerduty-signature': VECTOR_SIG } }, [SECRET])).to.deep.equal({ ok: false, reason: 'signature does not match' })
    })

    it('rejects a delivery signed with a secret the connection does not hold', async () => {
      const result = await pagerduty.verify({ rawBody: bytes(VECTOR_BODY), headers: { 'x-pagerduty-signature': VECTOR_OLD_SIG } }, [SECRET])
      expect(result).to.deep.equal({ ok: false, reason: 'signature does not match' })
    })

    it('rejects a delivery without X-PagerDuty-Signature', async () => {
      expect(await pagerduty.verify({ rawBody: bytes(VECTOR_BODY), headers: {} }, [SECRET])).to.deep.equal({ ok: false, reason: 'missing X-PagerDuty-Signature header' })
    })

    it('ignores signatures of another version than v1', async () => {
      const headers = { 'x-pagerduty-signature': VECTOR_SIG.replace('v1=', 'v0=') }
      expect(await pagerduty.verify({ rawBody: bytes(VECTOR_BODY), headers }, [SECRET])).to.deep.equal({ ok: false, reason: 'X-PagerDuty-Signature holds no v1= signature' })
    })

    it('rejects every delivery when the connection has no secret', async () => {
      const result = await pagerduty.verify({ rawBody: bytes(VECTOR_BODY), headers: { 'x-pagerduty-signature': VECTOR_SIG } }, [''])
      expect(result.ok).to.equal(false)
    })

    it('accepts a recorded fixture signed over its exact bytes', async () => {
      expect(await pagerduty.verify(delivery('incident.triggered.json'), [SECRET])).to.deep.equal({ ok: true })
    })
  })

  describe('normalising', () => {
    it('normalises incident.triggered with the incident id as correlation key', () => {
      const raw = fixtureJson('pagerduty', 'incident.triggered.json')
      expect(onlyEvent(parseFixture('incident.triggered.json'))).to.deep.equal({
        source: 'pagerduty',
        type: 'pagerduty.incident.triggered',
        vendorEvent: 'incident.triggered',
        id: 'f6a1c2d0-7a5c-4e33-9c2b-0d6c1e0b9b11',
        correlationKey: 'PGR0VU2',
        occurredAt: Date.UTC(2020, 3, 9, 15, 16, 27, 512),
        title: 'A little bump in the road',
        status: 'triggered',
        severity: 'high',
        url: 'https://acme.pagerduty.com/incidents/PGR0VU2',
        actor: { vendorId: 'PF9KMXH', name: 'API Service' },
        assignee: { vendorId: 'PTUXL6G', name: 'User 123' },
        data: raw.event.data,
        raw,
      })
    })

    it('normalises incident.acknowledged with the acknowledging user as actor', () => {
      const event = onlyEvent(parseFixture('incident.acknowledged.json'))
      expect([event.type, event.status, event.correlationKey]).to.deep.equal(['pagerduty.incident.acknowledged', 'acknowledged', 'PGR0VU2'])
      expect(event.actor).to.deep.equal({ vendorId: 'PLH1HKV', name: 'Tenex Engineer' })
    })

    it('normalises incident.escalated sent by automation without an actor', () => {
      const event = onlyEvent(parseFixture('incident.escalated.json'))
      expect([event.type, event.status]).to.deep.equal(['pagerduty.incident.escalated', 'triggered'])
      expect(event).not.to.have.property('actor')
    })

    it('normalises incident.reassigned with the new assignee', () => {
      const event = onlyEvent(parseFixture('incident.reassigned.json'))
      expect([event.type, event.assignee]).to.deep.equal(['pagerduty.incident.reassigned', { vendorId: 'PTUXL6G', name: 'User 123' }])
    })

    it('normalises incident.priority_updated to P1 as critical severity', () => {
      const event = onlyEvent(parseFixture('incident.priority_updated.json'))
      expect([event.type, event.severity, event.occurredAt]).to.deep.equal(['pagerduty.incident.priority_updated', 'critical', Date.parse('2020-10-02T18:45:22.169Z')])
    })

    it('normalises incident.resolved with status resolved', () => {
      const event = onlyEvent(parseFixture('incident.resolved.json'))
      expect([event.type, event.status, event.correlationKey]).to.deep.equal(['pagerduty.incident.resolved', 'resolved', 'PGR0VU2'])
    })

    it('normalises incident.annotated with the note as data and the incident id as correlation key', () => {
      const raw = fixtureJson('pagerduty', 'incident.annotated.json')
      const event = onlyEvent(parseFixture('incident.annotated.json'))
      expect(event).to.deep.include({ type: 'pagerduty.incident.annotated', correlationKey: 'PGR0VU2', title: 'Note on A little bump in the road', data: raw.event.data })
      expect(event).not.to.have.property('status')
    })

    it('maps a low-urgency incident without priority to warning severity', () => {
      const raw = fixtureJson('pagerduty', 'incident.acknowledged.json')
      raw.event.data.urgency = 'low'
      expect(onlyEvent(pagerduty.parse(bytes(JSON.stringify(raw)), {})).severity).to.equal('warning')
    })

    it('ignores service.updated as known but unhandled, not as an error', () => {
      expect(parseFixture('service.updated.json')).to.deep.equal({ kind: 'ignored', vendorEvent: 'service.updated', reason: 'PagerDuty service.updated events are not handled' })
    })
  })

  describe('malformed bodies', () => {
    it('refuses a v2 webhook body and says to re-create it as v3', () => {
      expect(invalidMessage(parseFixture('v2-messages.json'))).to.equal('messages: this is a PagerDuty v1/v2 webhook; re-create it as a v3 webhook subscription')
    })

    it('names event.data.status when it is not an incident status', () => {
      const raw = fixtureJson('pagerduty', 'incident.triggered.json')
      raw.event.data.status = 'on fire'
      expect(invalidMessage(pagerduty.parse(bytes(JSON.stringify(raw)), {}))).to.match(/^event\.data\.status: /)
    })

    it('names event.id when it is missing', () => {
      const raw = fixtureJson('pagerduty', 'incident.triggered.json')
      delete raw.event.id
      expect(invalidMessage(pagerduty.parse(bytes(JSON.stringify(raw)), {}))).to.match(/^event\.id: /)
    })

    it('names event.occurred_at when it is not a time', () => {
      const raw = fixtureJson('pagerduty', 'incident.triggered.json')
      raw.event.occurred_at = 'yesterday'
      expect(invalidMessage(pagerduty.parse(bytes(JSON.stringify(raw)), {}))).to.equal('event.occurred_at: expected an ISO 8601 time')
    })

    it('says so when the body is not JSON', () => {
      expect(invalidMessage(pagerduty.parse(bytes('{"event":'), {}))).to.match(/^the body is not valid JSON/)
    })
  })

  describe('dedupe', () => {
    it('keys a delivery on X-Webhook-Id, which PagerDuty repeats on every retry', () => {
      expect(pagerduty.dedupeKey(delivery('incident.triggered.json', { 'x-webhook-id': 'retry-me' }))).to.equal('retry-me')
    })

    it('falls back to the event id when X-Webhook-Id is missing', () => {
      const rawBody = fixtureBytes('pagerduty', 'incident.triggered.json')
      expect(pagerduty.dedupeKey({ rawBody, headers: {} })).to.equal('01DEN2A2N1ADAUVWYOFQF8UU5X')
    })
  })
})
