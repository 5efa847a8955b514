-- Segments live count, follow-up of 20261123230000_segment_filter_indexes (already applied on main,
-- so changed here rather than there). Hand-written; compile.server.ts relies on these word for word.

-- Country / gender: not partial any more. The partial one (WHERE "erasedAt" IS NULL) became the
-- planner's pick for every walk over all live customers (tag and action semi-joins), and it is wider
-- than "Customer_storeId_erasedAt_id_idx"; "erasedAt" is included instead (index-only either way).
DROP INDEX "Customer_segment_demo_idx";
CREATE INDEX "Customer_segment_demo_idx" ON "Customer" ("storeId", lower(country), lower(gender))
  INCLUDE (id, country, gender, "erasedAt");

-- "Opened / clicked a message (in the last N days)": only the opened (clicked) messages, now in
-- customer order, so that counting their distinct customers needs no sort or hash (the date is
-- checked inside the index).
DROP INDEX "Message_segment_opened_idx";
DROP INDEX "Message_segment_clicked_idx";
CREATE INDEX "Message_segment_opened_idx" ON "Message" ("storeId", "customerId") INCLUDE ("openedAt") WHERE "openedAt" IS NOT NULL;
CREATE INDEX "Message_segment_clicked_idx" ON "Message" ("storeId", "customerId") INCLUDE ("clickedAt") WHERE "clickedAt" IS NOT NULL;

-- "Abandoned a checkout (in the last N days)": only the open checkouts, by start.
CREATE INDEX "Checkout_segment_open_idx" ON "Checkout" ("storeId", "startedAt") INCLUDE ("customerId", "platformUpdatedAt") WHERE "completedAt" IS NULL;
