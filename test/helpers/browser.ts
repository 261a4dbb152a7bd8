/**
 * Browser tests in Debian's Chromium (/usr/bin/chromium, installed by scripts/ensure-chromium.sh)
 * driven by playwright-core, which downloads nothing. One server and one browser per test file,
 * one browser context (its own cookies) per user; `shot()` keeps a screenshot of each step in
 * test-artifacts/e2e/<suite>/ (git-ignored) for a person to look at when a test fails.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium } from './chromium.ts'
import type { Config } from '../../core/config/index.ts'
import { BACKENDS, useTestServer, type TestServer } from './server.ts'

const ARTIFACTS = path.resolve('test-artifacts', 'e2e')

export interface BrowserSuite {
  readonly server: TestServer
  readonly browser: Browser
  /**
   * A fresh context (cookies of its own) and page at `path`, logged in as `user` when given;
   * `prepare` runs before the first navigation (e.g. to route the WebSocket).
   */
  open(path?: string, user?: { username: string; password: string }, prepare?: (page: Page) => Promise<void>): Promise<Page>
  /** Saves a screenshot of the page as test-artifacts/e2e/<suite>/<nn>-<step>.png. */
  shot(page: Page, step: string): Promise<void>
  /** Dialogs (alert/confirm/prompt) any page opened (confirms are accepted); an XSS test expects none. */
  readonly dialogs: string[]
}

/**
 * Registers hooks that start the server (built UI from ui/dist, first backend of TEST_DB, plus
 * `config`) and Chromium for the enclosing describe, and close both after it.
 */
export function useBrowserSuite(suite: string, config?: Partial<Config>): BrowserSuite {
  const ctx = useTestServer(BACKENDS[0]!, config)
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []
  const dialogs: string[] = []
  const dir = path.join(ARTIFACTS, suite)
  let step = 0
  before(async function () {
    this.timeout(60_000)
    if (!fs.existsSync(path.resolve('ui', 'dist', 'index.html'))) throw new Error('ui/dist is not built: run "npm run build" first')
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir, { recursive: true })
    browser = await launchChromium()
  })
  const pages: Page[] = []
  // A failed step leaves a picture of every open page, named after the test.
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    for (const [i, page] of pages.entries()) await shotAs(page, `FAILED-${this.currentTest.title}-page${i + 1}`)
  })
  const shotAs = async (page: Page, name: string) => {
    step += 1
    await page.screenshot({ path: path.join(dir, `${String(step).padStart(2, '0')}-${name.replace(/[^\w-]+/g, '-').slice(0, 100)}.png`) }).catch(() => undefined)
  }
  after(async function () {
    this.timeout(30_000)
    for (const c of contexts) await c.close().catch(() => undefined)
    await browser?.close()
  })
  return {
    get server() {
      return ctx.server
    },
    get browser() {
      if (!browser) throw new Error('the browser is not running (used outside a test or hook?)')
      return browser
    },
    dialogs,
    async open(urlPath = '/', user, prepare) {
      const context = await this.browser.newContext({ baseURL: ctx.server.url, viewport: { width: 1280, height: 800 } })
      contexts.push(context)
      // Fail a step within seconds, not mocha's whole timeout: everything here is local.
      context.setDefaultTimeout(8000)
      const page = await context.newPage()
      pages.push(page)
      if (process.env.E2E_DEBUG) {
        page.on('framenavigated', (f) => f === page.mainFrame() && console.log('  [nav]', f.url()))
        page.on('response', (r) => r.status() >= 400 && console.log('  [http]', r.status(), r.request().method(), r.url()))
        page.on('console', (m) => console.log('  [console]', m.type(), m.text()))
      }
      // The app asks with its own dialogs, never confirm(); every native dialog is recorded (and
      // a confirm accepted, so a step is not stuck), so an XSS test can assert that none opened.
      page.on('dialog', (d) => {
        dialogs.push(`${d.type()}: ${d.message()}`)
        void (d.type() === 'confirm' ? d.accept() : d.dismiss())
      })
      if (user) {
        // Log in through the API in this context, so its cookies are set as after the login form.
        const res = await context.request.post('/api/v4/users/login', { data: { login_id: user.username, password: user.password }, headers: { 'X-Requested-With': 'XMLHttpRequest' } })
        if (!res.ok()) throw new Error(`logging in ${user.username} failed: ${res.status()} ${await res.text()}`)
      }
      await prepare?.(page)
      await page.goto(urlPath)
      return page
    },
    shot: shotAs,
  }
}
