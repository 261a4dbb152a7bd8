-- Full-text search over uploaded files (POST /api/v4/files/search): the name as typed, the name
-- split on punctuation (so `report` finds quarterly-report.pdf, which the parser keeps as one
-- file-name token) and the extracted content. STORED generated, like posts.message_tsv, so the
-- index never lags behind the row; 'simple' = no stemming and no stop words, for any language.
ALTER TABLE "file_infos" ADD COLUMN "search_tsv" TSVECTOR GENERATED ALWAYS AS (
    to_tsvector('simple', "name")
    || to_tsvector('simple', regexp_replace("name", '[[:punct:][:space:]]+', ' ', 'g'))
    || to_tsvector('simple', coalesce("content", ''))
) STORED;

CREATE INDEX "file_infos_search_tsv_idx" ON "file_infos" USING GIN ("search_tsv");
