/** Mattermost's channel name and field rules (model/channel.go). */
import { createHash } from 'node:crypto'
import { AppError } from '../errors.ts'

const NAME_PATTERN = /^[a-z0-9]+([a-z\-_0-9]+|(__)?)[a-z0-9]*$/

function invalid(field: string, message: string): AppError {
  return new AppError(`model.channel.is_valid.${field}.app_error`, message, 400, { context: { field } })
}

/** @throws AppError 400 for a bad name, display name, header or purpose of an O/P channel. */
export function checkChannelFields(fields: { name?: string; display_name?: string; header?: string; purpose?: string }, creating: boolean): void {
  if (fields.name !== undefined || creating) {
    const name = fields.name ?? ''
    if (name.length < 1 || name.length > 64 || !NAME_PATTERN.test(name)) {
      throw invalid('2_or_more', 'Name must be 1 to 64 lowercase alphanumeric characters, "-" or "_", starting and ending with a letter or number.')
    }
    if (/^[a-z0-9]{26}__[a-z0-9]{26}$/.test(name) || /^[a-f0-9]{40}$/.test(name)) {
      throw invalid('1_or_more', 'Name cannot look like a direct or group message channel name.')
    }
  }
  if (fields.display_name !== undefined || creating) {
    const length = [...(fields.display_name ?? '').trim()].length
    if (length < 1 || length > 64) throw invalid('display_name', 'Display name must be 1 to 64 characters.')
  }
  if (fields.header !== undefined && [...fields.header].length > 1024) throw invalid('header', 'Header must be at most 1024 characters.')
  if (fields.purpose !== undefined && [...fields.purpose].length > 250) throw invalid('purpose', 'Purpose must be at most 250 characters.')
}

/** `min(a,b)__max(a,b)` in byte order, as Mattermost's `GetDMNameFromIds`. */
export function directChannelName(a: string, b: string): string {
  return a < b ? `${a}__${b}` : `${b}__${a}`
}

/** hex(sha1(sorted ids joined)), as Mattermost's `GetGroupNameFromUserIds`. */
export function groupChannelName(userIds: string[]): string {
  return createHash('sha1').update([...userIds].sort().join('')).digest('hex')
}
