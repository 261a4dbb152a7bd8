-- Initial schema: builds exactly prisma/schema.prisma (test/integration/db/schema-drift.test.ts checks it).

CREATE TABLE "users" (
    "id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    "delete_at" BIGINT NOT NULL DEFAULT 0,
    "username" VARCHAR(64) NOT NULL,
    "email" VARCHAR(128) NOT NULL,
    "email_verified" BOOLEAN NOT NULL DEFAULT false,
    "password_hash" TEXT NOT NULL DEFAULT '',
    "auth_service" VARCHAR(32) NOT NULL DEFAULT '',
    "auth_data" VARCHAR(128),
    "nickname" VARCHAR(64) NOT NULL DEFAULT '',
    "first_name" VARCHAR(64) NOT NULL DEFAULT '',
    "last_name" VARCHAR(64) NOT NULL DEFAULT '',
    "position" VARCHAR(128) NOT NULL DEFAULT '',
    "roles" VARCHAR(256) NOT NULL DEFAULT 'system_user',
    "locale" VARCHAR(5) NOT NULL DEFAULT 'en',
    "notify_props" JSONB NOT NULL,
    "props" JSONB NOT NULL DEFAULT '{}',
    "timezone" JSONB NOT NULL,
    "last_password_update" BIGINT NOT NULL DEFAULT 0,
    "last_picture_update" BIGINT NOT NULL DEFAULT 0,
    "failed_attempts" INTEGER NOT NULL DEFAULT 0,
    "last_failed_at" BIGINT NOT NULL DEFAULT 0,
    "is_bot" BOOLEAN NOT NULL DEFAULT false,
    "last_login" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "bots" (
    "user_id" VARCHAR(26) NOT NULL,
    "owner_id" VARCHAR(26) NOT NULL,
    "display_name" VARCHAR(64) NOT NULL DEFAULT '',
    "description" VARCHAR(1024) NOT NULL DEFAULT '',
    "last_icon_update" BIGINT NOT NULL DEFAULT 0,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    "delete_at" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "bots_pkey" PRIMARY KEY ("user_id")
);

CREATE TABLE "sessions" (
    "id" VARCHAR(26) NOT NULL,
    "token" VARCHAR(64) NOT NULL,
    "user_id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "expires_at" BIGINT NOT NULL DEFAULT 0,
    "last_activity_at" BIGINT NOT NULL DEFAULT 0,
    "device_id" VARCHAR(512) NOT NULL DEFAULT '',
    "roles" VARCHAR(256) NOT NULL DEFAULT '',
    "is_oauth" BOOLEAN NOT NULL DEFAULT false,
    "props" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "user_access_tokens" (
    "id" VARCHAR(26) NOT NULL,
    "token" VARCHAR(64) NOT NULL,
    "user_id" VARCHAR(26) NOT NULL,
    "description" VARCHAR(512) NOT NULL DEFAULT '',
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "expires_at" BIGINT NOT NULL DEFAULT 0,
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "user_access_tokens_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "teams" (
    "id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    "delete_at" BIGINT NOT NULL DEFAULT 0,
    "name" VARCHAR(64) NOT NULL,
    "display_name" VARCHAR(64) NOT NULL,
    "description" VARCHAR(255) NOT NULL DEFAULT '',
    "email" VARCHAR(128) NOT NULL DEFAULT '',
    "type" VARCHAR(1) NOT NULL DEFAULT 'O',
    "company_name" VARCHAR(64) NOT NULL DEFAULT '',
    "allowed_domains" VARCHAR(1000) NOT NULL DEFAULT '',
    "invite_id" VARCHAR(32) NOT NULL DEFAULT '',
    "allow_open_invite" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "team_members" (
    "team_id" VARCHAR(26) NOT NULL,
    "user_id" VARCHAR(26) NOT NULL,
    "scheme_admin" BOOLEAN NOT NULL DEFAULT false,
    "create_at" BIGINT NOT NULL,
    "delete_at" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "team_members_pkey" PRIMARY KEY ("team_id", "user_id")
);

CREATE TABLE "channels" (
    "id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    "delete_at" BIGINT NOT NULL DEFAULT 0,
    "team_id" VARCHAR(26) NOT NULL DEFAULT '',
    "type" VARCHAR(1) NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "display_name" VARCHAR(64) NOT NULL DEFAULT '',
    "header" VARCHAR(1024) NOT NULL DEFAULT '',
    "purpose" VARCHAR(250) NOT NULL DEFAULT '',
    "creator_id" VARCHAR(26) NOT NULL DEFAULT '',
    "last_post_at" BIGINT NOT NULL DEFAULT 0,
    "last_root_post_at" BIGINT NOT NULL DEFAULT 0,
    "total_msg_count" INTEGER NOT NULL DEFAULT 0,
    "total_msg_count_root" INTEGER NOT NULL DEFAULT 0,
    "extra_update_at" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "channels_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "channel_members" (
    "channel_id" VARCHAR(26) NOT NULL,
    "user_id" VARCHAR(26) NOT NULL,
    "scheme_admin" BOOLEAN NOT NULL DEFAULT false,
    "last_viewed_at" BIGINT NOT NULL DEFAULT 0,
    "msg_count" INTEGER NOT NULL DEFAULT 0,
    "msg_count_root" INTEGER NOT NULL DEFAULT 0,
    "mention_count" INTEGER NOT NULL DEFAULT 0,
    "mention_count_root" INTEGER NOT NULL DEFAULT 0,
    "urgent_mention_count" INTEGER NOT NULL DEFAULT 0,
    "notify_props" JSONB NOT NULL,
    "last_update_at" BIGINT NOT NULL,
    CONSTRAINT "channel_members_pkey" PRIMARY KEY ("channel_id", "user_id")
);

CREATE TABLE "posts" (
    "id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    "edit_at" BIGINT NOT NULL DEFAULT 0,
    "delete_at" BIGINT NOT NULL DEFAULT 0,
    "is_pinned" BOOLEAN NOT NULL DEFAULT false,
    "user_id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "root_id" VARCHAR(26) NOT NULL DEFAULT '',
    "original_id" VARCHAR(26) NOT NULL DEFAULT '',
    "message" VARCHAR(65535) NOT NULL DEFAULT '',
    "type" VARCHAR(26) NOT NULL DEFAULT '',
    "props" JSONB NOT NULL DEFAULT '{}',
    "hashtags" VARCHAR(1000) NOT NULL DEFAULT '',
    "file_ids" JSONB NOT NULL DEFAULT '[]',
    "pending_post_id" VARCHAR(64) NOT NULL DEFAULT '',
    "has_reactions" BOOLEAN NOT NULL DEFAULT false,
    "remote_id" VARCHAR(26) NOT NULL DEFAULT '',
    CONSTRAINT "posts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "threads" (
    "post_id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "team_id" VARCHAR(26) NOT NULL DEFAULT '',
    "reply_count" INTEGER NOT NULL DEFAULT 0,
    "last_reply_at" BIGINT NOT NULL DEFAULT 0,
    "participants" JSONB NOT NULL DEFAULT '[]',
    "thread_delete_at" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "threads_pkey" PRIMARY KEY ("post_id")
);

CREATE TABLE "thread_memberships" (
    "post_id" VARCHAR(26) NOT NULL,
    "user_id" VARCHAR(26) NOT NULL,
    "following" BOOLEAN NOT NULL DEFAULT true,
    "last_viewed" BIGINT NOT NULL DEFAULT 0,
    "last_updated" BIGINT NOT NULL DEFAULT 0,
    "unread_mentions" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "thread_memberships_pkey" PRIMARY KEY ("post_id", "user_id")
);

CREATE TABLE "reactions" (
    "user_id" VARCHAR(26) NOT NULL,
    "post_id" VARCHAR(26) NOT NULL,
    "emoji_name" VARCHAR(64) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "reactions_pkey" PRIMARY KEY ("post_id", "user_id", "emoji_name")
);

CREATE TABLE "preferences" (
    "user_id" VARCHAR(26) NOT NULL,
    "category" VARCHAR(32) NOT NULL,
    "name" VARCHAR(32) NOT NULL,
    "value" VARCHAR(2000) NOT NULL DEFAULT '',
    CONSTRAINT "preferences_pkey" PRIMARY KEY ("user_id", "category", "name")
);

CREATE TABLE "statuses" (
    "user_id" VARCHAR(26) NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "manual" BOOLEAN NOT NULL DEFAULT false,
    "last_activity_at" BIGINT NOT NULL DEFAULT 0,
    "dnd_end_time" BIGINT NOT NULL DEFAULT 0,
    "prev_status" VARCHAR(32) NOT NULL DEFAULT '',
    CONSTRAINT "statuses_pkey" PRIMARY KEY ("user_id")
);

CREATE TABLE "systems" (
    "name" VARCHAR(64) NOT NULL,
    "value" VARCHAR(2000) NOT NULL,
    CONSTRAINT "systems_pkey" PRIMARY KEY ("name")
);

CREATE UNIQUE INDEX "users_username_key" ON "users"("username");
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");
CREATE INDEX "bots_owner_id_idx" ON "bots"("owner_id");
CREATE UNIQUE INDEX "sessions_token_key" ON "sessions"("token");
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");
CREATE UNIQUE INDEX "user_access_tokens_token_key" ON "user_access_tokens"("token");
CREATE INDEX "user_access_tokens_user_id_idx" ON "user_access_tokens"("user_id");
CREATE UNIQUE INDEX "teams_name_key" ON "teams"("name");
CREATE INDEX "team_members_user_id_idx" ON "team_members"("user_id");
CREATE UNIQUE INDEX "channels_team_id_name_key" ON "channels"("team_id", "name");
CREATE INDEX "channel_members_user_id_idx" ON "channel_members"("user_id");
CREATE INDEX "posts_channel_id_create_at_idx" ON "posts"("channel_id", "create_at");
CREATE INDEX "posts_root_id_create_at_idx" ON "posts"("root_id", "create_at");
CREATE INDEX "posts_user_id_pending_post_id_idx" ON "posts"("user_id", "pending_post_id");
CREATE INDEX "threads_channel_id_idx" ON "threads"("channel_id");
CREATE INDEX "thread_memberships_user_id_last_updated_idx" ON "thread_memberships"("user_id", "last_updated");
