/** The server hands out the built web app at `/` without taking any path from the API. */
import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { BACKENDS, useTestServer } from '../../helpers/server.ts'

// A stand-in build, so the suite does not depend on `npm run build` having run.
const uiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-ui-'))
fs.mkdirSync(path.join(uiDir, 'static'))
fs.writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>Bridgehead</title><script type="module" src="/static/app-ABC123.js"></script>')
fs.writeFileSync(path.join(uiDir, 'static', 'app-ABC123.js'), 'console.log("app")')

describe('web app', () => {
  const ctx = useTestServer(BACKENDS[0]!, { uiDir })
  after(() => fs.rmSync(uiDir, { recursive: true, force: true }))

  it('serves index.html at / without letting browsers cache it', async () => {
    const res = await fetch(`${ctx.server.url}/`)
    expect(res.status).to.equal(200)
    expect(res.headers.get('content-type')).to.match(/^text\/html/)
    expect(res.headers.get('cache-control')).to.equal('no-cache')
    expect(await res.text()).to.contain('/static/app-ABC123.js')
  })

  it('lets the page run only its own scripts (Content-Security-Policy), as a second line against XSS', async () => {
    const csp = (await fetch(`${ctx.server.url}/`)).headers.get('content-security-policy') ?? ''
    expect(csp).to.contain("default-src 'self'")
    expect(csp).not.to.contain('unsafe-inline')
    expect(csp).not.to.contain('unsafe-eval')
    expect(csp).to.contain("object-src 'none'")
  })

  it('serves index.html for a client-side route, so a reload of a channel URL works', async () => {
    const res = await fetch(`${ctx.server.url}/myteam/channels/town-square`)
    expect(res.status).to.equal(200)
    expect(await res.text()).to.contain('<title>Bridgehead</title>')
  })

  it('serves hashed assets with a long immutable cache', async () => {
    const res = await fetch(`${ctx.server.url}/static/app-ABC123.js`)
    expect(res.status).to.equal(200)
    expect(res.headers.get('content-type')).to.match(/javascript/)
    expect(res.headers.get('cache-control')).to.contain('max-age=31536000').and.contain('immutable')
  })

  it('answers 404 for a missing asset instead of the page', async () => {
    const res = await fetch(`${ctx.server.url}/static/app-MISSING.js`)
    expect(res.status).to.equal(404)
    expect(await res.text()).not.to.contain('<title>Bridgehead</title>')
  })

  it('leaves an unknown API path a Mattermost JSON 404', async () => {
    const res = await fetch(`${ctx.server.url}/api/v4/no-such-route`)
    expect(res.status).to.equal(404)
    const body = (await res.json()) as { status_code: number; id: string }
    expect(body.status_code).to.equal(404)
  })

  it('does not answer webhook or plugin paths with the page', async () => {
    for (const p of ['/hooks/abc', '/plugins/playbooks/api/v0/nothing']) {
      const res = await fetch(`${ctx.server.url}${p}`)
      expect(await res.text(), p).not.to.contain('<title>Bridgehead</title>')
    }
  })

  it('still answers the API beside the app', async () => {
    const res = await fetch(`${ctx.server.url}/api/v4/system/ping`)
    expect(res.status).to.equal(200)
  })
})
