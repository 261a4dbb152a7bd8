/** A user named the ways integrations and playbooks name people: an id, `@username`, `user:username`, a username or an email. */
import type { UserRecord, UserStore } from './store.ts'

export async function userByRef(users: Pick<UserStore, 'getById' | 'getByUsername' | 'getByEmail'>, ref: string): Promise<UserRecord | null> {
  const name = ref.replace(/^user:/, '').replace(/^@/, '')
  if (name === '') return null
  if (/^[a-z0-9]{26}$/.test(name)) return users.getById(name)
  return name.includes('@') ? users.getByEmail(name) : users.getByUsername(name)
}
