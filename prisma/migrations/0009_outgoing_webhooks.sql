-- Outgoing webhooks (Mattermost OutgoingWebhook): a post in a public channel of "team_id" whose
-- first word matches "trigger_words" (or any post in "channel_id" when there are none) is sent to
-- each of "callback_urls". Deleting sets "delete_at".
CREATE TABLE "outgoing_webhooks" (
    "id" VARCHAR(26) NOT NULL,
    "token" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    "delete_at" BIGINT NOT NULL DEFAULT 0,
    "creator_id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL DEFAULT '',
    "team_id" VARCHAR(26) NOT NULL,
    "trigger_words" JSONB NOT NULL DEFAULT '[]',
    "trigger_when" INTEGER NOT NULL DEFAULT 0,
    "callback_urls" JSONB NOT NULL DEFAULT '[]',
    "display_name" VARCHAR(64) NOT NULL DEFAULT '',
    "description" VARCHAR(500) NOT NULL DEFAULT '',
    "content_type" VARCHAR(128) NOT NULL DEFAULT 'application/x-www-form-urlencoded',
    "username" VARCHAR(64) NOT NULL DEFAULT '',
    "icon_url" VARCHAR(1024) NOT NULL DEFAULT '',
    CONSTRAINT "outgoing_webhooks_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "outgoing_webhooks_team_id_idx" ON "outgoing_webhooks"("team_id");

CREATE INDEX "outgoing_webhooks_creator_id_idx" ON "outgoing_webhooks"("creator_id");

-- One row per delivery whose answer was posted, written in the posts' transaction: a retried
-- delivery (its first answer was slow, or its process died after posting) finds its key taken and
-- posts nothing. "key" is the delivery job's id.
CREATE TABLE "outgoing_webhook_deliveries" (
    "key" VARCHAR(64) NOT NULL,
    "hook_id" VARCHAR(26) NOT NULL,
    "post_id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "outgoing_webhook_deliveries_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "outgoing_webhook_deliveries_create_at_idx" ON "outgoing_webhook_deliveries"("create_at");
