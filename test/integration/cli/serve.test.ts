// The bridgehead command as an operator uses it: serve, SIGTERM, a bad setting, user create, migrate.
import { expect } from 'chai'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'

const BIN = path.resolve(import.meta.dirname, '../../../bin/bridgehead.js')

function run(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => out, exited }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v4/system/ping`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`server on ${port} did not answer within ${timeoutMs} ms`)
}

describe('bridgehead command', function () {
  this.timeout(90_000)
  let dataDir: string

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bh-cli-'))
  })
  after(async () => {
    await fs.rm(dataDir, { recursive: true, force: true })
  })

  it('refuses to start with a bad setting and names the variable', async () => {
    const { output, exited } = run(['serve'], { PORT: 'eighty', DATA_DIR: dataDir })
    expect(await exited).to.equal(1)
    expect(output()).to.match(/PORT must be a whole number/)
  })

  it('creates an admin account from the command line', async () => {
    const { output, exited } = run(['user', 'create', '--admin', '--username', 'root1', '--email', 'root1@example.com', '--password', 'password123'], { DATA_DIR: dataDir })
    expect(await exited, output()).to.equal(0)
    expect(output()).to.match(/Created system admin root1/)
  })

  it('explains a missing option of user create', async () => {
    const { output, exited } = run(['user', 'create', '--username', 'x'], { DATA_DIR: dataDir })
    expect(await exited).to.equal(1)
    expect(output()).to.include('user create needs --username, --email and --password')
  })

  it('reports an up-to-date database from migrate', async () => {
    const { output, exited } = run(['migrate'], { DATA_DIR: dataDir })
    expect(await exited, output()).to.equal(0)
    expect(output()).to.include('Database is up to date.')
  })

  it('serves the API, then drains and closes the database on SIGTERM', async () => {
    const port = await freePort()
    const { child, output, exited } = run(['serve'], { PORT: String(port), DATA_DIR: dataDir })
    await waitForPing(port, 60_000)
    const login = await fetch(`http://127.0.0.1:${port}/api/v4/users/login`, { method: 'POST', body: JSON.stringify({ login_id: 'root1', password: 'password123' }) })
    expect(login.status).to.equal(200)
    child.kill('SIGTERM')
    expect(await exited, output()).to.equal(0)
    const lines = output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string })
    expect(lines.map((l) => l.msg)).to.include.members(['shutdown requested', 'server stopped'])
    // The lock is released: the data directory opens again at once.
    const again = run(['migrate'], { DATA_DIR: dataDir })
    expect(await again.exited, again.output()).to.equal(0)
  })
})
