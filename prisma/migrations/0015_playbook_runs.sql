-- Playbook runs (playbooks/engine). A run pins the playbook it started with ("playbook" holds the
-- parsed file), and its whole state (steps, checklist items, votes, roles, properties) is one JSONB
-- document changed under the row's lock, so steps advance one decision at a time even with several
-- server processes. Side effects run from durable jobs with idempotency keys (0013).
CREATE TABLE "playbook_runs" (
    "id" VARCHAR(26) NOT NULL,
    "number" INTEGER NOT NULL,
    "playbook_name" VARCHAR(64) NOT NULL,
    "playbook_version" INTEGER NOT NULL,
    "playbook" JSONB NOT NULL,
    "title" VARCHAR(512) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "team_id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL DEFAULT '',
    "owner_id" VARCHAR(26) NOT NULL,
    "correlation_key" VARCHAR(512) NOT NULL DEFAULT '',
    -- The sources of the events the run's waiting steps wait for (from the state; empty once it ends).
    "event_sources" TEXT[] NOT NULL DEFAULT '{}',
    "state" JSONB NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    "end_at" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "playbook_runs_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "playbook_runs_number_key" ON "playbook_runs"("number");
CREATE INDEX "playbook_runs_team_id_status_idx" ON "playbook_runs"("team_id", "status");
CREATE INDEX "playbook_runs_correlation_key_idx" ON "playbook_runs"("correlation_key");
CREATE INDEX "playbook_runs_channel_id_idx" ON "playbook_runs"("channel_id");
-- Every connector event looks for the runs waiting for an event from its source.
CREATE INDEX "playbook_runs_event_sources_idx" ON "playbook_runs" USING gin ("event_sources");

-- The events that started runs: the same external event (delivery or incident id) never starts two.
CREATE TABLE "playbook_run_triggers" (
    "key" VARCHAR(512) NOT NULL,
    "run_id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "playbook_run_triggers_pkey" PRIMARY KEY ("key")
);

-- The run's timeline: append-only, one row per event with who and when.
CREATE TABLE "playbook_run_timeline" (
    "id" VARCHAR(26) NOT NULL,
    "run_id" VARCHAR(26) NOT NULL,
    "at" BIGINT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "actor_kind" VARCHAR(16) NOT NULL,
    "actor_id" VARCHAR(64) NOT NULL DEFAULT '',
    "summary" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "step_id" VARCHAR(128) NOT NULL DEFAULT '',
    CONSTRAINT "playbook_run_timeline_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "playbook_run_timeline_run_id_seq_key" ON "playbook_run_timeline"("run_id", "seq");
