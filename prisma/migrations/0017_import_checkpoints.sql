-- Import checkpoints (bridges/): one row per unit of an import that is completely written (a
-- Slack channel), with a digest of the archive entries it came from. A rerun of the same archive
-- skips those units; a later export (other entries, other digest) imports them again, adding only
-- what is new; a run killed mid-way finds no row for the unit it was writing and redoes it.
CREATE TABLE "import_checkpoints" (
    "source" VARCHAR(64) NOT NULL,
    "unit" VARCHAR(128) NOT NULL,
    "digest" VARCHAR(64) NOT NULL,
    "done_at" BIGINT NOT NULL,
    CONSTRAINT "import_checkpoints_pkey" PRIMARY KEY ("source", "unit")
);
