/**
 * Connections through the admin API: created, listed, read, changed and deleted by system admins and by team admins
 * for their teams; secrets and credentials sealed at rest and never answered; secret rotation accepts old and new.
 */
import { expect } from 'chai'
import type { Channel } from '@mattermost/types/channels'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { getAdmin, makeChannel, makeTeamWithMembers, uniqueName, type TeamWorld } from '../../helpers/factories.ts'
import { api, createConnection, deliver, fixture, hmacHex } from './support.ts'

const SECRET = 'bridgehead-pd-test-secret'
const TOKEN = 'pd-api-token-very-secret'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let world: TeamWorld
  let channel: Channel

  before(async () => {
    world = await makeTeamWithMembers(ctx.server, 1)
    channel = await makeChannel(world.owner.client, world.team.id)
  })

  const body = (overrides: Record<string, unknown> = {}) => ({
    name: uniqueName('pd'), team_id: world.team.id, channel_id: channel.id, webhook_secret: SECRET,
    credentials: { api_token: TOKEN, from_email: 'oncall@example.com' }, settings: { api_url: 'https://api.pagerduty.example/' }, ...overrides,
  })

  describe('POST /api/v4/integrations/{vendor}/connections', () => {
    it('creates a connection and answers its id and webhook URL, without any secret or credential', async () => {
      const answer = await api(ctx.server, world.owner.token, 'POST', '/api/v4/integrations/pagerduty/connections', body())
      expect(answer.status).to.equal(201)
      expect(answer.json.id).to.match(/^[a-z0-9]{26}$/)
      expect(answer.json.webhook_url).to.match(new RegExp(`/integrations/pagerduty/${answer.json.id}/webhook$`))
      expect(answer.json).to.include({ vendor: 'pagerduty', team_id: world.team.id, channel_id: channel.id, has_webhook_secret: true, rotation_ends_at: 0, creator_id: world.owner.user.id })
      expect(answer.json.credential_names).to.deep.equal(['api_token', 'from_email'])
      expect(answer.json.settings).to.deep.equal({ api_url: 'https://api.pagerduty.example' })
      expect(answer.text).not.to.contain(SECRET).and.not.to.contain(TOKEN)
      expect(answer.json).not.to.have.property('webhook_secret')
    })

    it('makes a secret when none is given and answers it this once only', async () => {
      const created = await api(ctx.server, world.owner.token, 'POST', '/api/v4/integrations/github/connections', body({ webhook_secret: undefined }))
      expect(created.status).to.equal(201)
      expect(created.json.webhook_secret).to.match(/^[0-9a-f]{64}$/)
      const read = await api(ctx.server, world.owner.token, 'GET', `/api/v4/integrations/github/connections/${created.json.id}`)
      expect(read.status).to.equal(200)
      expect(read.text).not.to.contain(created.json.webhook_secret)
    })

    it('keeps the secret and the credentials sealed with AES-256-GCM in the database', async () => {
      const created = await createConnection(ctx.server, world.owner.token, 'pagerduty', body())
      const [row] = await ctx.server.sql<{ secret: string; credentials: string }>('SELECT secret, credentials FROM integration_connections WHERE id = $1', [created.id])
      expect(row!.secret).to.match(/^v1:/)
      expect(row!.credentials).to.match(/^v1:/)
      expect(row!.secret + row!.credentials).not.to.contain(SECRET).and.not.to.contain(TOKEN)
      const [key] = await ctx.server.sql('SELECT name FROM systems WHERE name = $1', ['IntegrationSecretKey'])
      expect(key).to.deep.equal({ name: 'IntegrationSecretKey' })
    })

    it('refuses a default channel of another team with 400 naming channel_id', async () => {
      const other = await makeTeamWithMembers(ctx.server, 0)
      const foreign = await makeChannel(other.owner.client, other.team.id)
      const answer = await api(ctx.server, world.owner.token, 'POST', '/api/v4/integrations/pagerduty/connections', body({ channel_id: foreign.id }))
      expect(answer.status).to.equal(400)
      expect(answer.json).to.include({ id: 'api.context.invalid_body_param.app_error', status_code: 400 })
      expect(answer.json.message).to.contain('channel_id')
    })

    it('refuses a body without a name with 400 naming name', async () => {
      const answer = await api(ctx.server, world.owner.token, 'POST', '/api/v4/integrations/pagerduty/connections', body({ name: undefined }))
      expect(answer.status).to.equal(400)
      expect(answer.json.message).to.contain('name')
    })

    it('refuses a second connection of the same vendor and name with 400', async () => {
      const name = uniqueName('dup')
      await createConnection(ctx.server, world.owner.token, 'pagerduty', body({ name }))
      const answer = await api(ctx.server, world.owner.token, 'POST', '/api/v4/integrations/pagerduty/connections', body({ name }))
      expect(answer.status).to.equal(400)
      expect(answer.json.id).to.equal('api.integrations.connection.name_taken.app_error')
    })

    it('refuses a team member who is not a team admin with 403', async () => {
      const answer = await api(ctx.server, world.members[0]!.token, 'POST', '/api/v4/integrations/pagerduty/connections', body())
      expect(answer.status).to.equal(403)
    })

    it('answers 404 for an unknown vendor', async () => {
      const answer = await api(ctx.server, world.owner.token, 'POST', '/api/v4/integrations/nagios/connections', body())
      expect(answer.status).to.equal(404)
      expect(answer.json.id).to.equal('api.integrations.vendor.not_found.app_error')
    })

    it('answers 401 without a session', async () => {
      const answer = await api(ctx.server, undefined, 'POST', '/api/v4/integrations/pagerduty/connections', body())
      expect(answer.status).to.equal(401)
    })
  })

  describe('list, get, patch and delete', () => {
    it('lists a team\'s connections of one vendor for its admin, and every team\'s for a system admin', async () => {
      const mine = await createConnection(ctx.server, world.owner.token, 'jira', body())
      const other = await makeTeamWithMembers(ctx.server, 0)
      const theirs = await createConnection(ctx.server, other.owner.token, 'jira', body({ team_id: other.team.id, channel_id: (await makeChannel(other.owner.client, other.team.id)).id }))
      const listed = await api(ctx.server, world.owner.token, 'GET', '/api/v4/integrations/jira/connections')
      expect(listed.json.map((c: { id: string }) => c.id)).to.include(mine.id).and.not.include(theirs.id)
      const admin = await getAdmin(ctx.server)
      const all = await api(ctx.server, admin.token, 'GET', '/api/v4/integrations/jira/connections')
      expect(all.json.map((c: { id: string }) => c.id)).to.include.members([mine.id, theirs.id])
      const refused = await api(ctx.server, world.owner.token, 'GET', `/api/v4/integrations/jira/connections?team_id=${other.team.id}`)
      expect(refused.status).to.equal(403)
    })

    it('patches the name and merges credentials (an empty value removes one)', async () => {
      const created = await createConnection(ctx.server, world.owner.token, 'pagerduty', body())
      const name = uniqueName('renamed')
      const patched = await api(ctx.server, world.owner.token, 'PATCH', `/api/v4/integrations/pagerduty/connections/${created.id}`, { name, credentials: { from_email: '', routing_key: 'R0UTINGKEY' } })
      expect(patched.status).to.equal(200)
      expect(patched.json.name).to.equal(name)
      expect(patched.json.credential_names).to.deep.equal(['api_token', 'routing_key'])
    })

    it('refuses a patch of an unknown field with 400 naming it', async () => {
      const created = await createConnection(ctx.server, world.owner.token, 'pagerduty', body())
      const answer = await api(ctx.server, world.owner.token, 'PATCH', `/api/v4/integrations/pagerduty/connections/${created.id}`, { team_id: world.team.id })
      expect(answer.status).to.equal(400)
      expect(answer.json.message).to.contain('team_id')
    })

    it('deletes a connection; its webhook URL then answers 404', async () => {
      const created = await createConnection(ctx.server, world.owner.token, 'pagerduty', body())
      expect((await api(ctx.server, world.owner.token, 'DELETE', `/api/v4/integrations/pagerduty/connections/${created.id}`)).json).to.deep.equal({ status: 'OK' })
      expect((await api(ctx.server, world.owner.token, 'GET', `/api/v4/integrations/pagerduty/connections/${created.id}`)).status).to.equal(404)
      const raw = fixture('pagerduty', 'incident.triggered.json')
      const answer = await deliver(ctx.server, created, { 'x-pagerduty-signature': `v1=${hmacHex(SECRET, raw)}` }, raw)
      expect(answer.status).to.equal(404)
    })

    it('refuses another team\'s admin on get, patch, rotate and delete with 403', async () => {
      const created = await createConnection(ctx.server, world.owner.token, 'pagerduty', body())
      const outsider = (await makeTeamWithMembers(ctx.server, 0)).owner
      const route = `/api/v4/integrations/pagerduty/connections/${created.id}`
      expect((await api(ctx.server, outsider.token, 'GET', route)).status).to.equal(403)
      expect((await api(ctx.server, outsider.token, 'PATCH', route, { name: uniqueName('taken') })).status).to.equal(403)
      expect((await api(ctx.server, outsider.token, 'POST', `${route}/rotate_secret`, {})).status).to.equal(403)
      expect((await api(ctx.server, outsider.token, 'DELETE', route)).status).to.equal(403)
      expect((await api(ctx.server, world.owner.token, 'GET', route)).json.name).to.equal(created.name)
    })

    it('does not show a connection under another vendor', async () => {
      const created = await createConnection(ctx.server, world.owner.token, 'pagerduty', body())
      expect((await api(ctx.server, world.owner.token, 'GET', `/api/v4/integrations/github/connections/${created.id}`)).status).to.equal(404)
    })
  })

  describe('POST …/connections/{id}/rotate_secret', () => {
    const signed = (secret: string) => {
      const raw = fixture('pagerduty', 'service.updated.json')
      return { raw, headers: { 'x-pagerduty-signature': `v1=${hmacHex(secret, raw)}` } }
    }

    it('accepts deliveries signed with the old and the new secret while the rotation lasts', async () => {
      const created = await createConnection(ctx.server, world.owner.token, 'pagerduty', body())
      const rotated = await api(ctx.server, world.owner.token, 'POST', `/api/v4/integrations/pagerduty/connections/${created.id}/rotate_secret`, { webhook_secret: 'the-new-secret-1', rotation_minutes: 60 })
      expect(rotated.status).to.equal(200)
      expect(rotated.json.rotation_ends_at).to.be.greaterThan(Date.now() + 59 * 60_000)
      expect(rotated.text).not.to.contain('the-new-secret-1')
      for (const secret of [SECRET, 'the-new-secret-1']) {
        const { raw, headers } = signed(secret)
        expect((await deliver(ctx.server, created, headers, raw)).status, secret).to.equal(200)
      }
      const { raw, headers } = signed('some-other-secret')
      expect((await deliver(ctx.server, created, headers, raw)).status).to.equal(401)
    })

    it('refuses the old secret at once when the rotation has no grace period', async () => {
      const created = await createConnection(ctx.server, world.owner.token, 'pagerduty', body())
      const rotated = await api(ctx.server, world.owner.token, 'POST', `/api/v4/integrations/pagerduty/connections/${created.id}/rotate_secret`, { rotation_minutes: 0 })
      expect(rotated.json.webhook_secret).to.match(/^[0-9a-f]{64}$/)
      expect(rotated.json.rotation_ends_at).to.equal(0)
      const old = signed(SECRET)
      expect((await deliver(ctx.server, created, old.headers, old.raw)).status).to.equal(401)
      const fresh = signed(rotated.json.webhook_secret)
      expect((await deliver(ctx.server, created, fresh.headers, fresh.raw)).status).to.equal(200)
    })
  })
})
