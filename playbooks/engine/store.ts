/**
 * SQL for runs. Every change to a run goes through `mutate`, which locks the run's row, hands the
 * state to the caller, and writes the new state, its timeline events and any jobs in the same
 * transaction: two servers deciding about one run take turns, and a crash loses nothing half-done.
 */
import { query, withSqlTransaction, type Database } from '../../core/db/index.ts'
import type { SqlClient } from '../../core/db/sql-transaction.ts'
import { newId } from '../../core/ids.ts'
import type { Playbook } from '../dsl/index.ts'
import type { RunState } from './state.ts'

export interface RunRow {
  id: string
  number: number
  playbookName: string
  playbookVersion: number
  playbook: Playbook
  title: string
  status: string
  teamId: string
  channelId: string
  ownerId: string
  correlationKey: string
  state: RunState
  createAt: number
  updateAt: number
  endAt: number
}

export interface TimelineEvent {
  id: string
  runId: string
  at: number
  seq: number
  type: string
  actorKind: 'user' | 'system' | 'connector'
  actorId: string
  summary: string
  details: Record<string, unknown>
  stepId: string
}

export type NewTimelineEvent = Omit<TimelineEvent, 'id' | 'runId' | 'seq' | 'at'> & { at?: number }

// A caller's Prisma transaction (jobs, run-ops) can hand jsonb over as text and int8 as bigint; the pool, as objects and numbers.
const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value)
const num = (value: unknown): number => Number(value)

function toRun(row: Record<string, unknown>): RunRow {
  return {
    id: row.id as string, number: num(row.number), playbookName: row.playbook_name as string, playbookVersion: num(row.playbook_version),
    playbook: json(row.playbook) as Playbook, title: row.title as string, status: row.status as string, teamId: row.team_id as string,
    channelId: row.channel_id as string, ownerId: row.owner_id as string, correlationKey: row.correlation_key as string,
    state: json(row.state) as RunState, createAt: num(row.create_at), updateAt: num(row.update_at), endAt: num(row.end_at),
  }
}

function toEvent(row: Record<string, unknown>): TimelineEvent {
  return {
    id: row.id as string, runId: row.run_id as string, at: num(row.at), seq: num(row.seq), type: row.type as string,
    actorKind: row.actor_kind as TimelineEvent['actorKind'], actorId: row.actor_id as string, summary: row.summary as string,
    details: (json(row.details) as Record<string, unknown>) ?? {}, stepId: row.step_id as string,
  }
}

async function rawQuery(tx: SqlClient, text: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  return (await tx.$queryRawUnsafe(text, ...params)) as Record<string, unknown>[]
}

export function createRunStore(db: Database) {
  /** One multi-row INSERT for a change's timeline events (a change usually has one to three). */
  async function appendTimeline(tx: SqlClient, run: RunState, events: NewTimelineEvent[], at: number): Promise<void> {
    if (events.length === 0) return
    const params: unknown[] = []
    const rows = events.map((e) => {
      const base = params.length
      params.push(newId(), run.id, e.at ?? at, run.seq++, e.type, e.actorKind, e.actorId, e.summary, JSON.stringify(e.details ?? {}), e.stepId)
      return `($${base + 1}, $${base + 2}, $${base + 3}::bigint, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7}, $${base + 8}, $${base + 9}::jsonb, $${base + 10})`
    })
    await tx.$executeRawUnsafe(`INSERT INTO playbook_run_timeline (id, run_id, at, seq, type, actor_kind, actor_id, summary, details, step_id) VALUES ${rows.join(', ')}`, ...params)
  }

  /** The runs index `event_sources` so an event finds the runs waiting for its source without reading every run. */
  function eventSources(state: RunState): string[] {
    const ended = state.status === 'finished' || state.status === 'canceled'
    return ended ? [] : [...new Set((state.eventWaits ?? []).map((w) => w.source))]
  }

  async function writeState(tx: SqlClient, state: RunState, at: number): Promise<void> {
    const ended = state.status === 'finished' || state.status === 'canceled'
    const sources = eventSources(state)
    await tx.$executeRawUnsafe(
      `UPDATE playbook_runs SET state = $2::jsonb, status = $3, title = $4, channel_id = $5, owner_id = $6, update_at = $7::bigint,
         end_at = CASE WHEN $8::boolean AND end_at = 0 THEN $7::bigint ELSE end_at END, event_sources = $9::text[]
       WHERE id = $1`,
      state.id, JSON.stringify(state), state.status, state.title, state.channelId, state.ownerId, at, ended, sources,
    )
  }

  return {
    /**
     * Inserts a run with its first timeline events, unless `triggerKey` already started one.
     * `prepare` gets the transaction and the run's number and returns the state to store.
     * @returns the new run, or `{ existing }` holding the run that key started.
     */
    async insert(
      input: { id: string; playbook: Playbook; title: string; teamId: string; ownerId: string; correlationKey: string; triggerKey: string; at: number },
      prepare: (tx: SqlClient, number: number) => Promise<{ state: RunState; events: NewTimelineEvent[] }>,
    ): Promise<RunRow | { existing: string }> {
      return withSqlTransaction(db, async (tx) => {
        if (input.triggerKey) {
          const claimed = await rawQuery(tx, `INSERT INTO playbook_run_triggers (key, run_id, create_at) VALUES ($1, $2, $3::bigint) ON CONFLICT (key) DO NOTHING RETURNING run_id`, [input.triggerKey, input.id, input.at])
          if (claimed.length === 0) {
            const [row] = await rawQuery(tx, 'SELECT run_id FROM playbook_run_triggers WHERE key = $1', [input.triggerKey])
            return { existing: row!.run_id as string }
          }
        }
        // Numbers are taken under a transaction-scoped advisory lock, so two starts never share one.
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('playbook_runs.number'))`)
        const [next] = await rawQuery(tx, 'SELECT COALESCE(MAX(number), 0) + 1 AS n FROM playbook_runs', [])
        const number = Number(next!.n)
        const { state, events } = await prepare(tx, number)
        // The timeline takes its sequence numbers from the state first (no foreign key orders the two), so the row stores the state after them.
        await appendTimeline(tx, state, events, input.at)
        await tx.$executeRawUnsafe(
          `INSERT INTO playbook_runs (id, number, playbook_name, playbook_version, playbook, title, status, team_id, channel_id, owner_id, correlation_key, state, create_at, update_at, event_sources)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::bigint, $13::bigint, $14::text[])`,
          input.id, number, input.playbook.metadata.name, input.playbook.metadata.version, JSON.stringify(input.playbook), state.title, state.status,
          input.teamId, state.channelId, input.ownerId, input.correlationKey, JSON.stringify(state), input.at, eventSources(state),
        )
        return {
          id: input.id, number, playbookName: input.playbook.metadata.name, playbookVersion: input.playbook.metadata.version, playbook: input.playbook,
          title: state.title, status: state.status, teamId: input.teamId, channelId: state.channelId, ownerId: input.ownerId, correlationKey: input.correlationKey,
          state, createAt: input.at, updateAt: input.at, endAt: 0,
        }
      })
    },

    /**
     * Changes a run under its row lock: `change` gets the current state (a private copy) and the
     * transaction, may mutate the state, and returns the timeline events to append; the new state
     * and the events are written before the lock is released. Returns null for an unknown run.
     */
    async mutate<T>(runId: string, at: number, change: (state: RunState, row: RunRow, tx: SqlClient) => Promise<{ events: NewTimelineEvent[]; result: T }>): Promise<{ row: RunRow; result: T } | null> {
      return withSqlTransaction(db, async (tx) => {
        const [locked] = await rawQuery(tx, 'SELECT * FROM playbook_runs WHERE id = $1 FOR UPDATE', [runId])
        if (!locked) return null
        const row = toRun(locked)
        const state = structuredClone(row.state)
        const { events, result } = await change(state, row, tx)
        await appendTimeline(tx, state, events, at)
        await writeState(tx, state, at)
        return { row: { ...row, state, status: state.status, title: state.title, channelId: state.channelId }, result }
      })
    },

    async get(runId: string): Promise<RunRow | null> {
      const [row] = await query(db, 'SELECT * FROM playbook_runs WHERE id = $1', [runId])
      return row ? toRun(row) : null
    },

    async list(filter: { teamId?: string; statuses?: string[]; page: number; perPage: number }): Promise<{ items: RunRow[]; total: number }> {
      const where: string[] = []
      const params: unknown[] = []
      if (filter.teamId) where.push(`team_id = $${params.push(filter.teamId)}`)
      if (filter.statuses && filter.statuses.length > 0) where.push(`status = ANY($${params.push(filter.statuses)}::text[])`)
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : ''
      const [count] = await query<{ n: number }>(db, `SELECT count(*)::int AS n FROM playbook_runs ${clause}`, params)
      const rows = await query(db, `SELECT * FROM playbook_runs ${clause} ORDER BY create_at DESC, id LIMIT ${filter.perPage} OFFSET ${filter.page * filter.perPage}`, params)
      return { items: rows.map(toRun), total: count?.n ?? 0 }
    },

    /** Active runs of a channel (a run channel usually has one). */
    async activeInChannel(channelId: string): Promise<RunRow[]> {
      const rows = await query(db, `SELECT * FROM playbook_runs WHERE channel_id = $1 AND status NOT IN ('finished', 'canceled') ORDER BY create_at DESC`, [channelId])
      return rows.map(toRun)
    },

    /** Active runs with a step waiting for an event from `source`. */
    async waitingForEvents(source: string): Promise<RunRow[]> {
      const rows = await query(db, `SELECT * FROM playbook_runs WHERE event_sources @> ARRAY[$1]::text[]`, [source])
      return rows.map(toRun)
    },

    /** Active runs whose correlation key is `key` (§9.1). */
    async activeByCorrelation(key: string): Promise<RunRow[]> {
      if (!key) return []
      const rows = await query(db, `SELECT * FROM playbook_runs WHERE correlation_key = $1 AND status NOT IN ('finished', 'canceled') ORDER BY create_at`, [key])
      return rows.map(toRun)
    },

    async timeline(runId: string): Promise<TimelineEvent[]> {
      const rows = await query(db, 'SELECT * FROM playbook_run_timeline WHERE run_id = $1 ORDER BY seq', [runId])
      return rows.map(toEvent)
    },
  }
}

export type RunStore = ReturnType<typeof createRunStore>
