/** Sessions: login, token resolution (with a short cache), logout, expiry, login limiting, PATs. */
import { AppError, featureDisabled, forbidden, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Logger } from '../log.ts'
import type { UserRecord, UserStore } from '../users/store.ts'
import { verifyPassword } from './passwords.ts'
import type { AuthSession } from './session-types.ts'
import type { AccessTokenRecord, AuthStore, SessionRecord } from './store.ts'

export interface SessionServiceOptions {
  store: AuthStore
  users: UserStore
  log: Logger
  sessionLengthHours: number
  maxLoginAttempts: number
  enableUserAccessTokens: boolean
  /** The owner of a bot account (null for other users), so owners may manage their bots' tokens. */
  botOwnerOf?(userId: string): Promise<string | null>
}

const LOCK_WINDOW_MS = 15 * 60 * 1000
const CACHE_TTL_MS = 10_000
const TOUCH_INTERVAL_MS = 5 * 60 * 1000

function isAdminRoles(roles: string): boolean {
  return roles.split(' ').includes('system_admin')
}

function invalidCredentials(): AppError {
  return new AppError('api.user.login.invalid_credentials_email_username', 'Enter a valid email or username and/or password.', 401)
}

export function createSessionService(options: SessionServiceOptions) {
  const { store, users, log } = options
  // Token → session, so that each API call does not cost a query; entries are dropped on logout,
  // revocation and role changes, and expire after CACHE_TTL_MS so other nodes' revocations apply.
  const cache = new Map<string, { session: AuthSession; cachedAt: number }>()

  function toAuthSession(record: SessionRecord, user: UserRecord, kind: AuthSession['kind']): AuthSession {
    return {
      id: record.id,
      token: record.token,
      userId: user.id,
      roles: user.roles,
      isSystemAdmin: isAdminRoles(user.roles),
      isBot: user.isBot,
      kind,
      csrfToken: record.props.csrf ?? '',
      expiresAt: record.expiresAt,
    }
  }

  async function ownsBot(caller: AuthSession, userId: string): Promise<boolean> {
    return options.botOwnerOf !== undefined && (await options.botOwnerOf(userId)) === caller.userId
  }

  const endedListeners: ((sessionIds: string[]) => void)[] = []
  function announceEnded(sessionIds: string[]): void {
    if (sessionIds.length === 0) return
    for (const listener of endedListeners) {
      try {
        listener(sessionIds)
      } catch (err) {
        log.warn({ err }, 'session-ended listener failed')
      }
    }
  }

  function forget(predicate: (s: AuthSession) => boolean): void {
    for (const [token, entry] of cache) if (predicate(entry.session)) cache.delete(token)
  }

  async function createSession(user: UserRecord, deviceId = ''): Promise<SessionRecord> {
    const now = nowMillis()
    return store.insertSession({
      id: newId(),
      token: newId(),
      userId: user.id,
      createAt: now,
      expiresAt: now + options.sessionLengthHours * 3600 * 1000,
      lastActivityAt: now,
      deviceId,
      roles: user.roles,
      isOAuth: false,
      props: { csrf: newId(), type: 'session' },
    })
  }

  return {
    /**
     * Checks credentials and opens a session.
     * @throws AppError 401 for bad credentials, bots, deactivated or locked accounts.
     */
    async login(loginId: string, password: string, deviceId = ''): Promise<{ user: UserRecord; session: SessionRecord }> {
      if (!password) throw new AppError('api.user.login.blank_pwd.app_error', 'Password field must not be blank', 400)
      const id = loginId.trim().toLowerCase()
      const user = (await users.getByUsername(id)) ?? (await users.getByEmail(id))
      if (!user) throw invalidCredentials()
      if (user.isBot) throw new AppError('api.user.login.bot_login_forbidden.app_error', 'Bot login is forbidden.', 401)
      const now = nowMillis()
      if (user.failedAttempts >= options.maxLoginAttempts && now - user.lastFailedAt < LOCK_WINDOW_MS) {
        throw new AppError(
          'api.user.check_user_login_attempts.too_many.app_error',
          'Your account is locked because of too many failed password attempts. Try again in 15 minutes or ask an administrator to reset your password.',
          401,
          { context: { userId: user.id } },
        )
      }
      if (!(await verifyPassword(password, user.passwordHash))) {
        const attempts = now - user.lastFailedAt < LOCK_WINDOW_MS ? user.failedAttempts + 1 : 1
        await users.update(user.id, { failedAttempts: attempts, lastFailedAt: now })
        log.info({ userId: user.id, attempts }, 'failed login')
        throw invalidCredentials()
      }
      if (user.deleteAt > 0) throw new AppError('api.user.login.inactive.app_error', 'Login failed because your account has been deactivated.', 401)
      const updated = await users.update(user.id, { failedAttempts: 0, lastFailedAt: 0, lastLogin: now })
      return { user: updated, session: await createSession(updated, deviceId) }
    },

    createSession,

    /** The session for a token (session token or personal access token), or null. */
    async resolve(token: string): Promise<AuthSession | null> {
      if (!token || token.length > 64) return null
      const now = nowMillis()
      const cached = cache.get(token)
      if (cached && now - cached.cachedAt < CACHE_TTL_MS && (cached.session.expiresAt === 0 || cached.session.expiresAt > now)) {
        return cached.session
      }
      cache.delete(token)
      let session: AuthSession | null = null
      const record = await store.sessionByToken(token)
      if (record) {
        if (record.expiresAt !== 0 && record.expiresAt <= now) {
          await store.deleteSession(record.id)
          return null
        }
        const user = await users.getById(record.userId)
        if (!user || user.deleteAt > 0) return null
        session = toAuthSession(record, user, 'session')
        if (now - record.lastActivityAt > TOUCH_INTERVAL_MS) await store.touchSession(record.id, now)
      } else {
        const pat = await store.tokenByToken(token)
        if (!pat || !pat.isActive || !options.enableUserAccessTokens) return null
        if (pat.expiresAt !== 0 && pat.expiresAt <= now) return null
        const user = await users.getById(pat.userId)
        if (!user || user.deleteAt > 0) return null
        session = toAuthSession(
          { id: pat.id, token: pat.token, userId: user.id, createAt: pat.createAt, expiresAt: pat.expiresAt, lastActivityAt: now, deviceId: '', roles: user.roles, isOAuth: false, props: { type: 'UserAccessToken' } },
          user,
          'access_token',
        )
      }
      cache.set(token, { session, cachedAt: now })
      return session
    },

    /** Called with the ids of sessions that just ended, e.g. to close their WebSockets. */
    onSessionsEnded(listener: (sessionIds: string[]) => void): void {
      endedListeners.push(listener)
    },

    async logout(session: AuthSession): Promise<void> {
      cache.delete(session.token)
      if (session.kind === 'session') await store.deleteSession(session.id)
      announceEnded([session.id])
    },

    /**
     * Ends every session of a user, personal access tokens' included (deactivation, password
     * change), except `keepSessionId`: the session that changed its own password stays signed in.
     */
    async revokeAllForUser(userId: string, keepSessionId = ''): Promise<void> {
      forget((s) => s.userId === userId && s.id !== keepSessionId)
      const ended = [...(await store.sessionIdsOfUser(userId)), ...(await store.tokensOfUser(userId, 0, 10_000)).map((t) => t.id)]
      await store.deleteSessionsOfUser(userId, keepSessionId)
      announceEnded(ended.filter((id) => id !== keepSessionId))
    },

    /** Drops cached sessions of a user so role changes apply at once. */
    forgetUser(userId: string): void {
      forget((s) => s.userId === userId)
    },

    // Personal access tokens (Mattermost: model/user_access_token.go).

    async createAccessToken(caller: AuthSession, userId: string, description: string, expiresAt = 0): Promise<AccessTokenRecord> {
      if (!options.enableUserAccessTokens) {
        throw featureDisabled('api.user.create_user_access_token.disabled.app_error', 'Personal access tokens are disabled on this server.')
      }
      const target = await users.getById(userId)
      if (!target) throw notFound('user', userId, 'app.user.missing_account.const')
      // Mattermost's defaults: admins, users given the system_user_access_token role (for themselves),
      // and here also a bot's owner for that bot.
      const mayOwnTokens = caller.userId === userId && !target.isBot && caller.roles.split(' ').includes('system_user_access_token')
      if (!caller.isSystemAdmin && !mayOwnTokens && !(target.isBot && (await ownsBot(caller, userId)))) {
        throw forbidden('creating personal access tokens needs the system_user_access_token role (or system admin)')
      }
      if (!description.trim()) throw new AppError('api.context.invalid_param.app_error', 'Invalid description parameter: a token needs a description.', 400)
      return store.insertToken({ id: newId(), token: newId(), userId, description: description.slice(0, 512), isActive: true, expiresAt, createAt: nowMillis() })
    },

    async listAccessTokens(caller: AuthSession, userId: string, offset: number, limit: number): Promise<AccessTokenRecord[]> {
      if (!caller.isSystemAdmin && caller.userId !== userId && !(await ownsBot(caller, userId))) throw forbidden('tokens of another user')
      return store.tokensOfUser(userId, offset, limit)
    },

    async getAccessToken(caller: AuthSession, tokenId: string): Promise<AccessTokenRecord> {
      const token = await store.tokenById(tokenId)
      if (!token) throw notFound('user_access_token', tokenId, 'app.user_access_token.get_by_token.app_error')
      if (!caller.isSystemAdmin && caller.userId !== token.userId && !(await ownsBot(caller, token.userId))) throw forbidden('token of another user')
      return token
    },

    async setAccessTokenState(caller: AuthSession, tokenId: string, state: 'revoke' | 'disable' | 'enable'): Promise<void> {
      const token = await this.getAccessToken(caller, tokenId)
      forget((s) => s.id === token.id)
      if (state === 'revoke') await store.deleteToken(token.id)
      else await store.setTokenActive(token.id, state === 'enable')
      if (state !== 'enable') announceEnded([token.id])
    },
  }
}

export type SessionService = ReturnType<typeof createSessionService>
