/**
 * The bench data set, created only through the public API (/api/v4) like a client would: an admin
 * (the first account), a team, the B1 and B2 channels, N users with personal access tokens (one
 * scrypt hash each, at sign-up; no password login needed), team and channel memberships, and login
 * sessions for the B1 posters. Names and order are fixed, so every run builds the same data.
 */
import http from 'node:http'

export interface BenchUser {
  id: string
  username: string
  /** Personal access token (Bearer). */
  token: string
}

export interface Dataset {
  adminToken: string
  teamId: string
  b1ChannelId: string
  b2ChannelId: string
  users: BenchUser[]
  /** B1 posters: users[0..n) with login sessions (real session tokens, not PATs). */
  posters: { id: string; username: string; sessionToken: string }[]
  setupMs: number
  requests: number
}

const PASSWORD = 'bench-Password-1'
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 })

interface Reply {
  status: number
  body: any
  headers: http.IncomingHttpHeaders
}

export function api(baseUrl: string, method: string, path: string, token?: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(`/api/v4${path}`, baseUrl),
      {
        method,
        agent,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let parsed: unknown = text
          try {
            parsed = text ? JSON.parse(text) : null
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers })
        })
      },
    )
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path} timed out`)))
    req.on('error', reject)
    req.end(payload)
  })
}

/** Counts requests per data set (two are built at once). */
const counters = new Map<string, number>()

export async function must(baseUrl: string, method: string, path: string, token: string | undefined, body: unknown, expect: number[]): Promise<Reply> {
  counters.set(baseUrl, (counters.get(baseUrl) ?? 0) + 1)
  const reply = await api(baseUrl, method, path, token, body)
  if (!expect.includes(reply.status)) {
    throw new Error(`setup: ${method} /api/v4${path} answered ${reply.status}: ${typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)}`)
  }
  return reply
}

export function username(i: number): string {
  return `bench-u${String(i).padStart(4, '0')}`
}

async function login(baseUrl: string, name: string): Promise<string> {
  const reply = await must(baseUrl, 'POST', '/users/login', undefined, { login_id: name, password: PASSWORD }, [200])
  const token = reply.headers.token
  if (typeof token !== 'string') throw new Error('setup: login returned no Token header')
  return token
}

/** Runs `fn(i)` for i in [0, n) with at most `concurrency` at once. */
export async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) await fn(next++)
  }))
}

export async function createDataset(baseUrl: string, options: { users: number; posters: number; concurrency: number; onProgress?: (done: number) => void }): Promise<Dataset> {
  const started = performance.now()
  counters.set(baseUrl, 0)
  await must(baseUrl, 'POST', '/users', undefined, { username: 'bench-admin', email: 'bench-admin@bench.test', password: PASSWORD }, [201])
  const adminToken = await login(baseUrl, 'bench-admin')
  const team = await must(baseUrl, 'POST', '/teams', adminToken, { name: 'bench', display_name: 'Bench', type: 'O' }, [201])
  const teamId = team.body.id as string
  const channel = async (name: string) =>
    (await must(baseUrl, 'POST', '/channels', adminToken, { team_id: teamId, name, display_name: name.toUpperCase(), type: 'O' }, [201])).body.id as string
  const b1ChannelId = await channel('bench-b1')
  const b2ChannelId = await channel('bench-b2')

  const users: BenchUser[] = new Array(options.users)
  let done = 0
  await pool(options.users, options.concurrency, async (i) => {
    const name = username(i)
    const created = await must(baseUrl, 'POST', '/users', adminToken, { username: name, email: `${name}@bench.test`, password: PASSWORD, first_name: 'Bench', last_name: `User ${i}` }, [201])
    const id = created.body.id as string
    const pat = await must(baseUrl, 'POST', `/users/${id}/tokens`, adminToken, { description: 'bench' }, [200])
    await must(baseUrl, 'POST', `/teams/${teamId}/members`, adminToken, { team_id: teamId, user_id: id }, [201])
    await must(baseUrl, 'POST', `/channels/${b2ChannelId}/members`, adminToken, { user_id: id }, [201])
    if (i < options.posters) await must(baseUrl, 'POST', `/channels/${b1ChannelId}/members`, adminToken, { user_id: id }, [201])
    users[i] = { id, username: name, token: pat.body.token as string }
    done++
    if (done % 100 === 0) options.onProgress?.(done)
  })
  const posters = await Promise.all(
    users.slice(0, options.posters).map(async (u) => ({ id: u.id, username: u.username, sessionToken: await login(baseUrl, u.username) })),
  )
  return { adminToken, teamId, b1ChannelId, b2ChannelId, users, posters, setupMs: performance.now() - started, requests: counters.get(baseUrl) ?? 0 }
}

export function closeSetupAgent(): void {
  agent.destroy()
}
