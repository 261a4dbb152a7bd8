/**
 * Connections: what an admin sets up per vendor (team, default channel, webhook secret, API credentials and base
 * URLs). Secrets are sealed before they reach the store and never leave this module except to the receiver's
 * signature check and to an action's vendor call; the presenter says which are set, never what they are.
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { AuthSession } from '../core/auth/session-types.ts'
import { AppError, forbidden, invalidBodyParam, notFound } from '../core/errors.ts'
import { newId } from '../core/ids.ts'
import type { Registry } from '../core/registry.ts'
import { ActionError } from '../core/actions/index.ts'
import type { Connector } from './connector.ts'
import type { IntegrationSource } from './event.ts'
import { webhookPath } from './index.ts'
import type { SecretBox } from './secret-box.ts'
import { isUniqueViolation, type ConnectionRow, type IntegrationStore } from './store.ts'

/** How long a replaced secret is still accepted by default: a day to update the vendor's side. */
export const DEFAULT_ROTATION_MINUTES = 24 * 60

const zId = z.string().regex(/^[a-z0-9]{26}$/, 'expected a 26-character id')
const connectionName = z.string().min(1, 'must not be empty').max(64, 'at most 64 characters').regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, space, dot, dash and underscore, starting with a letter or digit')
const secretValue = z.string().min(8, 'at least 8 characters').max(512, 'at most 512 characters')
/** Credentials are vendor-specific names (`api_token`, `from_email`, `routing_key`, `token`, `email`); '' removes one in a patch. */
const credentialMap = z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'credential names are lower_snake_case'), z.string().max(4096, 'at most 4096 characters'))
const httpUrl = z.string().url('expected an http(s) URL').refine((u) => /^https?:\/\//i.test(u), 'expected an http(s) URL').transform((u) => u.replace(/\/+$/, ''))
/** Settings are not secret: API base URLs for self-hosted vendors (and for tests pointing at a local double), defaults. */
const settingsMap = z.object({
  api_url: httpUrl.optional(),
  events_url: httpUrl.optional(),
  /** Zoom: where server-to-server OAuth tokens come from (default https://zoom.us). */
  oauth_url: httpUrl.optional(),
  /** Jira: the project `/jira create` uses when none is named. */
  project: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'expected a project key such as OPS').optional(),
}).strict()

export const createConnectionBody = z.object({
  name: connectionName,
  team_id: zId,
  channel_id: zId,
  webhook_secret: secretValue.optional(),
  credentials: credentialMap.default({}),
  settings: settingsMap.default({}),
}).strict()

export const patchConnectionBody = z.object({
  name: connectionName.optional(),
  channel_id: zId.optional(),
  webhook_secret: secretValue.optional(),
  credentials: credentialMap.optional(),
  settings: settingsMap.optional(),
}).strict()

export const rotateSecretBody = z.object({
  webhook_secret: secretValue.optional(),
  /** How long the replaced secret stays valid; 0 ends it at once. */
  rotation_minutes: z.number().int().min(0).max(7 * 24 * 60).default(DEFAULT_ROTATION_MINUTES),
}).strict()

/** The connection as the admin API shows it: no secret, no credential value. */
export interface PresentedConnection {
  id: string
  vendor: string
  name: string
  team_id: string
  channel_id: string
  webhook_url: string
  settings: Record<string, string>
  has_webhook_secret: boolean
  /** Until when the previous secret is still accepted (ms); 0 when none is. */
  rotation_ends_at: number
  /** Names of the credentials that are set. */
  credential_names: string[]
  creator_id: string
  create_at: number
  update_at: number
}

/** What an action gets to call the vendor: credentials opened, base URLs. */
export interface ConnectionForCall {
  id: string
  name: string
  teamId: string
  channelId: string
  credentials: Record<string, string>
  settings: Record<string, string>
}

export interface ConnectionServiceOptions {
  store: IntegrationStore
  box: SecretBox
  connectors: Registry<Connector>
  siteUrl: string
  isTeamAdmin(session: AuthSession, teamId: string): Promise<boolean>
  isTeamMember(teamId: string, userId: string): Promise<boolean>
  /** The channel's team, or null for an unknown or archived channel. */
  channelTeam(channelId: string): Promise<string | null>
  teamIdsOf(userId: string): Promise<string[]>
  now(): number
}

function newSecret(): string {
  return randomBytes(32).toString('hex')
}

function takenName(name: string, cause: unknown): AppError {
  return new AppError('api.integrations.connection.name_taken.app_error', `A connection named "${name}" already exists for this vendor.`, 400, { detailed: 'name: already taken', context: { param: 'name' }, cause })
}

export function createConnectionService(options: ConnectionServiceOptions) {
  const { store, box, connectors, now } = options

  function requireVendor(vendor: string): IntegrationSource {
    if (!connectors.get(vendor)) throw new AppError('api.integrations.vendor.not_found.app_error', `Unknown integration vendor "${vendor}".`, 404, { context: { vendor } })
    return vendor as IntegrationSource
  }

  function forCall(row: ConnectionRow): ConnectionForCall {
    return { id: row.id, name: row.name, teamId: row.teamId, channelId: row.channelId, credentials: openCredentials(row), settings: row.settings }
  }

  function openCredentials(row: ConnectionRow): Record<string, string> {
    const plain = box.open(row.credentials, row.id)
    return plain === '' ? {} : (JSON.parse(plain) as Record<string, string>)
  }

  function present(row: ConnectionRow): PresentedConnection {
    return {
      id: row.id,
      vendor: row.vendor,
      name: row.name,
      team_id: row.teamId,
      channel_id: row.channelId,
      // Outbound-only vendors (Zoom) have nothing to point at Bridgehead.
      webhook_url: connectors.get(row.vendor)?.inbound === false ? '' : `${options.siteUrl.replace(/\/+$/, '')}${webhookPath(row.vendor as IntegrationSource, row.id)}`,
      settings: row.settings,
      has_webhook_secret: row.secret !== '',
      rotation_ends_at: row.rotationEndsAt > now() && row.previousSecret !== '' ? row.rotationEndsAt : 0,
      credential_names: Object.keys(openCredentials(row)).sort(),
      creator_id: row.creatorId,
      create_at: row.createAt,
      update_at: row.updateAt,
    }
  }

  async function requireChannelOfTeam(channelId: string, teamId: string): Promise<void> {
    const channelTeam = await options.channelTeam(channelId)
    if (channelTeam !== teamId) throw invalidBodyParam('channel_id', 'expected an open channel of the team')
  }

  async function requireAdminOf(session: AuthSession, teamId: string): Promise<void> {
    if (!(await options.isTeamAdmin(session, teamId))) throw forbidden(`managing connections of team ${teamId} needs a team or system admin`)
  }

  /** The connection, if the caller may manage it; a connection of another vendor is not found. */
  async function requireManageable(session: AuthSession, vendor: string, id: string): Promise<ConnectionRow> {
    requireVendor(vendor)
    const row = await store.getConnection(id)
    if (!row || row.vendor !== vendor) throw notFound('integration_connection', id, 'api.integrations.connection.not_found.app_error')
    await requireAdminOf(session, row.teamId)
    return row
  }

  async function save(row: ConnectionRow, write: (row: ConnectionRow) => Promise<void>): Promise<void> {
    try {
      await write(row)
    } catch (err) {
      if (isUniqueViolation(err)) throw takenName(row.name, err)
      throw err
    }
  }

  return {
    present,

    /**
     * Creates a connection; without `webhook_secret` the server makes one and returns it this once.
     * @throws AppError 404 unknown vendor, 400 naming the field, 403 for a non-admin of the team.
     */
    async create(session: AuthSession, vendor: string, input: z.infer<typeof createConnectionBody>): Promise<{ connection: PresentedConnection; generatedSecret?: string }> {
      requireVendor(vendor)
      await requireAdminOf(session, input.team_id)
      await requireChannelOfTeam(input.channel_id, input.team_id)
      const id = newId()
      const secret = input.webhook_secret ?? newSecret()
      const at = now()
      const credentials = Object.fromEntries(Object.entries(input.credentials).filter(([, v]) => v !== ''))
      const row: ConnectionRow = {
        id, vendor, name: input.name, teamId: input.team_id, channelId: input.channel_id,
        secret: box.seal(secret, id), previousSecret: '', rotationEndsAt: 0,
        credentials: Object.keys(credentials).length > 0 ? box.seal(JSON.stringify(credentials), id) : '',
        settings: input.settings, creatorId: session.userId, createAt: at, updateAt: at,
      }
      await save(row, store.insertConnection)
      const showSecret = input.webhook_secret === undefined && connectors.get(vendor)?.inbound !== false
      return { connection: present(row), ...(showSecret ? { generatedSecret: secret } : {}) }
    },

    /** Connections of a team (`teamId`), or of every team the caller administers. */
    async list(session: AuthSession, vendor: string, teamId: string | undefined): Promise<PresentedConnection[]> {
      requireVendor(vendor)
      if (teamId !== undefined) {
        await requireAdminOf(session, teamId)
        return (await store.listConnections(vendor, [teamId])).map(present)
      }
      if (session.isSystemAdmin) return (await store.listConnections(vendor)).map(present)
      const administered: string[] = []
      for (const id of await options.teamIdsOf(session.userId)) if (await options.isTeamAdmin(session, id)) administered.push(id)
      return (await store.listConnections(vendor, administered)).map(present)
    },

    async get(session: AuthSession, vendor: string, id: string): Promise<PresentedConnection> {
      return present(await requireManageable(session, vendor, id))
    },

    /** Changes name, default channel, secret (at once, without a grace period), credentials (merged; '' removes one) or settings. */
    async patch(session: AuthSession, vendor: string, id: string, input: z.infer<typeof patchConnectionBody>): Promise<PresentedConnection> {
      const row = await requireManageable(session, vendor, id)
      if (input.channel_id !== undefined) await requireChannelOfTeam(input.channel_id, row.teamId)
      let credentials = row.credentials
      if (input.credentials !== undefined) {
        const merged: Record<string, string> = { ...openCredentials(row), ...input.credentials }
        for (const [k, v] of Object.entries(merged)) if (v === '') delete merged[k]
        credentials = Object.keys(merged).length > 0 ? box.seal(JSON.stringify(merged), id) : ''
      }
      const updated: ConnectionRow = {
        ...row,
        name: input.name ?? row.name,
        channelId: input.channel_id ?? row.channelId,
        ...(input.webhook_secret !== undefined ? { secret: box.seal(input.webhook_secret, id), previousSecret: '', rotationEndsAt: 0 } : {}),
        credentials,
        settings: input.settings !== undefined ? { ...row.settings, ...input.settings } : row.settings,
        updateAt: now(),
      }
      await save(updated, store.updateConnection)
      return present(updated)
    },

    async delete(session: AuthSession, vendor: string, id: string): Promise<void> {
      await requireManageable(session, vendor, id)
      await store.deleteConnection(id)
    },

    /**
     * Replaces the webhook secret; the old one is still accepted for `rotation_minutes`. Without a new secret the
     * server makes one and returns it this once.
     */
    async rotateSecret(session: AuthSession, vendor: string, id: string, input: z.infer<typeof rotateSecretBody>): Promise<{ connection: PresentedConnection; generatedSecret?: string }> {
      const row = await requireManageable(session, vendor, id)
      const secret = input.webhook_secret ?? newSecret()
      const at = now()
      const updated: ConnectionRow = {
        ...row,
        secret: box.seal(secret, id),
        previousSecret: input.rotation_minutes > 0 ? row.secret : '',
        rotationEndsAt: input.rotation_minutes > 0 ? at + input.rotation_minutes * 60_000 : 0,
        updateAt: at,
      }
      await store.updateConnection(updated)
      return { connection: present(updated), ...(input.webhook_secret === undefined ? { generatedSecret: secret } : {}) }
    },

    /** The row behind a webhook URL, or null when there is none for that vendor. */
    async forWebhook(vendor: string, id: string): Promise<ConnectionRow | null> {
      if (!/^[a-z0-9]{26}$/.test(id)) return null
      const row = await store.getConnection(id)
      return row && row.vendor === vendor ? row : null
    },

    /** The secrets a delivery may be signed with: the current one, and the previous one until its rotation ends. */
    activeSecrets(row: ConnectionRow): string[] {
      const secrets = [box.open(row.secret, row.id)]
      if (row.previousSecret !== '' && row.rotationEndsAt > now()) secrets.push(box.open(row.previousSecret, row.id))
      return secrets.filter((s) => s !== '')
    },

    /**
     * The connection an action names (`connection`: id or name), opened for the call. The acting user must be a member
     * of the connection's team (or a system admin).
     * @throws ActionError (not retryable) for an unknown connection or one the user may not use.
     */
    async forAction(session: AuthSession, vendor: IntegrationSource, ref: string): Promise<ConnectionForCall> {
      const row = (/^[a-z0-9]{26}$/.test(ref) ? await store.getConnection(ref) : null) ?? (await store.getConnectionByName(vendor, ref))
      if (!row || row.vendor !== vendor) throw new ActionError(`no ${vendor} connection "${ref}"`, { retryable: false, status: 404 })
      if (!session.isSystemAdmin && !(await options.isTeamMember(row.teamId, session.userId))) {
        throw new ActionError(`the ${vendor} connection "${ref}" belongs to a team the acting user is not in`, { retryable: false, status: 403 })
      }
      return forCall(row)
    },

    /** The team's connections of a vendor, opened for the server's own calls on the team's behalf (who is on call), by name. */
    async ofTeam(vendor: IntegrationSource, teamId: string): Promise<ConnectionForCall[]> {
      const rows = await store.listConnections(vendor, [teamId])
      return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(forCall)
    },
  }
}

export type ConnectionService = ReturnType<typeof createConnectionService>
