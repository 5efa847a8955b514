-- A leaner RfmSnapshot for the daily rescoring, which inserts one row per customer whose scores
-- changed (~70,000 a day at a million customers).
--
-- 1. No foreign key to RfmRun: PostgreSQL checks a foreign key row by row (a probe of RfmRun and a
--    key-share lock per inserted row), which cost about as much as the insert itself. Its ON DELETE
--    CASCADE is kept as a statement-level trigger: a store deletion cascading to its runs deletes
--    their snapshots in one statement. (Runs are created by the rescoring in the same transaction
--    as their snapshots and are never deleted on their own, so no row can point at a missing run.)
-- 2. No (storeId, customerId) index: one customer's history (profile, data export, erasure, the
--    customer-deletion trigger) is a skip scan of the primary key (storeId, runId, customerId) in
--    PostgreSQL 18 — one descent per kept run (30) — and that index was written for every row
--    inserted, on pages all over it (a full-page image each after a checkpoint).
-- (Prisma wants to drop "CustomerStats_segment_palive_idx" here too: that index is made by hand
-- in migration segment_filter_indexes (INCLUDE columns, which the schema cannot express). Kept.)

-- DropForeignKey
ALTER TABLE "RfmSnapshot" DROP CONSTRAINT "RfmSnapshot_storeId_runId_fkey";

-- DropIndex
DROP INDEX "RfmSnapshot_storeId_customerId_idx";

CREATE FUNCTION "rfm_snapshot_run_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "RfmSnapshot" s USING gone g WHERE s."storeId" = g."storeId" AND s."runId" = g.id;
  RETURN NULL;
END $$;

CREATE TRIGGER "RfmRun_delete_rfm_snapshots" AFTER DELETE ON "RfmRun"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "rfm_snapshot_run_deleted"();
