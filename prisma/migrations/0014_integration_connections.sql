-- Connectors (integrations/): one row per connection an admin sets up (a PagerDuty webhook
-- subscription, a GitHub hook, …). The webhook secret, the previous secret (accepted until
-- "rotation_ends_at") and the outbound credentials are sealed with AES-256-GCM under a key kept in
-- "systems" (IntegrationSecretKey); "settings" holds what is not secret (API base URLs).
CREATE TABLE "integration_connections" (
    "id" VARCHAR(26) NOT NULL,
    "vendor" VARCHAR(32) NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "team_id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "secret" TEXT NOT NULL DEFAULT '',
    "previous_secret" TEXT NOT NULL DEFAULT '',
    "rotation_ends_at" BIGINT NOT NULL DEFAULT 0,
    "credentials" TEXT NOT NULL DEFAULT '',
    "settings" JSONB NOT NULL DEFAULT '{}',
    "creator_id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    CONSTRAINT "integration_connections_pkey" PRIMARY KEY ("id")
);

-- Actions name a connection by id or by name, so a name is unique per vendor.
CREATE UNIQUE INDEX "integration_connections_vendor_name_key" ON "integration_connections"("vendor", "name");
CREATE INDEX "integration_connections_team_id_idx" ON "integration_connections"("team_id");

-- What a connection's events posted, per channel: a retried job finds its claim and posts nothing
-- twice, a resolved alert finds the post its firing made, and /pagerduty finds the channel's incident.
CREATE TABLE "integration_posts" (
    "connection_id" VARCHAR(26) NOT NULL,
    "event_id" VARCHAR(200) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "ref_key" VARCHAR(300) NOT NULL,
    "post_id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "integration_posts_pkey" PRIMARY KEY ("connection_id", "event_id", "channel_id")
);

CREATE INDEX "integration_posts_ref_key_idx" ON "integration_posts"("connection_id", "ref_key");
CREATE INDEX "integration_posts_channel_id_create_at_idx" ON "integration_posts"("channel_id", "create_at");

-- /github subscribe: which repositories a channel follows, and for which kinds of events.
CREATE TABLE "github_subscriptions" (
    "id" VARCHAR(26) NOT NULL,
    "team_id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "repo" VARCHAR(200) NOT NULL,
    "features" JSONB NOT NULL DEFAULT '[]',
    "creator_id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "github_subscriptions_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "github_subscriptions_channel_id_repo_key" ON "github_subscriptions"("channel_id", "repo");
CREATE INDEX "github_subscriptions_team_id_repo_idx" ON "github_subscriptions"("team_id", "repo");
