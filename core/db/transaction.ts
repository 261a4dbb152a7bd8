/** Interactive transactions for writes that span several stores. */
import type { Database } from './open-database.ts'
import type { Prisma } from './generated/client.ts'

/** What a store receives inside a transaction: the Prisma client minus connection and transaction control. */
export type Tx = Prisma.TransactionClient

export interface TransactionOptions {
  /** Longest the transaction may stay open before Prisma rolls it back. Default 15 s. */
  timeoutMs?: number
  /** Longest to wait for a connection to start it. Default 10 s. */
  maxWaitMs?: number
  isolationLevel?: Prisma.TransactionIsolationLevel
}

/**
 * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
 *
 * TRAP: inside `fn` use only `tx` (and stores built on it), never `db.prisma` or `query(db, …)`.
 * The embedded database has a single connection, which the transaction holds, so a call through
 * `db` waits for a connection that is only freed when `fn` returns: the transaction times out.
 * On PostgreSQL the same call would run outside the transaction and not roll back with it.
 * @throws whatever `fn` throws, after rollback; Prisma's P2028 when the transaction times out.
 */
export async function withTransaction<T>(
  db: Pick<Database, 'prisma'>,
  fn: (tx: Tx) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return db.prisma.$transaction(fn, {
    timeout: options.timeoutMs ?? 15_000,
    // Embedded transactions queue for the one connection; Prisma's 2 s default is too tight under load.
    maxWait: options.maxWaitMs ?? 10_000,
    isolationLevel: options.isolationLevel,
  })
}
