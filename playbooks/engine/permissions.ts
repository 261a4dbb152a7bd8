/**
 * `roles.<r>.can` (pure): when a playbook gives any role a `can` list, only holders of the owner's role (the commander
 * can do everything), of a role whose `can` lists the permission, and system admins may do what it guards:
 * `edit` (roles, assignments, due dates, metrics, the retrospective), `finish` (change the run's status: mitigate,
 * resolve, finish, cancel) and `status_update` (post a status update). Without `can` anywhere, every run participant
 * may, as in Mattermost. `approve` is each approval's `approvers`' business.
 */
import { AppError } from '../../core/errors.ts'
import type { RunRow } from './store.ts'

export type RunPermission = 'edit' | 'finish' | 'status_update'

export interface Actor {
  userId: string
  isSystemAdmin: boolean
}

const WHAT: Record<RunPermission, string> = { edit: 'change it', finish: "change the run's status", status_update: 'post status updates' }

/** The role that owns the run: `commander` when the playbook has one, else the role the run's owner holds. */
export function ownerRole(row: RunRow): string | undefined {
  const roles = row.playbook.roles ?? {}
  if (Object.hasOwn(roles, 'commander')) return 'commander'
  return Object.keys(roles).find((name) => row.state.roles[name]?.id === row.state.ownerId)
}

/** @throws AppError 403 naming who may, when `actor` may not do `what` in this run. */
export function requireCan(row: RunRow, actor: Actor, what: RunPermission): void {
  const roles = Object.entries(row.playbook.roles ?? {})
  if (actor.isSystemAdmin || !roles.some(([, r]) => r.can !== undefined)) return
  const owner = ownerRole(row)
  // The owner's role first: "the commander or scribe".
  const allowed = [...(owner ? [owner] : []), ...roles.filter(([name, r]) => name !== owner && r.can?.includes(what)).map(([name]) => name)]
  if (allowed.some((name) => row.state.roles[name]?.id === actor.userId)) return
  const who = allowed.length ? `the ${allowed.join(' or ')} of this run` : `a system admin (no role of this playbook can ${what})`
  throw new AppError(`app.playbook_run.${what}_not_allowed.app_error`, `Only ${who} may ${WHAT[what]} (roles.<role>.can: [${what}]).`, 403)
}
