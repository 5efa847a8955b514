-- Segments live count over a million customers (issue 6), second round: the filters merchants use
-- that had no index yet. Hand-written like 20261123201000_segment_count_indexes (Prisma cannot
-- describe partial / expression / INCLUDE indexes); the SQL that relies on them is
-- app/core/segments/compile.server.ts, word for word (test/integration/segments-count.test.ts
-- checks the planner can use each).

-- "P(alive) < x" reads its own range instead of the whole churn index (whose second key it is):
-- with it, "churn band high OR P(alive) < 0.3" is counted as two disjoint ranges (compile.server.ts
-- disjointParts), the second one "P(alive) < 0.3 AND NOT churn band high": churnRisk included so
-- that it too is answered from the index alone (without it the planner rightly prefers walking
-- the whole churn index).
CREATE INDEX "CustomerStats_segment_palive_idx" ON "CustomerStats"("storeId", "pAlive", "customerId") INCLUDE ("churnRisk");

-- Country and gender (lower-cased, as the compiled predicate writes them) counted from the index
-- alone: the raw columns and id included; a gender-only filter skips over the few countries
-- (PostgreSQL 18 skip scan). Erased customers are never members.
CREATE INDEX "Customer_segment_demo_idx" ON "Customer" ("storeId", lower(country), lower(gender))
  INCLUDE (id, country, gender) WHERE "erasedAt" IS NULL;

-- Birthday month (equality on the month) and age bands (a range of birth dates, within each month:
-- skip scan over the twelve months), from the index alone. Only customers with a birth date.
CREATE INDEX "Customer_segment_birth_idx" ON "Customer" ("storeId", (extract(month FROM "birthDate")::int), "birthDate")
  INCLUDE (id) WHERE "erasedAt" IS NULL AND "birthDate" IS NOT NULL;

-- "Paid by boleto / Pix / …" (optionally in the last N days): the customers of counted orders (the
-- COUNTED_ORDER rule of app/core/ingest/customer-stats.server.ts word for word) by payment method.
CREATE INDEX "Order_segment_payment_idx" ON "Order" ("storeId", "paymentMethod", "customerId") INCLUDE ("placedAt")
  WHERE "cancelledAt" IS NULL AND "deletedAt" IS NULL AND NOT test
    AND "financialStatus" IN ('paid', 'partially_paid', 'partially_refunded', 'refunded', 'authorized');

-- "Opened / clicked a message (in the last N days)": only the opened (clicked) messages, by date.
CREATE INDEX "Message_segment_opened_idx" ON "Message" ("storeId", "openedAt") INCLUDE ("customerId") WHERE "openedAt" IS NOT NULL;
CREATE INDEX "Message_segment_clicked_idx" ON "Message" ("storeId", "clickedAt") INCLUDE ("customerId") WHERE "clickedAt" IS NOT NULL;
