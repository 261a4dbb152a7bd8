-- Uploaded files (Mattermost FileInfo). The bytes live in the file store (DATA_DIR/files or S3)
-- under "path"; "post_id" is '' until a post of the uploader's in the same channel claims the file.
CREATE TABLE "file_infos" (
    "id" VARCHAR(26) NOT NULL,
    "user_id" VARCHAR(26) NOT NULL,
    "post_id" VARCHAR(26) NOT NULL DEFAULT '',
    "channel_id" VARCHAR(26) NOT NULL,
    "create_at" BIGINT NOT NULL,
    "update_at" BIGINT NOT NULL,
    "delete_at" BIGINT NOT NULL DEFAULT 0,
    "path" VARCHAR(512) NOT NULL,
    "thumbnail_path" VARCHAR(512) NOT NULL DEFAULT '',
    "preview_path" VARCHAR(512) NOT NULL DEFAULT '',
    "name" VARCHAR(256) NOT NULL,
    "extension" VARCHAR(64) NOT NULL DEFAULT '',
    "size" BIGINT NOT NULL,
    "mime_type" VARCHAR(256) NOT NULL DEFAULT '',
    "width" INTEGER NOT NULL DEFAULT 0,
    "height" INTEGER NOT NULL DEFAULT 0,
    "has_preview_image" BOOLEAN NOT NULL DEFAULT false,
    "mini_preview" TEXT,
    "content" TEXT,
    CONSTRAINT "file_infos_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "file_infos_post_id_idx" ON "file_infos"("post_id");

CREATE INDEX "file_infos_user_id_idx" ON "file_infos"("user_id");

CREATE INDEX "file_infos_channel_id_create_at_idx" ON "file_infos"("channel_id", "create_at");
