/**
 * User statuses and presence (Mattermost app/platform/status.go): a user with an open WebSocket
 * is online unless they set away, dnd or offline themselves; timed dnd reverts when read after
 * its end time, so no timer is lost on restart.
 */
import { AppError, forbidden, invalidParam } from '../errors.ts'
import { isValidId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { EventBus } from '../realtime/events.ts'
import type { AuthSession } from '../auth/session-types.ts'
import type { StatusRecord, StatusStore } from './store.ts'

const STATUSES = ['online', 'away', 'offline', 'dnd']

/** The WebSocket actions this service answers (HubDeps.handleAction forwards them). */
export const STATUS_ACTIONS = new Set(['get_statuses', 'get_statuses_by_ids', 'user_update_active_status'])

/** Mattermost's TeamSettings.UserStatusAwayTimeout default (s): inactive this long before "away". */
const AWAY_TIMEOUT_MS = 300_000
/** model.StatusMinUpdateTime: last_activity_at alone is written at most this often. */
const MIN_ACTIVITY_WRITE_MS = 120_000
const MAX_ACTIVE_STATUSES = 10_000

export interface StatusServiceOptions {
  store: StatusStore
  bus: EventBus
  log: Logger
  /** Whether the user has an open WebSocket on this node. */
  isConnected(userId: string): boolean
}

export interface StatusUpdateInput {
  user_id: string
  status: string
  dnd_end_time?: number
}

function offline(userId: string): StatusRecord {
  return { userId, status: 'offline', manual: false, lastActivityAt: 0, dndEndTime: 0, prevStatus: '' }
}

function wsParamError(action: string, name: string): AppError {
  return new AppError('api.websocket_handler.invalid_param.app_error', `Invalid ${name} parameter.`, 400, { context: { action, param: name } })
}

export function createStatusService(options: StatusServiceOptions) {
  const { store, bus, log } = options
  // Presence changes of one user run one after another, so a quick connect/disconnect settles right.
  const queues = new Map<string, Promise<void>>()
  let stopped = false

  function enqueue(userId: string, job: () => Promise<void>): void {
    if (stopped) return
    const run = (queues.get(userId) ?? Promise.resolve())
      .then(job)
      .catch((err: unknown) => log.error({ userId, err }, 'presence update failed'))
    queues.set(userId, run)
    void run.then(() => {
      if (queues.get(userId) === run) queues.delete(userId)
    })
  }

  async function save(next: StatusRecord, previous: StatusRecord | null): Promise<StatusRecord> {
    const saved = await store.upsert(next)
    if (!previous || previous.status !== saved.status || previous.manual !== saved.manual) {
      await bus.publish({
        type: 'status.changed',
        payload: { userId: saved.userId, status: saved.status, manual: saved.manual },
        // As Mattermost: to the user alone (their other clients); others poll get_statuses_by_ids,
        // so presence never reaches users who share no team or channel with them.
        ws: { event: 'status_change', data: { status: saved.status, user_id: saved.userId }, audience: { userId: saved.userId } },
      })
    }
    return saved
  }

  /** A timed dnd whose end has passed reverts to the status before it (Mattermost's UpdateExpiredDNDStatuses). */
  async function expireDnd(status: StatusRecord): Promise<StatusRecord> {
    if (status.status !== 'dnd' || status.dndEndTime <= 0 || status.dndEndTime > Math.floor(nowMillis() / 1000)) return status
    let restored = status.prevStatus && status.prevStatus !== 'dnd' ? status.prevStatus : 'offline'
    // The previous status was set while connected or not; presence decides now.
    if (restored === 'online' && !options.isConnected(status.userId)) restored = 'offline'
    if (restored === 'offline' && options.isConnected(status.userId)) restored = 'online'
    return save({ ...status, status: restored, manual: false, dndEndTime: 0, prevStatus: 'dnd' }, status)
  }

  async function load(userId: string): Promise<StatusRecord | null> {
    const found = await store.get(userId)
    return found ? expireDnd(found) : null
  }

  async function setOnline(userId: string, manual: boolean): Promise<void> {
    const current = await load(userId)
    if (current?.manual && !manual) return
    const now = nowMillis()
    if (current?.status === 'online' && now - current.lastActivityAt < MIN_ACTIVITY_WRITE_MS) return
    // "online" is never manual: a user who picks it hands their status back to presence.
    await save({ ...(current ?? offline(userId)), status: 'online', manual: false, lastActivityAt: now, dndEndTime: 0 }, current)
  }

  async function setOffline(userId: string, manual: boolean): Promise<void> {
    const current = await load(userId)
    if (current?.manual && !manual) return
    await save({ ...(current ?? offline(userId)), status: 'offline', manual, lastActivityAt: nowMillis(), dndEndTime: 0 }, current)
  }

  async function setAwayIfNeeded(userId: string, manual: boolean): Promise<void> {
    const current = await load(userId)
    if (!manual) {
      if (current?.manual) return
      if (current?.status === 'away') return
      if (current && nowMillis() - current.lastActivityAt < AWAY_TIMEOUT_MS) return
    }
    await save({ ...(current ?? offline(userId)), status: 'away', manual, dndEndTime: 0 }, current)
  }

  async function setDnd(userId: string, endTimeSeconds: number): Promise<void> {
    const current = await load(userId)
    const base = current ?? offline(userId)
    const prevStatus = base.status === 'dnd' ? base.prevStatus : base.status
    await save({ ...base, status: 'dnd', manual: true, dndEndTime: endTimeSeconds, prevStatus }, current)
  }

  /** Connected now: online, unless the user set a status by hand. */
  async function reconcilePresence(userId: string): Promise<void> {
    if (options.isConnected(userId)) await setOnline(userId, false)
    else await setOffline(userId, false)
  }

  async function getMany(userIds: string[]): Promise<StatusRecord[]> {
    const unique = [...new Set(userIds)]
    await Promise.all(unique.map((id) => queues.get(id)))
    const found = new Map((await store.getByIds(unique)).map((s) => [s.userId, s]))
    const out: StatusRecord[] = []
    for (const id of unique) {
      const status = found.get(id)
      out.push(status ? await expireDnd(status) : offline(id))
    }
    return out
  }

  return {
    /** The user's status; users without one (or unknown ids) are offline, as in Mattermost. */
    async get(userId: string): Promise<StatusRecord> {
      return (await getMany([userId]))[0]!
    },

    getMany,

    /**
     * Sets a status by hand (`PUT /users/{id}/status`).
     * @throws AppError 400 for a body user_id that differs from the URL or an unknown status; 403 for another user (unless admin).
     */
    async update(session: AuthSession, userId: string, input: StatusUpdateInput): Promise<StatusRecord> {
      if (input.user_id !== userId) throw invalidParam('user_id', 'the user_id in the body must match the URL')
      if (userId !== session.userId && !session.isSystemAdmin) throw forbidden(`status of user ${userId}`)
      await queues.get(userId)
      switch (input.status) {
        case 'online':
          await setOnline(userId, true)
          break
        case 'offline':
          await setOffline(userId, true)
          break
        case 'away':
          await setAwayIfNeeded(userId, true)
          break
        case 'dnd':
          await setDnd(userId, input.dnd_end_time ?? 0)
          break
        default:
          throw invalidParam('status', `status must be one of ${STATUSES.join(', ')}`)
      }
      return this.get(userId)
    },

    /** Hub hook: the user's first socket opened. */
    onUserConnected(userId: string): void {
      enqueue(userId, () => reconcilePresence(userId))
    },

    /** Hub hook: the user's last socket closed. */
    onUserDisconnected(userId: string): void {
      enqueue(userId, () => reconcilePresence(userId))
    },

    /**
     * Answers `get_statuses`, `get_statuses_by_ids` and `user_update_active_status`.
     * @throws AppError 400 `api.websocket_handler.invalid_param.app_error` for bad data.
     */
    async handleWsAction(action: string, data: unknown, userId: string): Promise<Record<string, unknown> | undefined> {
      const input = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {}
      if (action === 'get_statuses') {
        const active = await store.listNotOffline(MAX_ACTIVE_STATUSES)
        const out: Record<string, unknown> = {}
        for (const status of active) {
          const current = await expireDnd(status)
          if (current.status !== 'offline') out[current.userId] = current.status
        }
        return out
      }
      if (action === 'get_statuses_by_ids') {
        const ids = input.user_ids
        if (!Array.isArray(ids) || ids.length === 0 || !ids.every(isValidId)) throw wsParamError(action, 'user_ids')
        return Object.fromEntries((await getMany(ids)).map((s) => [s.userId, s.status]))
      }
      if (action === 'user_update_active_status') {
        if (typeof input.user_is_active !== 'boolean') throw wsParamError(action, 'user_is_active')
        const manual = input.manual === true
        await queues.get(userId)
        if (input.user_is_active) await setOnline(userId, manual)
        else await setAwayIfNeeded(userId, manual)
        return undefined
      }
      throw new AppError('api.web_socket_router.bad_action.app_error', `Unknown action: ${action}`, 400)
    },

    /**
     * At start-up no socket is open, so automatic statuses left online or away by the last run become offline.
     * (With several nodes sharing one database this would need the other nodes' presence too.)
     */
    async resetPresence(): Promise<void> {
      const count = await store.resetAutomatic()
      if (count > 0) log.info({ count }, 'statuses reset to offline at start-up')
    },

    /** Stops presence updates (server shutdown) and waits for those under way. */
    async stop(): Promise<void> {
      stopped = true
      await Promise.all([...queues.values()])
    },
  }
}

export type StatusService = ReturnType<typeof createStatusService>
