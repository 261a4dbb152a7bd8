-- Custom slash commands (Mattermost Command) and their response URLs (Mattermost CommandWebhook).
-- A trigger is unique among a team's live commands; the service checks it, as Mattermost does.
CREATE TABLE "commands" (
    "id" VARCHAR(26) NOT NULL,
    "token" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    "delete_at" BIGINT NOT NULL DEFAULT 0,
    "creator_id" VARCHAR(26) NOT NULL,
    "team_id" VARCHAR(26) NOT NULL,
    "trigger" VARCHAR(128) NOT NULL,
    "method" VARCHAR(1) NOT NULL,
    "username" VARCHAR(64) NOT NULL DEFAULT '',
    "icon_url" VARCHAR(1024) NOT NULL DEFAULT '',
    "auto_complete" BOOLEAN NOT NULL DEFAULT false,
    "auto_complete_desc" VARCHAR(1024) NOT NULL DEFAULT '',
    "auto_complete_hint" VARCHAR(1024) NOT NULL DEFAULT '',
    "display_name" VARCHAR(64) NOT NULL DEFAULT '',
    "description" VARCHAR(128) NOT NULL DEFAULT '',
    "url" VARCHAR(1024) NOT NULL,
    CONSTRAINT "commands_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "commands_team_id_idx" ON "commands"("team_id");

-- One row per execution of a custom command: its response_url accepts follow-ups for 30 minutes,
-- at most 5 times ("use_count"), and must survive a restart.
CREATE TABLE "command_webhooks" (
    "id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "command_id" VARCHAR(26) NOT NULL,
    "user_id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "root_id" VARCHAR(26) NOT NULL DEFAULT '',
    "use_count" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "command_webhooks_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "command_webhooks_create_at_idx" ON "command_webhooks"("create_at");
