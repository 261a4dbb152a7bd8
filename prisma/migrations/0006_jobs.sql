-- Durable jobs (core/jobs): one-off and retried work, and the cron schedules that create it.
-- A job is claimed with SELECT … FOR UPDATE SKIP LOCKED and leased until "locked_until", so
-- several server processes share the table and a job whose process died runs again after its lease.
-- "status" uses Mattermost's job statuses: pending, in_progress, success, error, cancel_requested, canceled.
CREATE TABLE "jobs" (
    "id" VARCHAR(26) NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    -- At most one job per key (a second enqueue with it returns the first job).
    "dedupe_key" VARCHAR(256),
    -- The schedule that created the job, if any.
    "schedule_name" VARCHAR(128),
    "run_at" BIGINT NOT NULL,
    -- Claims so far; a claim whose worker dies counts too.
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL,
    "locked_by" VARCHAR(128) NOT NULL DEFAULT '',
    "locked_until" BIGINT NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "create_at" BIGINT NOT NULL,
    "start_at" BIGINT NOT NULL DEFAULT 0,
    "last_activity_at" BIGINT NOT NULL,
    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "jobs_dedupe_key_key" ON "jobs"("dedupe_key");

CREATE INDEX "jobs_status_run_at_idx" ON "jobs"("status", "run_at");

CREATE INDEX "jobs_type_create_at_idx" ON "jobs"("type", "create_at");

CREATE INDEX "jobs_create_at_idx" ON "jobs"("create_at");

-- Recurring schedules: when "next_run_at" passes, a node creates that tick's job (deduplicated by
-- schedule and tick) and moves "next_run_at" to the first tick after now, so ticks missed while
-- every server was down run once, not once each.
CREATE TABLE "job_schedules" (
    "name" VARCHAR(128) NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "cron" VARCHAR(128) NOT NULL,
    "time_zone" VARCHAR(64) NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "next_run_at" BIGINT NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    CONSTRAINT "job_schedules_pkey" PRIMARY KEY ("name")
);

CREATE INDEX "job_schedules_next_run_at_idx" ON "job_schedules"("next_run_at");
