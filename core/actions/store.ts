/** SQL for action invocations: one row per idempotency key, intent before the call and result after. */
import { query, type Database } from '../db/index.ts'

export interface ActionInvocation {
  key: string
  actionId: string
  status: 'started' | 'succeeded' | 'failed'
  result: Record<string, unknown> | null
  error: string | null
  attempts: number
}

function toInvocation(row: Record<string, unknown>): ActionInvocation {
  return {
    key: row.key as string, actionId: row.action_id as string, status: row.status as ActionInvocation['status'],
    result: (row.result as Record<string, unknown> | null) ?? null, error: (row.error as string | null) ?? null, attempts: row.attempts as number,
  }
}

export function createActionStore(db: Database) {
  return {
    /**
     * Records the intent to call `actionId` under `key` and counts the attempt. Returns the row as
     * it was before this attempt when the key was already used (its status tells whether the
     * earlier call finished), or null for a new key.
     */
    async begin(key: string, actionId: string, input: unknown, at: number): Promise<ActionInvocation | null> {
      const [row] = await query(
        db,
        `WITH previous AS (SELECT * FROM action_invocations WHERE key = $1),
         written AS (
           INSERT INTO action_invocations (key, action_id, status, input, attempts, create_at, update_at)
           VALUES ($1, $2, 'started', $3::jsonb, 1, $4::bigint, $4::bigint)
           ON CONFLICT (key) DO UPDATE SET
             attempts = action_invocations.attempts + 1, update_at = EXCLUDED.update_at,
             status = CASE WHEN action_invocations.status = 'succeeded' THEN 'succeeded' ELSE 'started' END
           RETURNING key
         )
         SELECT p.* FROM previous p, written`,
        [key, actionId, JSON.stringify(input ?? {}), at],
      )
      return row ? toInvocation(row) : null
    },

    async succeed(key: string, result: Record<string, unknown>, at: number): Promise<void> {
      await query(db, `UPDATE action_invocations SET status = 'succeeded', result = $2::jsonb, error = NULL, update_at = $3::bigint WHERE key = $1`, [key, JSON.stringify(result), at])
    },

    async fail(key: string, error: string, at: number): Promise<void> {
      await query(db, `UPDATE action_invocations SET status = 'failed', error = $2, update_at = $3::bigint WHERE key = $1 AND status <> 'succeeded'`, [key, error, at])
    },

    async get(key: string): Promise<ActionInvocation | null> {
      const [row] = await query(db, 'SELECT * FROM action_invocations WHERE key = $1', [key])
      return row ? toInvocation(row) : null
    },
  }
}

export type ActionStore = ReturnType<typeof createActionStore>
