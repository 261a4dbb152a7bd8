/**
 * The web app in Chromium, as a team uses it: two people in two browser contexts chat in real
 * time, reply in a thread, react, share an image, search, run a slash command and a playbook.
 */
import { expect } from 'chai'
import type { Page, WebSocketRoute } from 'playwright-core'
import { useBrowserSuite } from '../helpers/browser.ts'
import { startHttpReceiver } from '../helpers/http-receiver.ts'

// A 2×2 PNG, enough for the server to make a thumbnail.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64')

const alice = { username: 'alice', email: 'alice@example.com', password: 'alice-password-1' }
const bob = { username: 'bob', email: 'bob@example.com', password: 'bob-password-1' }

async function send(page: Page, text: string, box = 'Write to Town Square'): Promise<void> {
  const input = page.getByLabel(box, { exact: true })
  await input.fill(text)
  await input.press('Enter')
}

/** Runs a search from the top bar; the results panel. */
async function search(page: Page, terms: string) {
  await page.getByLabel('Search messages').fill(terms)
  await page.getByLabel('Search messages').press('Enter')
  return page.getByRole('complementary', { name: 'Search results' })
}

/** A post in the channel view (the side panel shows posts too). */
function post(page: Page, text: string) {
  return page.getByRole('main').locator('article.post', { hasText: text })
}

describe('web app in Chromium', function () {
  /** Alice's API token, for setting up data a test needs without clicking it together. */
  let aliceToken: string | undefined
  async function asAlice<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
    if (!aliceToken) {
      const login = await fetch(`${e2e.server.url}/api/v4/users/login`, { method: 'POST', body: JSON.stringify({ login_id: alice.username, password: alice.password }) })
      aliceToken = login.headers.get('token') ?? ''
    }
    const res = await fetch(`${e2e.server.url}/api/v4${urlPath}`, { method, headers: { Authorization: `Bearer ${aliceToken}` }, body: body === undefined ? undefined : JSON.stringify(body) })
    if (!res.ok) throw new Error(`${method} ${urlPath} as alice: ${res.status} ${await res.text()}`)
    return (await res.json()) as T
  }
  const channelOfAlice = async (name: string) => {
    const [team] = await asAlice<{ id: string }[]>('GET', '/users/me/teams')
    return (await asAlice<{ id: string }>('GET', `/teams/${team!.id}/channels/name/${name}`)).id
  }
  const postAsAlice = (body: Record<string, unknown>) => asAlice('POST', '/posts', body)

  this.timeout(60_000)
  // Interactive buttons call an integration on 127.0.0.1, which the server refuses by default.
  const e2e = useBrowserSuite('chat', { allowedUntrustedInternalConnections: '127.0.0.1' })
  let a: Page
  let b: Page

  it('signs up the first user, who creates a team and lands in Town Square', async () => {
    a = await e2e.open('/signup')
    await a.getByLabel('Email').fill(alice.email)
    await a.getByLabel('Username').fill(alice.username)
    await a.getByLabel('Password').fill(alice.password)
    await a.getByRole('button', { name: 'Create account' }).click()
    await a.getByLabel('Team name').fill('Ops Crew')
    await a.getByRole('button', { name: 'Create team' }).click()
    await a.getByRole('heading', { name: '# Town Square' }).waitFor()
    await e2e.shot(a, 'alice-town-square')
    expect(new URL(a.url()).pathname).to.equal('/ops-crew/channels/town-square')
    await a.getByRole('link', { name: 'System console' }).waitFor()
  })

  it('lets a second person sign up, join the team from the team list, and log in again after logging out', async () => {
    const res = await fetch(`${e2e.server.url}/api/v4/users`, { method: 'POST', body: JSON.stringify(bob) })
    expect(res.status).to.equal(201)
    b = await e2e.open('/login')
    await b.getByLabel('Email or username').fill(bob.username)
    await b.getByLabel('Password').fill(bob.password)
    await b.getByRole('button', { name: 'Log in' }).click()
    await b.getByRole('button', { name: 'Join' }).click()
    await b.getByRole('heading', { name: '# Town Square' }).waitFor()
    await b.getByRole('button', { name: 'Log out' }).click()
    await b.getByRole('heading', { name: 'Log in to Bridgehead' }).waitFor()
    await b.getByLabel('Email or username').fill(bob.email)
    await b.getByLabel('Password').fill(bob.password)
    await b.getByRole('button', { name: 'Log in' }).click()
    await b.getByRole('heading', { name: '# Town Square' }).waitFor()
    await e2e.shot(b, 'bob-joined')
  })

  it('delivers a message to the other person in real time, with the typing notice before it', async () => {
    await b.getByLabel('Write to Town Square', { exact: true }).fill('hi')
    await a.getByText('bob is typing…').waitFor({ timeout: 5000 })
    await b.getByLabel('Write to Town Square', { exact: true }).fill('')
    await send(a, 'hello bob, the deploy is green')
    await post(b, 'hello bob, the deploy is green').waitFor({ timeout: 5000 })
    await send(b, 'great, thanks alice')
    await post(a, 'great, thanks alice').waitFor({ timeout: 5000 })
    await e2e.shot(b, 'chat-live')
  })

  it('replies in a thread in the side panel, and the root shows the reply count live', async () => {
    await post(b, 'hello bob, the deploy is green').hover()
    await post(b, 'hello bob, the deploy is green').getByRole('button', { name: 'Reply' }).click()
    await send(b, 'which version?', 'Reply to thread')
    await b.getByRole('complementary', { name: 'Thread' }).locator('article.post', { hasText: 'which version?' }).waitFor()
    await post(a, 'hello bob, the deploy is green').getByRole('button', { name: '1 reply' }).click()
    await a.getByRole('complementary', { name: 'Thread' }).locator('article.post', { hasText: 'which version?' }).waitFor()
    await e2e.shot(a, 'thread')
  })

  it('adds a reaction from the picker and shows it to the other person', async () => {
    const target = post(a, 'great, thanks alice')
    await target.hover()
    await target.getByRole('button', { name: 'Add reaction' }).click()
    const picker = target.getByRole('dialog', { name: 'Emoji picker' })
    await picker.getByLabel('Search emoji').fill('+1')
    await picker.getByRole('button', { name: '+1', exact: true }).click()
    await post(b, 'great, thanks alice').getByRole('button', { name: '+1 reaction, 1' }).waitFor({ timeout: 5000 })
    await e2e.shot(b, 'reaction')
  })

  it('uploads an image and shows its thumbnail to both people', async () => {
    await a.getByRole('main').getByLabel('Files to attach').setInputFiles({ name: 'graph.png', mimeType: 'image/png', buffer: PNG })
    await a.getByRole('progressbar', { name: 'Uploading graph.png' }).waitFor()
    await send(a, 'latency graph')
    const thumb = post(b, 'latency graph').getByRole('img', { name: 'graph.png' })
    await thumb.waitFor({ timeout: 5000 })
    await b.waitForFunction(() => {
      const img = (globalThis as unknown as { document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null } }).document.querySelector('img[alt="graph.png"]')
      return img !== null && img.complete && img.naturalWidth > 0
    })
    await post(b, 'latency graph').getByRole('button', { name: 'Preview graph.png' }).click()
    await b.getByRole('dialog', { name: 'Preview of graph.png' }).waitFor()
    await e2e.shot(b, 'image-preview')
    await b.keyboard.press('Escape')
  })

  it('runs an interactive button of an integration, and both people see the post it updates', async () => {
    const receiver = await startHttpReceiver()
    try {
      receiver.answer('/approve', { body: { update: { message: 'release v1.2 approved', props: {} } } })
      const town = await channelOfAlice('town-square')
      await postAsAlice({ channel_id: town, message: 'release v1.2 waits', props: { attachments: [{ text: 'Ship it?', actions: [{ name: 'Approve', type: 'button', integration: { url: `${receiver.url}/approve`, context: { release: 'v1.2' } } }] }] } })
      await post(b, 'release v1.2 waits').getByRole('button', { name: 'Approve' }).click()
      const request = JSON.parse((await receiver.next('/approve')).body) as { user_name: string; context: { release: string } }
      expect(request).to.deep.include({ user_name: 'bob', context: { release: 'v1.2' } })
      await post(a, 'release v1.2 approved').waitFor({ timeout: 5000 })
      await post(b, 'release v1.2 approved').waitFor({ timeout: 5000 })
      await e2e.shot(b, 'interactive-button')
    } finally {
      await receiver.close()
    }
  })

  it('takes a pasted image as an upload', async () => {
    const box = a.getByLabel('Write to Town Square', { exact: true })
    await box.focus()
    // What a browser fires when an image is pasted from the clipboard.
    await a.evaluate(`(() => {
      const bytes = Uint8Array.from(atob(${JSON.stringify(PNG.toString('base64'))}), (c) => c.charCodeAt(0))
      const data = new DataTransfer()
      data.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }))
      document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    })()`)
    await a.getByRole('list', { name: 'Files to send' }).getByText('pasted.png').waitFor()
    await send(a, 'pasted screenshot')
    await post(b, 'pasted screenshot').getByRole('img', { name: 'pasted.png' }).waitFor({ timeout: 5000 })
  })

  it('loads older messages on demand', async () => {
    const offTopic = await channelOfAlice('off-topic')
    for (let i = 1; i <= 70; i++) await postAsAlice({ channel_id: offTopic, message: `history ${String(i).padStart(2, '0')}` })
    await b.getByRole('link', { name: 'Off-Topic' }).click()
    await post(b, 'history 70').waitFor()
    expect(await post(b, 'history 05').count()).to.equal(0)
    await b.getByRole('button', { name: 'Load older messages' }).click()
    await post(b, 'history 05').waitFor()
    await b.getByRole('link', { name: 'Town Square' }).click()
  })

  it('jumps from a search result to a message older than the loaded pages', async () => {
    const results = await search(a, '"history 03"')
    await results.getByRole('button', { name: 'Jump' }).click()
    await a.getByRole('heading', { name: '# Off-Topic' }).waitFor()
    await a.getByRole('main').locator('article.post.highlighted', { hasText: 'history 03' }).waitFor()
    await e2e.shot(a, 'jump-to-old-message')
    await a.getByRole('button', { name: 'Close panel' }).click()
    await a.getByRole('link', { name: 'Town Square' }).click()
  })

  it('searches with Mattermost syntax, highlights the words and jumps to the message', async () => {
    const results = await search(b, 'from:alice deploy')
    await results.locator('mark', { hasText: 'deploy' }).waitFor()
    await e2e.shot(b, 'search')
    await results.getByRole('button', { name: 'Jump' }).first().click()
    await b.getByRole('main').locator('article.post.highlighted', { hasText: 'hello bob, the deploy is green' }).waitFor()
  })

  it('runs a slash command chosen from the server’s suggestions and shows the ephemeral answer', async () => {
    const input = a.getByLabel('Write to Town Square', { exact: true })
    await input.fill('/hel')
    await input.press('End')
    await input.pressSequentially('p', { delay: 20 })
    await a.getByRole('option', { name: /help/ }).first().waitFor()
    await input.press('Enter')
    expect(await input.inputValue()).to.match(/^\/help\s/)
    await input.press('Enter')
    await post(a, 'Slash commands available here').getByText('(Only visible to you)').waitFor()
    await e2e.shot(a, 'slash-command')
    expect(await post(b, 'Slash commands available here').count()).to.equal(0)
  })

  it('edits the last own message with the Up key', async () => {
    const input = a.getByLabel('Write to Town Square', { exact: true })
    await send(a, 'typo mesage')
    await post(a, 'typo mesage').waitFor()
    await input.press('ArrowUp')
    const edit = a.getByLabel('Edit message')
    await edit.fill('typo message')
    await edit.press('Enter')
    await post(b, 'typo message').getByText('(edited)').waitFor({ timeout: 5000 })
  })

  it('starts a direct message whose mention badge reaches the other person live and clears when read', async () => {
    await a.getByRole('button', { name: 'New message' }).click()
    await a.getByLabel('Find people').fill('bob')
    await a.getByRole('checkbox', { name: 'bob' }).check()
    await a.getByRole('button', { name: 'Start direct message' }).click()
    await send(a, '@bob can you look at the alert?', 'Write to bob')
    const dm = b.getByRole('navigation', { name: 'Channels' }).getByRole('link', { name: /alice/ })
    await dm.getByLabel('1 mentions').waitFor({ timeout: 5000 })
    await e2e.shot(b, 'dm-mention-badge')
    await dm.click()
    await post(b, 'can you look at the alert?').waitFor()
    expect(await dm.getByLabel('1 mentions').count()).to.equal(0)
    await b.getByRole('link', { name: 'Town Square' }).click()
    await a.getByRole('link', { name: 'Town Square' }).click()
  })

  it('marks a followed thread unread when someone replies, in the sidebar and the threads view', async () => {
    // Alice is not looking at the thread (a thread on screen is read at once).
    if (await a.getByRole('button', { name: 'Close panel' }).count()) await a.getByRole('button', { name: 'Close panel' }).click()
    await post(b, 'hello bob, the deploy is green').getByRole('button', { name: '1 reply' }).click()
    await send(b, 'v1.2.3 is out', 'Reply to thread')
    const threads = a.getByRole('link', { name: /^Threads/ })
    await threads.getByLabel('1 unread threads').waitFor({ timeout: 5000 })
    await threads.click()
    const item = a.locator('.thread-item.unread', { hasText: 'hello bob, the deploy is green' })
    await item.getByLabel('1 unread replies').waitFor()
    await e2e.shot(a, 'threads-view')
    await item.getByRole('button').click()
    await a.getByRole('complementary', { name: 'Thread' }).locator('article.post', { hasText: 'v1.2.3 is out' }).waitFor()
    await a.locator('.thread-item.unread').waitFor({ state: 'detached', timeout: 5000 })
    expect(await threads.getByLabel(/unread threads/).count()).to.equal(0)
    await a.getByRole('link', { name: 'Town Square' }).click()
  })

  it('switches channels with Ctrl+K and works at phone width', async () => {
    await a.keyboard.press('Control+k')
    await a.getByLabel('Find a channel').fill('off')
    await a.getByLabel('Find a channel').press('Enter')
    await a.getByRole('heading', { name: '# Off-Topic' }).waitFor()
    await a.getByRole('link', { name: 'Town Square' }).click()

    if (await b.getByRole('button', { name: 'Close panel' }).count()) await b.getByRole('button', { name: 'Close panel' }).click()
    await b.setViewportSize({ width: 390, height: 844 })
    await post(b, 'great, thanks alice').waitFor()
    expect(await b.getByRole('navigation', { name: 'Channels' }).isVisible()).to.equal(false)
    await e2e.shot(b, 'phone-channel')
    await b.getByRole('button', { name: 'Show channels' }).click()
    await b.getByRole('link', { name: 'Off-Topic' }).click()
    await b.getByRole('heading', { name: '# Off-Topic' }).waitFor()
    expect(await b.getByRole('navigation', { name: 'Channels' }).isVisible()).to.equal(false)
    await e2e.shot(b, 'phone-switched')
    await b.setViewportSize({ width: 1280, height: 800 })
    await b.getByRole('link', { name: 'Town Square' }).click()
  })

  it('archives a channel, which others then find under archived channels, read-only', async () => {
    await a.getByRole('button', { name: 'New channel' }).click()
    await a.getByLabel('Name', { exact: true }).fill('Old project')
    await a.getByRole('button', { name: 'Create channel' }).click()
    await send(a, 'wrapping this up', 'Write to Old project')
    await a.getByRole('button', { name: 'Archive' }).click()
    await a.getByRole('alertdialog', { name: 'Archive channel' }).getByRole('button', { name: 'Archive' }).click()
    await a.getByText('This channel is archived.').waitFor()
    await b.getByRole('button', { name: 'Browse channels' }).click()
    await b.getByLabel('Archived channels').check()
    await b.getByRole('listitem').filter({ hasText: 'Old project' }).getByRole('button', { name: 'View' }).click()
    await post(b, 'wrapping this up').waitFor()
    await b.getByText('This channel is archived.').waitFor()
    await e2e.shot(b, 'archived-channel')
    await b.getByRole('link', { name: 'Town Square' }).click()
    await a.getByRole('link', { name: 'Town Square' }).click()
  })

  it('catches up on messages posted while the connection was down, by resume or by fetching', async () => {
    // Bob's second tab, whose WebSocket goes through a switch the test can turn off.
    let online = true
    const sockets: WebSocketRoute[] = []
    const urls: string[] = []
    const tab = await e2e.open('/ops-crew/channels/town-square', bob, (page) =>
      page.routeWebSocket(/\/api\/v4\/websocket/, (ws) => {
        if (!online) return void ws.close()
        urls.push(ws.url())
        sockets.push(ws, ws.connectToServer())
      }),
    )
    const outage = async (during: () => Promise<void>) => {
      await tab.locator('.connection.online').waitFor({ state: 'attached' })
      online = false
      for (const ws of sockets.splice(0)) await ws.close()
      await tab.getByText('Offline: reconnecting…').waitFor()
      await during()
      online = true
    }
    await post(tab, 'great, thanks alice').waitFor()

    // A short drop: the server replays what the socket missed.
    await outage(async () => {
      await send(a, 'posted during the outage')
      await post(b, 'posted during the outage').waitFor()
      expect(await post(tab, 'posted during the outage').count()).to.equal(0)
    })
    await post(tab, 'posted during the outage').waitFor({ timeout: 15_000 })
    expect(urls.at(-1)).to.match(/connection_id=[a-z0-9]+&sequence_number=\d+/)

    // More than the server keeps for a resume: the tab fetches the posts since the newest it has.
    const town = await channelOfAlice('town-square')
    await outage(async () => {
      for (let i = 1; i <= 140; i++) await postAsAlice({ channel_id: town, message: `burst ${i}` })
    })
    await post(tab, 'burst 140').waitFor({ timeout: 15_000 })
    await post(tab, 'burst 81').waitFor()
    await e2e.shot(tab, 'caught-up')
    await tab.close()
  })

  it('starts a playbook run and checks an item, which stays checked', async () => {
    await a.getByRole('link', { name: 'Playbooks' }).click()
    await a.getByRole('combobox', { name: /^Playbook/ }).selectOption({ label: 'Release train' })
    await a.getByLabel('Run name').fill('Release 1.2')
    await a.getByRole('button', { name: 'Start run' }).click()
    await a.getByRole('heading', { name: /Release 1\.2/ }).waitFor()
    const firstItem = a.locator('.checklist .item input[type=checkbox]').first()
    await firstItem.waitFor({ timeout: 15_000 })
    await firstItem.check()
    await a.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('.checklist .item.closed') !== null)
    await e2e.shot(a, 'playbook-run')
    await a.reload()
    await a.locator('.checklist .item.closed').first().waitFor()
  })

  it('shows a run updating live when someone else checks an item', async () => {
    const runUrl = new URL(a.url()).pathname
    const channel = await a.locator('.run header a').textContent()
    await b.getByRole('button', { name: 'Browse channels' }).click()
    await b.getByRole('listitem').filter({ hasText: channel!.replace(/^~/, '') }).getByRole('button', { name: 'Join' }).click()
    await b.goto(runUrl)
    // "Staging smoke tests green" needs the URL of the test run before it closes.
    const smoke = b.locator('.checklist .item', { hasText: 'Staging smoke tests green' })
    await smoke.getByRole('checkbox').click()
    await smoke.getByLabel('run url').fill('https://ci.example.com/runs/42')
    await smoke.getByRole('button', { name: 'Close item' }).click()
    await a.locator('.checklist .item.closed', { hasText: 'Staging smoke tests green' }).waitFor({ timeout: 5000 })
    await e2e.shot(a, 'run-live-update')
    await b.getByRole('link', { name: 'Town Square' }).click()
  })

  it('lets the admin add an incoming webhook in the system console, whose posts arrive', async () => {
    await a.getByRole('link', { name: 'System console' }).click()
    await a.getByRole('link', { name: 'Incoming webhooks' }).click()
    await a.getByLabel('Title').fill('Deploy bot')
    await a.getByRole('combobox', { name: 'Channel' }).selectOption({ label: 'Town Square' })
    await a.getByRole('button', { name: 'Add' }).click()
    const url = await a.locator('.card code').first().textContent()
    expect(url).to.match(/\/hooks\/[a-z0-9]{26}$/)
    await e2e.shot(a, 'console-webhook')
    const res = await fetch(url!, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'deployed **v1.2.3** to production' }) })
    expect(res.status).to.equal(200)
    await post(b, 'deployed v1.2.3 to production').waitFor({ timeout: 5000 })
    await a.getByRole('link', { name: '← Back to chat' }).click()
  })
})
