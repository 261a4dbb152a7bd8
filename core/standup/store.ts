/**
 * SQL for /standup: channel configs, runs (one per channel and tick), participants with their
 * answers, and per-day skips. Every write that a retried job may repeat is idempotent
 * (`ON CONFLICT DO NOTHING`, or guarded by the state it moves from).
 */
import { jsonParam, query, type Database, type SqlClient } from '../db/index.ts'

/**
 * What `summary_post_id` holds for a run that ended without a summary because its channel was
 * archived before the deadline ('' means the summary is still due).
 */
export const NO_SUMMARY_CHANNEL_ARCHIVED = 'channel_archived'

export interface StandupConfig {
  channelId: string
  questions: string[]
  /** '' until a schedule is set. */
  cron: string
  timeZone: string
  deadlineMs: number
  enabled: boolean
  skipNext: boolean
  updateBy: string
  createAt: number
  updateAt: number
}

export interface StandupRun {
  id: string
  channelId: string
  tickAt: number
  /** The tick's local date in the config's time zone, YYYY-MM-DD. */
  day: string
  questions: string[]
  deadlineAt: number
  /** '' until the summary is posted. */
  summaryPostId: string
  createAt: number
}

export interface StandupParticipant {
  id: string
  runId: string
  userId: string
  /** 0 while queued behind another standup of the same user. */
  askedAt: number
  answers: string[]
  /** 0 until every question is answered. */
  answeredAt: number
  skipped: boolean
  createAt: number
}

/** A participant still answering, with its run's questions and channel. */
export interface OpenParticipant extends StandupParticipant {
  channelId: string
  questions: string[]
}

type Row = Record<string, unknown>

// Prisma's raw path may give jsonb as text; pg gives it parsed.
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}

function toConfig(row: Row): StandupConfig {
  return {
    channelId: row.channel_id as string,
    questions: json<string[]>(row.questions),
    cron: row.cron as string,
    timeZone: row.time_zone as string,
    deadlineMs: Number(row.deadline_ms),
    enabled: row.enabled as boolean,
    skipNext: row.skip_next as boolean,
    updateBy: row.update_by as string,
    createAt: Number(row.create_at),
    updateAt: Number(row.update_at),
  }
}

function toRun(row: Row): StandupRun {
  return {
    id: row.id as string,
    channelId: row.channel_id as string,
    tickAt: Number(row.tick_at),
    day: row.day as string,
    questions: json<string[]>(row.questions),
    deadlineAt: Number(row.deadline_at),
    summaryPostId: row.summary_post_id as string,
    createAt: Number(row.create_at),
  }
}

function toParticipant(row: Row): StandupParticipant {
  return {
    id: row.id as string,
    runId: row.run_id as string,
    userId: row.user_id as string,
    askedAt: Number(row.asked_at),
    answers: json<string[]>(row.answers),
    answeredAt: Number(row.answered_at),
    skipped: row.skipped as boolean,
    createAt: Number(row.create_at),
  }
}

function toOpen(row: Row): OpenParticipant {
  return { ...toParticipant(row), channelId: row.channel_id as string, questions: json<string[]>(row.questions) }
}

const OPEN_PARTICIPANT = `SELECT p.*, r.channel_id, r.questions FROM standup_participants p JOIN standup_runs r ON r.id = p.run_id
  WHERE p.user_id = $1 AND p.answered_at = 0 AND NOT p.skipped AND r.summary_post_id = ''`

export function createStandupStore(db: Database) {
  const run = <T extends Row = Row>(text: string, params: unknown[] = []) => query<T>(db, text, params)

  return {
    async getConfig(channelId: string): Promise<StandupConfig | null> {
      const [row] = await run('SELECT * FROM standup_configs WHERE channel_id = $1', [channelId])
      return row ? toConfig(row) : null
    },

    /** Creates or replaces a channel's config. */
    async saveConfig(config: StandupConfig): Promise<StandupConfig> {
      const [row] = await run(
        `INSERT INTO standup_configs (channel_id, questions, cron, time_zone, deadline_ms, enabled, skip_next, update_by, create_at, update_at)
         VALUES ($1, $2::jsonb, $3, $4, $5::bigint, $6, $7, $8, $9::bigint, $10::bigint)
         ON CONFLICT (channel_id) DO UPDATE SET questions = EXCLUDED.questions, cron = EXCLUDED.cron, time_zone = EXCLUDED.time_zone,
           deadline_ms = EXCLUDED.deadline_ms, enabled = EXCLUDED.enabled, skip_next = EXCLUDED.skip_next,
           update_by = EXCLUDED.update_by, update_at = EXCLUDED.update_at
         RETURNING *`,
        [config.channelId, jsonParam(config.questions), config.cron, config.timeZone, config.deadlineMs, config.enabled, config.skipNext, config.updateBy, config.createAt, config.updateAt],
      )
      return toConfig(row!)
    },

    /** Clears `skip_next`; returns whether it was set (so exactly one run is skipped). */
    async takeSkipNext(channelId: string): Promise<boolean> {
      const rows = await run('UPDATE standup_configs SET skip_next = false WHERE channel_id = $1 AND skip_next RETURNING channel_id', [channelId])
      return rows.length > 0
    },

    /** The run of a channel's tick, created on the first call. */
    async ensureRun(input: Omit<StandupRun, 'summaryPostId'>): Promise<StandupRun> {
      const [inserted] = await run(
        `INSERT INTO standup_runs (id, channel_id, tick_at, day, questions, deadline_at, create_at)
         VALUES ($1, $2, $3::bigint, $4, $5::jsonb, $6::bigint, $7::bigint)
         ON CONFLICT (channel_id, tick_at) DO NOTHING RETURNING *`,
        [input.id, input.channelId, input.tickAt, input.day, jsonParam(input.questions), input.deadlineAt, input.createAt],
      )
      if (inserted) return toRun(inserted)
      const [existing] = await run('SELECT * FROM standup_runs WHERE channel_id = $1 AND tick_at = $2::bigint', [input.channelId, input.tickAt])
      return toRun(existing!)
    },

    async getRun(id: string): Promise<StandupRun | null> {
      const [row] = await run('SELECT * FROM standup_runs WHERE id = $1', [id])
      return row ? toRun(row) : null
    },

    /** The channel's most recent run, if any. */
    async latestRun(channelId: string): Promise<StandupRun | null> {
      const [row] = await run('SELECT * FROM standup_runs WHERE channel_id = $1 ORDER BY tick_at DESC LIMIT 1', [channelId])
      return row ? toRun(row) : null
    },

    /**
     * Marks the run summarised by `postId`, in the transaction that writes that post (so the post
     * and the mark are written together or not at all); false when another call already did.
     */
    async claimSummary(tx: SqlClient, runId: string, postId: string): Promise<boolean> {
      const updated = await tx.$executeRawUnsafe(`UPDATE standup_runs SET summary_post_id = $2 WHERE id = $1 AND summary_post_id = ''`, runId, postId)
      return updated === 1
    },

    /** Ends a run whose channel was archived: no summary will be posted. False when it had already ended. */
    async endWithoutSummary(runId: string): Promise<boolean> {
      const rows = await run(`UPDATE standup_runs SET summary_post_id = $2 WHERE id = $1 AND summary_post_id = '' RETURNING id`, [runId, NO_SUMMARY_CHANNEL_ARCHIVED])
      return rows.length === 1
    },

    /** Adds members to a run (existing rows are kept as they are). */
    async addParticipants(runId: string, members: { id: string; userId: string; skipped: boolean }[], now: number): Promise<void> {
      if (members.length === 0) return
      await run(
        `INSERT INTO standup_participants (id, run_id, user_id, skipped, create_at)
         SELECT m.id, $1, m.user_id, m.skipped, $2::bigint
         FROM unnest($3::text[], $4::text[], $5::boolean[]) AS m(id, user_id, skipped)
         ON CONFLICT (run_id, user_id) DO NOTHING`,
        [runId, now, members.map((m) => m.id), members.map((m) => m.userId), members.map((m) => m.skipped)],
      )
    },

    /** A run's participants in the order they were added, then by user id. */
    async participants(runId: string): Promise<StandupParticipant[]> {
      const rows = await run('SELECT * FROM standup_participants WHERE run_id = $1 ORDER BY create_at, user_id', [runId])
      return rows.map(toParticipant)
    },

    /** The participation a user's DM answer belongs to: the oldest one asked and still open. */
    async answering(userId: string): Promise<OpenParticipant | null> {
      const [row] = await run(`${OPEN_PARTICIPANT} AND p.asked_at > 0 ORDER BY p.asked_at, p.id LIMIT 1`, [userId])
      return row ? toOpen(row) : null
    },

    /** The user's oldest participation still waiting to be asked. */
    async nextQueued(userId: string): Promise<OpenParticipant | null> {
      const [row] = await run(`${OPEN_PARTICIPANT} AND p.asked_at = 0 ORDER BY r.tick_at, p.id LIMIT 1`, [userId])
      return row ? toOpen(row) : null
    },

    /**
     * Marks a participation asked, in the transaction that writes its first question's DM (so the DM
     * and the mark are written together or not at all); false when it already was.
     */
    async claimAsked(tx: SqlClient, participantId: string, now: number): Promise<boolean> {
      const updated = await tx.$executeRawUnsafe('UPDATE standup_participants SET asked_at = $2::bigint WHERE id = $1 AND asked_at = 0', participantId, now)
      return updated === 1
    },

    /**
     * Appends an answer to an open participation, completing it when `questionCount` answers are in.
     * Returns the participation after the write, or null when it was no longer open.
     */
    async appendAnswer(participantId: string, answer: string, questionCount: number, now: number): Promise<StandupParticipant | null> {
      const [row] = await run(
        `UPDATE standup_participants SET answers = answers || jsonb_build_array($2::text),
           answered_at = CASE WHEN jsonb_array_length(answers) + 1 >= $3::int THEN $4::bigint ELSE 0 END
         WHERE id = $1 AND answered_at = 0 AND NOT skipped RETURNING *`,
        [participantId, answer, questionCount, now],
      )
      return row ? toParticipant(row) : null
    },

    /** Excuses a member of a channel on a local day; marks them skipped in that day's open run too. */
    async skipDay(input: { id: string; channelId: string; userId: string; day: string; now: number }): Promise<void> {
      await run(
        `INSERT INTO standup_skips (id, channel_id, user_id, day, create_at) VALUES ($1, $2, $3, $4, $5::bigint)
         ON CONFLICT (channel_id, user_id, day) DO NOTHING`,
        [input.id, input.channelId, input.userId, input.day, input.now],
      )
      await run(
        `UPDATE standup_participants p SET skipped = true FROM standup_runs r
         WHERE r.id = p.run_id AND r.channel_id = $1 AND r.day = $3 AND r.summary_post_id = '' AND p.user_id = $2 AND p.answered_at = 0`,
        [input.channelId, input.userId, input.day],
      )
    },

    /** Members excused from a channel's standup on a day. */
    async skippedOn(channelId: string, day: string): Promise<Set<string>> {
      const rows = await run<{ user_id: string }>('SELECT user_id FROM standup_skips WHERE channel_id = $1 AND day = $2', [channelId, day])
      return new Set(rows.map((r) => r.user_id))
    },
  }
}

export type StandupStore = ReturnType<typeof createStandupStore>
