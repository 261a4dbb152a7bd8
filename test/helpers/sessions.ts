/** What tests of server-side services share: a session standing for a test user, and the error a call rejects with. */
import type { AuthSession } from '../../core/auth/session-types.ts'
import type { UserSession } from './factories.ts'

/** A session standing for a test user, as a playbook step or a command would act with. */
export function sessionOf(who: UserSession): AuthSession {
  return { id: '', token: '', userId: who.user.id, roles: 'system_user', isSystemAdmin: false, isBot: false, kind: 'session', csrfToken: '', expiresAt: 0 }
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (err) {
    return err as Error & Record<string, unknown>
  }
  throw new Error('expected a rejection')
}
