/** Specifies requests to integrations: the internal-address guard, deadlines and answer size. */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'chai'
import { createAddressPolicy, parseAllowList } from '../../../core/outbound/address-policy.ts'
import { createOutboundClient, OutboundError } from '../../../core/outbound/client.ts'
import { loadConfig } from '../../../core/config/index.ts'

async function failure(promise: Promise<unknown>): Promise<OutboundError> {
  try {
    await promise
  } catch (err) {
    expect(err).to.be.instanceOf(OutboundError)
    return err as OutboundError
  }
  throw new Error('expected the request to fail')
}

describe('outbound requests to integrations', () => {
  let server: http.Server
  let port: number
  const received: { method: string; url: string; body: string }[] = []

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, body: Buffer.concat(chunks).toString() })
        if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000)
        if (req.url === '/big') return void res.end(Buffer.alloc(64 * 1024, 'x'))
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ text: 'ok' }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  beforeEach(() => {
    received.length = 0
  })

  const client = (allowList: string, extra: { timeoutMs?: number; maxResponseBytes?: number } = {}) =>
    createOutboundClient({ policy: createAddressPolicy(allowList), timeoutMs: extra.timeoutMs ?? 5_000, maxResponseBytes: extra.maxResponseBytes })

  it('refuses loopback by address and by name unless allow-listed, without sending anything', async () => {
    for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
      const err = await failure(client('').request(url, { method: 'POST', body: '{}' }))
      expect(err.reason, url).to.equal('blocked')
      expect(err.message).to.include('ALLOWED_UNTRUSTED_INTERNAL_CONNECTIONS')
    }
    expect(received).to.have.length(0)
  })

  it('refuses private, link-local (cloud metadata) and unspecified addresses', async () => {
    for (const host of ['10.1.2.3', '192.168.0.10', '172.16.5.5', '169.254.169.254', '0.0.0.0', '[::1]', '[fd00::1]']) {
      const err = await failure(client('').request(`http://${host}/latest/meta-data/`))
      expect(err.reason, host).to.equal('blocked')
    }
  })

  it('reaches an allow-listed address, CIDR range or host name and returns the answer', async () => {
    for (const allow of ['127.0.0.1', '127.0.0.0/8', 'localhost']) {
      const host = allow === 'localhost' ? 'localhost' : '127.0.0.1'
      const res = await client(allow).request(`http://${host}:${port}/hook?token=secret`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })
      expect(res.status, allow).to.equal(200)
      expect(JSON.parse(res.body.toString())).to.deep.equal({ text: 'ok' })
    }
    expect(received.map((r) => r.body)).to.deep.equal(['{"a":1}', '{"a":1}', '{"a":1}'])
  })

  it('gives up on an integration that does not answer in time', async () => {
    const started = Date.now()
    const err = await failure(client('127.0.0.1', { timeoutMs: 300 }).request(`http://127.0.0.1:${port}/slow`))
    expect(err.reason).to.equal('timeout')
    expect(Date.now() - started).to.be.below(1_500)
  })

  it('stops reading an answer larger than the limit', async () => {
    const err = await failure(client('127.0.0.1', { maxResponseBytes: 1024 }).request(`http://127.0.0.1:${port}/big`))
    expect(err.reason).to.equal('too_large')
  })

  it('reports an unusable URL or a closed port clearly, with the query string (tokens) left out', async () => {
    expect((await failure(client('').request('not a url'))).reason).to.equal('bad_url')
    expect((await failure(client('').request('ftp://example.com/x'))).reason).to.equal('bad_url')
    const closed = await failure(client('127.0.0.1').request('http://127.0.0.1:1/hook?token=secret'))
    expect(closed.reason).to.equal('network')
    expect(closed.message).to.not.include('secret')
  })

  it('reads the allow-list setting and refuses a malformed entry at start-up', () => {
    expect(parseAllowList('127.0.0.1, 10.0.0.0/8 ci.internal').problems).to.deep.equal([])
    expect(loadConfig({ ALLOWED_UNTRUSTED_INTERNAL_CONNECTIONS: '127.0.0.1 10.0.0.0/8' }).allowedUntrustedInternalConnections).to.equal('127.0.0.1 10.0.0.0/8')
    expect(() => loadConfig({ ALLOWED_UNTRUSTED_INTERNAL_CONNECTIONS: '10.0.0.0/99' })).to.throw(/ALLOWED_UNTRUSTED_INTERNAL_CONNECTIONS/)
    expect(loadConfig({}).outgoingIntegrationRequestsTimeoutSeconds).to.equal(30)
  })
})
