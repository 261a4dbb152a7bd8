/**
 * Channel members in Chromium: the members panel, adding people to a private channel, who then
 * sees it live and can post, removing them again, and the app's own confirm dialog for deleting.
 */
import { expect } from 'chai'
import type { Page } from 'playwright-core'
import { useBrowserSuite } from '../helpers/browser.ts'
import { makeTeamWithMembers, type TeamWorld } from '../helpers/factories.ts'

function post(page: Page, text: string) {
  return page.getByRole('main').locator('article.post', { hasText: text })
}

async function send(page: Page, text: string, box: string): Promise<void> {
  const input = page.getByLabel(box, { exact: true })
  await input.fill(text)
  await input.press('Enter')
}

describe('channel members in the web app', function () {
  this.timeout(60_000)
  const e2e = useBrowserSuite('members')
  let world: TeamWorld
  let alice: Page
  let bob: Page
  let bobName: string

  before(async () => {
    // Alice owns the team (a team admin, not a system admin); bob is a plain member.
    world = await makeTeamWithMembers(e2e.server, 1)
    bobName = world.members[0]!.user.username
    alice = await e2e.open(`/${world.team.name}/channels/town-square`, { username: world.owner.user.username, password: world.owner.password })
    bob = await e2e.open(`/${world.team.name}/channels/town-square`, { username: bobName, password: world.members[0]!.password })
    await alice.getByRole('heading', { name: '# Town Square' }).waitFor()
    await bob.getByRole('heading', { name: '# Town Square' }).waitFor()
  })

  it('adds a person to a private channel from the members panel, who sees it appear live and can post in it', async () => {
    await alice.getByRole('button', { name: 'New channel' }).click()
    await alice.getByLabel('Name', { exact: true }).fill('Incident room')
    await alice.getByRole('checkbox', { name: 'Private channel' }).check()
    await alice.getByRole('button', { name: 'Create channel' }).click()
    await alice.getByRole('heading', { name: '🔒 Incident room' }).waitFor()

    await alice.getByRole('button', { name: 'Members' }).click()
    const panel = alice.getByRole('complementary', { name: 'Members' })
    await panel.getByRole('listitem').filter({ hasText: '(you)' }).waitFor()
    await panel.getByRole('button', { name: 'Add people' }).click()
    const dialog = alice.getByRole('dialog', { name: 'Add people to Incident room' })
    await dialog.getByRole('combobox', { name: 'Find people' }).fill(bobName.slice(0, 8))
    await dialog.getByRole('option', { name: bobName }).click()
    await dialog.getByRole('button', { name: 'Add', exact: true }).click()
    await dialog.waitFor({ state: 'detached' })
    await panel.getByRole('listitem').filter({ hasText: bobName }).waitFor()
    await post(alice, `@${bobName} added to the channel by @${world.owner.user.username}`).waitFor()
    await e2e.shot(alice, 'members-panel')

    await bob.getByRole('link', { name: 'Incident room' }).click({ timeout: 5000 })
    await send(bob, 'on it, checking the logs', 'Write to Incident room')
    await post(alice, 'on it, checking the logs').waitFor({ timeout: 5000 })
    await e2e.shot(bob, 'added-to-private-channel')
  })

  it('finds a member by name in the panel', async () => {
    const panel = alice.getByRole('complementary', { name: 'Members' })
    await panel.getByLabel('Search members').fill(bobName)
    await panel.getByRole('listitem').filter({ hasText: '(you)' }).waitFor({ state: 'detached' })
    expect(await panel.getByRole('listitem').allTextContents()).to.have.length(1)
    await panel.getByLabel('Search members').fill('')
    await panel.getByRole('listitem').filter({ hasText: '(you)' }).waitFor()
  })

  it('removes a member, and the channel disappears from their sidebar while they look at it', async () => {
    const panel = alice.getByRole('complementary', { name: 'Members' })
    await panel.getByRole('button', { name: `Remove ${bobName}` }).click()
    await panel.getByRole('listitem').filter({ hasText: bobName }).waitFor({ state: 'detached' })
    await post(alice, `@${bobName} was removed from the channel`).waitFor()
    await bob.getByRole('link', { name: 'Incident room' }).waitFor({ state: 'detached', timeout: 5000 })
    await bob.getByRole('heading', { name: '# Town Square' }).waitFor()
    await bob.getByText('You were removed from Incident room.').waitFor()
    await e2e.shot(bob, 'removed-from-channel')
  })

  it('asks before leaving a private channel, and leaves it for Town Square when confirmed', async () => {
    await bob.getByRole('button', { name: 'New channel' }).click()
    await bob.getByLabel('Name', { exact: true }).fill('Side project')
    await bob.getByRole('checkbox', { name: 'Private channel' }).check()
    await bob.getByRole('button', { name: 'Create channel' }).click()
    await bob.getByRole('heading', { name: '🔒 Side project' }).waitFor()
    await bob.getByRole('button', { name: 'Leave' }).click()
    const ask = bob.getByRole('alertdialog', { name: 'Leave private channel' })
    await ask.getByRole('button', { name: 'Cancel' }).click()
    await bob.getByRole('heading', { name: '🔒 Side project' }).waitFor()
    await bob.getByRole('button', { name: 'Leave' }).click()
    await ask.getByRole('button', { name: 'Leave' }).click()
    await bob.getByRole('heading', { name: '# Town Square' }).waitFor()
    await bob.getByRole('link', { name: 'Side project' }).waitFor({ state: 'detached' })
  })

  it('asks in its own dialog before deleting a message: Esc keeps it, the Delete button deletes it', async () => {
    await send(alice, 'typo in this one', 'Write to Incident room')
    const mine = post(alice, 'typo in this one')
    await mine.hover()
    await mine.getByRole('button', { name: 'Delete' }).click()
    const ask = alice.getByRole('alertdialog', { name: 'Delete message' })
    await ask.waitFor()
    // Focus starts on Cancel and Tab stays inside the dialog.
    expect(await alice.evaluate('document.activeElement.textContent')).to.equal('Cancel')
    for (let i = 0; i < 3; i++) await alice.keyboard.press('Tab')
    expect(await alice.evaluate(`!!document.activeElement.closest('[role=alertdialog]')`)).to.equal(true)
    await alice.keyboard.press('Escape')
    await ask.waitFor({ state: 'detached' })
    await mine.waitFor()

    await mine.hover()
    await mine.getByRole('button', { name: 'Delete' }).click()
    await ask.getByRole('button', { name: 'Delete' }).click()
    await mine.waitFor({ state: 'detached' })
    expect(e2e.dialogs).to.deep.equal([])
  })
})
