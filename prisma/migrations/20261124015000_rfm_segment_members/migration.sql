-- RFM segment membership moves out of CustomerStats' indexes into its own narrow table.
--
-- With "CustomerStats_storeId_rfmSegment_customerId_idx", every rescoring update that moved a
-- customer between segments was non-HOT: a new entry in each of CustomerStats' nine indexes (and
-- a full-page image of each index page touched first after a checkpoint). At a million customers
-- the daily rescoring's write took 3.9 s of its 5.5 s that way. Without an index on rfmSegment,
-- those updates are HOT (fillfactor 90 leaves room on the page): only the heap is written. Counting
-- and listing the members of a segment (the reason for that index) read this table instead, whose
-- key is (storeId, segment, customerId): a range of it is an index-only scan.
--
-- CustomerStats."rfmSegment" stays the one source of truth; this table mirrors it. The rescoring
-- maintains it set-based in its own statement (and sets caderninho.rfm_members_by_statement so the
-- row trigger below stays out of the way); every other write of CustomerStats (tests, benches,
-- erasure, store deletion) is mirrored by the triggers.
CREATE TABLE "CustomerRfmSegment" (
    "storeId" INTEGER NOT NULL,
    "segment" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,

    CONSTRAINT "CustomerRfmSegment_pkey" PRIMARY KEY ("storeId","segment","customerId")
);

INSERT INTO "CustomerRfmSegment" ("storeId", "segment", "customerId")
SELECT "storeId", "rfmSegment", "customerId" FROM "CustomerStats" WHERE "rfmSegment" IS NOT NULL;

-- DropIndex
DROP INDEX "CustomerStats_storeId_rfmSegment_customerId_idx";

CREATE FUNCTION "customer_rfm_segment_row"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."rfmSegment" IS NOT NULL THEN
    DELETE FROM "CustomerRfmSegment" WHERE "storeId" = OLD."storeId" AND "segment" = OLD."rfmSegment" AND "customerId" = OLD."customerId";
  END IF;
  IF NEW."rfmSegment" IS NOT NULL THEN
    INSERT INTO "CustomerRfmSegment" ("storeId", "segment", "customerId") VALUES (NEW."storeId", NEW."rfmSegment", NEW."customerId") ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- Row triggers with WHEN: the stats writes of ingestion (no segment, rfmSegment not in the SET
-- list) never call them.
CREATE TRIGGER "CustomerStats_rfm_segment_insert" AFTER INSERT ON "CustomerStats"
  FOR EACH ROW WHEN (NEW."rfmSegment" IS NOT NULL) EXECUTE FUNCTION "customer_rfm_segment_row"();

CREATE TRIGGER "CustomerStats_rfm_segment_update" AFTER UPDATE OF "rfmSegment", "storeId", "customerId" ON "CustomerStats"
  FOR EACH ROW WHEN ((OLD."rfmSegment", OLD."storeId", OLD."customerId") IS DISTINCT FROM (NEW."rfmSegment", NEW."storeId", NEW."customerId")
    AND coalesce(current_setting('caderninho.rfm_members_by_statement', true), '') <> 'on')
  EXECUTE FUNCTION "customer_rfm_segment_row"();

-- Deletions (erasure, a customer or store deleted and cascading) as one statement each.
CREATE FUNCTION "customer_rfm_segment_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "CustomerRfmSegment" m USING gone g
  WHERE g."rfmSegment" IS NOT NULL AND m."storeId" = g."storeId" AND m."segment" = g."rfmSegment" AND m."customerId" = g."customerId";
  RETURN NULL;
END $$;

CREATE TRIGGER "CustomerStats_rfm_segment_delete" AFTER DELETE ON "CustomerStats"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "customer_rfm_segment_deleted"();
