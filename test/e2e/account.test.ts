/** Account settings in Chromium: the signed-in person edits their profile, password and notifications. */
import { expect } from 'chai'
import type { Page } from 'playwright-core'
import { useBrowserSuite } from '../helpers/browser.ts'
import { login, makeTeamWithMembers, type Client, type TeamWorld } from '../helpers/factories.ts'

describe('account settings in the web app', function () {
  this.timeout(60_000)
  const e2e = useBrowserSuite('account')
  let world: TeamWorld
  let page: Page
  let api: Client

  const settings = () => page.getByRole('dialog', { name: 'Account settings' })
  const section = (name: string) => settings().getByRole('form', { name })

  before(async () => {
    world = await makeTeamWithMembers(e2e.server, 0)
    page = await e2e.open(`/${world.team.name}/channels/town-square`, { username: world.owner.user.username, password: world.owner.password })
    await page.getByRole('heading', { name: '# Town Square' }).waitFor()
  })

  it('shows the username and email, and saves a nickname that then shows in the top bar', async () => {
    await page.getByRole('button', { name: 'Account settings' }).click()
    await settings().getByText(`@${world.owner.user.username}`).waitFor()
    await settings().getByText(world.owner.user.email).waitFor()
    await section('Profile').getByLabel('First name').fill('Alice')
    await section('Profile').getByLabel('Nickname').fill('Ace')
    await section('Profile').getByRole('button', { name: 'Save profile' }).click()
    await section('Profile').getByRole('status').filter({ hasText: 'Profile saved.' }).waitFor()
    await page.getByRole('banner').getByText('(Ace)').waitFor()
    const me = await world.owner.client.getMe()
    expect([me.first_name, me.nickname]).to.deep.equal(['Alice', 'Ace'])
    await e2e.shot(page, 'profile-saved')
  })

  it("shows the server's message when the current password is wrong, and changes it when right", async () => {
    const form = section('Password')
    await form.getByLabel('Current password').fill('not-my-password')
    await form.getByLabel('New password', { exact: true }).fill('a-new-password-2')
    await form.getByLabel('Confirm new password').fill('a-new-password-2')
    await form.getByRole('button', { name: 'Change password' }).click()
    await form.getByRole('alert').filter({ hasText: 'The "Current Password" you entered is incorrect.' }).waitFor()
    await e2e.shot(page, 'wrong-password')

    await form.getByLabel('Current password').fill(world.owner.password)
    await form.getByRole('button', { name: 'Change password' }).click()
    await form.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor()
    // The page stays signed in; the API client's older session ended, as in Mattermost.
    api = (await login(e2e.server.url, world.owner.user.username, 'a-new-password-2')).client
    await page.getByRole('heading', { name: '# Town Square' }).waitFor()
  })

  it('saves notification preferences as Mattermost notify_props', async () => {
    const form = section('Notifications')
    await form.getByLabel('Desktop notifications').selectOption('all')
    await form.getByLabel('Email notifications').selectOption('false')
    await form.getByLabel('Other words that mention me (comma-separated)').fill('oncall, db ')
    await form.getByRole('button', { name: 'Save notifications' }).click()
    await form.getByRole('status').filter({ hasText: 'Notification preferences saved.' }).waitFor()
    const me = await api.getMe()
    expect(me.notify_props).to.include({ desktop: 'all', email: 'false', mention_keys: 'oncall,db' })
  })

  it('closes on Esc and gives focus back to the button that opened it', async () => {
    await page.keyboard.press('Escape')
    await settings().waitFor({ state: 'detached' })
    expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).to.equal('Account settings')
  })
})
