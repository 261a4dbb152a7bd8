/**
 * Nothing a user, a webhook or a file name sends can run script in the web app: each payload
 * below must show up as plain text, open no dialog, and add no element to the page.
 */
import { expect } from 'chai'
import type { Page } from 'playwright-core'
import { useBrowserSuite } from '../helpers/browser.ts'
import { getAdmin, makeTeam, makeUpload, makeUser } from '../helpers/factories.ts'

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64')
const img = (tag: string) => `<img src=x onerror="window.__xss='${tag}';alert('${tag}')">`
const script = (tag: string) => `<script>window.__xss='${tag}';alert('${tag}')</script>`

/** What injected markup would leave behind in the page. */
async function injected(page: Page): Promise<{ xss: unknown; imgX: number; scripts: number; svgs: number; iframes: number }> {
  return page.evaluate(`({
    xss: window.__xss,
    imgX: document.querySelectorAll('img[src="x"]').length,
    scripts: [...document.scripts].filter((s) => !s.src).length,
    svgs: document.querySelectorAll('svg').length,
    iframes: document.querySelectorAll('iframe').length,
  })`)
}

describe('web app against XSS payloads', function () {
  this.timeout(60_000)
  const e2e = useBrowserSuite('xss', { enablePostUsernameOverride: true })

  it('shows hostile messages, attachments, file names, user and webhook names as text', async () => {
    const admin = await getAdmin(e2e.server)
    const team = await makeTeam(admin.client)
    const town = await admin.client.getChannelByName(team.id, 'town-square')
    const mallory = await makeUser(e2e.server)
    await admin.client.addToTeam(team.id, mallory.user.id)
    await mallory.client.addToChannel(mallory.user.id, town.id)
    await mallory.client.patchMe({ first_name: "<img src=x onerror=alert('fn')>", last_name: '<script>alert(1)</script>', nickname: "<svg onload=alert('nick')>" })

    await mallory.client.createPost({ channel_id: town.id, message: `${img('message')} ${script('message')} <svg onload="window.__xss='svg'"></svg> [x](javascript:window.__xss='link')` } as never)
    const file = await makeUpload(mallory.client, town.id, `"><img src=x onerror=alert('file')>.png`, PNG)
    await mallory.client.createPost({ channel_id: town.id, message: 'file attached', file_ids: [file.id] } as never)
    const hook = await admin.client.createIncomingWebhook({ channel_id: town.id, display_name: "<img src=x onerror=alert('hook')>", description: script('hook-description') } as never)
    const res = await fetch(`${e2e.server.url}/hooks/${hook.id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        text: `hook ${img('hook-text')}`,
        username: img('hook-username'),
        attachments: [{ pretext: img('pretext'), title: script('title'), title_link: "javascript:window.__xss='title-link'", text: img('att-text'), color: "red;background:url('javascript:alert(1)')", fields: [{ title: img('field'), value: script('value'), short: true }], footer: img('footer') }],
      }),
    })
    expect(res.status).to.equal(200)

    const page = await e2e.open(`/${team.name}/channels/town-square`, { username: admin.user.username, password: admin.password })
    await page.getByRole('main').getByText(`${img('message')} ${script('message')}`, { exact: false }).waitFor()
    await page.getByRole('main').getByText(img('att-text')).waitFor()
    // The file name as the server kept it, shown as the thumbnail's alternative text.
    expect(file.name).to.contain('<img')
    await page.getByRole('main').getByRole('img', { name: file.name }).waitFor()
    await page.getByRole('main').locator('.author', { hasText: img('hook-username') }).waitFor()
    await e2e.shot(page, 'channel-with-payloads')

    // The user's names, in the @ autocomplete.
    const box = page.getByLabel('Write to Town Square', { exact: true })
    await box.fill(`@${mallory.user.username.slice(0, 8)}`)
    await page.getByRole('option', { name: new RegExp(mallory.user.username) }).waitFor()
    await e2e.shot(page, 'autocomplete-with-payloads')
    await box.fill('')

    // The webhook's names, in the system console.
    await page.goto('/admin_console/incoming')
    await page.getByText("<img src=x onerror=alert('hook')>").waitFor()
    await e2e.shot(page, 'console-with-payloads')

    expect(e2e.dialogs).to.deep.equal([])
    expect(await injected(page)).to.deep.equal({ xss: undefined, imgX: 0, scripts: 0, svgs: 0, iframes: 0 })
    await page.goto(`/${team.name}/channels/town-square`)
    await page.getByRole('main').getByText(img('att-text')).waitFor()
    expect(await injected(page)).to.deep.equal({ xss: undefined, imgX: 0, scripts: 0, svgs: 0, iframes: 0 })
    expect(e2e.dialogs).to.deep.equal([])
  })
})
