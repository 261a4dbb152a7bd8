// Jira Cloud admin webhooks: X-Hub-Signature sha256 (connectors spec §5.1 vector), issue and comment events
// correlated by issue key, ignored events, dedupe on X-Atlassian-Webhook-Identifier.
import { expect } from 'chai'
import { createConnectorRegistry } from '../../../integrations/index.ts'
import { bytes, fixtureBytes, fixtureJson, hmacHex, invalidMessage, onlyEvent } from './fixture.ts'

const jira = createConnectorRegistry().get('jira')!
const SECRET = 'bridgehead-jira-test-secret'
const VECTOR_BODY = '{"timestamp":1700000000000,"webhookEvent":"jira:issue_created","issue":{"id":"10001","key":"OPS-1"}}'
const VECTOR_SIG = 'sha256=d72977df86e06e1cbb12d05013aa71513d7a17434d8cc96806540be038455f0d'
const IDENTIFIER = '8d1f3c52-0d7e-4a6f-9b8a-2f5e1c9d7a41'

function delivery(name: string) {
  const rawBody = fixtureBytes('jira', name)
  return { rawBody, headers: { 'x-hub-signature': `sha256=${hmacHex(SECRET, rawBody)}`, 'x-atlassian-webhook-identifier': IDENTIFIER, 'x-atlassian-webhook-flow': 'Primary' } }
}

function parseFixture(name: string) {
  const { rawBody, headers } = delivery(name)
  return jira.parse(rawBody, headers)
}

describe('Jira Cloud webhooks', () => {
  describe('signature', () => {
    it('accepts the spec vector', async () => {
      expect(await jira.verify({ rawBody: bytes(VECTOR_BODY), headers: { 'X-Hub-Signature': VECTOR_SIG } }, [SECRET])).to.deep.equal({ ok: true })
    })

    it('accepts a delivery signed with either of two secrets during rotation', async () => {
      expect(await jira.verify({ rawBody: bytes(VECTOR_BODY), headers: { 'x-hub-signature': VECTOR_SIG } }, ['jira-next-secret', SECRET])).to.deep.equal({ ok: true })
    })

    it('rejects a body altered after signing', async () => {
      const altered = bytes(VECTOR_BODY.replace('OPS-1', 'OPS-2'))
      expect(await jira.verify({ rawBody: altered, headers: { 'x-hub-signature': VECTOR_SIG } }, [SECRET])).to.deep.equal({ ok: false, reason: 'signature does not match' })
    })

    it('rejects an unsigned delivery and says to set a secret on the webhook', async () => {
      expect(await jira.verify({ rawBody: bytes(VECTOR_BODY), headers: {} }, [SECRET])).to.deep.equal({
        ok: false,
        reason: 'missing X-Hub-Signature header (set a secret on the Jira webhook)',
      })
    })

    it('rejects a signature made with another method than sha256', async () => {
      const sha1 = { 'x-hub-signature': VECTOR_SIG.replace('sha256=', 'sha1=') }
      expect(await jira.verify({ rawBody: bytes(VECTOR_BODY), headers: sha1 }, [SECRET])).to.deep.equal({ ok: false, reason: 'X-Hub-Signature is not sha256=<hex>' })
    })
  })

  describe('normalising', () => {
    it('normalises jira:issue_created with the issue key as correlation key', () => {
      const raw = fixtureJson('jira', 'jira-issue_created.json')
      expect(onlyEvent(parseFixture('jira-issue_created.json'))).to.deep.equal({
        source: 'jira',
        type: 'jira.issue.created',
        vendorEvent: 'jira:issue_created',
        id: IDENTIFIER,
        correlationKey: 'OPS-1',
        occurredAt: 1714557600000,
        title: 'OPS-1: API 5xx rate high',
        severity: 'high',
        status: 'To Do',
        url: 'https://acme.atlassian.net/browse/OPS-1',
        actor: { vendorId: '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077', name: 'Bob Example', email: 'bob@example.com' },
        assignee: { vendorId: '5b10ac8d82e05b22cc7d4ef5', name: 'Alice Example', email: 'alice@example.com' },
        data: raw,
        raw,
      })
    })

    it('normalises a status change as jira.issue.transitioned with the new status', () => {
      expect(onlyEvent(parseFixture('jira-issue_updated.transition.json'))).to.deep.include({
        type: 'jira.issue.transitioned',
        vendorEvent: 'jira:issue_updated',
        status: 'In Progress',
        correlationKey: 'OPS-1',
      })
    })

    it('normalises another field change as jira.issue.updated', () => {
      expect(onlyEvent(parseFixture('jira-issue_updated.labels.json'))).to.deep.include({ type: 'jira.issue.updated', status: 'In Progress' })
    })

    it('normalises comment_created onto its issue with the comment author as actor', () => {
      const event = onlyEvent(parseFixture('comment_created.json'))
      expect(event).to.deep.include({ type: 'jira.comment.created', correlationKey: 'OPS-1', title: 'OPS-1: comment on API 5xx rate high', occurredAt: 1714558200000 })
      expect(event.actor).to.deep.equal({ vendorId: '5b10ac8d82e05b22cc7d4ef5', name: 'Alice Example', email: 'alice@example.com' })
    })

    it('maps a Lowest priority to info severity', () => {
      const raw = fixtureJson('jira', 'jira-issue_created.json')
      raw.issue.fields.priority.name = 'Lowest'
      expect(onlyEvent(jira.parse(bytes(JSON.stringify(raw)), {})).severity).to.equal('info')
    })

    it('ignores worklog_created as known but unhandled, not as an error', () => {
      expect(parseFixture('worklog_created.json')).to.deep.equal({ kind: 'ignored', vendorEvent: 'worklog_created', reason: 'Jira worklog_created events are not handled' })
    })
  })

  describe('malformed bodies', () => {
    it('names issue.key when it is missing', () => {
      const raw = fixtureJson('jira', 'jira-issue_created.json')
      delete raw.issue.key
      expect(invalidMessage(jira.parse(bytes(JSON.stringify(raw)), {}))).to.match(/^issue\.key: /)
    })

    it('names timestamp when it is not epoch milliseconds', () => {
      const raw = fixtureJson('jira', 'jira-issue_created.json')
      raw.timestamp = '2024-05-01T10:00:00Z'
      expect(invalidMessage(jira.parse(bytes(JSON.stringify(raw)), {}))).to.match(/^timestamp: /)
    })

    it('names comment when a comment event carries none', () => {
      const raw = fixtureJson('jira', 'comment_created.json')
      delete raw.comment
      expect(invalidMessage(jira.parse(bytes(JSON.stringify(raw)), {}))).to.match(/^comment: /)
    })
  })

  describe('dedupe', () => {
    it('keys a delivery on X-Atlassian-Webhook-Identifier, which retries keep', () => {
      expect(jira.dedupeKey(delivery('comment_created.json'))).to.equal(IDENTIFIER)
    })

    it('falls back to a hash of the body when the identifier is missing', () => {
      const rawBody = fixtureBytes('jira', 'comment_created.json')
      const key = jira.dedupeKey({ rawBody, headers: {} })
      expect(key).to.match(/^[0-9a-f]{32}$/)
      expect(jira.dedupeKey({ rawBody: fixtureBytes('jira', 'worklog_created.json'), headers: {} })).not.to.equal(key)
    })
  })
})
