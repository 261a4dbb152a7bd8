/**
 * Action cookies (Mattermost model AddPostActionCookies / DecryptPostActionCookie): an ephemeral
 * post is never stored, so a click on one of its buttons cannot look the action up. Each action
 * sent to the client carries a cookie instead: the action's integration, channel and post, sealed
 * with AES-256-GCM under a server-wide key, which the client hands back with the click.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { AppError } from '../errors.ts'
import type { PostActionIntegration } from './post-actions.ts'

/** Mattermost's PostActionCookie, with its JSON field names. */
export interface PostActionCookie {
  type: string
  post_id: string
  root_post_id: string
  channel_id: string
  data_source: string
  integration: PostActionIntegration | null
  retain_props: Record<string, unknown>
  remove_props: string[]
}

export interface ActionCookies {
  seal(cookie: PostActionCookie): string
  /** @throws AppError 400 `api.post.do_action.action_integration.app_error` for a cookie this server did not seal. */
  open(sealed: string): PostActionCookie
}

const NONCE_BYTES = 12
const TAG_BYTES = 16

function badCookie(detailed: string): AppError {
  return new AppError('api.post.do_action.action_integration.app_error', 'Action integration error.', 400, { detailed: `action cookie: ${detailed}` })
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** `key`: 32 bytes, the same on every server sharing the database (see `systemStore.actionCookieKey()`). */
export function createActionCookies(key: Buffer): ActionCookies {
  if (key.length !== 32) throw new Error(`action cookie key must be 32 bytes, got ${key.length}`)
  return {
    seal(cookie) {
      const nonce = randomBytes(NONCE_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, nonce)
      const sealed = Buffer.concat([cipher.update(JSON.stringify(cookie), 'utf8'), cipher.final(), cipher.getAuthTag()])
      return Buffer.concat([nonce, sealed]).toString('base64')
    },
    open(sealed) {
      const bytes = Buffer.from(sealed, 'base64')
      if (bytes.length < NONCE_BYTES + TAG_BYTES) throw badCookie('too short')
      const nonce = bytes.subarray(0, NONCE_BYTES)
      const tag = bytes.subarray(bytes.length - TAG_BYTES)
      const decipher = createDecipheriv('aes-256-gcm', key, nonce)
      decipher.setAuthTag(tag)
      let plain: string
      try {
        plain = Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8')
      } catch {
        throw badCookie('not sealed by this server, or altered')
      }
      const parsed: unknown = JSON.parse(plain)
      if (!isObject(parsed) || typeof parsed.post_id !== 'string' || typeof parsed.channel_id !== 'string') throw badCookie('incomplete')
      return parsed as unknown as PostActionCookie
    },
  }
}

/** Mattermost's PostActionRetainPropKeys: props an integration's update may not change. */
export const RETAINED_PROPS = ['from_webhook', 'override_username', 'override_icon_url', 'from_bot'] as const

/**
 * The presented props with a cookie on every action (Mattermost AddPostActionCookies). `original`
 * are the stored props, which still hold each action's integration; `presented` lost it.
 */
export function withActionCookies(
  cookies: ActionCookies,
  post: { id: string; rootId: string; channelId: string; original: Record<string, unknown>; presented: Record<string, unknown> },
): Record<string, unknown> {
  const { original, presented } = post
  if (!Array.isArray(original.attachments) || !Array.isArray(presented.attachments)) return presented
  const retain: Record<string, unknown> = {}
  const remove: string[] = []
  for (const key of RETAINED_PROPS) {
    if (original[key] !== undefined) retain[key] = original[key]
    else remove.push(key)
  }
  const originalAttachments = original.attachments
  const attachments = presented.attachments.map((attachment: unknown, i: number) => {
    const source = originalAttachments[i]
    if (!isObject(attachment) || !Array.isArray(attachment.actions) || !isObject(source) || !Array.isArray(source.actions)) return attachment
    const sourceActions = source.actions
    const actions = attachment.actions.map((action: unknown, j: number) => {
      const from = sourceActions[j]
      if (!isObject(action) || !isObject(from)) return action
      const cookie: PostActionCookie = {
        type: typeof from.type === 'string' ? from.type : '',
        post_id: post.id,
        root_post_id: post.rootId || post.id,
        channel_id: post.channelId,
        data_source: typeof from.data_source === 'string' ? from.data_source : '',
        integration: isObject(from.integration) ? (from.integration as PostActionIntegration) : null,
        retain_props: retain,
        remove_props: remove,
      }
      return { ...action, cookie: cookies.seal(cookie) }
    })
    return { ...attachment, actions }
  })
  return { ...presented, attachments }
}
