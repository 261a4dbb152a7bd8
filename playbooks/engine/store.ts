/**
 * SQL for runs. Every change to a run goes through `mutate`, which locks the run's row, hands the
 * state to the caller, and writes the new state, its timeline events and any jobs in the same
 * transaction: two servers deciding about one run take turns, and a crash loses nothing half-done.
 */
import { createHash } from 'node:crypto'
import { jsonParam, query, withSqlTransaction, type Database } from '../../core/db/index.ts'
import { deepFreeze } from '../../core/deep-freeze.ts'
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

function toRun(row: Record<string, unknown>, playbook: Playbook): RunRow {
  return {
    id: row.id as string, number: num(row.number), playbookName: row.playbook_name as string, playbookVersion: num(row.playbook_version),
    playbook, title: row.title as string, status: row.status as string, teamId: row.team_id as string,
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

/**
 * New run numbers for a batch, in a statement of its own: the counter row's lock lasts that statement only, so batches
 * started at once do not queue behind each other's transactions. `keys` already taken (a redelivered event) get no number
 * and come back with the run holding them. A batch that rolls back, or loses a key to a batch beside it, leaves its
 * numbers unused: gaps, never repeats. The counter starts after the highest number stored.
 */
async function takeNumbers(db: Pick<Database, 'pool'>, keys: string[], unkeyed: number): Promise<{ numbers: number[]; known: Map<string, string> }> {
  const [row] = await query<{ last: string; n: number; known: { key: string; run: string }[] }>(
    db,
    `WITH known AS (SELECT key, run_id FROM playbook_run_triggers WHERE key = ANY($2::text[])),
     need AS (SELECT $1::int + cardinality($2::text[]) - (SELECT count(*)::int FROM known) AS n),
     counter AS (
       INSERT INTO systems (name, value)
       SELECT 'playbook_runs.last_number', ((SELECT COALESCE(MAX(number), 0) FROM playbook_runs) + need.n)::text FROM need
       ON CONFLICT (name) DO UPDATE SET value = (systems.value::bigint + (SELECT n FROM need))::text
       RETURNING value
     )
     SELECT (SELECT value FROM counter) AS last, (SELECT n FROM need) AS n,
       COALESCE((SELECT json_agg(json_build_object('key', key, 'run', run_id)) FROM known), '[]'::json) AS known`,
    [unkeyed, keys],
  )
  const last = Number(row!.last)
  const n = Number(row!.n)
  return { numbers: Array.from({ length: n }, (_, k) => last - n + 1 + k), known: new Map(row!.known.map((k) => [k.key, k.run])) }
}

/**
 * Timeline rows as one JSON array for `jsonb_to_recordset` (TIMELINE_RECORD): pg escapes every element of a
 * text[] parameter character by character, and JSON-valued columns (details, a run's state) are mostly quotes.
 */
function timelineRecords(rows: { e: NewTimelineEvent; runId: string; seq: number }[], at: number): string {
  return jsonParam(rows.map((t) => ({
    id: newId(), run_id: t.runId, at: t.e.at ?? at, seq: t.seq, type: t.e.type, actor_kind: t.e.actorKind, actor_id: t.e.actorId,
    summary: t.e.summary, details: t.e.details ?? {}, step_id: t.e.stepId,
  })))
}

const TIMELINE_RECORD = 'id text, run_id text, at bigint, seq int, type text, actor_kind text, actor_id text, summary text, details jsonb, step_id text'

/** How many pinned playbooks a store keeps parsed: every version runs still read, many times over. */
const PIN_CACHE_MAX = 256

const pinTexts = new WeakMap<Playbook, { hash: string; text: string }>()

/** A playbook's JSON text as stored and the name it is pinned under (SHA-256 of that text), worked out once per playbook object. */
function pinOf(playbook: Playbook): { hash: string; text: string } {
  let pin = pinTexts.get(playbook)
  if (!pin) {
    const text = jsonParam(playbook)
    pin = { hash: createHash('sha256').update(text).digest('hex'), text }
    pinTexts.set(playbook, pin)
  }
  return pin
}

export function createRunStore(db: Database) {
  // Runs name their pinned playbook by hash (playbook_pins, 0018): each is parsed once here, frozen
  // (the runs reading it share it) and kept, as a pinned version never changes. `stored` holds the
  // hashes known to be in playbook_pins, whose JSON a start batch need not send again.
  const pins = new Map<string, Playbook>()
  const stored = new Set<string>()
  const keepPin = (hash: string, playbook: Playbook) => {
    if (pins.size >= PIN_CACHE_MAX) pins.delete(pins.keys().next().value!)
    pins.set(hash, deepFreeze(playbook))
    stored.add(hash)
  }

  /** Rows of playbook_runs as runs, their pinned playbooks read (through `tx` when given) where not kept yet. */
  async function toRuns(tx: SqlClient | null, rows: Record<string, unknown>[]): Promise<RunRow[]> {
    const missing = [...new Set(rows.map((r) => r.playbook_hash as string))].filter((hash) => !pins.has(hash))
    if (missing.length > 0) {
      const text = 'SELECT hash, playbook FROM playbook_pins WHERE hash = ANY($1::text[])'
      for (const pin of tx ? await rawQuery(tx, text, [missing]) : await query(db, text, [missing])) keepPin(pin.hash as string, json(pin.playbook) as Playbook)
    }
    return rows.map((row) => {
      const playbook = pins.get(row.playbook_hash as string)
      if (!playbook) throw new Error(`run ${row.id as string} pinned playbook ${row.playbook_hash as string}, which playbook_pins does not hold`)
      return toRun(row, playbook)
    })
  }

  /** One INSERT (one JSON record per event) for the timeline events of several runs (a batch of changes). */
  async function appendTimelines(tx: SqlClient, changes: { state: RunState; events: NewTimelineEvent[] }[], at: number): Promise<void> {
    const rows = changes.flatMap(({ state, events }) => events.map((e) => ({ e, runId: state.id, seq: state.seq++ })))
    if (rows.length === 0) return
    await tx.$executeRawUnsafe(
      `INSERT INTO playbook_run_timeline (id, run_id, at, seq, type, actor_kind, actor_id, summary, details, step_id)
       SELECT t.id, t.run_id, t.at, t.seq, t.type, t.actor_kind, t.actor_id, t.summary, t.details, t.step_id
       FROM jsonb_to_recordset($1::jsonb) AS t(${TIMELINE_RECORD})`,
      timelineRecords(rows, at),
    )
  }

  /** The new state of several runs in one UPDATE (one JSON record per run, as `timelineRecords`). */
  async function writeStates(tx: SqlClient, states: RunState[], at: number): Promise<void> {
    if (states.length === 0) return
    await tx.$executeRawUnsafe(
      `UPDATE playbook_runs r SET state = u.state, status = u.status, title = u.title, channel_id = u.channel_id, owner_id = u.owner_id, update_at = $2::bigint,
         end_at = CASE WHEN u.status IN ('finished', 'canceled') AND r.end_at = 0 THEN $2::bigint ELSE r.end_at END,
         event_sources = ARRAY(SELECT jsonb_array_elements_text(u.sources))
       FROM jsonb_to_recordset($1::jsonb) AS u(id text, state jsonb, status text, title text, channel_id text, owner_id text, sources jsonb)
       WHERE r.id = u.id`,
      jsonParam(states.map((s) => ({ id: s.id, state: s, status: s.status, title: s.title, channel_id: s.channelId, owner_id: s.ownerId, sources: eventSources(s) }))),
      at,
    )
  }

  /** The runs index `event_sources` so an event finds the runs waiting for its source without reading every run. */
  function eventSources(state: RunState): string[] {
    const ended = state.status === 'finished' || state.status === 'canceled'
    return ended ? [] : [...new Set((state.eventWaits ?? []).map((w) => w.source))]
  }

  return {
    /**
     * Inserts several runs in one transaction with a constant number of statements (a batch of
     * connector events): like `insert`, each `triggerKey` starts one run at most, also within the
     * batch. `prepare` gets each run's number and returns its state and first timeline events;
     * `inTx` runs last in the transaction with the runs inserted (to queue their jobs).
     * @returns per input, in order: the new run, or `{ existing }` holding the run its key started.
     */
    async insertMany(
      inputs: { id: string; playbook: Playbook; title: string; teamId: string; ownerId: string; correlationKey: string; triggerKey: string; at: number }[],
      prepare: (index: number, number: number) => { state: RunState; events: NewTimelineEvent[] },
      inTx: (tx: SqlClient, runs: RunRow[]) => Promise<void>,
    ): Promise<(RunRow | { existing: string })[]> {
      const out: (RunRow | { existing: string } | null)[] = inputs.map(() => null)
      const firstOfKey = new Map<string, number>()
      for (const [i, input] of inputs.entries()) if (input.triggerKey && !firstOfKey.has(input.triggerKey)) firstOfKey.set(input.triggerKey, i)
      const { numbers, known } = await takeNumbers(db, [...firstOfKey.keys()], inputs.filter((i) => !i.triggerKey).length)
      for (const [i, input] of inputs.entries()) {
        if (!input.triggerKey) continue
        const holder = known.get(input.triggerKey)
        if (holder) out[i] = { existing: holder }
        else if (firstOfKey.get(input.triggerKey) !== i) out[i] = { existing: inputs[firstOfKey.get(input.triggerKey)!]!.id }
      }
      const fresh = inputs.map((input, i) => ({ input, i })).filter(({ i }) => out[i] === null)
      if (fresh.length === 0) return out as (RunRow | { existing: string })[]
      const firstEvents: NewTimelineEvent[][] = []
      const runs = fresh.map(({ input, i }, k): RunRow => {
        const number = numbers[k]!
        const { state, events } = prepare(i, number)
        firstEvents.push(events)
        return {
          id: input.id, number, playbookName: input.playbook.metadata.name, playbookVersion: input.playbook.metadata.version, playbook: input.playbook,
          title: state.title, status: state.status, teamId: input.teamId, channelId: state.channelId, ownerId: input.ownerId, correlationKey: input.correlationKey,
          state, createAt: input.at, updateAt: input.at, endAt: 0,
        }
      })
      const at = inputs[0]!.at
      // The timeline takes its sequence numbers from the state first (no foreign key orders the two), so the row stores the state after them.
      const timeline = runs.flatMap((r, k) => firstEvents[k]!.map((e) => ({ e, runId: r.id, seq: r.state.seq++ })))
      // Most runs of a batch pin the same playbook: its JSON goes out once, and not at all once stored.
      const newPins = new Map<string, string>()
      const pin = (p: Playbook) => {
        const { hash, text } = pinOf(p)
        if (!stored.has(hash)) newPins.set(hash, text)
        return hash
      }
      const keyById = new Map(fresh.map(({ input }) => [input.id, input.triggerKey]))
      const keyOf = (r: RunRow) => keyById.get(r.id)!
      const runRecords = jsonParam(runs.map((r) => ({
        id: r.id, number: r.number, playbook_name: r.playbookName, playbook_version: r.playbookVersion, playbook_hash: pin(r.playbook), title: r.title, status: r.status,
        team_id: r.teamId, channel_id: r.channelId, owner_id: r.ownerId, correlation_key: r.correlationKey, state: r.state, sources: eventSources(r.state), trigger_key: keyOf(r),
      })))
      const result = await withSqlTransaction(db, async (tx) => {
        // One statement: the trigger keys are claimed, and only the runs whose key this batch
        // claimed (or that have none) are inserted, with their timelines. A key another batch
        // claimed meanwhile leaves its run out and answers with that batch's run. A pin another
        // batch stored meanwhile is kept as it is: the same hash, the same playbook.
        const claimedRows = await rawQuery(
          tx,
          `WITH claimed AS (
             INSERT INTO playbook_run_triggers (key, run_id, create_at) SELECT k, r, $2::bigint FROM jsonb_to_recordset($1::jsonb) AS t(k text, r text)
             ON CONFLICT (key) DO NOTHING RETURNING key
           ), pins AS (
             INSERT INTO playbook_pins (hash, playbook, create_at) SELECT p.hash, p.playbook, $2::bigint FROM jsonb_to_recordset($4::jsonb) AS p(hash text, playbook jsonb)
             ON CONFLICT (hash) DO NOTHING
           ), runs AS (
             INSERT INTO playbook_runs (id, number, playbook_name, playbook_version, playbook_hash, title, status, team_id, channel_id, owner_id, correlation_key, state, create_at, update_at, event_sources)
             SELECT u.id, u.number, u.playbook_name, u.playbook_version, u.playbook_hash, u.title, u.status, u.team_id, u.channel_id, u.owner_id, u.correlation_key, u.state, $2::bigint, $2::bigint,
               ARRAY(SELECT jsonb_array_elements_text(u.sources))
             FROM jsonb_to_recordset($3::jsonb) AS u(id text, number int, playbook_name text, playbook_version int, playbook_hash text, title text, status text, team_id text,
               channel_id text, owner_id text, correlation_key text, state jsonb, sources jsonb, trigger_key text)
             WHERE u.trigger_key = '' OR u.trigger_key IN (SELECT key FROM claimed)
             RETURNING id
           ), timeline AS (
             INSERT INTO playbook_run_timeline (id, run_id, at, seq, type, actor_kind, actor_id, summary, details, step_id)
             SELECT t.id, t.run_id, t.at, t.seq, t.type, t.actor_kind, t.actor_id, t.summary, t.details, t.step_id
             FROM jsonb_to_recordset($5::jsonb) AS t(${TIMELINE_RECORD})
             WHERE t.run_id IN (SELECT id FROM runs)
           )
           SELECT id FROM runs`,
          [
            jsonParam(runs.filter((r) => keyOf(r)).map((r) => ({ k: keyOf(r), r: r.id }))),
            at,
            runRecords,
            // Each pin's text is already JSON (pinOf): spliced in, not stringified again.
            `[${[...newPins].map(([hash, text]) => `{"hash":"${hash}","playbook":${text}}`).join(',')}]`,
            timelineRecords(timeline, at),
          ],
        )
        const inserted = new Set(claimedRows.map((r) => r.id as string))
        const lost = runs.filter((r) => !inserted.has(r.id))
        const holders = new Map<string, string>()
        if (lost.length > 0) for (const r of await rawQuery(tx, 'SELECT key, run_id FROM playbook_run_triggers WHERE key = ANY($1::text[])', [lost.map(keyOf)])) holders.set(r.key as string, r.run_id as string)
        for (const [k, { i }] of fresh.entries()) {
          const run = runs[k]!
          out[i] = inserted.has(run.id) ? run : { existing: holders.get(keyOf(run))! }
        }
        // Later inputs of a key whose run another batch took follow that run too.
        for (const [i, input] of inputs.entries()) {
          const first = input.triggerKey ? firstOfKey.get(input.triggerKey)! : i
          if (first !== i && !known.has(input.triggerKey) && !inserted.has(inputs[first]!.id)) out[i] = { existing: holders.get(input.triggerKey)! }
        }
        await inTx(tx, runs.filter((r) => inserted.has(r.id)))
        return out as (RunRow | { existing: string })[]
      })
      // A parsed copy is kept, not the library's object: keepPin freezes what it keeps.
      for (const [hash, text] of newPins) keepPin(hash, JSON.parse(text) as Playbook)
      return result
    },

    /**
     * `mutate` for several runs in one transaction: their rows are locked in id order (so two
     * servers batching overlapping runs cannot deadlock), `change` is called for each in turn, and
     * the states and timeline events are written with one statement each. A `change` that throws
     * leaves its run unchanged and its error in the result; the others commit. `inTx` runs last
     * in the transaction (to queue the jobs the changes asked for). Unknown runs are left out.
     */
    async mutateMany<T>(
      runIds: string[],
      at: number,
      change: (state: RunState, row: RunRow, tx: SqlClient) => Promise<{ events: NewTimelineEvent[]; result: T }>,
      inTx: (tx: SqlClient) => Promise<void> = async () => {},
    ): Promise<Map<string, { row: RunRow; result: T } | { error: unknown }>> {
      return withSqlTransaction(db, async (tx) => {
        const locked = await toRuns(tx, await rawQuery(tx, 'SELECT * FROM playbook_runs WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [[...new Set(runIds)]]))
        const out = new Map<string, { row: RunRow; result: T } | { error: unknown }>()
        const changed: { state: RunState; events: NewTimelineEvent[] }[] = []
        for (const row of locked) {
          const state = structuredClone(row.state)
          try {
            const { events, result } = await change(state, row, tx)
            changed.push({ state, events })
            out.set(row.id, { row: { ...row, state, status: state.status, title: state.title, channelId: state.channelId }, result })
          } catch (error) {
            out.set(row.id, { error })
          }
        }
        await appendTimelines(tx, changed, at)
        await writeStates(tx, changed.map((c) => c.state), at)
        await inTx(tx)
        return out
      })
    },

    /** Several runs by id, in one query. */
    async getMany(runIds: string[]): Promise<Map<string, RunRow>> {
      if (runIds.length === 0) return new Map()
      const rows = await query(db, 'SELECT * FROM playbook_runs WHERE id = ANY($1::text[])', [[...new Set(runIds)]])
      return new Map((await toRuns(null, rows)).map((r) => [r.id, r]))
    },

    /**
     * Changes a run under its row lock: `change` gets the current state (a private copy) and the
     * transaction, may mutate the state, and returns the timeline events to append; the new state
     * and the events are written before the lock is released. Returns null for an unknown run.
     */
    async mutate<T>(runId: string, at: number, change: (state: RunState, row: RunRow, tx: SqlClient) => Promise<{ events: NewTimelineEvent[]; result: T }>): Promise<{ row: RunRow; result: T } | null> {
      return withSqlTransaction(db, async (tx) => {
        const [row] = await toRuns(tx, await rawQuery(tx, 'SELECT * FROM playbook_runs WHERE id = $1 FOR UPDATE', [runId]))
        if (!row) return null
        const state = structuredClone(row.state)
        const { events, result } = await change(state, row, tx)
        await appendTimelines(tx, [{ state, events }], at)
        await writeStates(tx, [state], at)
        return { row: { ...row, state, status: state.status, title: state.title, channelId: state.channelId }, result }
      })
    },

    async get(runId: string): Promise<RunRow | null> {
      const [row] = await toRuns(null, await query(db, 'SELECT * FROM playbook_runs WHERE id = $1', [runId]))
      return row ?? null
    },

    async list(filter: { teamId?: string; statuses?: string[]; page: number; perPage: number }): Promise<{ items: RunRow[]; total: number }> {
      const where: string[] = []
      const params: unknown[] = []
      if (filter.teamId) where.push(`team_id = $${params.push(filter.teamId)}`)
      if (filter.statuses && filter.statuses.length > 0) where.push(`status = ANY($${params.push(filter.statuses)}::text[])`)
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : ''
      const [count] = await query<{ n: number }>(db, `SELECT count(*)::int AS n FROM playbook_runs ${clause}`, params)
      const rows = await query(db, `SELECT * FROM playbook_runs ${clause} ORDER BY create_at DESC, id LIMIT ${filter.perPage} OFFSET ${filter.page * filter.perPage}`, params)
      return { items: await toRuns(null, rows), total: count?.n ?? 0 }
    },

    /** Active runs of a channel (a run channel usually has one). */
    async activeInChannel(channelId: string): Promise<RunRow[]> {
      return toRuns(null, await query(db, `SELECT * FROM playbook_runs WHERE channel_id = $1 AND status NOT IN ('finished', 'canceled') ORDER BY create_at DESC`, [channelId]))
    },

    /**
     * What a batch of events may concern, in one query: active runs with a step waiting for an
     * event from one of `sources`, and active runs whose correlation key is one of `keys`.
     */
    async concernedBy(sources: string[], keys: string[]): Promise<{ waiting: RunRow[]; correlated: RunRow[] }> {
      const wanted = [...new Set(keys.filter(Boolean))]
      if (sources.length === 0 && wanted.length === 0) return { waiting: [], correlated: [] }
      // Two index lookups, not one OR: while a burst fills a young table its statistics lag, and the
      // planner took the OR (or a join on the keys) for most of the table and scanned all of it, once
      // per batch, every run ever started included. A key is looked up on its own (OFFSET 0 keeps
      // the subquery a per-key index scan) and few runs wait for events (the GIN index on sources).
      const rows = await query(
        db,
        `SELECT *, true AS waits FROM playbook_runs WHERE event_sources && $1::text[]
         UNION ALL
         SELECT r.*, false AS waits
         FROM unnest($2::text[]) AS k(key)
         CROSS JOIN LATERAL (
           SELECT * FROM playbook_runs p WHERE p.correlation_key = k.key AND p.status NOT IN ('finished', 'canceled') OFFSET 0
         ) r
         WHERE NOT (r.event_sources && $1::text[])
         ORDER BY create_at`,
        [sources, wanted],
      )
      const runs = (await toRuns(null, rows)).map((run, i) => ({ run, waits: rows[i]!.waits === true }))
      const keySet = new Set(wanted)
      return {
        waiting: runs.filter((r) => r.waits).map((r) => r.run),
        correlated: runs.filter((r) => keySet.has(r.run.correlationKey) && r.run.status !== 'finished' && r.run.status !== 'canceled').map((r) => r.run),
      }
    },

    async timeline(runId: string): Promise<TimelineEvent[]> {
      const rows = await query(db, 'SELECT * FROM playbook_run_timeline WHERE run_id = $1 ORDER BY seq', [runId])
      return rows.map(toEvent)
    },
  }
}

export type RunStore = ReturnType<typeof createRunStore>
