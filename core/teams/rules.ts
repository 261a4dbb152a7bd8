/** Mattermost's team name rules (model/team.go). */
import { AppError } from '../errors.ts'

const NAME_PATTERN = /^[a-z0-9]+([a-z\-0-9]+|(__)?)[a-z0-9]+$/
const RESERVED_PREFIXES = ['admin', 'api', 'channel', 'claim', 'error', 'files', 'help', 'landing', 'login', 'mfa', 'oauth', 'plug', 'plugins', 'post', 'signup', 'boards', 'playbooks']

/** @throws AppError 400 `model.team.is_valid.*` for a bad name or display name. */
export function checkTeamFields(fields: { name?: string; display_name?: string; description?: string }, creating: boolean): void {
  if (fields.name !== undefined || creating) {
    const name = fields.name ?? ''
    if (name.length < 2 || name.length > 64 || !NAME_PATTERN.test(name)) {
      throw new AppError('model.team.is_valid.characters.app_error', 'Team name must be 2 to 64 lowercase letters, numbers or "-", starting and ending with a letter or number.', 400)
    }
    if (RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      throw new AppError('model.team.is_valid.reserved.app_error', `The team name "${name}" is reserved: choose one that does not start with ${RESERVED_PREFIXES.join(', ')}.`, 400)
    }
  }
  if (fields.display_name !== undefined || creating) {
    const length = [...(fields.display_name ?? '').trim()].length
    if (length < 1 || length > 64) throw new AppError('model.team.is_valid.name.app_error', 'Team display name must be 1 to 64 characters.', 400)
  }
  if (fields.description !== undefined && [...fields.description].length > 255) {
    throw new AppError('model.team.is_valid.description.app_error', 'Team description must be at most 255 characters.', 400)
  }
}
