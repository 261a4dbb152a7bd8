/** System routes and the response conventions every route shares (Mattermost api4/system.go, web/handlers.go). */
import { expect } from 'chai'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { expectAppError, rawRequest } from '../helpers/expect-status.ts'
import { getAdmin, makeClient } from '../helpers/factories.ts'

const ID_PATTERN = /^[a-z0-9]{26}$/

forEachBackend((backend) => {
  const ctx = useTestServer(backend)

  describe('GET /api/v4/system/ping', () => {
    it('answers status OK without a session', async () => {
      const res = await rawRequest(ctx.server.url, '/api/v4/system/ping')
      expect(res.status).to.equal(200)
      expect(res.json).to.include({ status: 'OK' })
    })

    it('answers Client4.ping, which asks for use_rest_semantics', async () => {
      const status = await makeClient(ctx.server.url).ping(false)
      expect(status).to.include({ status: 'OK' })
    })

    it('reports database_status OK when asked for the server status', async () => {
      const status = await makeClient(ctx.server.url).ping(true)
      expect(status).to.include({ status: 'OK', database_status: 'OK' })
    })

    it('sends Content-Type exactly application/json, which Client4 requires to parse JSON', async () => {
      const res = await rawRequest(ctx.server.url, '/api/v4/system/ping')
      expect(res.headers.get('content-type')).to.equal('application/json')
    })

    it('sends a 26-character X-Request-ID and an X-Version-ID', async () => {
      const res = await rawRequest(ctx.server.url, '/api/v4/system/ping')
      expect(res.headers.get('x-request-id')).to.match(ID_PATTERN)
      expect(res.headers.get('x-version-id')).to.be.a('string').and.not.equal('')
    })

    it('sends a different X-Request-ID for each request', async () => {
      const a = await rawRequest(ctx.server.url, '/api/v4/system/ping')
      const b = await rawRequest(ctx.server.url, '/api/v4/system/ping')
      expect(a.headers.get('x-request-id')).to.not.equal(b.headers.get('x-request-id'))
    })
  })

  describe('GET /api/v4/config/client', () => {
    it('returns the limited client config as a flat map of strings without a session', async () => {
      const config = (await makeClient(ctx.server.url).getClientConfig()) as unknown as Record<string, unknown>
      expect(config).to.include.keys('Version', 'BuildNumber', 'SiteName', 'SiteURL', 'DiagnosticId', 'EnableSignInWithUsername', 'EnableSignInWithEmail', 'EnableUserCreation', 'NoAccounts')
      for (const [key, value] of Object.entries(config)) expect(value, key).to.be.a('string')
    })

    it('returns the full client config, strings only, to a session', async () => {
      const admin = await getAdmin(ctx.server)
      const config = (await admin.client.getClientConfig()) as unknown as Record<string, unknown>
      expect(config).to.include.keys('Version', 'CollapsedThreads', 'EnableUserAccessTokens', 'EnableBotAccountCreation', 'EnableOpenServer', 'TeammateNameDisplay')
      for (const [key, value] of Object.entries(config)) expect(value, key).to.be.a('string')
    })

    it('reports a modern Version, which the webapp gates features on', async () => {
      const config = (await makeClient(ctx.server.url).getClientConfig()) as unknown as Record<string, string>
      const major = Number(config.Version?.split('.')[0])
      expect(major, `Version ${config.Version}`).to.be.at.least(9)
    })

    it('reports NoAccounts "false" once an account exists', async () => {
      await getAdmin(ctx.server)
      const config = (await makeClient(ctx.server.url).getClientConfig()) as unknown as Record<string, string>
      expect(config.NoAccounts).to.equal('false')
    })

    it('rejects a request without format=old with 501 api.config.client.old_format.app_error', async () => {
      const res = await rawRequest(ctx.server.url, '/api/v4/config/client')
      expectAppError(res, 501, 'api.config.client.old_format.app_error')
    })
  })

  describe('GET /api/v4/license/client', () => {
    it('reports IsLicensed "false" with format=old', async () => {
      const license = (await makeClient(ctx.server.url).getClientLicenseOld()) as unknown as Record<string, string>
      expect(license.IsLicensed).to.equal('false')
    })
  })

  describe('unknown /api/v4 routes', () => {
    it('answers 404 api.context.404.app_error in the AppError shape', async () => {
      const res = await rawRequest(ctx.server.url, '/api/v4/no/such/route')
      expectAppError(res, 404, 'api.context.404.app_error')
    })
  })
})
