// Session lifetime, login limiting and token transport, as an operator configures them.
import { expect } from 'chai'
import fs from 'node:fs/promises'
import WebSocket from 'ws'
import { startServer, type BridgeheadServer } from '../../../core/main.ts'
import { createPgliteDataDir } from '../../helpers/database.ts'

describe('sessions and login limits', function () {
  this.timeout(60_000)
  let server: BridgeheadServer
  let dataDir: string

  async function call(method: string, path: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
    const res = await fetch(`${server.url}/api/v4${path}`, {
      method,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      headers: { ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    })
    const text = await res.text()
    return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
  }

  async function signUp(username: string): Promise<string> {
    const created = await call('POST', '/users', { body: { username, email: `${username}@example.com`, password: 'password123' } })
    expect(created.status, JSON.stringify(created.json)).to.equal(201)
    const login = await call('POST', '/users/login', { body: { login_id: username, password: 'password123' } })
    expect(login.status).to.equal(200)
    return login.headers.get('token')!
  }

  before(async () => {
    dataDir = await createPgliteDataDir()
    server = await startServer({ port: 0, dataDir, logLevel: 'silent', maxLoginAttempts: 3 })
    await signUp('admin')
  })

  after(async () => {
    await server?.close()
    await fs.rm(dataDir, { recursive: true, force: true })
  })

  it('refuses a session whose expiry has passed with 401 api.context.session_expired.app_error', async () => {
    const token = await signUp('expiring')
    await server.db.prisma.session.updateMany({ where: { token }, data: { expiresAt: BigInt(Date.now() - 1000) } })
    const res = await call('GET', '/users/me', { token })
    expect(res.status).to.equal(401)
    expect(res.json.id).to.equal('api.context.session_expired.app_error')
  })

  it('gives sessions the configured lifetime', async () => {
    const token = await signUp('lifetime')
    const session = await server.db.prisma.session.findUniqueOrThrow({ where: { token } })
    const hours = Number(session.expiresAt - session.createAt) / 3_600_000
    expect(hours).to.equal(server.config.sessionLengthHours)
  })

  it('locks an account after the configured number of failed logins, even for the right password', async () => {
    await signUp('target')
    for (let i = 0; i < 3; i++) {
      const bad = await call('POST', '/users/login', { body: { login_id: 'target', password: 'wrong-password' } })
      expect(bad.status).to.equal(401)
      expect(bad.json.id).to.equal('api.user.login.invalid_credentials_email_username')
    }
    const locked = await call('POST', '/users/login', { body: { login_id: 'target', password: 'password123' } })
    expect(locked.status).to.equal(401)
    expect(locked.json.id).to.equal('api.user.check_user_login_attempts.too_many.app_error')
  })

  it('resets the failure count after a successful login', async () => {
    await signUp('forgetful')
    for (let i = 0; i < 2; i++) await call('POST', '/users/login', { body: { login_id: 'forgetful', password: 'nope-nope' } })
    expect((await call('POST', '/users/login', { body: { login_id: 'forgetful', password: 'password123' } })).status).to.equal(200)
    for (let i = 0; i < 2; i++) await call('POST', '/users/login', { body: { login_id: 'forgetful', password: 'nope-nope' } })
    expect((await call('POST', '/users/login', { body: { login_id: 'forgetful', password: 'password123' } })).status).to.equal(200)
  })

  it('answers a burst of login attempts from one address with 429 and Retry-After', async () => {
    let last = await call('POST', '/users/login', { body: { login_id: 'burst', password: 'x' } })
    for (let i = 0; i < 40 && last.status !== 429; i++) last = await call('POST', '/users/login', { body: { login_id: 'burst', password: 'x' } })
    expect(last.status).to.equal(429)
    expect(Number(last.headers.get('retry-after'))).to.be.greaterThan(0)
    expect(last.json.status_code).to.equal(429)
  })

  it('accepts a personal access token as ?access_token=', async () => {
    const adminToken = (await call('POST', '/users/login', { body: { login_id: 'admin', password: 'password123' } })).headers.get('token')!
    const created = await call('POST', '/users/me/tokens', { token: adminToken, body: { description: 'ci' } })
    expect(created.status).to.equal(200)
    const me = await call('GET', `/users/me?access_token=${created.json.token as string}`)
    expect(me.status).to.equal(200)
    expect(me.json.username).to.equal('admin')
  })

  it('ends the other sessions of a user whose password changes, and keeps the one that changed it', async () => {
    const token = await signUp('rotating')
    const other = (await call('POST', '/users/login', { body: { login_id: 'rotating', password: 'password123' } })).headers.get('token')!
    const me = await call('GET', '/users/me', { token })
    const changed = await call('PUT', `/users/${me.json.id as string}/password`, { token, body: { current_password: 'password123', new_password: 'password456' } })
    expect(changed.status).to.equal(200)
    expect((await call('GET', '/users/me', { token: other })).status).to.equal(401)
    expect((await call('GET', '/users/me', { token })).status).to.equal(200)
    expect((await call('POST', '/users/login', { body: { login_id: 'rotating', password: 'password456' } })).status).to.equal(200)
  })

  it('closes the WebSocket of a session that logs out', async () => {
    const token = await signUp('leaver')
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/v4/websocket`, { headers: { Authorization: `Bearer ${token}` } })
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (raw) => {
        if ((JSON.parse(String(raw)) as { event?: string }).event === 'hello') resolve()
      })
      socket.on('error', reject)
    })
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
    expect((await call('POST', '/users/logout', { token })).status).to.equal(200)
    expect(await closed).to.equal(1008)
  })
})
