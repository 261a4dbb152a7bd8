/** The authenticated caller as every service sees it. */

export type SessionKind = 'session' | 'access_token'

export interface AuthSession {
  id: string
  token: string
  userId: string
  /** Space-separated system roles of the user, e.g. "system_admin system_user". */
  roles: string
  isSystemAdmin: boolean
  isBot: boolean
  kind: SessionKind
  csrfToken: string
  /** Milliseconds; 0 = never. */
  expiresAt: number
}
