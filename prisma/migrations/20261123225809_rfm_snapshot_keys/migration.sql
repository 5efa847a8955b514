-- DropForeignKey
ALTER TABLE "RfmSnapshot" DROP CONSTRAINT "RfmSnapshot_storeId_customerId_fkey";

-- DropForeignKey
ALTER TABLE "RfmSnapshot" DROP CONSTRAINT "RfmSnapshot_storeId_fkey";

-- The customer key's ON DELETE CASCADE, kept as a trigger: without the key, a rescoring's snapshot
-- INSERT (tens of thousands of rows) no longer checks and locks each customer's row. Statement-level
-- with a transition table: a store deletion cascading to its customers runs one DELETE, not one per
-- customer. (The store key is covered by RfmRun's, which cascades from Store.)
CREATE FUNCTION "rfm_snapshot_customer_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "RfmSnapshot" s USING gone g WHERE s."storeId" = g."storeId" AND s."customerId" = g.id;
  RETURN NULL;
END $$;

CREATE TRIGGER "Customer_delete_rfm_snapshots" AFTER DELETE ON "Customer"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "rfm_snapshot_customer_deleted"();
