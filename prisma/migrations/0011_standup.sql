-- /standup (core/standup): a channel's questions and schedule, each scheduled run, and each member's
-- answers. The cron schedule itself is a row of job_schedules named "standup:<channel id>", and
-- each run's summary a job deduplicated by run, so a restart between the DMs and the deadline
-- neither loses answers nor posts the summary twice.
CREATE TABLE "standup_configs" (
    "channel_id" VARCHAR(26) NOT NULL,
    "questions" JSONB NOT NULL DEFAULT '[]',
    -- 5 fields, or 6 with seconds first; '' until one is set.
    "cron" VARCHAR(128) NOT NULL DEFAULT '',
    "time_zone" VARCHAR(64) NOT NULL DEFAULT 'UTC',
    -- How long after a run its summary is posted.
    "deadline_ms" BIGINT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    -- `/standup skip`: the next run posts nothing and clears it.
    "skip_next" BOOLEAN NOT NULL DEFAULT false,
    "update_by" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    CONSTRAINT "standup_configs_pkey" PRIMARY KEY ("channel_id")
);

-- One scheduled run: one per channel and tick, whichever node (or retry) fires it.
CREATE TABLE "standup_runs" (
    "id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "tick_at" BIGINT NOT NULL,
    -- The local date of the tick in the configured time zone (YYYY-MM-DD).
    "day" VARCHAR(10) NOT NULL,
    "questions" JSONB NOT NULL DEFAULT '[]',
    "deadline_at" BIGINT NOT NULL,
    -- Set once the summary is posted; '' while answers are collected.
    "summary_post_id" VARCHAR(26) NOT NULL DEFAULT '',
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "standup_runs_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "standup_runs_channel_id_tick_at_key" ON "standup_runs"("channel_id", "tick_at");

-- A member asked in a run: their answers in question order.
CREATE TABLE "standup_participants" (
    "id" VARCHAR(26) NOT NULL,
    "run_id" VARCHAR(26) NOT NULL,
    "user_id" VARCHAR(26) NOT NULL,
    -- When the bot sent the first question; 0 while queued behind another channel's standup.
    "asked_at" BIGINT NOT NULL DEFAULT 0,
    "answers" JSONB NOT NULL DEFAULT '[]',
    -- When the last question was answered; 0 before.
    "answered_at" BIGINT NOT NULL DEFAULT 0,
    "skipped" BOOLEAN NOT NULL DEFAULT false,
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "standup_participants_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "standup_participants_run_id_user_id_key" ON "standup_participants"("run_id", "user_id");

CREATE INDEX "standup_participants_user_id_answered_at_idx" ON "standup_participants"("user_id", "answered_at");

-- `/standup skip @user` (or `skip me`): that member is not asked on that local day.
CREATE TABLE "standup_skips" (
    "id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "user_id" VARCHAR(26) NOT NULL,
    "day" VARCHAR(10) NOT NULL,
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "standup_skips_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "standup_skips_channel_id_user_id_day_key" ON "standup_skips"("channel_id", "user_id", "day");
