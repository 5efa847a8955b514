-- CreateTable
CREATE TABLE "CustomerTag" (
    "storeId" INTEGER NOT NULL,
    "tag" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,

    CONSTRAINT "CustomerTag_pkey" PRIMARY KEY ("storeId","tag","customerId")
);

-- AddForeignKey
ALTER TABLE "CustomerTag" ADD CONSTRAINT "CustomerTag_storeId_customerId_fkey" FOREIGN KEY ("storeId", "customerId") REFERENCES "Customer"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Segments live count over a million customers (issue 6). Everything below is hand-written: Prisma
-- cannot describe triggers, partial / expression / INCLUDE indexes. The SQL that relies on them is
-- app/core/segments/compile.server.ts; keep the two in step (test/integration/segments-count-plans).

-- "CustomerTag" holds each customer's tags lower-cased, one row per distinct tag, maintained here on
-- every write path (ingest, bulk load, import, erasure, tests), so it cannot drift from "Customer".tags.
CREATE FUNCTION segment_customer_tags_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM "CustomerTag" t
     WHERE t."storeId" = OLD."storeId" AND t."customerId" = OLD.id
       AND t.tag = ANY (ARRAY(SELECT lower(x) FROM unnest(OLD.tags) x WHERE x IS NOT NULL));
  END IF;
  INSERT INTO "CustomerTag" ("storeId", tag, "customerId")
  SELECT DISTINCT NEW."storeId", lower(x), NEW.id FROM unnest(NEW.tags) x WHERE x IS NOT NULL
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER "Customer_tags_insert" AFTER INSERT ON "Customer"
  FOR EACH ROW WHEN (cardinality(NEW.tags) > 0) EXECUTE FUNCTION segment_customer_tags_sync();
CREATE TRIGGER "Customer_tags_update" AFTER UPDATE OF tags ON "Customer"
  FOR EACH ROW WHEN (OLD.tags IS DISTINCT FROM NEW.tags) EXECUTE FUNCTION segment_customer_tags_sync();

INSERT INTO "CustomerTag" ("storeId", tag, "customerId")
SELECT DISTINCT c."storeId", lower(x), c.id FROM "Customer" c, unnest(c.tags) x WHERE x IS NOT NULL;

-- City / state filters (+ consent) counted from the index alone: lower() as the compiled predicate
-- writes it, the raw columns and id included so no heap row is read (index-only scan; a city-only
-- filter skips over the states, PostgreSQL 18 skip scan). Erased customers are never members.
CREATE INDEX "Customer_segment_place_idx" ON "Customer" ("storeId", lower(province), lower(city))
  INCLUDE (id, province, city, "acceptsEmailMarketing", "acceptsSmsMarketing") WHERE "erasedAt" IS NULL;

-- Spend + recency filters ("spent ≥ X and last order > N days ago") from the index alone; churn
-- band / P(alive) filters likewise (the index is ~4x narrower than the table). Also in
-- schema.prisma (plain key columns, so Prisma sees them as its own).
CREATE INDEX "CustomerStats_segment_revenue_idx" ON "CustomerStats"("storeId", "revenueMinor", "lastOrderAt", "customerId");
CREATE INDEX "CustomerStats_segment_churn_idx" ON "CustomerStats"("storeId", "churnRisk", "pAlive", "customerId");

-- "Bought X in the last N days": each of the product's lines probes its order here (counted orders
-- only, the COUNTED_ORDER rule of app/core/ingest/customer-stats.server.ts word for word).
CREATE INDEX "Order_segment_counted_idx" ON "Order" ("storeId", id) INCLUDE ("customerId", "placedAt")
  WHERE "cancelledAt" IS NULL AND "deletedAt" IS NULL AND NOT test
    AND "financialStatus" IN ('paid', 'partially_paid', 'partially_refunded', 'refunded', 'authorized');
