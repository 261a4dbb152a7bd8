/** Body parsing shared by the team and channel member role routes (`/roles` and `/schemeRoles`). */
import { z } from 'zod'
import { invalidParam } from '../errors.ts'
import { parseBody } from './validate.ts'

/**
 * Whether a `{"roles": "x_user x_admin"}` body makes the member an admin of its team or channel.
 * @throws AppError 400 for roles other than `<scope>_user` with an optional `<scope>_admin`.
 */
export function adminFromRolesBody(body: unknown, scope: 'team' | 'channel'): boolean {
  // Mattermost takes a space-separated string; Client4's typings for teams say string[], so take both.
  const { roles } = parseBody(z.object({ roles: z.union([z.string().max(256), z.array(z.string().max(64)).max(8)]) }), body)
  const list = (Array.isArray(roles) ? roles : roles.split(/\s+/)).filter(Boolean)
  if (!list.includes(`${scope}_user`) || list.some((r) => r !== `${scope}_user` && r !== `${scope}_admin`)) {
    throw invalidParam('roles', `use "${scope}_user" or "${scope}_user ${scope}_admin"`)
  }
  return list.includes(`${scope}_admin`)
}

/**
 * Whether a `{"scheme_admin", "scheme_user"}` body makes the member an admin.
 * @throws AppError 400 when scheme_user is false (members cannot drop it).
 */
export function adminFromSchemeRolesBody(body: unknown): boolean {
  const parsed = parseBody(z.object({ scheme_admin: z.boolean(), scheme_user: z.boolean() }), body)
  if (!parsed.scheme_user) throw invalidParam('scheme_user', 'members must keep scheme_user')
  return parsed.scheme_admin
}
