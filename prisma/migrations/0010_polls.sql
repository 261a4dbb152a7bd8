-- Polls made with /poll: the question, options and settings, and one row per vote, so counts
-- survive a restart and several voters clicking at once cannot lose each other's votes.
CREATE TABLE "polls" (
    "id" VARCHAR(26) NOT NULL,
    "post_id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "creator_id" VARCHAR(26) NOT NULL,
    "question" TEXT NOT NULL,
    "options" JSONB NOT NULL,
    "anonymous" BOOLEAN NOT NULL DEFAULT false,
    "progress" BOOLEAN NOT NULL DEFAULT false,
    "multi" BOOLEAN NOT NULL DEFAULT false,
    "create_at" BIGINT NOT NULL,
    "end_at" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "polls_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "polls_post_id_key" ON "polls"("post_id");

CREATE TABLE "poll_votes" (
    "poll_id" VARCHAR(26) NOT NULL,
    "user_id" VARCHAR(26) NOT NULL,
    "option_index" INTEGER NOT NULL,
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "poll_votes_pkey" PRIMARY KEY ("poll_id", "user_id", "option_index")
);
