/**
 * Jira Cloud end to end: signed admin webhooks post issue changes in the connection's channel (changes in the
 * thread of the creation), and the REST v3 actions speak the documented wire format to a Jira double.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeChannel, makeTeamWithMembers, uniqueName, type TeamWorld } from '../../helpers/factories.ts'
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.ts'
import { channelPosts, createConnection, deliver, eventually, fixture, hmacHex, rejection, settled, sessionOf } from './support.ts'

const SECRET = 'bridgehead-jira-test-secret'
const EMAIL = 'bot@acme.example'
const API_TOKEN = 'ATATT3xFfGF0-test'
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`


const jiraHeaders = (raw: Buffer) => ({ 'x-hub-signature': `sha256=${hmacHex(SECRET, raw)}`, 'x-atlassian-webhook-identifier': uniqueName('jira') })

forEachBackend((backend) => {
  const ctx = useTestServer(backend, { allowedUntrustedInternalConnections: '127.0.0.1' })
  let world: TeamWorld
  let jira: HttpReceiver

  before(async () => {
    jira = await startHttpReceiver()
    world = await makeTeamWithMembers(ctx.server, 0)
  })
  after(async () => jira?.close())

  async function setUp(): Promise<{ channel: Channel; connection: any }> {
    const channel = await makeChannel(world.owner.client, world.team.id)
    const connection = await createConnection(ctx.server, world.owner.token, 'jira', {
      name: uniqueName('jira'), team_id: world.team.id, channel_id: channel.id, webhook_secret: SECRET,
      credentials: { email: EMAIL, api_token: API_TOKEN }, settings: { api_url: jira.url },
    })
    return { channel, connection }
  }

  describe('Jira connection: webhooks in', () => {
    it('posts a created issue, then its transition in the thread', async () => {
      const { channel, connection } = await setUp()
      const created = fixture('jira', 'jira-issue_created.json')
      expect((await deliver(ctx.server, connection, jiraHeaders(created), created)).status).to.equal(200)
      const [root] = await eventually('the creation post', async () => {
        const list = await channelPosts(world.owner.client, channel.id)
        return list.length > 0 ? list : undefined
      })
      expect(root!.message).to.equal(':new: **Issue created** by Bob Example: [OPS-1: API 5xx rate high](https://acme.atlassian.net/browse/OPS-1)')
      const moved = fixture('jira', 'jira-issue_updated.transition.json')
      await deliver(ctx.server, connection, jiraHeaders(moved), moved)
      const reply = await eventually('the transition post', async () => (await channelPosts(world.owner.client, channel.id)).find((p) => p.id !== root!.id))
      expect(reply.message).to.equal(':arrow_right: **Issue moved to In Progress** by Alice Example: [OPS-1: API 5xx rate high](https://acme.atlassian.net/browse/OPS-1)')
      expect(reply.root_id).to.equal(root!.id)
    })

    it('answers 200 for a worklog event and posts nothing', async () => {
      const { channel, connection } = await setUp()
      const raw = fixture('jira', 'worklog_created.json')
      const answer = await deliver(ctx.server, connection, jiraHeaders(raw), raw)
      expect(answer.status).to.equal(200)
      expect(answer.json.result).to.equal('ignored')
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(0)
    })

    it('rejects an unsigned delivery with 401', async () => {
      const { connection } = await setUp()
      const raw = fixture('jira', 'jira-issue_created.json')
      expect((await deliver(ctx.server, connection, { 'x-atlassian-webhook-identifier': uniqueName('jira') }, raw)).status).to.equal(401)
    })

    it('rejects a signed body that is not JSON with 400', async () => {
      const { connection } = await setUp()
      const raw = Buffer.from('{"webhookEvent": ')
      const answer = await deliver(ctx.server, connection, jiraHeaders(raw), raw)
      expect(answer.status).to.equal(400)
      expect(answer.json.message).to.contain('the body is not valid JSON')
    })
  })

  describe('Jira actions (REST v3)', () => {
    const restHeaders = (headers: Record<string, unknown>) => expect(headers).to.include({ authorization: BASIC, accept: 'application/json' })

    it('jira.issue.create@v1 POSTs /rest/api/3/issue with an ADF description and returns the key', async () => {
      const { connection } = await setUp()
      jira.answer('/rest/api/3/issue', { status: 201, body: { id: '10002', key: 'OPS-2', self: `${jira.url}/rest/api/3/issue/10002` } })
      const result = await ctx.server.actions.invoke('jira.issue.create@v1', {
        connection: connection.name, project: 'OPS', issue_type: 'Bug', summary: 'Checkout 5xx', description: 'First line\nSecond line', labels: ['incident'], priority: 'High',
      }, { session: sessionOf(world.owner) })
      expect(result.outputs).to.deep.equal({ id: '10002', key: 'OPS-2', url: `${jira.url}/browse/OPS-2` })
      const request = await jira.next('/rest/api/3/issue')
      expect(request.method).to.equal('POST')
      restHeaders(request.headers)
      expect(request.headers['content-type']).to.equal('application/json')
      expect(JSON.parse(request.body)).to.deep.equal({
        fields: {
          project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Checkout 5xx',
          description: { type: 'doc', version: 1, content: [
            { type: 'paragraph', content: [{ type: 'text', text: 'First line' }] },
            { type: 'paragraph', content: [{ type: 'text', text: 'Second line' }] },
          ] },
          labels: ['incident'], priority: { name: 'High' },
        },
      })
    })

    it('jira.issue.comment@v1 POSTs an ADF comment', async () => {
      const { connection } = await setUp()
      jira.answer('/rest/api/3/issue/OPS-7/comment', { status: 201, body: { id: '10050' } })
      const result = await ctx.server.actions.invoke('jira.issue.comment@v1', { connection: connection.name, issue_key: 'OPS-7', body: 'Mitigated.' }, { session: sessionOf(world.owner) })
      expect(result.outputs).to.deep.equal({ id: '10050' })
      const request = await jira.next('/rest/api/3/issue/OPS-7/comment')
      restHeaders(request.headers)
      expect(JSON.parse(request.body)).to.deep.equal({ body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Mitigated.' }] }] } })
    })

    it('jira.issue.transition@v1 finds the transition by target status name and POSTs its id', async () => {
      const { connection } = await setUp()
      jira.answer('/rest/api/3/issue/OPS-8/transitions', (req) => req.method === 'GET'
        ? { body: { transitions: [{ id: '11', name: 'Start work', to: { name: 'In Progress' } }, { id: '31', name: 'Close', to: { name: 'Done' } }] } }
        : { status: 204, body: '' })
      const result = await ctx.server.actions.invoke('jira.issue.transition@v1', { connection: connection.name, issue_key: 'OPS-8', to: 'done' }, { session: sessionOf(world.owner) })
      expect(result.outputs).to.deep.equal({ transitionId: '31', status: 'Done' })
      const calls = jira.received.filter((r) => r.url === '/rest/api/3/issue/OPS-8/transitions')
      expect(calls.map((c) => c.method)).to.deep.equal(['GET', 'POST'])
      restHeaders(calls[1]!.headers)
      expect(JSON.parse(calls[1]!.body)).to.deep.equal({ transition: { id: '31' } })
    })

    it('jira.issue.transition@v1 fails without retry, listing the statuses, when none matches', async () => {
      const { connection } = await setUp()
      jira.answer('/rest/api/3/issue/OPS-9/transitions', { body: { transitions: [{ id: '11', name: 'Start work', to: { name: 'In Progress' } }] } })
      const failure = await rejection(ctx.server.actions.invoke('jira.issue.transition@v1', { connection: connection.name, issue_key: 'OPS-9', to: 'Done' }, { session: sessionOf(world.owner) }))
      expect(failure).to.include({ retryable: false })
      expect(failure.message).to.equal('jira issue OPS-9 has no transition to "Done" (available: In Progress)')
      expect(jira.received.filter((r) => r.url === '/rest/api/3/issue/OPS-9/transitions' && r.method === 'POST')).to.have.length(0)
    })

    it('reports a 503 from Jira as a retryable failure with Jira\'s message', async () => {
      const { connection } = await setUp()
      jira.answer('/rest/api/3/issue/OPS-10/comment', { status: 503, body: { errorMessages: ['Service Unavailable'] } })
      const failure = await rejection(ctx.server.actions.invoke('jira.issue.comment@v1', { connection: connection.name, issue_key: 'OPS-10', body: 'x' }, { session: sessionOf(world.owner) }))
      expect(failure).to.include({ retryable: true, status: 503 })
      expect(failure.message).to.contain('Service Unavailable')
    })
  })

  describe('/jira', () => {
    const run = async (channel: Channel, command: string) =>
      ((await world.owner.client.executeCommand(command, { channel_id: channel.id, team_id: world.team.id } as never)) as { text?: string }).text

    it('/jira create PROJECT "summary" --type Bug creates the issue and answers its key', async () => {
      const { channel } = await setUp()
      jira.answer('/rest/api/3/issue', { status: 201, body: { id: '10077', key: 'OPS-77', self: `${jira.url}/rest/api/3/issue/10077` } })
      const before = jira.received.length
      expect(await run(channel, '/jira create OPS "Checkout returns 502" --type Bug --priority Highest')).to.equal(`Created [OPS-77](${jira.url}/browse/OPS-77): Checkout returns 502`)
      const request = jira.received.slice(before).find((r) => r.url === '/rest/api/3/issue')!
      expect(JSON.parse(request.body)).to.deep.equal({ fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Checkout returns 502', priority: { name: 'Highest' } } })
    })

    it('/jira create without a project uses the connection\'s default project', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      await createConnection(ctx.server, world.owner.token, 'jira', {
        name: uniqueName('jira'), team_id: world.team.id, channel_id: channel.id, webhook_secret: SECRET,
        credentials: { email: EMAIL, api_token: API_TOKEN }, settings: { api_url: jira.url, project: 'SRE' },
      })
      jira.answer('/rest/api/3/issue', { status: 201, body: { id: '10078', key: 'SRE-3', self: `${jira.url}/rest/api/3/issue/10078` } })
      const before = jira.received.length
      expect(await run(channel, '/jira create "Disk full on db1"')).to.equal(`Created [SRE-3](${jira.url}/browse/SRE-3): Disk full on db1`)
      const request = jira.received.slice(before).find((r) => r.url === '/rest/api/3/issue')!
      expect(JSON.parse(request.body).fields).to.deep.equal({ project: { key: 'SRE' }, issuetype: { name: 'Task' }, summary: 'Disk full on db1' })
    })

    it('/jira transition KEY status moves the issue', async () => {
      const { channel } = await setUp()
      jira.answer('/rest/api/3/issue/OPS-12/transitions', (req) => req.method === 'GET'
        ? { body: { transitions: [{ id: '21', name: 'Start', to: { name: 'In Progress' } }] } }
        : { status: 204, body: '' })
      expect(await run(channel, '/jira transition OPS-12 In Progress')).to.equal('Moved OPS-12 to In Progress.')
      const posted = jira.received.filter((r) => r.url === '/rest/api/3/issue/OPS-12/transitions' && r.method === 'POST')
      expect(posted.map((r) => JSON.parse(r.body))).to.deep.equal([{ transition: { id: '21' } }])
    })

    it('/jira create in a team without a Jira connection says how to make one, and calls nothing', async () => {
      const other = await makeTeamWithMembers(ctx.server, 0)
      const channel = await makeChannel(other.owner.client, other.team.id)
      const before = jira.received.length
      const answer = (await other.owner.client.executeCommand('/jira create OPS "x"', { channel_id: channel.id, team_id: other.team.id } as never)) as { text?: string }
      expect(answer.text).to.match(/^This team has no Jira connection yet/)
      expect(jira.received.length).to.equal(before)
    })
  })
})
