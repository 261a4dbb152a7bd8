-- Custom user groups (Mattermost's UserGroups and GroupMembers, source "custom" only). Playbooks
-- name them as `group:<name>`. "creator_id" is ours: only the creator and system admins manage a group.
CREATE TABLE "user_groups" (
    "id" VARCHAR(26) NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "display_name" VARCHAR(128) NOT NULL,
    "description" VARCHAR(1024) NOT NULL DEFAULT '',
    "source" VARCHAR(64) NOT NULL,
    "remote_id" VARCHAR(48),
    "allow_reference" BOOLEAN NOT NULL DEFAULT true,
    "creator_id" VARCHAR(26) NOT NULL DEFAULT '',
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    "delete_at" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "user_groups_pkey" PRIMARY KEY ("id")
);

-- Names stay taken after a soft delete, as in Mattermost, so a restored group keeps its name.
CREATE UNIQUE INDEX "user_groups_name_key" ON "user_groups"("name");

CREATE TABLE "group_members" (
    "group_id" VARCHAR(26) NOT NULL,
    "user_id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "group_members_pkey" PRIMARY KEY ("group_id", "user_id")
);

CREATE INDEX "group_members_user_id_idx" ON "group_members"("user_id");
