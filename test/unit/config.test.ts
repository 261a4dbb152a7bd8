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
})
