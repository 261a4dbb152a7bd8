// GitHub webhooks: X-Hub-Signature-256 through @octokit/webhooks (GitHub's documented vector), normalisation of the
// payloads GitHub documents (octokit/webhooks payload-examples), ignored events, dedupe on X-GitHub-Delivery.
import { expect } from 'chai'
import { createConnectorRegistry } from '../../../integrations/index.ts'
import { bytes, fixtureBytes, fixtureJson, hmacHex, invalidMessage, onlyEvent } from './fixture.ts'

const github = createConnectorRegistry().get('github')!
const SECRET = 'bridgehead-github-test-secret'
const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958'

function delivery(event: string, name: string) {
  const rawBody = fixtureBytes('github', name)
  const headers = {
    'x-github-event': event,
    'x-github-delivery': DELIVERY,
    'x-hub-signature-256': `sha256=${hmacHex(SECRET, rawBody)}`,
    'user-agent': 'GitHub-Hookshot/044aadd',
    'content-type': 'application/json',
  }
  return { rawBody, headers }
}

function parseFixture(event: string, name: string) {
  const { rawBody, headers } = delivery(event, name)
  return github.parse(rawBody, headers)
}

describe('GitHub webhooks', () => {
  describe('signature', () => {
    it("accepts GitHub's documented example (Hello, World! under It's a Secret to Everybody)", async () => {
      const headers = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' }
      expect(await github.verify({ rawBody: bytes('Hello, World!'), headers }, ["It's a Secret to Everybody"])).to.deep.equal({ ok: true })
    })

    it('accepts a recorded delivery signed over its exact bytes', async () => {
      expect(await github.verify(delivery('issues', 'issues.opened.json'), [SECRET])).to.deep.equal({ ok: true })
    })

    it('accepts a delivery signed with either of two secrets during rotation', async () => {
      expect(await github.verify(delivery('issues', 'issues.opened.json'), ['the-next-secret', SECRET])).to.deep.equal({ ok: true })
      expect(await github.verify(delivery('issues', 'issues.opened.json'), [SECRET, 'the-next-secret'])).to.deep.equal({ ok: true })
    })

    it('rejects a body altered after signing', async () => {
      const { rawBody, headers } = delivery('issues', 'issues.opened.json')
      const altered = Buffer.from(rawBody.toString('utf8').replace('"opened"', '"closed"'))
      expect(await github.verify({ rawBody: altered, headers }, [SECRET])).to.deep.equal({ ok: false, reason: 'signature does not match' })
    })

    it('rejects a delivery signed with another secret', async () => {
      expect(await github.verify(delivery('issues', 'issues.opened.json'), ['not-the-secret'])).to.deep.equal({ ok: false, reason: 'signature does not match' })
    })

    it('rejects a delivery without X-Hub-Signature-256 and says to set a secret', async () => {
      const { rawBody } = delivery('issues', 'issues.opened.json')
      expect(await github.verify({ rawBody, headers: { 'x-github-event': 'issues' } }, [SECRET])).to.deep.equal({
        ok: false,
        reason: 'missing X-Hub-Signature-256 header (set a secret on the GitHub webhook)',
      })
    })

    it('rejects a signature that is not sha256=<hex> instead of throwing', async () => {
      const { rawBody } = delivery('issues', 'issues.opened.json')
      const result = await github.verify({ rawBody, headers: { 'x-hub-signature-256': 'sha256=zz' } }, [SECRET])
      expect(result).to.deep.equal({ ok: false, reason: 'X-Hub-Signature-256 is not sha256=<hex>' })
    })
  })

  describe('normalising', () => {
    it('normalises pull_request.opened with repo#number as correlation key', () => {
      const raw = fixtureJson('github', 'pull_request.opened.json')
      expect(onlyEvent(parseFixture('pull_request', 'pull_request.opened.json'))).to.deep.equal({
        source: 'github',
        type: 'github.pull_request.opened',
        vendorEvent: 'pull_request.opened',
        id: DELIVERY,
        correlationKey: 'Codertocat/Hello-World#2',
        occurredAt: Date.parse('2019-05-15T15:20:33Z'),
        title: 'Codertocat/Hello-World#2: Update the README with new information.',
        status: 'open',
        url: 'https://github.com/Codertocat/Hello-World/pull/2',
        actor: { vendorId: '21031067', name: 'Codertocat' },
        data: raw,
        raw,
      })
    })

    it('normalises pull_request.closed without merge as status closed', () => {
      expect(onlyEvent(parseFixture('pull_request', 'pull_request.closed.json'))).to.deep.include({ type: 'github.pull_request.closed', status: 'closed' })
    })

    it('normalises a merged pull request as status merged', () => {
      const raw = fixtureJson('github', 'pull_request.closed.json')
      raw.pull_request.merged = true
      expect(onlyEvent(github.parse(bytes(JSON.stringify(raw)), { 'x-github-event': 'pull_request' }))).to.deep.include({ status: 'merged' })
    })

    it('normalises issues.opened with its assignee', () => {
      const event = onlyEvent(parseFixture('issues', 'issues.opened.json'))
      expect(event).to.deep.include({ type: 'github.issues.opened', correlationKey: 'Codertocat/Hello-World#1', title: 'Codertocat/Hello-World#1: Spelling error in the README file', status: 'open' })
      expect(event.assignee).to.deep.equal({ vendorId: '21031067', name: 'Codertocat' })
    })

    it('normalises issue_comment.created onto its issue, linking the comment', () => {
      expect(onlyEvent(parseFixture('issue_comment', 'issue_comment.created.json'))).to.deep.include({
        type: 'github.issue_comment.created',
        correlationKey: 'Codertocat/Hello-World#1',
        title: 'Codertocat/Hello-World#1: comment on Spelling error in the README file',
        url: 'https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400',
      })
    })

    it('normalises pull_request_review.submitted with the review state as status', () => {
      expect(onlyEvent(parseFixture('pull_request_review', 'pull_request_review.submitted.json'))).to.deep.include({
        type: 'github.pull_request_review.submitted',
        correlationKey: 'Codertocat/Hello-World#2',
        status: 'commented',
        occurredAt: Date.parse('2019-05-15T15:20:38Z'),
      })
    })

    it('normalises workflow_run.completed with its conclusion and run id', () => {
      expect(onlyEvent(parseFixture('workflow_run', 'workflow_run.completed.json'))).to.deep.include({
        type: 'github.workflow_run.completed',
        correlationKey: 'octo-org/octo-repo:run:289782451',
        title: 'octo-org/octo-repo: ci(action): update actions/setup-node digest to 8c91899 #163 success',
        status: 'success',
        url: 'https://github.com/octo-org/octo-repo/actions/runs/289782451',
      })
    })

    it('normalises check_run.completed with its conclusion', () => {
      expect(onlyEvent(parseFixture('check_run', 'check_run.completed.json'))).to.deep.include({
        type: 'github.check_run.completed',
        correlationKey: 'Codertocat/Hello-World:check_run:128620228',
        status: 'success',
        title: 'Codertocat/Hello-World: check Octocoders-linter success',
      })
    })

    it('normalises release.published keyed by its tag', () => {
      expect(onlyEvent(parseFixture('release', 'release.published.json'))).to.deep.include({
        type: 'github.release.published',
        correlationKey: 'Codertocat/Hello-World:0.0.1',
        title: 'Codertocat/Hello-World: release 0.0.1 published',
        occurredAt: Date.parse('2019-05-15T15:20:53Z'),
      })
    })

    it('normalises push keyed by repo and ref, with the pusher as actor', () => {
      const event = onlyEvent(parseFixture('push', 'push.json'))
      expect(event).to.deep.include({ type: 'github.push', vendorEvent: 'push', correlationKey: 'Codertocat/Hello-World:refs/heads/master', title: 'Codertocat/Hello-World: 1 commit pushed to master' })
      expect(event.actor).to.deep.equal({ vendorId: '21031067', name: 'Codertocat', email: '21031067+Codertocat@users.noreply.github.com' })
    })

    it('ignores ping as known but unhandled, not as an error', () => {
      expect(parseFixture('ping', 'ping.json')).to.deep.equal({ kind: 'ignored', vendorEvent: 'ping', reason: 'GitHub pings a new webhook; nothing to do' })
    })

    it('ignores events outside the handled list', () => {
      expect(parseFixture('star', 'ping.json')).to.deep.equal({ kind: 'ignored', vendorEvent: 'star', reason: 'GitHub star events are not handled' })
    })
  })

  describe('malformed bodies', () => {
    it('names X-GitHub-Event when the header is missing', () => {
      const { rawBody } = delivery('issues', 'issues.opened.json')
      expect(invalidMessage(github.parse(rawBody, {}))).to.equal('X-GitHub-Event: missing header')
    })

    it('says to switch a form-encoded webhook to application/json', () => {
      const form = bytes(`payload=${encodeURIComponent(fixtureBytes('github', 'issues.opened.json').toString('utf8'))}`)
      expect(invalidMessage(github.parse(form, { 'x-github-event': 'issues' }))).to.equal('the webhook sends application/x-www-form-urlencoded; set its content type to application/json')
    })

    it('names pull_request.number when it is not a number', () => {
      const raw = fixtureJson('github', 'pull_request.opened.json')
      raw.pull_request.number = '2'
      expect(invalidMessage(github.parse(bytes(JSON.stringify(raw)), { 'x-github-event': 'pull_request' }))).to.match(/^pull_request\.number: /)
    })

    it('names repository when it is missing', () => {
      const raw = fixtureJson('github', 'issues.opened.json')
      delete raw.repository
      expect(invalidMessage(github.parse(bytes(JSON.stringify(raw)), { 'x-github-event': 'issues' }))).to.match(/^repository: /)
    })
  })

  describe('dedupe', () => {
    it('keys a delivery on X-GitHub-Delivery, which redeliveries keep', () => {
      expect(github.dedupeKey(delivery('issues', 'issues.opened.json'))).to.equal(DELIVERY)
    })
  })
})
