-- Message priority of a root post (Mattermost's PostsPriority): "" | "important" | "urgent", with
-- the author's request for acknowledgements and persistent notifications. A row only for posts
-- created with a priority; written in the same transaction as the post.
CREATE TABLE "post_priority" (
    "post_id" VARCHAR(26) NOT NULL,
    "channel_id" VARCHAR(26) NOT NULL,
    "priority" VARCHAR(32) NOT NULL DEFAULT '',
    "requested_ack" BOOLEAN NOT NULL DEFAULT false,
    "persistent_notifications" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "post_priority_pkey" PRIMARY KEY ("post_id")
);

CREATE INDEX "post_priority_channel_id_idx" ON "post_priority"("channel_id");
