/**
 * The load generator, in its own process (so its sockets and CPU are not counted as the server's):
 * holds groups of authenticated WebSockets, runs the closed-loop posting load of B1 and the open-loop
 * posting of B2, and timestamps every `posted` event its sockets receive.
 */
import http from 'node:http'
import { WebSocket } from 'ws'
import { Histogram } from './histogram.ts'
import { serveCalls, sleep } from './proc.ts'
import { seeded, sentence, type Rng } from './rng.ts'

interface Sock {
  ws: WebSocket
  index: number
}

type FrameHandler = (sock: Sock, data: Buffer) => void

const groups = new Map<string, Sock[]>()
const handlers = new Map<string, FrameHandler>()
const POSTED = Buffer.from('"event":"posted"')

// ---- HTTP ----

function postJson(agent: http.Agent, url: URL, token: string, body: unknown): Promise<number> {
  const payload = JSON.stringify(body)
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        res.on('data', () => undefined)
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', () => resolve(-1))
      },
    )
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')))
    req.on('error', () => resolve(-1))
    req.end(payload)
  })
}

// ---- WebSockets ----

/** Opens `count` sockets (default one per token), token i % tokens.length for the i-th, at most `concurrency` handshakes at once. */
async function connect(args: { group: string; wsUrl: string; tokens: string[]; count?: number; concurrency: number; timeoutMs: number }) {
  const socks: Sock[] = groups.get(args.group) ?? []
  groups.set(args.group, socks)
  const total = args.count ?? args.tokens.length
  const started = performance.now()
  let next = 0
  let failed = 0
  let firstError = ''
  const one = (index: number): Promise<void> =>
    new Promise((resolve) => {
      const token = args.tokens[index % args.tokens.length]!
      const ws = new WebSocket(args.wsUrl, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false, handshakeTimeout: args.timeoutMs })
      const sock: Sock = { ws, index: socks.length }
      let settled = false
      const done = (ok: boolean, why?: string) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (ok) socks.push(sock)
        else {
          failed++
          firstError ||= why ?? 'unknown'
          ws.terminate()
        }
        resolve()
      }
      const timer = setTimeout(() => done(false, 'no hello in time'), args.timeoutMs)
      ws.on('message', (data: Buffer) => {
        if (!settled) {
          if (data.includes('"event":"hello"')) done(true)
          return
        }
        handlers.get(args.group)?.(sock, data)
      })
      ws.on('error', (err) => done(false, err.message))
      ws.on('close', () => done(false, 'closed before hello'))
    })
  const workers = Array.from({ length: Math.min(args.concurrency, total) }, async () => {
    while (next < total) await one(next++)
  })
  await Promise.all(workers)
  // Sockets get their group index in arrival order; re-number so indexes are dense.
  socks.forEach((s, i) => (s.index = i))
  return { opened: socks.length, failed, firstError, ms: performance.now() - started }
}

async function close(args: { group: string; timeoutMs?: number }) {
  const socks = groups.get(args.group) ?? []
  groups.delete(args.group)
  handlers.delete(args.group)
  await Promise.all(
    socks.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.ws.readyState === WebSocket.CLOSED) return resolve()
          const timer = setTimeout(() => {
            s.ws.terminate()
            resolve()
          }, args.timeoutMs ?? 3000)
          s.ws.once('close', () => {
            clearTimeout(timer)
            resolve()
          })
          s.ws.close()
        }),
    ),
  )
  return { closed: socks.length }
}

/** Message text: a marker first (found in the frame without parsing it), then seeded words and mentions. */
function message(rng: Rng, marker: string, mentionable: string[]): string {
  let text = `${marker} ${sentence(rng, 8, 30)}`
  if (mentionable.length > 0) {
    const r = rng()
    const count = r < 0.1 ? 2 : r < 0.5 ? 1 : 0
    for (let i = 0; i < count; i++) text += ` @${mentionable[Math.floor(rng() * mentionable.length)]}`
  }
  return text
}

/**
 * B1: `concurrency` closed-loop clients (one user each) post for `durationMs`; counts `posted`
 * frames of this run on the sockets of `group`. `channelIds` (one per client) spreads the load over
 * several channels, for diagnostics.
 */
async function b1(args: { baseUrl: string; tokens: string[]; usernames: string[]; channelId: string; channelIds?: string[]; durationMs: number; run: string; seed: number; group: string; drainMs: number }) {
  const socks = groups.get(args.group) ?? []
  const marker = Buffer.from(`b1k:${args.run}:`)
  let delivered = 0
  let frameBytes = 0
  handlers.set(args.group, (_s, data) => {
    if (data.includes(marker) && data.includes(POSTED)) {
      delivered++
      frameBytes += data.length
    }
  })
  const url = new URL('/api/v4/posts', args.baseUrl)
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.tokens.length })
  const statuses = new Map<number, number>()
  let ok = 0
  let seq = 0
  const started = performance.now()
  const deadline = started + args.durationMs
  let lastDone = started
  await Promise.all(
    args.tokens.map(async (token, worker) => {
      const rng = seeded(args.seed * 1000 + worker)
      const others = args.usernames.filter((_, i) => i !== worker)
      while (performance.now() < deadline) {
        const body = { channel_id: args.channelIds ? args.channelIds[worker % args.channelIds.length]! : args.channelId, message: message(rng, `b1k:${args.run}:${seq++};`, others) }
        const status = await postJson(agent, url, token, body)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (status === 201) ok++
        lastDone = performance.now()
      }
    }),
  )
  const elapsedMs = lastDone - started
  const expected = ok * socks.length
  const drainUntil = performance.now() + args.drainMs
  while (delivered < expected && performance.now() < drainUntil) await sleep(20)
  agent.destroy()
  handlers.delete(args.group)
  return {
    posts: ok, elapsedMs, postsPerSec: (ok * 1000) / elapsedMs, statuses: Object.fromEntries(statuses),
    delivered, expectedDeliveries: expected, sockets: socks.length, avgFrameBytes: delivered ? frameBytes / delivered : 0,
  }
}

/**
 * B2: open loop. Post k is due at t0 + k/rate whether or not earlier ones have completed; each
 * socket's receipt of post k is timed from k's due time (so a stalled server or client is charged
 * for the whole wait: no coordinated omission).
 */
async function b2(args: { baseUrl: string; token: string; channelId: string; mentionable: string[]; rate: number; durationMs: number; run: string; seed: number; group: string; drainMs: number }) {
  const socks = groups.get(args.group) ?? []
  const n = Math.max(1, Math.round((args.durationMs / 1000) * args.rate))
  const interval = 1000 / args.rate
  const due = new Float64Array(n)
  const seen = new Uint8Array(n * socks.length)
  const hist = new Histogram()
  const marker = `b2k:${args.run}:`
  const markerBuf = Buffer.from(marker)
  let received = 0
  let duplicates = 0
  let frameBytes = 0
  handlers.set(args.group, (sock, data) => {
    const at = data.indexOf(markerBuf)
    if (at < 0 || !data.includes(POSTED)) return
    const now = performance.now()
    let k = 0
    for (let i = at + markerBuf.length; i < data.length; i++) {
      const c = data[i]!
      if (c < 48 || c > 57) break
      k = k * 10 + (c - 48)
    }
    if (k >= n) return
    const slot = k * socks.length + sock.index
    if (seen[slot]) {
      duplicates++
      return
    }
    seen[slot] = 1
    received++
    frameBytes += data.length
    hist.record((now - due[k]!) * 1000)
  })
  const rng = seeded(args.seed)
  const bodies = Array.from({ length: n }, (_, k) => ({ channel_id: args.channelId, message: message(rng, `${marker}${k};`, args.mentionable) }))
  const url = new URL('/api/v4/posts', args.baseUrl)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  const statuses = new Map<number, number>()
  const requests: Promise<void>[] = []
  let maxLagMs = 0
  const t0 = performance.now() + 20
  for (let k = 0; k < n; k++) due[k] = t0 + k * interval
  await new Promise<void>((resolve) => {
    let k = 0
    const tick = () => {
      const now = performance.now()
      while (k < n && due[k]! <= now) {
        maxLagMs = Math.max(maxLagMs, now - due[k]!)
        requests.push(postJson(agent, url, args.token, bodies[k]).then((s) => void statuses.set(s, (statuses.get(s) ?? 0) + 1)))
        k++
      }
      if (k < n) setTimeout(tick, Math.max(0, due[k]! - performance.now()))
      else resolve()
    }
    setTimeout(tick, Math.max(0, t0 - performance.now()))
  })
  await Promise.all(requests)
  const expected = n * socks.length
  const drainUntil = performance.now() + args.drainMs
  while (received < expected && performance.now() < drainUntil) await sleep(20)
  agent.destroy()
  handlers.delete(args.group)
  return {
    posts: n, sockets: socks.length, expected, received, missed: expected - received, duplicates,
    statuses: Object.fromEntries(statuses), histogram: hist.toJSON(), maxSendLagMs: maxLagMs, avgFrameBytes: received ? frameBytes / received : 0,
  }
}

/** GETs with a token, for the idle-RSS workload's reads. */
async function gets(args: { baseUrl: string; token: string; paths: string[] }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
  const statuses: number[] = []
  for (const path of args.paths) {
    statuses.push(
      await new Promise<number>((resolve) => {
        const req = http.get(new URL(path, args.baseUrl), { agent, headers: { authorization: `Bearer ${args.token}` } }, (res) => {
          res.on('data', () => undefined)
          res.on('end', () => resolve(res.statusCode ?? 0))
        })
        req.on('error', () => resolve(-1))
      }),
    )
  }
  agent.destroy()
  return { statuses }
}

serveCalls(
  {
    connect,
    close,
    b1,
    b2,
    gets,
    count: (args: { group: string }) => groups.get(args.group)?.length ?? 0,
  },
  async () => {
    for (const group of [...groups.keys()]) await close({ group, timeoutMs: 500 })
  },
)
