/** Data access for /poll: polls and their votes (one row per voter and option). */
import type { Database } from '../db/index.ts'
import { jsonParam, query } from '../db/index.ts'

export interface PollRecord {
  id: string
  postId: string
  channelId: string
  creatorId: string
  question: string
  options: string[]
  anonymous: boolean
  progress: boolean
  multi: boolean
  createAt: number
  /** 0 while the poll is open. */
  endAt: number
}

export interface PollVoteRecord {
  userId: string
  optionIndex: number
}

/** What a click on an option did. */
export type VoteOutcome = 'counted' | 'updated' | 'already_voted'

const SELECT = `id, post_id AS "postId", channel_id AS "channelId", creator_id AS "creatorId", question, options, anonymous, progress, multi, create_at AS "createAt", end_at AS "endAt"`

export function createPollStore(db: Database) {
  return {
    async insert(poll: PollRecord): Promise<void> {
      await query(
        db,
        `INSERT INTO polls (id, post_id, channel_id, creator_id, question, options, anonymous, progress, multi, create_at, end_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11)`,
        [poll.id, poll.postId, poll.channelId, poll.creatorId, poll.question, jsonParam(poll.options), poll.anonymous, poll.progress, poll.multi, poll.createAt, poll.endAt],
      )
    },

    async get(id: string): Promise<PollRecord | null> {
      const rows = await query<PollRecord>(db, `SELECT ${SELECT} FROM polls WHERE id = $1`, [id])
      return rows[0] ?? null
    },

    /** Every vote, oldest first (the order voters are listed in the results). */
    async votes(pollId: string): Promise<PollVoteRecord[]> {
      return query<PollVoteRecord>(db, 'SELECT user_id AS "userId", option_index AS "optionIndex" FROM poll_votes WHERE poll_id = $1 ORDER BY create_at, user_id', [pollId])
    },

    /**
     * Records a vote in one statement (atomic against other clicks): in a single-choice poll it
     * replaces the voter's other vote; in a multi-choice poll it adds one.
     */
    async vote(pollId: string, userId: string, optionIndex: number, multi: boolean, at: number): Promise<VoteOutcome> {
      const rows = await query<{ replaced: number; added: number }>(
        db,
        `WITH replaced AS (
           DELETE FROM poll_votes WHERE poll_id = $1 AND user_id = $2 AND option_index <> $3 AND NOT $5::boolean RETURNING 1
         ), added AS (
           INSERT INTO poll_votes (poll_id, user_id, option_index, create_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1
         )
         SELECT (SELECT count(*) FROM replaced)::int AS replaced, (SELECT count(*) FROM added)::int AS added`,
        [pollId, userId, optionIndex, at, multi],
      )
      const { replaced, added } = rows[0]!
      if (added === 0) return 'already_voted'
      return replaced > 0 ? 'updated' : 'counted'
    },

    /** Removes all of a voter's votes; how many there were. */
    async resetVotes(pollId: string, userId: string): Promise<number> {
      return (await query(db, 'DELETE FROM poll_votes WHERE poll_id = $1 AND user_id = $2 RETURNING 1', [pollId, userId])).length
    },

    /** Ends an open poll; false when it had ended already. */
    async end(pollId: string, at: number): Promise<boolean> {
      return (await query(db, 'UPDATE polls SET end_at = $2 WHERE id = $1 AND end_at = 0 RETURNING 1', [pollId, at])).length > 0
    },
  }
}

export type PollStore = ReturnType<typeof createPollStore>
