-- Incoming webhooks (Mattermost IncomingWebhook): POST /hooks/{id} posts as "user_id" into
-- "channel_id", or into another channel of "team_id" unless "channel_locked". Deleting sets "delete_at".
CREATE TABLE "incoming_webhooks" (
    "id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    "delete_at" BIGINT NOT NULL DEFAULT 0,
    "user_id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "team_id" VARCHAR(26) NOT NULL,
    "display_name" VARCHAR(64) NOT NULL DEFAULT '',
    "description" VARCHAR(500) NOT NULL DEFAULT '',
    "username" VARCHAR(64) NOT NULL DEFAULT '',
    "icon_url" VARCHAR(1024) NOT NULL DEFAULT '',
    "channel_locked" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "incoming_webhooks_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "incoming_webhooks_team_id_idx" ON "incoming_webhooks"("team_id");

CREATE INDEX "incoming_webhooks_user_id_idx" ON "incoming_webhooks"("user_id");
