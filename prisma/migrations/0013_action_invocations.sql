-- One row per idempotency key of an action call (core/actions): the intent is written before the
-- call and the result after, so a retry or a restart that repeats a call with the same key gets
-- the stored result instead of a second side effect. "status": started, succeeded, failed.
CREATE TABLE "action_invocations" (
    "key" VARCHAR(256) NOT NULL,
    "action_id" VARCHAR(128) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "input" JSONB NOT NULL DEFAULT '{}',
    "result" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    CONSTRAINT "action_invocations_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "action_invocations_update_at_idx" ON "action_invocations"("update_at");
