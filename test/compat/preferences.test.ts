/** User preferences through Client4 (Mattermost api4/preference.go). */
import { expect } from 'chai'
import type { PreferenceType } from '@mattermost/types/preferences'
import { forEachBackend, useTestServer } from '../helpers/server.ts'
import { rawRequest } from '../helpers/expect-status.ts'
import { makeUser, uniqueName, type Client, type UserSession } from '../helpers/factories.ts'

forEachBackend((backend) => {
  const ctx = useTestServer(backend)
  let first: UserSession
  let second: UserSession
  before(async () => {
    first = await makeUser(ctx.server)
    second = await makeUser(ctx.server)
  })

  const myPreferences = async (client: Client) => (await client.getMyPreferences()) as unknown as PreferenceType[]
  const pref = (userId: string, category: string, name: string, value: string): PreferenceType => ({ user_id: userId, category, name, value })

  describe('PUT /api/v4/users/{user_id}/preferences', () => {
    it('saves preferences that GET /users/me/preferences then returns', async () => {
      const { client, user } = first
      const saved = [pref(user.id, 'display_settings', 'use_military_time', 'true'), pref(user.id, 'theme', '', '{"type":"Onyx"}')]
      expect(await client.savePreferences(user.id, saved)).to.deep.include({ status: 'OK' })
      const all = await myPreferences(client)
      for (const p of saved) expect(all).to.deep.include(p)
    })

    it('overwrites the value of an existing preference', async () => {
      const { client, user } = first
      await client.savePreferences(user.id, [pref(user.id, 'display_settings', 'collapsed_reply_threads', 'off')])
      await client.savePreferences(user.id, [pref(user.id, 'display_settings', 'collapsed_reply_threads', 'on')])
      const matching = (await myPreferences(client)).filter((p) => p.category === 'display_settings' && p.name === 'collapsed_reply_threads')
      expect(matching.map((p) => p.value)).to.deep.equal(['on'])
    })

    it('keeps each user’s preferences apart', async () => {
      const a = first
      const b = second
      const name = uniqueName('pref')
      await a.client.savePreferences(a.user.id, [pref(a.user.id, 'custom', name, 'a')])
      expect((await myPreferences(b.client)).map((p) => p.name)).to.not.include(name)
    })
  })

  describe('GET /api/v4/users/{user_id}/preferences/{category}', () => {
    it('returns only the preferences of that category', async () => {
      const { user, client, token } = first
      await client.savePreferences(user.id, [pref(user.id, 'direct_channel_show', 'abc', 'true'), pref(user.id, 'theme', '', '{}')])
      const res = await rawRequest(ctx.server.url, '/api/v4/users/me/preferences/direct_channel_show', { token })
      expect(res.status).to.equal(200)
      expect(res.json).to.deep.equal([pref(user.id, 'direct_channel_show', 'abc', 'true')])
    })

    it('returns one preference from /preferences/{category}/name/{name}', async () => {
      const { user, client, token } = first
      await client.savePreferences(user.id, [pref(user.id, 'display_settings', 'use_military_time', 'true')])
      const res = await rawRequest(ctx.server.url, '/api/v4/users/me/preferences/display_settings/name/use_military_time', { token })
      expect(res.status).to.equal(200)
      expect(res.json).to.deep.equal(pref(user.id, 'display_settings', 'use_military_time', 'true'))
    })
  })

  describe('POST /api/v4/users/{user_id}/preferences/delete', () => {
    it('deletes the given preferences', async () => {
      const { client, user } = first
      const p = pref(user.id, 'custom', uniqueName('gone'), 'x')
      await client.savePreferences(user.id, [p])
      await client.deletePreferences(user.id, [p])
      expect((await myPreferences(client)).map((q) => q.name)).to.not.include(p.name)
    })
  })
})
