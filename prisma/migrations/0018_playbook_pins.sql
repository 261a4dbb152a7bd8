-- A run pins the playbook version it started with. Each pinned version is now stored once, named by
-- the SHA-256 of its JSON text, and runs name it: a run row no longer carries its own copy (7 KB
-- for the built-in Incident Response), which every start wrote and every read of the run parsed
-- again. Existing runs keep their playbooks: each distinct copy becomes a pin.
CREATE TABLE "playbook_pins" (
    "hash" VARCHAR(64) NOT NULL,
    "playbook" JSONB NOT NULL,
    "create_at" BIGINT NOT NULL,
    CONSTRAINT "playbook_pins_pkey" PRIMARY KEY ("hash")
);

ALTER TABLE "playbook_runs" ADD COLUMN "playbook_hash" VARCHAR(64) NOT NULL DEFAULT '';
UPDATE "playbook_runs" SET "playbook_hash" = encode(sha256(convert_to("playbook"::text, 'UTF8')), 'hex');
INSERT INTO "playbook_pins" ("hash", "playbook", "create_at")
    SELECT DISTINCT ON ("playbook_hash") "playbook_hash", "playbook", "create_at" FROM "playbook_runs" ORDER BY "playbook_hash", "create_at";
ALTER TABLE "playbook_runs" ALTER COLUMN "playbook_hash" DROP DEFAULT;
ALTER TABLE "playbook_runs" DROP COLUMN "playbook";
