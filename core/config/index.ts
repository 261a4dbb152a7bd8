/**
 * Typed settings from the environment: each declared once with its variable, default, doc line
 * and check. The only module that reads `process.env`. No variables = the embedded setup.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LOG_LEVELS, type LogLevel } from '../log.ts'
import { parseAllowList } from '../outbound/address-policy.ts'

export interface Config {
  port: number
  host: string
  dataDir: string
  /** Unset: embedded PGlite in `dataDir/db`. */
  databaseUrl: string | undefined
  siteUrl: string
  logLevel: LogLevel
  /** The built web app (index.html and hashed assets) served at `/`; a missing folder serves no UI. */
  uiDir: string
  /** Open sign-up: anyone may create an account (the first account is always allowed). */
  enableOpenServer: boolean
  sessionLengthHours: number
  maxLoginAttempts: number
  enableUserAccessTokens: boolean
  enableBotAccountCreation: boolean
  /** Largest accepted JSON body, bytes. */
  maxBodyBytes: number
  /** Show `detailed_error` in API errors. */
  developerMode: boolean
  /** PGlite shared_buffers; small by default to keep the embedded server light. */
  pgliteSharedBuffers: string
  /** Let V8 optimise PGlite's WebAssembly. Unset: only where the process can give the compiler's memory back (`optimiseWasmByDefault`). */
  pgliteOptimize: boolean | undefined
  /** glibc's MALLOC_ARENA_MAX as the process started with it (`npm start` sets 2); glibc reads it, Bridgehead only looks. */
  mallocArenaMax: number | undefined
  /** Largest uploaded file, bytes (Mattermost's MaxFileSize). */
  maxFileSize: number
  /** Set: files go to this S3 bucket instead of `dataDir/files`. */
  s3Bucket: string | undefined
  /** Unset: only the built-in playbooks. Set: YAML playbooks also load from this folder, and reload when it changes. */
  playbooksDir: string | undefined
  /** S3-compatible server URL; unset means AWS. */
  s3Endpoint: string | undefined
  s3Region: string
  s3AccessKeyId: string | undefined
  s3SecretAccessKey: string | undefined
  /** Address objects as `endpoint/bucket/key` (MinIO and most self-hosted servers). */
  s3PathStyle: boolean
  /** GET /files/{id}/link hands out signed public links (Mattermost's EnablePublicLink). */
  enablePublicLink: boolean
  /** Minutes between runs of the file cleanup job; 0 turns it off. */
  fileCleanupIntervalMinutes: number
  /** Uploads never attached to a post are deleted once this many hours old. */
  orphanedUploadHours: number
  /** Bytes and records of files deleted with their post are purged after this many days; 0 keeps them forever. */
  deletedFileRetentionDays: number
  /** Host names, addresses and CIDR ranges integrations may reach although internal (Mattermost's AllowedUntrustedInternalConnections). */
  allowedUntrustedInternalConnections: string
  /** Deadline of a request to an integration (Mattermost's OutgoingIntegrationRequestsTimeout). */
  outgoingIntegrationRequestsTimeoutSeconds: number
  /** POST /hooks/{id} and the incoming webhook admin API (Mattermost's EnableIncomingWebhooks). */
  enableIncomingWebhooks: boolean
  /** Integrations may set the displayed username of their posts (Mattermost's EnablePostUsernameOverride). */
  enablePostUsernameOverride: boolean
  /** Integrations may set the displayed icon of their posts (Mattermost's EnablePostIconOverride). */
  enablePostIconOverride: boolean
  /** Posts one incoming webhook may make per minute (a burst of this many, refilled evenly); 0 = no limit. */
  incomingWebhookPostsPerMinute: number
  /** Outgoing webhooks and their admin API (Mattermost's EnableOutgoingWebhooks). */
  enableOutgoingWebhooks: boolean
  /** Tries of one outgoing webhook delivery, the first included. */
  outgoingWebhookAttempts: number
  /** Wait before the first retry of a failed delivery; each further retry doubles it (up to an hour). */
  outgoingWebhookRetryBaseMs: number
  /** Longest wait between two looks for due jobs and schedules. */
  jobPollIntervalMs: number
  /** Jobs this server runs at once; 0 runs none (the node still enqueues). */
  jobConcurrency: number
}

interface Setting<K extends keyof Config> {
  key: K
  env: string
  doc: string
  parse: (raw: string | undefined, env: NodeJS.ProcessEnv) => Config[K]
}

class SettingError extends Error {}

function integer(min: number, max: number, fallback: number) {
  return (raw: string | undefined): number => {
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new SettingError(`must be a whole number from ${min} to ${max}, got "${raw}"`)
    }
    return value
  }
}

function boolean(fallback: boolean): (raw: string | undefined) => boolean
function boolean(fallback: undefined): (raw: string | undefined) => boolean | undefined
function boolean(fallback: boolean | undefined) {
  return (raw: string | undefined): boolean | undefined => {
    if (raw === undefined || raw === '') return fallback
    if (/^(true|1|yes|on)$/i.test(raw)) return true
    if (/^(false|0|no|off)$/i.test(raw)) return false
    throw new SettingError(`must be true or false, got "${raw}"`)
  }
}

/** An optional URL of one of `protocols`; messages never echo a password in it. */
function optionalUrl(protocols: string[], shape: string) {
  return (raw: string | undefined): string | undefined => {
    if (raw === undefined || raw === '') return undefined
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw new SettingError(`must be ${shape}, got "${redactUrl(raw)}"`)
    }
    if (!protocols.includes(url.protocol)) {
      throw new SettingError(`must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got "${url.protocol}//…"`)
    }
    return raw
  }
}

const settings: { [K in keyof Config]: Setting<K> }[keyof Config][] = [
  { key: 'port', env: 'PORT', doc: 'HTTP port (0 picks a free one)', parse: integer(0, 65535, 8065) },
  {
    key: 'host',
    env: 'HOST',
    doc: 'address to listen on',
    parse: (raw) => raw || '127.0.0.1',
  },
  {
    key: 'dataDir',
    env: 'DATA_DIR',
    doc: 'where the embedded database and files live',
    parse: (raw) => path.resolve(raw || './data'),
  },
  {
    key: 'databaseUrl',
    env: 'DATABASE_URL',
    doc: 'postgres://… to use a PostgreSQL server; unset for the embedded database',
    parse: optionalUrl(['postgres:', 'postgresql:'], 'a URL like postgres://user@host:5432/db'),
  },
  {
    key: 'siteUrl',
    env: 'SITE_URL',
    doc: 'public URL of the server, e.g. https://chat.example.com',
    parse: (raw, env) => {
      if (raw === undefined || raw === '') return `http://localhost:${env.PORT || 8065}`
      let url: URL
      try {
        url = new URL(raw)
      } catch {
        throw new SettingError(`must be an http(s) URL, got "${raw}"`)
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingError(`must be an http(s) URL, got "${raw}"`)
      return raw.replace(/\/+$/, '')
    },
  },
  {
    key: 'logLevel',
    env: 'LOG_LEVEL',
    doc: `one of ${LOG_LEVELS.join(', ')}`,
    parse: (raw) => {
      if (raw === undefined || raw === '') return 'info'
      if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
        throw new SettingError(`must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`)
      }
      return raw as LogLevel
    },
  },
  {
    key: 'uiDir',
    env: 'UI_DIR',
    doc: 'folder of the built web app served at / (default: ui/dist of this install)',
    // Both core/config/index.ts and the bundled build/server/cli.mjs sit two folders below the package root.
    parse: (raw) => path.resolve(raw || fileURLToPath(new URL('../../ui/dist', import.meta.url))),
  },
  { key: 'enableOpenServer', env: 'ENABLE_OPEN_SERVER', doc: 'anyone may sign up', parse: boolean(true) },
  { key: 'sessionLengthHours', env: 'SESSION_LENGTH_HOURS', doc: 'session lifetime', parse: integer(1, 24 * 365, 720) },
  { key: 'maxLoginAttempts', env: 'MAX_LOGIN_ATTEMPTS', doc: 'failed logins before an account is locked for a while', parse: integer(1, 1000, 10) },
  { key: 'enableUserAccessTokens', env: 'ENABLE_USER_ACCESS_TOKENS', doc: 'personal access tokens', parse: boolean(true) },
  { key: 'enableBotAccountCreation', env: 'ENABLE_BOT_ACCOUNT_CREATION', doc: 'bot accounts', parse: boolean(true) },
  { key: 'maxBodyBytes', env: 'MAX_BODY_BYTES', doc: 'largest JSON request body', parse: integer(1024, 1024 * 1024 * 1024, 1024 * 1024) },
  { key: 'developerMode', env: 'DEVELOPER_MODE', doc: 'include detailed_error in API errors', parse: boolean(false) },
  {
    key: 'pgliteSharedBuffers',
    env: 'PGLITE_SHARED_BUFFERS',
    doc: 'embedded database shared_buffers',
    parse: (raw) => {
      if (raw === undefined || raw === '') return '32MB'
      if (!/^\d+(kB|MB|GB)$/.test(raw)) throw new SettingError(`must look like 32MB, got "${raw}"`)
      return raw
    },
  },
  {
    key: 'pgliteOptimize',
    env: 'PGLITE_OPTIMIZE',
    doc: "let V8 optimise the embedded database's WebAssembly (faster); unset: on where the memory it takes goes back (npm start, Linux)",
    parse: boolean(undefined),
  },
  {
    key: 'mallocArenaMax',
    env: 'MALLOC_ARENA_MAX',
    doc: "glibc's limit on malloc arenas, read by glibc at start; npm start sets 2 (see PGLITE_OPTIMIZE)",
    // glibc ignores a value it cannot read, so a bad one is not Bridgehead's to refuse.
    parse: (raw) => (raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined),
  },
  { key: 'maxFileSize', env: 'MAX_FILE_SIZE', doc: 'largest uploaded file, bytes', parse: integer(1, 2 ** 40, 104857600) },
  { key: 'playbooksDir', env: 'PLAYBOOKS_DIR', doc: 'a folder of YAML playbooks to load (and reload on change) besides the built-in ones', parse: (raw) => (raw ? path.resolve(raw) : undefined) },
  { key: 's3Bucket', env: 'S3_BUCKET', doc: 'store files in this S3 bucket instead of DATA_DIR/files', parse: optionalText },
  {
    key: 's3Endpoint',
    env: 'S3_ENDPOINT',
    doc: 'S3-compatible server URL, e.g. http://127.0.0.1:9000; unset for AWS',
    parse: optionalUrl(['http:', 'https:'], 'an http(s) URL like http://127.0.0.1:9000'),
  },
  { key: 's3Region', env: 'S3_REGION', doc: 'S3 region', parse: (raw) => raw || 'us-east-1' },
  { key: 's3AccessKeyId', env: 'S3_ACCESS_KEY_ID', doc: 'S3 access key id (needed with S3_BUCKET)', parse: optionalText },
  { key: 's3SecretAccessKey', env: 'S3_SECRET_ACCESS_KEY', doc: 'S3 secret access key (needed with S3_BUCKET)', parse: optionalText },
  { key: 's3PathStyle', env: 'S3_PATH_STYLE', doc: 'path-style S3 URLs (endpoint/bucket/key), as MinIO needs', parse: boolean(false) },
  { key: 'enablePublicLink', env: 'ENABLE_PUBLIC_LINK', doc: 'signed public links to files (GET /files/{id}/link)', parse: boolean(false) },
  { key: 'fileCleanupIntervalMinutes', env: 'FILE_CLEANUP_INTERVAL_MINUTES', doc: 'minutes between file cleanup runs; 0 turns the job off', parse: integer(0, 7 * 24 * 60, 60) },
  { key: 'orphanedUploadHours', env: 'ORPHANED_UPLOAD_HOURS', doc: 'age at which uploads never attached to a post are deleted', parse: integer(1, 24 * 365, 24) },
  {
    key: 'allowedUntrustedInternalConnections',
    env: 'ALLOWED_UNTRUSTED_INTERNAL_CONNECTIONS',
    doc: 'internal hosts, addresses or CIDR ranges webhooks and commands may call, e.g. "127.0.0.1 10.0.0.0/8 ci.internal"',
    parse: (raw) => {
      const { problems } = parseAllowList(raw ?? '')
      if (problems.length > 0) throw new SettingError(problems.join('; '))
      return (raw ?? '').trim()
    },
  },
  { key: 'outgoingIntegrationRequestsTimeoutSeconds', env: 'OUTGOING_INTEGRATIONS_TIMEOUT_SECONDS', doc: 'seconds an integration has to answer a webhook, command or action', parse: integer(1, 300, 30) },
  { key: 'enableIncomingWebhooks', env: 'ENABLE_INCOMING_WEBHOOKS', doc: 'incoming webhooks (POST /hooks/{id})', parse: boolean(true) },
  { key: 'enablePostUsernameOverride', env: 'ENABLE_POST_USERNAME_OVERRIDE', doc: 'integrations may override the username shown on their posts', parse: boolean(false) },
  { key: 'enablePostIconOverride', env: 'ENABLE_POST_ICON_OVERRIDE', doc: 'integrations may override the icon shown on their posts', parse: boolean(false) },
  { key: 'incomingWebhookPostsPerMinute', env: 'INCOMING_WEBHOOK_POSTS_PER_MINUTE', doc: 'posts one incoming webhook may make per minute (429 beyond); 0 = no limit', parse: integer(0, 1_000_000, 60) },
  { key: 'enableOutgoingWebhooks', env: 'ENABLE_OUTGOING_WEBHOOKS', doc: 'outgoing webhooks (posts sent to integrations on trigger words)', parse: boolean(true) },
  { key: 'outgoingWebhookAttempts', env: 'OUTGOING_WEBHOOK_ATTEMPTS', doc: 'tries of one outgoing webhook delivery (5xx, timeouts and network errors are retried)', parse: integer(1, 20, 5) },
  { key: 'outgoingWebhookRetryBaseMs', env: 'OUTGOING_WEBHOOK_RETRY_BASE_MS', doc: 'milliseconds before the first retry of a failed delivery, doubling after', parse: integer(10, 3_600_000, 10_000) },
  { key: 'jobPollIntervalMs', env: 'JOB_POLL_INTERVAL_MS', doc: 'milliseconds between looks for due jobs and schedules', parse: integer(50, 60_000, 1000) },
  { key: 'jobConcurrency', env: 'JOB_CONCURRENCY', doc: 'jobs this server runs at once; 0 leaves them to other servers', parse: integer(0, 64, 4) },
  { key: 'deletedFileRetentionDays', env: 'DELETED_FILE_RETENTION_DAYS', doc: 'days the bytes of files deleted with their post are kept; 0 keeps them forever', parse: integer(0, 365 * 100, 0) },
]

function optionalText(raw: string | undefined): string | undefined {
  return raw === undefined || raw === '' ? undefined : raw
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Reads every setting, collecting all problems before failing.
 * @throws ConfigError naming each bad variable and why.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const config: Partial<Record<keyof Config, unknown>> = {}
  const problems: string[] = []
  for (const setting of settings) {
    try {
      config[setting.key] = setting.parse(env[setting.env], env)
    } catch (err) {
      if (!(err instanceof SettingError)) throw err
      problems.push(`${setting.env} ${err.message} (${setting.doc})`)
    }
  }
  if (config.s3Bucket && (!config.s3AccessKeyId || !config.s3SecretAccessKey)) {
    problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set when S3_BUCKET is')
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return { ...(config as Config), ...overrides }
}

/** Lines for `bridgehead --help`: each variable with its doc. */
export function describeSettings(): string[] {
  return settings.map((s) => `${s.env.padEnd(28)} ${s.doc}`)
}

function redactUrl(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//***@')
}
