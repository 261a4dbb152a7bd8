/** Request validation with zod: a failure becomes a 400 that names the field and the reason. */
import type { Request } from 'express'
import { z } from 'zod'
import { invalidBodyParam, invalidUrlParam } from '../errors.ts'
import { isValidId } from '../ids.ts'
import { requireSession } from './context.ts'

function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.length === 0 ? 'body' : issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[')
}

/**
 * Parses a request body against its schema.
 * @throws AppError 400 `api.context.invalid_body_param.app_error` naming the first bad field.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const nul = findNulByte(body, 'body')
  if (nul) throw invalidBodyParam(nul, 'text must not contain NUL (\\u0000) characters')
  const result = schema.safeParse(body === undefined ? {} : body)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  throw invalidBodyParam(issuePath(issue), issue.message)
}

/** PostgreSQL text cannot hold U+0000; finding it here turns a would-be 500 into a clear 400. */
function findNulByte(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined
  if (depth > 64 || value === null || typeof value !== 'object') return undefined
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return path
    const found = findNulByte(item, Array.isArray(value) ? `${path}[${key}]` : path === 'body' ? key : `${path}.${key}`, depth + 1)
    if (found) return found
  }
  return undefined
}

/**
 * A 26-character id from the URL path.
 * @throws AppError 400 `api.context.invalid_url_param.app_error`.
 */
export function idParam(req: Request, name: string): string {
  const value = req.params[name]
  if (!isValidId(value)) throw invalidUrlParam(name)
  return value
}

/** A `{user_id}` path parameter; `me` means the caller. */
export function userIdParam(req: Request, name = 'user_id'): string {
  if (req.params[name] === 'me') return requireSession(req).userId
  return idParam(req, name)
}

function firstQuery(req: Request, name: string): string | undefined {
  const raw = req.query[name]
  if (Array.isArray(raw)) return typeof raw[0] === 'string' ? raw[0] : undefined
  return typeof raw === 'string' ? raw : undefined
}

/** A query string value; `""` counts as absent, as Client4 sends empty values. */
export function queryString(req: Request, name: string): string | undefined {
  const value = firstQuery(req, name)
  return value === '' ? undefined : value
}

export function queryBool(req: Request, name: string, fallback = false): boolean {
  const value = queryString(req, name)
  if (value === undefined) return fallback
  return value === 'true' || value === '1'
}

/** A non-negative integer query value; invalid values fall back, as Mattermost does. */
export function queryInt(req: Request, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = queryString(req, name)
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) return fallback
  return Math.min(Math.floor(n), max)
}

/** `page` and `per_page` (alias `pageSize`): default 0 and 60, per_page clamped to 200. */
export function pagination(req: Request, defaultPerPage = 60): { page: number; perPage: number } {
  const page = queryInt(req, 'page', 0)
  const perPageRaw = queryString(req, 'per_page') ?? queryString(req, 'pageSize')
  let perPage = perPageRaw === undefined ? defaultPerPage : Number(perPageRaw)
  if (!Number.isFinite(perPage) || perPage < 0) perPage = defaultPerPage
  return { page, perPage: Math.min(Math.floor(perPage), 200) }
}

/** Common zod pieces. */
export const zId = z.string().refine(isValidId, { message: 'expected a 26-character id' })
export const zIdOrEmpty = z.union([z.literal(''), zId])
