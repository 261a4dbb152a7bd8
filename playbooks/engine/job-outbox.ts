/**
 * Jobs a run change queues, gathered per transaction: a batch of changes (store.mutateMany,
 * insertMany) queues all of them with one multi-row INSERT at the end of its transaction instead
 * of one statement per job, which is what bounds events/s. Outside a batch a job is inserted at once.
 */
import type { SqlClient } from '../../core/db/sql-transaction.ts'
import type { EnqueueInput, JobService } from '../../core/jobs/service.ts'

export type EnqueueInTx = (tx: SqlClient, input: EnqueueInput<unknown>) => Promise<void>

export function createJobOutbox(jobs: Pick<JobService, 'enqueue' | 'enqueueMany'>) {
  const gathered = new WeakMap<SqlClient, EnqueueInput<unknown>[]>()
  return {
    /** Queues `input` in `tx`: gathered when `tx` is a batch's, else inserted now. */
    async enqueue(tx: SqlClient, input: EnqueueInput<unknown>): Promise<void> {
      const pending = gathered.get(tx)
      if (pending) pending.push(input)
      else await jobs.enqueue(input, { tx })
    },
    /** From now on, jobs queued in `tx` wait for `flush`. */
    gather(tx: SqlClient): void {
      if (!gathered.has(tx)) gathered.set(tx, [])
    },
    /** Where `rewind` goes back to. */
    mark(tx: SqlClient): number {
      return gathered.get(tx)?.length ?? 0
    },
    /** Forgets the jobs gathered in `tx` since `mark` (a change that failed). */
    rewind(tx: SqlClient, mark: number): void {
      gathered.get(tx)?.splice(mark)
    },
    /** Inserts what `tx` gathered (one statement), still inside it. */
    async flush(tx: SqlClient): Promise<void> {
      const pending = gathered.get(tx)
      gathered.delete(tx)
      if (pending && pending.length > 0) await jobs.enqueueMany(pending, { tx })
    },
  }
}

export type JobOutbox = ReturnType<typeof createJobOutbox>
