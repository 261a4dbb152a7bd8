/**
 * What every bench orchestrator needs: settings from the environment, cleanup that runs on success,
 * failure and Ctrl-C (children stopped, temp dirs and bench databases removed), PostgreSQL bench
 * databases, and the versions printed in the header.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import type { Child } from './proc.ts'

export type Backend = 'pglite' | 'postgres'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres'

export function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`)
  return value
}

/** BENCH_DB: `pglite`, `postgres` or both (comma-separated; default both). */
export function parseBackends(raw: string | undefined): Backend[] {
  if (!raw) return ['pglite', 'postgres']
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean)
  for (const n of names) if (n !== 'pglite' && n !== 'postgres') throw new Error(`BENCH_DB must be pglite, postgres or both, got "${raw}"`)
  return [...new Set(names)] as Backend[]
}

const cleanups: (() => Promise<unknown>)[] = []
let cleaning: Promise<void> | undefined

/** Registers a cleanup step; steps run last-registered first. */
export function onCleanup(step: () => Promise<unknown>): void {
  cleanups.push(step)
}

export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step()
      } catch (err) {
        console.error(`cleanup: ${(err as Error).message}`)
      }
    }
  })()
  return cleaning
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping children and removing bench data…`)
    void cleanupAll().then(() => process.exit(130))
  })
}

/** Stops the child at cleanup. */
export function track(child: Child): Child {
  cleanups.push(() => child.stop(3000))
  return child
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** Creates database `name` (dropped at cleanup unless BENCH_KEEP_DB=1, for looking at query plans afterwards) and returns its URL. */
export async function createPgDatabase(name: string): Promise<string> {
  await adminQuery(`CREATE DATABASE ${name}`)
  if (process.env.BENCH_KEEP_DB === '1') console.log(`  BENCH_KEEP_DB: database ${name} is kept`)
  else cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}

/** A temp dir removed at cleanup. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

export function versionOf(pkg: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return '?'
  }
}

export function openFileLimit(): string {
  try {
    const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'))
    return m ? `${m[1]} (hard ${m[2]})` : '?'
  } catch {
    return '?'
  }
}

/** Runs the bench's main, prints a failure, always cleans up. */
export async function runBench(main: () => Promise<void>): Promise<void> {
  try {
    await main()
  } catch (err) {
    console.error(`\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exitCode = 1
  } finally {
    await cleanupAll()
  }
}
