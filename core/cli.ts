/** The `bridgehead` command line: serve, migrate, user create, playbook, import. Later issues add subcommands here. */
import { parseArgs } from 'node:util'
import { ConfigError, describeSettings, loadConfig } from './config/index.ts'
import { createLogger } from './log.ts'
import { AppError } from './errors.ts'

const USAGE = `Usage: bridgehead <command> [options]

Commands:
  serve                          start the server (what \`npm start\` runs)
  migrate                        apply database migrations and exit
  user create --username NAME --email EMAIL --password PASSWORD [--admin]
                                 create an account (the first account is always an admin)
  playbook lint <files…>         check playbook files (\`bridgehead playbook help\` for more)
  import slack <export.zip> --team NAME [--token T] [--report FILE.json]
                                 import a Slack export into a team (created if missing); run it
                                 again to resume or to add a later export

Settings come from the environment:
${describeSettings().map((l) => '  ' + l).join('\n')}
`

async function serve(): Promise<void> {
  const { startServer } = await import('./main.ts')
  const server = await startServer()
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    server.log.info({ signal }, 'shutdown requested')
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.log.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  // Last-resort guards: a bug in one request must not take the whole server down.
  process.on('unhandledRejection', (err) => server.log.error({ err }, 'unhandled promise rejection'))
  process.on('uncaughtException', (err) => server.log.error({ err }, 'uncaught exception'))
  console.error(`Bridgehead is listening on ${server.url} (database: ${server.db.kind})`)
}

async function runMigrate(): Promise<void> {
  const { databaseOptionsOf, openDatabase, migrate } = await import('./db/index.ts')
  const config = loadConfig()
  const log = createLogger({ level: config.logLevel })
  const db = await openDatabase(databaseOptionsOf(config, log))
  try {
    const { applied } = await migrate(db, log)
    console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.')
  } finally {
    await db.close()
  }
}

async function createUser(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { username: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, admin: { type: 'boolean', default: false } },
  })
  if (!values.username || !values.email || !values.password) throw new UsageError('user create needs --username, --email and --password')
  const { databaseOptionsOf, openDatabase, migrate } = await import('./db/index.ts')
  const { createUserStore } = await import('./users/store.ts')
  const { createUserService } = await import('./users/service.ts')
  const { createMemoryBus } = await import('./realtime/index.ts')
  const config = loadConfig()
  const log = createLogger({ level: config.logLevel })
  const db = await openDatabase(databaseOptionsOf(config, log))
  try {
    await migrate(db, log)
    const users = createUserService({
      db, store: createUserStore(db), bus: createMemoryBus({ log }), enableOpenServer: true,
      onCredentialsChanged: async () => {}, onRolesChanged: () => {},
    })
    const user = await users.create({ username: values.username, email: values.email, password: values.password, roles: values.admin ? 'system_admin system_user' : 'system_user' })
    console.log(`Created ${user.roles.includes('system_admin') ? 'system admin' : 'user'} ${user.username} (${user.id})`)
  } finally {
    await db.close()
  }
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'serve':
      return serve()
    case 'migrate':
      return runMigrate()
    case 'playbook': {
      const { runPlaybookCommand } = await import('../playbooks/cli.ts')
      process.exitCode = await runPlaybookCommand(rest)
      return
    }
    case 'import': {
      const { runImportCommand, ImportUsageError } = await import('./main.ts')
      try {
        process.exitCode = await runImportCommand(rest)
      } catch (err) {
        if (err instanceof ImportUsageError) throw new UsageError(err.message)
        throw err
      }
      return
    }
    case 'user':
      if (rest[0] === 'create') return createUser(rest.slice(1))
      throw new UsageError(`unknown user subcommand "${rest[0] ?? ''}"`)
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE)
      return
    default:
      throw new UsageError(`unknown command "${command}"`)
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message)
  else if (err instanceof UsageError) console.error(`${err.message}\n\n${USAGE}`)
  else if (err instanceof AppError) console.error(`${err.message} (${err.id})`)
  else console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
