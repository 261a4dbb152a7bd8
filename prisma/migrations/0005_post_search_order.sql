-- Search and lists read posts newest first. With create_at indexed, a search for a common word walks
-- the newest posts and stops after a page instead of collecting every match from the GIN index and
-- sorting them (a second at a million posts); `from:` walks the author's posts the same way.
CREATE INDEX "posts_create_at_idx" ON "posts"("create_at");

CREATE INDEX "posts_user_id_create_at_idx" ON "posts"("user_id", "create_at");
