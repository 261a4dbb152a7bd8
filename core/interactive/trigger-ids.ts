/**
 * Trigger ids (Mattermost GenerateTriggerId / DecodeAndVerifyTriggerId): issued with each slash
 * command and action call, signed by this server, and accepted by `/actions/dialogs/open` for as
 * long as an integration may take to answer (current Mattermost: OutgoingIntegrationRequestsTimeout),
 * for the user they were issued to only. The signing key is a server-wide value
 * (`systemStore.triggerIdKey()`), so an id issued by one server is accepted by another sharing the database.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { AppError } from '../errors.ts'
import { newId } from '../ids.ts'
import { nowMillis } from '../clock.ts'

/** Mattermost's old fixed InteractiveDialogTriggerTimeoutMilliseconds; the server passes its integration timeout instead. */
export const TRIGGER_ID_LIFETIME_MS = 3000

export interface TriggerIds {
  /** A client id (what the caller sees) and the signed id an integration hands back. */
  issue(userId: string): { client: string; signed: string }
  /**
   * The user a trigger id was issued to, and the client id issued with it (which the user's
   * client was given, and matches an `open_dialog` event against).
   * @throws AppError 400 `interactive_message.decode_trigger_id.*` for a malformed, forged or expired id.
   */
  verify(signed: string): { userId: string; clientId: string }
}

function invalid(reason: string, message: string): AppError {
  return new AppError(`interactive_message.decode_trigger_id.${reason}`, message, 400)
}

/** `key`: the signing key, the same on every server sharing the database (see `systemStore.triggerIdKey()`). */
export function createTriggerIds(options: { key: string | Buffer; now?: () => number; lifetimeMs?: number }): TriggerIds {
  const now = options.now ?? nowMillis
  const lifetime = options.lifetimeMs ?? TRIGGER_ID_LIFETIME_MS
  const key = options.key
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64')
  return {
    issue(userId) {
      const client = newId()
      const payload = `${client}:${userId}:${now()}`
      return { client, signed: Buffer.from(`${payload}:${sign(payload)}`).toString('base64') }
    },
    verify(signed) {
      const parts = Buffer.from(signed, 'base64').toString('utf8').split(':')
      if (parts.length !== 4) throw invalid('missing_data', 'Invalid trigger ID: missing data.')
      const [client, userId, at, signature] = parts as [string, string, string, string]
      const expected = Buffer.from(sign(`${client}:${userId}:${at}`))
      const given = Buffer.from(signature)
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid('verify_signature_failed', 'Invalid trigger ID: signature check failed.')
      if (now() - Number(at) > lifetime) throw invalid('expired', `Trigger ID expired: trigger ids are valid for ${lifetime} ms.`)
      return { userId, clientId: client }
    },
  }
}
