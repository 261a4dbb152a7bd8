/**
 * The raw floors the server is compared with, each in its own process like the server:
 *  - `post`: a bare express handler → one raw INSERT into `posts` through the same kind of connection
 *    the server uses (openDatabase: PGlite in process + pg Pool max 1, or a pg Pool to the
 *    PostgreSQL server) → `ws` broadcast of a `posted` frame to every connected socket → 201.
 *  - `broadcast`: bare node:http POST → the same frame to every `ws` socket (no database).
 *  - `idle`: a bare `ws` server holding sockets (memory per connection).
 *  - `rest`: the database opened and migrated + an express app listening, idle (RSS at rest).
 * No authentication, no validation, no services: this is the cost of the plumbing alone.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import express from 'express'
import { WebSocketServer, WebSocket } from 'ws'
import { openDatabase, migrate, type Database } from '../../core/db/index.ts'
import { createLogger } from '../../core/log.ts'
import { memoryAfterGc, serveCalls } from './proc.ts'

type Mode = 'post' | 'broadcast' | 'idle' | 'rest'

let db: Database | undefined
let server: http.Server | undefined
const sockets = new Set<WebSocket>()

function newId(): string {
  return randomBytes(16).toString('hex').slice(0, 26)
}

/** A Mattermost-shaped `posted` frame (same fields as the server's, built by hand). */
function postedFrame(post: Record<string, unknown>, channelId: string, mentions?: string): string {
  const data: Record<string, unknown> = {
    channel_display_name: 'Bench',
    channel_name: 'bench',
    channel_type: 'O',
    post: JSON.stringify(post),
    sender_name: '@bench-user',
    set_online: true,
    team_id: 'x'.repeat(26),
  }
  if (mentions) data.mentions = mentions
  const broadcast = { omit_users: null, user_id: '', channel_id: channelId, team_id: '', connection_id: '', omit_connection_id: '' }
  return `{"event":"posted","data":${JSON.stringify(data)},"broadcast":${JSON.stringify(broadcast)},"seq":1}`
}

function postJson(id: string, now: number, userId: string, channelId: string, message: string, props: unknown): Record<string, unknown> {
  return {
    id, create_at: now, update_at: now, edit_at: 0, delete_at: 0, is_pinned: false, user_id: userId, channel_id: channelId,
    root_id: '', original_id: '', message, type: '', props: props ?? {}, hashtags: '', file_ids: [], pending_post_id: '',
    reply_count: 0, last_reply_at: 0, participants: null, metadata: {},
  }
}

function broadcastFrame(frame: string): void {
  for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.send(frame)
}

function attachWs(srv: http.Server): void {
  const wss = new WebSocketServer({ server: srv, path: '/api/v4/websocket', perMessageDeflate: false, clientTracking: false })
  wss.on('connection', (ws) => {
    sockets.add(ws)
    ws.on('close', () => sockets.delete(ws))
    ws.on('error', () => undefined)
    ws.send(`{"event":"hello","data":{"connection_id":"${newId()}","server_version":"floor"},"broadcast":{"omit_users":null,"user_id":"","channel_id":"","team_id":"","connection_id":"","omit_connection_id":""},"seq":0}`)
  })
}

async function listen(srv: http.Server): Promise<string> {
  srv.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`
}

async function openDb(args: { dataDir: string; databaseUrl?: string }): Promise<Database> {
  const log = createLogger({ level: 'silent' })
  const opened = await openDatabase({ databaseUrl: args.databaseUrl, dataDir: args.dataDir, sharedBuffers: '32MB', log })
  await migrate(opened, log)
  return opened
}

serveCalls(
  {
    async start(args: { mode: Mode; dataDir: string; databaseUrl?: string }) {
      if (args.mode === 'post' || args.mode === 'rest') db = await openDb(args)
      if (args.mode === 'post') {
        const app = express()
        app.use(express.json({ limit: '1mb' }))
        app.post('/api/v4/posts', async (req, res) => {
          const body = req.body as { channel_id: string; message: string; props?: unknown }
          const auth = req.headers.authorization ?? ''
          const userId = auth.slice(7, 33).padEnd(26, 'x')
          const now = Date.now()
          const id = newId()
          await db!.pool.query(
            'INSERT INTO posts (id, create_at, update_at, user_id, channel_id, message, props) VALUES ($1, $2, $2, $3, $4, $5, $6)',
            [id, now, userId, body.channel_id, body.message, JSON.stringify(body.props ?? {})],
          )
          const post = postJson(id, now, userId, body.channel_id, body.message, body.props)
          broadcastFrame(postedFrame(post, body.channel_id))
          res.status(201).json(post)
        })
        server = http.createServer(app)
        attachWs(server)
      } else if (args.mode === 'rest') {
        const app = express()
        app.use(express.json({ limit: '1mb' }))
        app.get('/api/v4/system/ping', (_req, res) => {
          res.json({ status: 'OK' })
        })
        server = http.createServer(app)
        await db!.pool.query('SELECT count(*) FROM posts')
      } else {
        server = http.createServer((req, res) => {
          if (args.mode !== 'broadcast' || req.method !== 'POST') {
            res.writeHead(404).end()
            return
          }
          const chunks: Buffer[] = []
          req.on('data', (c: Buffer) => chunks.push(c))
          req.on('end', () => {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { channel_id: string; message: string; props?: unknown }
            const now = Date.now()
            const post = postJson(newId(), now, 'u'.repeat(26), body.channel_id, body.message, body.props)
            broadcastFrame(postedFrame(post, body.channel_id))
            const out = JSON.stringify(post)
            res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }).end(out)
          })
        })
        attachWs(server)
      }
      return { url: await listen(server) }
    },
    mem: () => memoryAfterGc(),
    connections: () => sockets.size,
    async close() {
      for (const ws of sockets) ws.terminate()
      server?.closeAllConnections()
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
      await db?.close()
      db = undefined
    },
  },
  async () => {
    await db?.close()
  },
)
