// Settings from the environment: defaults for the embedded setup, and clear messages for bad values.
import { expect } from 'chai'
import path from 'node:path'
import { ConfigError, loadConfig } from '../../core/config/index.ts'

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('configuration', () => {
  it('defaults to port 8065, ./data and the embedded database when no variable is set', () => {
    const config = loadConfig({})
    expect(config.port).to.equal(8065)
    expect(config.dataDir).to.equal(path.resolve('./data'))
    expect(config.databaseUrl).to.equal(undefined)
    expect(config.logLevel).to.equal('info')
    expect(config.siteUrl).to.equal('http://localhost:8065')
  })

  it('keeps the embedded database small by default (a 32MB page cache), leaves its wasm tier to the arena limit unless PGLITE_OPTIMIZE is set, and reads the settings', () => {
    expect(loadConfig({})).to.include({ pgliteSharedBuffers: '32MB', pgliteOptimize: undefined })
    expect(loadConfig({ PGLITE_OPTIMIZE: 'false' })).to.include({ pgliteOptimize: false })
    expect(loadConfig({ MALLOC_ARENA_MAX: '2' }).mallocArenaMax).to.equal(2)
    expect(loadConfig({ MALLOC_ARENA_MAX: 'two' }).mallocArenaMax).to.equal(undefined)
    expect(loadConfig({ PGLITE_SHARED_BUFFERS: '128MB', PGLITE_OPTIMIZE: 'true' })).to.include({ pgliteSharedBuffers: '128MB', pgliteOptimize: true })
    expect(problemsOf({ PGLITE_OPTIMIZE: 'fast' })[0]).to.match(/^PGLITE_OPTIMIZE must be true or false, got "fast"/)
  })

  it('uses a PostgreSQL server when DATABASE_URL is a postgres:// URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }).databaseUrl).to.equal('postgres://postgres@127.0.0.1:5432/test')
  })

  it('names PORT and the accepted range when the port is not a number', () => {
    const [problem] = problemsOf({ PORT: 'eighty' })
    expect(problem).to.match(/^PORT must be a whole number from 0 to 65535, got "eighty"/)
  })

  it('refuses a DATABASE_URL of another database without echoing its password', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://root:secret@db/app' })
    expect(problem).to.match(/^DATABASE_URL must start with postgres:\/\//)
    expect(problem).not.to.include('secret')
  })

  it('lists every bad variable at once', () => {
    const problems = problemsOf({ PORT: '-1', LOG_LEVEL: 'loud', SITE_URL: 'ftp://x' })
    expect(problems.map((p) => p.split(' ')[0])).to.deep.equal(['PORT', 'SITE_URL', 'LOG_LEVEL'])
  })

  it('strips a trailing slash from SITE_URL', () => {
    expect(loadConfig({ SITE_URL: 'https://chat.example.com/' }).siteUrl).to.equal('https://chat.example.com')
  })

  it('keeps files on local disk with a 100 MiB upload limit when no S3 variable is set', () => {
    const config = loadConfig({})
    expect(config.s3Bucket).to.equal(undefined)
    expect(config.maxFileSize).to.equal(104857600)
  })

  it('reads the S3 settings, path style and MAX_FILE_SIZE', () => {
    const config = loadConfig({
      S3_BUCKET: 'files', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_REGION: 'eu-west-1',
      S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret', S3_PATH_STYLE: 'true', MAX_FILE_SIZE: '1000',
    })
    expect(config).to.include({ s3Bucket: 'files', s3Endpoint: 'http://127.0.0.1:9000', s3Region: 'eu-west-1', s3PathStyle: true, maxFileSize: 1000 })
  })

  it('asks for both S3 keys when S3_BUCKET is set, without echoing a secret', () => {
    const problems = problemsOf({ S3_BUCKET: 'files', S3_SECRET_ACCESS_KEY: 'hunter2' })
    expect(problems).to.deep.equal(['S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set when S3_BUCKET is'])
  })

  it('turns public links off and keeps deleted files forever by default, cleaning orphans after a day each hour', () => {
    expect(loadConfig({})).to.include({ enablePublicLink: false, fileCleanupIntervalMinutes: 60, orphanedUploadHours: 24, deletedFileRetentionDays: 0 })
  })

  it('reads the public link and file cleanup settings, and refuses an orphan age of 0', () => {
    const config = loadConfig({ ENABLE_PUBLIC_LINK: 'true', FILE_CLEANUP_INTERVAL_MINUTES: '0', ORPHANED_UPLOAD_HOURS: '2', DELETED_FILE_RETENTION_DAYS: '30' })
    expect(config).to.include({ enablePublicLink: true, fileCleanupIntervalMinutes: 0, orphanedUploadHours: 2, deletedFileRetentionDays: 30 })
    expect(problemsOf({ ORPHANED_UPLOAD_HOURS: '0' })[0]).to.match(/^ORPHANED_UPLOAD_HOURS must be a whole number from 1/)
  })

  it('enables incoming webhooks at 60 posts a minute per hook, without username or icon overrides, by default (as Mattermost)', () => {
    expect(loadConfig({})).to.include({ enableIncomingWebhooks: true, enablePostUsernameOverride: false, enablePostIconOverride: false, incomingWebhookPostsPerMinute: 60 })
  })

  it('reads the incoming webhook settings, and refuses a negative rate', () => {
    const config = loadConfig({ ENABLE_INCOMING_WEBHOOKS: 'false', ENABLE_POST_USERNAME_OVERRIDE: 'true', ENABLE_POST_ICON_OVERRIDE: 'true', INCOMING_WEBHOOK_POSTS_PER_MINUTE: '0' })
    expect(config).to.include({ enableIncomingWebhooks: false, enablePostUsernameOverride: true, enablePostIconOverride: true, incomingWebhookPostsPerMinute: 0 })
    expect(problemsOf({ INCOMING_WEBHOOK_POSTS_PER_MINUTE: '-1' })[0]).to.match(/^INCOMING_WEBHOOK_POSTS_PER_MINUTE must be a whole number from 0/)
  })

  it('refuses an S3_ENDPOINT that is not an http(s) URL', () => {
    expect(problemsOf({ S3_ENDPOINT: 'ftp://files.example.com' })[0]).to.match(/^S3_ENDPOINT must start with http:\/\/ or https:\/\//)
  })
})
