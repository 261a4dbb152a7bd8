/** User accounts: sign-up (first account = system admin), profiles, listing and search with visibility rules. */
import { AppError, forbidden, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'
import type { Database } from '../db/index.ts'
import { isUniqueViolation, withTransaction } from '../db/index.ts'
import type { EventBus } from '../realtime/events.ts'
import type { AuthSession } from '../auth/session-types.ts'
import { hashPassword, verifyPassword, type PasswordCost } from '../auth/passwords.ts'
import { presentUser } from '../present/user.ts'
import { checkEmail, checkPassword, checkProfileFields, checkUsername, DEFAULT_NOTIFY_PROPS, DEFAULT_TIMEZONE } from './rules.ts'
import type { UserFilter, UserRecord, UserStore } from './store.ts'

export interface NewUserInput {
  username: string
  email: string
  password?: string
  first_name?: string
  last_name?: string
  nickname?: string
  position?: string
  locale?: string
  /** Bots get no password and `is_bot`. */
  isBot?: boolean
  /** Only honoured for admins creating users, the CLI and the first account. */
  roles?: string
}

export interface UserPatch {
  username?: string
  email?: string
  password?: string
  nickname?: string
  first_name?: string
  last_name?: string
  position?: string
  locale?: string
  props?: Record<string, string>
  notify_props?: Record<string, string>
  timezone?: Record<string, string>
}

export interface UserServiceOptions {
  db: Database
  store: UserStore
  bus: EventBus
  enableOpenServer: boolean
  passwordCost?: PasswordCost
  /** Ends a user's sessions (password change, deactivation), all but `keepSessionId` when given. */
  onCredentialsChanged(userId: string, keepSessionId?: string): Promise<void>
  /** Drops cached sessions so new roles apply at once. */
  onRolesChanged(userId: string): void
}

function duplicate(field: 'username' | 'email'): AppError {
  return field === 'username'
    ? new AppError('app.user.save.username_exists.app_error', 'An account with that username already exists.', 400)
    : new AppError('app.user.save.email_exists.app_error', 'An account with that email already exists.', 400)
}

export function createUserService(options: UserServiceOptions) {
  const { db, store, bus } = options

  async function requireUser(id: string): Promise<UserRecord> {
    const user = await store.getById(id)
    if (!user) throw notFound('user', id, 'app.user.missing_account.const')
    return user
  }

  async function publishUpdated(user: UserRecord): Promise<void> {
    await bus.publish({
      type: 'user.updated',
      payload: { userId: user.id },
      // Each recipient gets the profile as others see it; the user's own copy is refreshed by GET /users/me.
      ws: { event: 'user_updated', data: { user: presentUser(user, undefined) }, audience: { all: true } },
    })
  }

  return {
    requireUser,

    /**
     * Creates an account. The first account on an empty server becomes system admin.
     * @throws AppError 403 when sign-up is closed and the caller is not an admin; 400 for invalid or taken fields.
     */
    async create(input: NewUserInput, caller?: AuthSession): Promise<UserRecord> {
      const username = input.username.trim().toLowerCase()
      const email = input.email.trim().toLowerCase()
      checkUsername(username)
      checkEmail(email)
      checkProfileFields(input)
      if (!input.isBot) checkPassword(input.password ?? '')
      const passwordHash = input.isBot || !input.password ? '' : await hashPassword(input.password, options.passwordCost)
      const now = nowMillis()
      let user: UserRecord
      try {
        user = await withTransaction(db, async (tx) => {
          // Serialises concurrent first sign-ups so exactly one becomes admin.
          await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(724019)')
          const first = (await store.count(tx)) === 0
          const isAdminCaller = caller?.isSystemAdmin ?? false
          if (!first && !isAdminCaller && !options.enableOpenServer && !input.roles) {
            throw new AppError('api.user.create_user.no_open_server', 'This server does not allow open signups. Please speak with your Administrator to receive an invitation.', 403)
          }
          const roles = first ? 'system_admin system_user' : input.roles ?? 'system_user'
          return store.insert(tx, {
            id: newId(),
            createAt: now,
            updateAt: now,
            deleteAt: 0,
            username,
            email,
            passwordHash,
            authService: '',
            nickname: input.nickname ?? '',
            firstName: input.first_name ?? '',
            lastName: input.last_name ?? '',
            position: input.position ?? '',
            roles,
            locale: input.locale ?? 'en',
            notifyProps: { ...DEFAULT_NOTIFY_PROPS },
            props: {},
            timezone: { ...DEFAULT_TIMEZONE },
            lastPasswordUpdate: passwordHash ? now : 0,
            isBot: input.isBot ?? false,
          })
        })
      } catch (err) {
        if (isUniqueViolation(err, ['username'])) throw duplicate('username')
        if (isUniqueViolation(err, ['email'])) throw duplicate('email')
        throw err
      }
      await bus.publish({ type: 'user.created', payload: { userId: user.id }, ws: { event: 'new_user', data: { user_id: user.id }, audience: { all: true } } })
      return user
    },

    /** A user the viewer may see. @throws AppError 404 for unknown ids, 403 for users who share no team or channel with the viewer (as Mattermost). */
    async getVisible(viewer: AuthSession, id: string): Promise<UserRecord> {
      const user = await requireUser(id)
      if (!viewer.isSystemAdmin && user.id !== viewer.userId && !(await store.visibleIds(viewer.userId, [id])).has(id)) {
        throw forbidden(`user ${id} shares no team or channel with the viewer`)
      }
      return user
    },

    async getVisibleByUsername(viewer: AuthSession, username: string): Promise<UserRecord> {
      const user = await store.getByUsername(username.toLowerCase())
      if (!user) throw notFound('user', username, 'app.user.get_by_username.app_error')
      return this.getVisible(viewer, user.id)
    },

    /** Filters out users the viewer may not see. */
    async filterVisible(viewer: AuthSession, users: UserRecord[]): Promise<UserRecord[]> {
      if (viewer.isSystemAdmin) return users
      const visible = await store.visibleIds(viewer.userId, users.map((u) => u.id))
      return users.filter((u) => visible.has(u.id))
    },

    async list(viewer: AuthSession, filter: UserFilter): Promise<UserRecord[]> {
      return store.list({ ...filter, visibleTo: viewer.isSystemAdmin ? undefined : viewer.userId })
    },

    /**
     * Applies a profile patch. Changing one's own email or password needs the current password.
     * @throws AppError 403 for someone else's profile (unless admin), 400/401 for bad fields.
     */
    async patch(caller: AuthSession, id: string, patch: UserPatch & { current_password?: string }): Promise<UserRecord> {
      if (caller.userId !== id && !caller.isSystemAdmin) throw forbidden('patching another user')
      const user = await requireUser(id)
      const data: Partial<UserRecord> = { updateAt: nowMillis() }
      if (patch.username !== undefined) {
        const username = patch.username.trim().toLowerCase()
        checkUsername(username)
        data.username = username
      }
      if (patch.email !== undefined && patch.email.trim().toLowerCase() !== user.email) {
        const email = patch.email.trim().toLowerCase()
        checkEmail(email)
        if (caller.userId === id && !caller.isSystemAdmin) {
          if (!patch.password) throw new AppError('api.context.invalid_param.app_error', 'Invalid password parameter: your current password is needed to change your email.', 400)
          if (!(await verifyPassword(patch.password, user.passwordHash))) {
            throw new AppError('api.user.check_user_password.invalid.app_error', 'Login failed because of invalid password.', 401)
          }
        }
        data.email = email
      }
      checkProfileFields(patch)
      if (patch.nickname !== undefined) data.nickname = patch.nickname
      if (patch.first_name !== undefined) data.firstName = patch.first_name
      if (patch.last_name !== undefined) data.lastName = patch.last_name
      if (patch.position !== undefined) data.position = patch.position
      if (patch.locale !== undefined) data.locale = patch.locale.slice(0, 5)
      if (patch.props !== undefined) data.props = patch.props
      if (patch.notify_props !== undefined) data.notifyProps = { ...user.notifyProps, ...patch.notify_props }
      if (patch.timezone !== undefined) data.timezone = { ...user.timezone, ...patch.timezone }
      let updated: UserRecord
      try {
        updated = await store.update(id, data)
      } catch (err) {
        if (isUniqueViolation(err, ['username'])) throw duplicate('username')
        if (isUniqueViolation(err, ['email'])) throw duplicate('email')
        throw err
      }
      await publishUpdated(updated)
      return updated
    },

    /** @throws AppError 400 when the current password is wrong (self-service), 403 for another user unless an admin. */
    async updatePassword(caller: AuthSession, id: string, currentPassword: string, newPassword: string): Promise<void> {
      if (caller.userId !== id && !caller.isSystemAdmin) throw forbidden('changing another user\'s password')
      const user = await requireUser(id)
      if (caller.userId === id && !(await verifyPassword(currentPassword, user.passwordHash))) {
        throw new AppError('api.user.update_password.incorrect.app_error', 'The "Current Password" you entered is incorrect. Please check that Caps Lock is off and try again.', 400)
      }
      checkPassword(newPassword)
      await store.update(id, { passwordHash: await hashPassword(newPassword, options.passwordCost), lastPasswordUpdate: nowMillis(), failedAttempts: 0, updateAt: nowMillis() })
      // As Mattermost (TerminateSessionsOnPasswordChange): every other session ends, and the one
      // that changed its own password stays signed in.
      await options.onCredentialsChanged(id, caller.userId === id && caller.kind === 'session' ? caller.id : undefined)
    },

    /** Deactivate (`active=false`) or reactivate a user; admins only (or self-deactivation). */
    async setActive(caller: AuthSession, id: string, active: boolean): Promise<UserRecord> {
      if (!caller.isSystemAdmin && !(caller.userId === id && !active)) throw forbidden('changing active state of another user')
      await requireUser(id)
      const updated = await store.update(id, { deleteAt: active ? 0 : nowMillis(), updateAt: nowMillis() })
      if (!active) await options.onCredentialsChanged(id)
      await publishUpdated(updated)
      return updated
    },

    /** Sets system roles (`system_user` or `system_admin system_user`); admins only. */
    async setRoles(caller: AuthSession, id: string, roles: string): Promise<UserRecord> {
      if (!caller.isSystemAdmin) throw forbidden('only system admins change roles')
      const list = roles.split(/\s+/).filter(Boolean)
      const known = ['system_user', 'system_admin', 'system_user_access_token']
      if (!list.includes('system_user') || list.some((r) => !known.includes(r))) {
        throw new AppError('api.context.invalid_param.app_error', `Invalid roles parameter: use system_user, optionally with ${known.slice(1).join(' and ')}.`, 400)
      }
      const normalised = known.filter((r) => list.includes(r)).sort((a, b) => (a === 'system_admin' ? -1 : b === 'system_admin' ? 1 : 0)).join(' ')
      await requireUser(id)
      const updated = await store.update(id, { roles: normalised, updateAt: nowMillis() })
      options.onRolesChanged(id)
      await publishUpdated(updated)
      return updated
    },
  }
}

export type UserService = ReturnType<typeof createUserService>
