-- CustomerStats' three score indexes hold only scored rows (partial: WHERE <score> IS NOT NULL).
-- A backfill's set-based stats rebuild writes every customer's row before any scoring, all three
-- scores NULL: each of these indexes cost it an entry per row anyway, ~1.4 s of the 9.4 s the
-- rebuild's two ranges took side by side at 1M orders (394,500 customers; same database, with
-- and without these three indexes: 9.0–9.9 s against 7.96–8.08 s). The scoring that follows
-- writes the entries of the rows it scores (a non-HOT update writes every index whose
-- predicate the new row satisfies), and never a row without orders (cluster, P(alive) and churn
-- stay NULL for those).
-- Every reader compares the score (strict operators: segments' ranges and sets, the churn bands,
-- the cluster counts' `cluster IS NOT NULL`), which implies the predicate, so the planner keeps
-- using them (test/integration/segments-count.test.ts). `IS NULL` conditions ("not set", a
-- "not in" set's missing values) never read these indexes.
-- Prisma cannot declare a predicate (nor palive's INCLUDE, see segment_filter_indexes) and reads
-- these as the plain indexes schema.prisma declares.
DROP INDEX "CustomerStats_storeId_cluster_customerId_idx";
CREATE INDEX "CustomerStats_storeId_cluster_customerId_idx" ON "CustomerStats" ("storeId", cluster, "customerId") WHERE cluster IS NOT NULL;

DROP INDEX "CustomerStats_segment_churn_idx";
CREATE INDEX "CustomerStats_segment_churn_idx" ON "CustomerStats" ("storeId", "churnRisk", "pAlive", "customerId") WHERE "churnRisk" IS NOT NULL;

DROP INDEX "CustomerStats_segment_palive_idx";
CREATE INDEX "CustomerStats_segment_palive_idx" ON "CustomerStats" ("storeId", "pAlive", "customerId") INCLUDE ("churnRisk") WHERE "pAlive" IS NOT NULL;
