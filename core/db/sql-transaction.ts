/**
 * Raw-SQL transactions on a pool connection, for the hot paths that need nothing but SQL (the playbook run store, the
 * job queue). Measured on this project's machine, a Prisma interactive transaction with five raw statements costs
 * about 0.9 ms of Node CPU on PostgreSQL and 1.4 ms on PGlite; the same on a pool connection 0.16 and 0.5 ms.
 */
import type pg from 'pg'
import type { Database } from './open-database.ts'
import { int8AsNumber } from './sql.ts'

/**
 * The raw half of a transaction client. Prisma's transaction client has the same two methods, so code written against
 * this runs inside either kind of transaction.
 */
export interface SqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>
}

export interface SqlTransactionOptions {
  /** Longest the transaction may stay open; then it is rolled back and its later statements fail. Default 15 s. */
  timeoutMs?: number
}

/**
 * Runs `fn` in one transaction on its own pool connection: committed when it resolves, rolled back when it throws.
 * Rows come back with int8 as numbers and jsonb parsed.
 *
 * TRAP (as with `withTransaction`): inside `fn` use only `tx`. The embedded database has a single connection, which
 * the transaction holds; anything through `db.prisma` or `query(db, …)` waits for it until the timeout.
 * @throws whatever `fn` throws, after rollback; an Error naming the timeout when the transaction outlived it.
 */
export async function withSqlTransaction<T>(db: Pick<Database, 'pool'>, fn: (tx: SqlClient) => Promise<T>, options: SqlTransactionOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000
  const client = await db.pool.connect()
  let expired: Error | null = null
  let broken: Error | undefined
  const run = async (text: string, values: unknown[]): Promise<pg.QueryResult> => {
    if (expired) throw expired
    return client.query({ text, values, types: int8AsNumber })
  }
  const tx: SqlClient = {
    async $queryRawUnsafe<R>(text: string, ...values: unknown[]) {
      return (await run(text, values)).rows as R
    },
    async $executeRawUnsafe(text: string, ...values: unknown[]) {
      return (await run(text, values)).rowCount ?? 0
    },
  }
  let rolledBack: Promise<unknown> | undefined
  const rollback = () => (rolledBack ??= client.query('ROLLBACK').catch((err: Error) => { broken = err }))
  const timer = setTimeout(() => {
    expired = new Error(`the transaction was rolled back: it was still open after ${timeoutMs} ms`)
    void rollback()
  }, timeoutMs)
  timer.unref()
  try {
    await client.query('BEGIN')
    const result = await fn(tx)
    if (expired) throw expired
    await client.query('COMMIT')
    return result
  } catch (err) {
    await rollback()
    throw err
  } finally {
    clearTimeout(timer)
    // A connection whose ROLLBACK failed is in an unknown state: the pool drops it rather than lend it again.
    client.release(broken)
  }
}
