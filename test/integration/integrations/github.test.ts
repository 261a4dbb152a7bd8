/**
 * GitHub end to end: `/github subscribe|unsubscribe|subscriptions` per channel, signed deliveries posted in the
 * channels subscribed to the repository for that kind of event, and the issue actions against a GitHub double.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { makeChannel, makeTeamWithMembers, uniqueName, type TeamWorld, type UserSession } from '../../helpers/factories.ts'
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.ts'
import { channelPosts, createConnection, deliver, eventually, fixture, hmacHex, rejection, settled, sessionOf } from './support.ts'

const SECRET = "It's a Secret to Everybody"
const TOKEN = 'github_pat_11ABCDEFG_test'


function githubHeaders(event: string, raw: Buffer): Record<string, string> {
  return { 'x-github-event': event, 'x-github-delivery': uniqueName('guid'), 'x-hub-signature-256': `sha256=${hmacHex(SECRET, raw)}`, 'user-agent': 'GitHub-Hookshot/044aadd' }
}

const PR_OPENED = ':twisted_rightwards_arrows: **Codertocat** opened pull request [Codertocat/Hello-World#2: Update the README with new information.](https://github.com/Codertocat/Hello-World/pull/2)'
const ISSUE_OPENED = ':large_green_circle: **Codertocat** opened issue [Codertocat/Hello-World#1: Spelling error in the README file](https://github.com/Codertocat/Hello-World/issues/1)'

forEachBackend((backend) => {
  const ctx = useTestServer(backend, { allowedUntrustedInternalConnections: '127.0.0.1' })
  let world: TeamWorld
  let gh: HttpReceiver
  let connection: any
  let defaultChannel: Channel

  before(async () => {
    gh = await startHttpReceiver()
    world = await makeTeamWithMembers(ctx.server, 1)
    defaultChannel = await makeChannel(world.owner.client, world.team.id)
    connection = await createConnection(ctx.server, world.owner.token, 'github', {
      name: uniqueName('gh'), team_id: world.team.id, channel_id: defaultChannel.id, webhook_secret: SECRET, credentials: { token: TOKEN }, settings: { api_url: gh.url },
    })
  })
  after(async () => gh?.close())

  const run = async (channel: Channel, command: string, who: UserSession = world.owner) =>
    ((await who.client.executeCommand(command, { channel_id: channel.id, team_id: world.team.id } as never)) as { text?: string }).text

  describe('/github subscriptions', () => {
    it('subscribes a channel to a repository for the features named, and lists them', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      expect(await run(channel, '/github subscribe Codertocat/Hello-World pulls,issues')).to.equal('Subscribed this channel to codertocat/hello-world: pulls, issues.')
      expect(await run(channel, '/github subscriptions')).to.equal('This channel follows:\n- codertocat/hello-world: pulls, issues')
    })

    it('refuses an unknown feature and subscribes nothing', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      expect(await run(channel, '/github subscribe acme/api pulls,deployments')).to.equal('Unknown feature "deployments": use issues, pulls, pushes, releases, workflows.')
      expect(await run(channel, '/github subscriptions')).to.equal('This channel is not subscribed to any repository.')
    })

    it('refuses a repository that is not owner/repo', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      expect(await run(channel, '/github subscribe just-a-name')).to.equal('"just-a-name" is not a repository: write owner/repo.')
    })
  })

  describe('GitHub deliveries', () => {
    it('posts an opened pull request in the channels subscribed to pulls, and nowhere else', async () => {
      const pulls = await makeChannel(world.owner.client, world.team.id)
      const issues = await makeChannel(world.owner.client, world.team.id)
      await run(pulls, '/github subscribe Codertocat/Hello-World pulls')
      await run(issues, '/github subscribe Codertocat/Hello-World issues')
      const raw = fixture('github', 'pull_request.opened.json')
      const answer = await deliver(ctx.server, connection, githubHeaders('pull_request', raw), raw)
      expect(answer.status).to.equal(200)
      const [post] = await eventually('the pull request post', async () => {
        const list = await channelPosts(world.owner.client, pulls.id)
        return list.length > 0 ? list : undefined
      })
      expect(post!.message).to.equal(PR_OPENED)
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, issues.id)).to.have.length(0)
      expect((await channelPosts(world.owner.client, defaultChannel.id)).map((p) => p.message)).not.to.include(PR_OPENED)
    })

    it('posts an opened issue in a channel subscribed with the default features', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      expect(await run(channel, '/github subscribe Codertocat/Hello-World')).to.equal('Subscribed this channel to codertocat/hello-world: issues, pulls, releases.')
      const raw = fixture('github', 'issues.opened.json')
      await deliver(ctx.server, connection, githubHeaders('issues', raw), raw)
      const [post] = await eventually('the issue post', async () => {
        const list = await channelPosts(world.owner.client, channel.id)
        return list.length > 0 ? list : undefined
      })
      expect(post!.message).to.equal(ISSUE_OPENED)
    })

    it('stops posting in a channel after /github unsubscribe', async () => {
      const channel = await makeChannel(world.owner.client, world.team.id)
      const still = await makeChannel(world.owner.client, world.team.id)
      await run(channel, '/github subscribe Codertocat/Hello-World pushes')
      await run(still, '/github subscribe Codertocat/Hello-World pushes')
      expect(await run(channel, '/github unsubscribe Codertocat/Hello-World')).to.equal('Unsubscribed this channel from codertocat/hello-world.')
      const raw = fixture('github', 'push.json')
      expect((await deliver(ctx.server, connection, githubHeaders('push', raw), raw)).status).to.equal(200)
      const [pushed] = await eventually('the push post in the channel still subscribed', async () => {
        const list = await channelPosts(world.owner.client, still.id)
        return list.length > 0 ? list : undefined
      })
      expect(pushed!.message).to.match(/^:arrow_up: \*\*Codertocat\*\* \[Codertocat\/Hello-World: \d+ commits? pushed to /)
      await settled(ctx.server)
      expect(await channelPosts(world.owner.client, channel.id)).to.have.length(0)
    })

    it('does not post a team\'s repository events in another team\'s subscribed channel', async () => {
      const other = await makeTeamWithMembers(ctx.server, 0)
      const foreign = await makeChannel(other.owner.client, other.team.id)
      await other.owner.client.executeCommand('/github subscribe Codertocat/Hello-World pulls', { channel_id: foreign.id, team_id: other.team.id } as never)
      const raw = fixture('github', 'pull_request.opened.json')
      await deliver(ctx.server, connection, githubHeaders('pull_request', raw), raw)
      await settled(ctx.server)
      expect(await channelPosts(other.owner.client, foreign.id)).to.have.length(0)
    })

    it('answers a ping with 200 and posts nothing', async () => {
      const raw = fixture('github', 'ping.json')
      const answer = await deliver(ctx.server, connection, githubHeaders('ping', raw), raw)
      expect(answer.status).to.equal(200)
      expect(answer.json.result).to.equal('ignored')
    })

    it('rejects a delivery with a bad signature with 401', async () => {
      const raw = fixture('github', 'issues.opened.json')
      const answer = await deliver(ctx.server, connection, { ...githubHeaders('issues', raw), 'x-hub-signature-256': `sha256=${hmacHex('guess', raw)}` }, raw)
      expect(answer.status).to.equal(401)
    })

    it('rejects a signed delivery without X-GitHub-Event with 400 naming the header', async () => {
      const raw = fixture('github', 'issues.opened.json')
      const { 'x-github-event': _dropped, ...headers } = githubHeaders('issues', raw)
      const answer = await deliver(ctx.server, connection, headers, raw)
      expect(answer.status).to.equal(400)
      expect(answer.json.message).to.contain('X-GitHub-Event: missing header')
    })

    it('rejects a form-encoded delivery with 400 saying to switch to JSON', async () => {
      const raw = Buffer.from(`payload=${encodeURIComponent(fixture('github', 'ping.json').toString('utf8'))}`)
      const answer = await deliver(ctx.server, connection, { ...githubHeaders('ping', raw), 'content-type': 'application/x-www-form-urlencoded' }, raw)
      expect(answer.status).to.equal(400)
      expect(answer.json.message).to.contain('set its content type to application/json')
    })
  })

  describe('GitHub actions (REST)', () => {
    const restHeaders = (headers: Record<string, unknown>) =>
      expect(headers).to.include({ authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'content-type': 'application/json' })

    it('github.issue.create@v1 POSTs the issue with an idempotency marker in its body', async () => {
      gh.answer('/repos/acme/api/issues', { status: 201, body: { id: 1, number: 1347, html_url: 'https://github.com/acme/api/issues/1347' } })
      const key = uniqueName('run-7')
      const result = await ctx.server.actions.invoke('github.issue.create@v1', {
        connection: connection.name, repo: 'acme/api', title: 'Postmortem: checkout outage', body: 'Timeline in Bridgehead run 7.', labels: ['incident'],
      }, { session: sessionOf(world.owner), idempotencyKey: key })
      expect(result.outputs).to.deep.equal({ number: 1347, url: 'https://github.com/acme/api/issues/1347' })
      const request = await gh.next('/repos/acme/api/issues')
      expect(request.method).to.equal('POST')
      restHeaders(request.headers)
      expect(JSON.parse(request.body)).to.deep.equal({ title: 'Postmortem: checkout outage', body: `Timeline in Bridgehead run 7.\n\n<!-- bridgehead:${key} -->`, labels: ['incident'] })
    })

    it('github.issue.comment@v1 POSTs the comment to the issue', async () => {
      gh.answer('/repos/acme/api/issues/1347/comments', { status: 201, body: { id: 1, html_url: 'https://github.com/acme/api/issues/1347#issuecomment-1' } })
      const result = await ctx.server.actions.invoke('github.issue.comment@v1', { connection: connection.id, repo: 'acme/api', issue_number: 1347, body: 'Resolved.' }, { session: sessionOf(world.owner) })
      expect(result.outputs).to.deep.equal({ id: 1, url: 'https://github.com/acme/api/issues/1347#issuecomment-1' })
      const request = await gh.next('/repos/acme/api/issues/1347/comments')
      expect(request.method).to.equal('POST')
      restHeaders(request.headers)
      expect(JSON.parse(request.body)).to.deep.equal({ body: 'Resolved.' })
    })

    it('github.workflow.dispatch@v1 POSTs the ref and string inputs to the workflow\'s dispatches and GitHub answers 204', async () => {
      gh.answer('/repos/acme/api/actions/workflows/deploy.yml/dispatches', { status: 204, body: '' })
      const result = await ctx.server.actions.invoke('github.workflow.dispatch@v1', {
        connection: connection.name, repo: 'acme/api', workflow: 'deploy.yml', ref: 'main', inputs: { version: '2.5.0', dry_run: false },
      }, { session: sessionOf(world.owner) })
      expect(result.outputs).to.deep.equal({ repo: 'acme/api', workflow: 'deploy.yml', ref: 'main' })
      const request = await gh.next('/repos/acme/api/actions/workflows/deploy.yml/dispatches')
      expect(request.method).to.equal('POST')
      restHeaders(request.headers)
      expect(JSON.parse(request.body)).to.deep.equal({ ref: 'main', inputs: { version: '2.5.0', dry_run: 'false' } })
    })

    it('github.workflow.dispatch@v1 reports a workflow without a workflow_dispatch trigger (422) as not retryable', async () => {
      gh.answer('/repos/acme/api/actions/workflows/1234/dispatches', { status: 422, body: { message: "Workflow does not have 'workflow_dispatch' trigger" } })
      const failure = await rejection(ctx.server.actions.invoke('github.workflow.dispatch@v1', { connection: connection.name, repo: 'acme/api', workflow: 1234, ref: 'main' }, { session: sessionOf(world.owner) }))
      expect(failure).to.include({ retryable: false, status: 422 })
      expect(failure.message).to.contain("does not have 'workflow_dispatch' trigger")
    })

    it('reports a 422 from GitHub with its message, not retryable', async () => {
      gh.answer('/repos/acme/locked/issues', { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }] } })
      const failure = await rejection(ctx.server.actions.invoke('github.issue.create@v1', { connection: connection.name, repo: 'acme/locked', title: 'x' }, { session: sessionOf(world.owner) }))
      expect(failure).to.include({ retryable: false, status: 422 })
      expect(failure.message).to.contain('Validation Failed')
    })
  })
})
