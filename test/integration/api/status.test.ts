/** Statuses and presence through Client4 and the WebSocket (Mattermost api4/status.go, app/platform/status.go, api4/websocket actions). */
import { expect } from 'chai'
import type { UserStatus } from '@mattermost/types/users'
import { forEachBackend, useTestServer } from '../../helpers/server.ts'
import { expectStatus, rawRequest } from '../../helpers/expect-status.ts'
import { makeUser, type UserSession } from '../../helpers/factories.ts'
import { useWebSockets } from './ws-sessions.ts'

/** Polls until `check` passes (presence follows socket closes asynchronously). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (check(value)) return value
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

forEachBackend((backend) => {
  const ctx = useTestServer(backend)

  const ws = useWebSockets(() => ctx.server.url)

  const setStatus = (session: UserSession, status: string, extra: Partial<UserStatus> = {}) =>
    session.client.updateStatus({ user_id: session.user.id, status, ...extra } as UserStatus)

  describe('GET /api/v4/users/{user_id}/status', () => {
    it('answers offline, not manual, for a user who never connected', async () => {
      const user = await makeUser(ctx.server)
      expect(await user.client.getStatus(user.user.id)).to.deep.equal({ user_id: user.user.id, status: 'offline', manual: false, last_activity_at: 0, dnd_end_time: 0 })
    })

    it('answers online while the user has a WebSocket open', async () => {
      const user = await makeUser(ctx.server)
      await ws(user)
      const status = await eventually(() => user.client.getStatus(user.user.id), (s) => s.status === 'online')
      expect(status).to.include({ manual: false })
      expect(status.last_activity_at).to.be.within(Date.now() - 60_000, Date.now() + 1000)
    })

    it('answers offline once the user\'s last WebSocket closes', async () => {
      const user = await makeUser(ctx.server)
      const first = await ws(user)
      const second = await ws(user)
      await eventually(() => user.client.getStatus(user.user.id), (s) => s.status === 'online')
      first.close()
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect((await user.client.getStatus(user.user.id)).status).to.equal('online')
      second.close()
      await eventually(() => user.client.getStatus(user.user.id), (s) => s.status === 'offline')
    })
  })

  describe('PUT /api/v4/users/{user_id}/status', () => {
    it('sets dnd manually and returns the new status', async () => {
      const user = await makeUser(ctx.server)
      const updated = await setStatus(user, 'dnd')
      expect(updated).to.include({ user_id: user.user.id, status: 'dnd', manual: true })
    })

    it('keeps a manual status when the user connects', async () => {
      const user = await makeUser(ctx.server)
      await setStatus(user, 'away')
      const socket = await ws(user)
      // A reply to an action proves the connect hook ran before it (presence is queued per user).
      await socket.request('get_statuses_by_ids', { user_ids: [user.user.id] })
      expect(await user.client.getStatus(user.user.id)).to.include({ status: 'away', manual: true })
    })

    it('keeps a future dnd_end_time, in seconds', async () => {
      const user = await makeUser(ctx.server)
      const end = Math.floor(Date.now() / 1000) + 3600
      expect(await setStatus(user, 'dnd', { dnd_end_time: end })).to.include({ status: 'dnd', dnd_end_time: end })
    })

    it('reverts a dnd whose end time has passed to the status before it', async () => {
      const user = await makeUser(ctx.server)
      await setStatus(user, 'away')
      await setStatus(user, 'dnd', { dnd_end_time: Math.floor(Date.now() / 1000) - 1 })
      expect(await user.client.getStatus(user.user.id)).to.include({ status: 'away', manual: false, dnd_end_time: 0 })
    })

    it('hands the status back to presence when the user picks online', async () => {
      const user = await makeUser(ctx.server)
      await setStatus(user, 'dnd')
      expect(await setStatus(user, 'online')).to.include({ status: 'online', manual: false })
    })

    it('rejects a body whose user_id differs from the URL with 400 api.context.invalid_param.app_error', async () => {
      const user = await makeUser(ctx.server)
      const other = await makeUser(ctx.server)
      const res = await rawRequest(ctx.server.url, `/api/v4/users/${user.user.id}/status`, { method: 'PUT', token: user.token, body: { user_id: other.user.id, status: 'away' } })
      expect(res.status).to.equal(400)
      expect((res.json as { id: string }).id).to.equal('api.context.invalid_param.app_error')
    })

    it('rejects an unknown status with 400 api.context.invalid_param.app_error', async () => {
      const user = await makeUser(ctx.server)
      await expectStatus(setStatus(user, 'busy'), 400, 'api.context.invalid_param.app_error')
    })

    it('rejects setting another user\'s status with 403', async () => {
      const user = await makeUser(ctx.server)
      const other = await makeUser(ctx.server)
      await expectStatus(user.client.updateStatus({ user_id: other.user.id, status: 'away' } as UserStatus), 403, 'api.context.permissions.app_error')
    })

    it('sends status_change to the user only, as Mattermost (others poll statuses)', async () => {
      const user = await makeUser(ctx.server)
      const watcher = await makeUser(ctx.server)
      const mine = await ws(user)
      const theirs = await ws(watcher)
      await setStatus(user, 'dnd')
      const isDnd = (e: { event: string; data: Record<string, unknown> }) => e.event === 'status_change' && e.data.user_id === user.user.id && e.data.status === 'dnd'
      await mine.waitFor('status_change', isDnd)
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(theirs.events.filter(isDnd)).to.have.length(0)
    })
  })

  describe('POST /api/v4/users/status/ids', () => {
    it('returns one status per id, offline for users without one', async () => {
      const a = await makeUser(ctx.server)
      const b = await makeUser(ctx.server)
      await setStatus(b, 'away')
      const statuses = await a.client.getStatusesByIds([a.user.id, b.user.id])
      expect(Object.fromEntries(statuses.map((s) => [s.user_id, s.status]))).to.deep.equal({ [a.user.id]: 'offline', [b.user.id]: 'away' })
    })

    it('rejects an id that is not 26 characters with 400 api.context.invalid_body_param.app_error', async () => {
      const user = await makeUser(ctx.server)
      await expectStatus(user.client.getStatusesByIds(['short']), 400, 'api.context.invalid_body_param.app_error')
    })
  })

  describe('WebSocket status actions', () => {
    it('answers get_statuses_by_ids with a map of user id to status', async () => {
      const user = await makeUser(ctx.server)
      const other = await makeUser(ctx.server)
      await setStatus(other, 'dnd')
      const socket = await ws(user)
      const reply = await socket.request('get_statuses_by_ids', { user_ids: [other.user.id] })
      expect(reply).to.include({ status: 'OK' })
      expect(reply.data).to.deep.equal({ [other.user.id]: 'dnd' })
    })

    it('fails get_statuses_by_ids without user_ids with api.websocket_handler.invalid_param.app_error', async () => {
      const user = await makeUser(ctx.server)
      const socket = await ws(user)
      const reply = await socket.request('get_statuses_by_ids', {})
      expect(reply.status).to.equal('FAIL')
      expect(reply.error?.id).to.equal('api.websocket_handler.invalid_param.app_error')
    })

    it('answers get_statuses with every user not offline', async () => {
      const user = await makeUser(ctx.server)
      const away = await makeUser(ctx.server)
      const gone = await makeUser(ctx.server)
      await setStatus(away, 'away')
      await setStatus(gone, 'offline')
      const socket = await ws(user)
      await eventually(() => user.client.getStatus(user.user.id), (s) => s.status === 'online')
      const reply = await socket.request('get_statuses', null)
      expect(reply.data).to.include({ [user.user.id]: 'online', [away.user.id]: 'away' })
      expect(reply.data).to.not.have.property(gone.user.id)
    })

    it('sets a manual away with user_update_active_status', async () => {
      const user = await makeUser(ctx.server)
      const socket = await ws(user)
      const reply = await socket.request('user_update_active_status', { user_is_active: false, manual: true })
      expect(reply.status).to.equal('OK')
      expect(await user.client.getStatus(user.user.id)).to.include({ status: 'away', manual: true })
    })

    it('leaves a recently active user online on an automatic inactive report', async () => {
      const user = await makeUser(ctx.server)
      const socket = await ws(user)
      await socket.request('user_update_active_status', { user_is_active: false, manual: false })
      expect((await user.client.getStatus(user.user.id)).status).to.equal('online')
    })

    it('fails user_update_active_status without user_is_active', async () => {
      const user = await makeUser(ctx.server)
      const socket = await ws(user)
      const reply = await socket.request('user_update_active_status', { manual: true })
      expect(reply.status).to.equal('FAIL')
      expect(reply.error?.id).to.equal('api.websocket_handler.invalid_param.app_error')
    })
  })
})
