/** SQL for action invocations: one row per idempotency key, intent before the call and result after. */
import { jsonParam, query, type Database } from '../db/index.ts'
import { groupCommit } from '../group-commit.ts'

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
  /** One statement for the `begin`s of a tick: a key given twice in it is written once and both callers get its previous row. */
  async function beginMany(items: { key: string; actionId: string; input: unknown; at: number }[]): Promise<(ActionInvocation | null)[]> {
    const first = new Map<string, (typeof items)[number]>()
    for (const item of items) if (!first.has(item.key)) first.set(item.key, item)
    const unique = [...first.values()]
    const rows = await query(
      db,
      `WITH incoming AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(key, action_id, input, at)),
       previous AS (SELECT a.* FROM action_invocations a JOIN incoming i ON i.key = a.key),
       written AS (
         INSERT INTO action_invocations (key, action_id, status, input, attempts, create_at, update_at)
         SELECT key, action_id, 'started', input::jsonb, 1, at, at FROM incoming
         ON CONFLICT (key) DO UPDATE SET
           attempts = action_invocations.attempts + 1, update_at = EXCLUDED.update_at,
           status = CASE WHEN action_invocations.status = 'succeeded' THEN 'succeeded' ELSE 'started' END
         RETURNING key
       )
       SELECT p.* FROM previous p WHERE p.key IN (SELECT key FROM written)`,
      [unique.map((i) => i.key), unique.map((i) => i.actionId), unique.map((i) => jsonParam(i.input ?? {})), unique.map((i) => i.at)],
    )
    const previous = new Map(rows.map((r) => [r.key as string, toInvocation(r)]))
    return items.map((i) => previous.get(i.key) ?? null)
  }

  async function succeedMany(items: { key: string; result: Record<string, unknown>; at: number }[]): Promise<void[]> {
    await query(
      db,
      `UPDATE action_invocations a SET status = 'succeeded', result = u.result::jsonb, error = NULL, update_at = u.at
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(key, result, at) WHERE a.key = u.key`,
      [items.map((i) => i.key), items.map((i) => jsonParam(i.result)), items.map((i) => i.at)],
    )
    return items.map(() => undefined)
  }

  // Actions a batch of playbook steps calls at once share one statement per phase (group commit).
  const begin = groupCommit(beginMany, { max: 1000 })
  const succeed = groupCommit(succeedMany, { max: 1000 })

  return {
    /**
     * Records the intent to call `actionId` under `key` and counts the attempt. Returns the row as
     * it was before this attempt when the key was already used (its status tells whether the
     * earlier call finished), or null for a new key.
     */
    begin: (key: string, actionId: string, input: unknown, at: number): Promise<ActionInvocation | null> => begin({ key, actionId, input, at }),

    succeed: async (key: string, result: Record<string, unknown>, at: number): Promise<void> => succeed({ key, result, at }),

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
