-- Full-text search over post messages (POST /api/v4/posts/search).
-- A STORED generated column: PostgreSQL computes it in the statement that inserts or edits the
-- post, so the index can never lag behind the message. 'simple' = no stemming and no stop words,
-- which works for every language and matches Mattermost's term-prefix semantics.
ALTER TABLE "posts" ADD COLUMN "message_tsv" TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', "message")) STORED;

CREATE INDEX "posts_message_tsv_idx" ON "posts" USING GIN ("message_tsv");
