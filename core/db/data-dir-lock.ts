/** Lock file that keeps two processes from opening the same embedded database directory. */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

/** Thrown when another live process (or this one) already holds the data dir lock. */
export class DataDirLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockOwner,
  ) {
    const who = holder.pid === process.pid && holder.host === os.hostname() ? 'this process' : `process ${holder.pid} on ${holder.host}`
    super(
      `The embedded database lock ${lockPath} is held by ${who} (since ${new Date(holder.startedAt).toISOString()}): ` +
        'another Bridgehead is using this data directory. Stop it, use another DATA_DIR, or set DATABASE_URL. ' +
        'If no such process is running, delete the lock file.',
    )
    this.name = 'DataDirLockedError'
  }
}

export interface LockOwner {
  pid: number
  host: string
  startedAt: number
}

export interface DataDirLock {
  readonly path: string
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): Promise<void>
}

// A takeover guard older than this belongs to a process that died mid-takeover.
const TAKEOVER_GUARD_STALE_MS = 10_000

/**
 * Creates `lockPath` holding this process's pid. A lock whose pid is dead on this host is taken
 * over; a live one is refused.
 * @throws DataDirLockedError when a live process holds the lock.
 */
export async function acquireDataDirLock(lockPath: string): Promise<DataDirLock> {
  const me: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: Date.now() }
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await tryCreate(lockPath, me)) return ownedLock(lockPath, me)
    const holder = await readOwner(lockPath)
    if (holder === 'missing') continue
    if (holder !== 'unreadable' && isAlive(holder)) throw new DataDirLockedError(lockPath, holder)
    // Dead or garbled: replace it, but only one process may do so, or two racing starters
    // could each delete the other's fresh lock.
    if (await takeOver(lockPath, holder, me)) return ownedLock(lockPath, me)
    await sleep(50 + Math.random() * 100)
  }
  throw new Error(`Could not acquire the embedded database lock ${lockPath}: it kept changing hands`)
}

async function tryCreate(lockPath: string, owner: LockOwner): Promise<boolean> {
  // Written aside then hard-linked, so the lock never exists without its content.
  const draft = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}`
  await fs.writeFile(draft, JSON.stringify(owner) + '\n', { mode: 0o600 })
  try {
    await fs.link(draft, lockPath)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new Error(`Could not create the embedded database lock ${lockPath}`, { cause: err })
  } finally {
    await fs.rm(draft, { force: true })
  }
}

async function readOwner(lockPath: string): Promise<LockOwner | 'missing' | 'unreadable'> {
  let text: string
  try {
    text = await fs.readFile(lockPath, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing'
    throw new Error(`Could not read the embedded database lock ${lockPath}`, { cause: err })
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.startedAt === 'number') {
      return { pid: parsed.pid, host: parsed.host, startedAt: parsed.startedAt }
    }
  } catch {
    // Falls through: a lock we cannot parse protects nothing and is replaced.
  }
  return 'unreadable'
}

function isAlive(owner: LockOwner): boolean {
  // A pid on another host cannot be checked from here, so it counts as alive.
  if (owner.host !== os.hostname()) return true
  try {
    process.kill(owner.pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function takeOver(lockPath: string, stale: LockOwner | 'unreadable', me: LockOwner): Promise<boolean> {
  const guard = `${lockPath}.takeover`
  if (!(await tryCreate(guard, me))) {
    const stat = await fs.stat(guard).catch(() => undefined)
    if (stat && Date.now() - stat.mtimeMs > TAKEOVER_GUARD_STALE_MS) await fs.rm(guard, { force: true })
    return false
  }
  try {
    const current = await readOwner(lockPath)
    const unchanged =
      current === 'missing' ||
      (current === 'unreadable' && stale === 'unreadable') ||
      (current !== 'unreadable' && stale !== 'unreadable' && current.pid === stale.pid && current.startedAt === stale.startedAt)
    if (!unchanged) return false
    await fs.rm(lockPath, { force: true })
    return await tryCreate(lockPath, me)
  } finally {
    await fs.rm(guard, { force: true })
  }
}

function ownedLock(lockPath: string, me: LockOwner): DataDirLock {
  let released = false
  return {
    path: lockPath,
    async release() {
      if (released) return
      released = true
      const current = await readOwner(lockPath)
      // Never delete a lock someone else took over (e.g. after ours was removed by hand).
      if (current !== 'missing' && current !== 'unreadable' && current.pid === me.pid && current.startedAt === me.startedAt) {
        await fs.rm(lockPath, { force: true })
      }
    },
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** The lock file guarding the embedded database under `dataDir`. */
export function dataDirLockPath(dataDir: string): string {
  return path.join(dataDir, 'db.lock')
}
