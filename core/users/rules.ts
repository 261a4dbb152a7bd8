/** Mattermost's rules for usernames, emails, names and passwords (model/user.go). */
import { AppError } from '../errors.ts'

const USERNAME_PATTERN = /^[a-z0-9.\-_]+$/
const RESERVED_USERNAMES = new Set(['all', 'channel', 'matterbot', 'system', 'here'])
const EMAIL_PATTERN = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/

function invalid(field: string, message: string): AppError {
  return new AppError(`model.user.is_valid.${field}.app_error`, message, 400, { context: { field } })
}

/** @throws AppError 400 `model.user.is_valid.username.app_error`. */
export function checkUsername(username: string): void {
  if (username.length < 1 || username.length > 64 || !USERNAME_PATTERN.test(username) || !/^[a-z]/.test(username)) {
    throw invalid(
      'username',
      'Username must begin with a letter and contain between 1 and 64 lowercase characters made up of numbers, letters, and the symbols ".", "-", and "_".',
    )
  }
  if (RESERVED_USERNAMES.has(username)) throw invalid('username', `The username "${username}" is reserved.`)
}

/** @throws AppError 400 `model.user.is_valid.email.app_error`. */
export function checkEmail(email: string): void {
  if (email.length > 128 || !EMAIL_PATTERN.test(email)) throw invalid('email', 'Invalid email address.')
}

export const MIN_PASSWORD_LENGTH = 8
const MAX_PASSWORD_LENGTH = 72

/** @throws AppError 400 `model.user.is_valid.pwd.app_error`. */
export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw invalid('pwd', `Your password must contain between ${MIN_PASSWORD_LENGTH} and ${MAX_PASSWORD_LENGTH} characters.`)
  }
}

/** @throws AppError 400 for names over their length limit. */
export function checkProfileFields(fields: { nickname?: string; first_name?: string; last_name?: string; position?: string }): void {
  const limits: [keyof typeof fields, string, number][] = [
    ['nickname', 'nickname', 64],
    ['first_name', 'first_name', 64],
    ['last_name', 'last_name', 64],
    ['position', 'position', 128],
  ]
  for (const [key, field, max] of limits) {
    const value = fields[key]
    if (value !== undefined && [...value].length > max) throw invalid(field, `${key} must be at most ${max} characters.`)
  }
}

export const DEFAULT_NOTIFY_PROPS: Record<string, string> = {
  email: 'true',
  push: 'mention',
  desktop: 'mention',
  desktop_sound: 'true',
  mention_keys: '',
  channel: 'true',
  first_name: 'false',
  push_status: 'away',
  comments: 'never',
  desktop_threads: 'all',
  email_threads: 'all',
  push_threads: 'all',
}

export const DEFAULT_TIMEZONE = { automaticTimezone: '', manualTimezone: '', useAutomaticTimezone: 'true' }
