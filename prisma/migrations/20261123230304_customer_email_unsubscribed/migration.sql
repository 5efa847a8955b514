-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "emailUnsubscribedAt" TIMESTAMP(3);

-- An unsubscribe through our link is the customer's latest word until the platform shows a newer
-- opt-in: a customers/update webhook, a backfill or a reconciliation carrying the platform's stale
-- "subscribed" (its consent date older than the unsubscribe) keeps the customer unsubscribed. One
-- place for every write path; the WHEN clause keeps the trigger off every other update.
CREATE FUNCTION customer_keep_unsubscribe() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."consentUpdatedAt" IS NULL OR NEW."consentUpdatedAt" <= OLD."emailUnsubscribedAt" THEN
    NEW."acceptsEmailMarketing" := false;
    NEW."consentUpdatedAt" := OLD."consentUpdatedAt";
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER customer_keep_unsubscribe BEFORE UPDATE ON "Customer"
  FOR EACH ROW WHEN (OLD."emailUnsubscribedAt" IS NOT NULL AND NEW."acceptsEmailMarketing" AND NOT OLD."acceptsEmailMarketing")
  EXECUTE FUNCTION customer_keep_unsubscribe();
-- Also during bulk loads, which run with session_replication_role = replica to skip the other
-- triggers (they do those triggers' work set-based): this one guards consent, so it always fires.
ALTER TABLE "Customer" ENABLE ALWAYS TRIGGER customer_keep_unsubscribe;
