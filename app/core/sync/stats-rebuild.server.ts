// Customer stats of many customers at once, set-based: the same rows refreshCustomerStats
// (app/core/ingest/customer-stats.server.ts) writes, computed by a few hash aggregates over the
// customers' counted orders and their lines instead of four indexed sub-queries per customer.
// Meant for loads touching most of a store (one pass over the orders and lines rather than
// ~1.6M index probes): a backfill (runShopifyBackfill asks the bulk loader for it through
// BulkLoadOptions.setBasedStatsFrom). PostgreSQL CPU of the refresh after a backfill, same
// database, same 369,593 customers (1M orders): 17.0–17.6 s set-based against 20.4 s per customer
// (5,000 per statement, two side by side); at 100,000 orders 1.35–1.43 s against 1.67–1.98 s.
// Writing the CustomerStats rows and their indexes is ~12 µs a row of either; the rest is one hash
// join of the orders and one of the lines, both favourites in one grouping-sets pass. Each range
// scans the store's orders and lines once (~1 s at 1M orders), so a refresh of a small part of a
// large store (a reconciliation) stays per customer.
// The caller may split the customers in id ranges run side by side (INSERT … SELECT gets no
// parallel workers). Each range still scans all the store's orders and lines: two halves of 79,000
// customers (200k orders) cost 3.5 s of backend CPU against 2.8 s for one statement, for a shorter
// wall time when a core is free.
// Backend CPU at 200k orders (79,000 customers; rows as after the customers phase, i.e. every row
// rewritten): 2.7–2.9 s before the channel mix joined the totals' pass and the window function
// left the favourites, 2.6–2.7 s after; about half of it is writing the rows and their 8 indexes
// (~17 µs a row, non-HOT). A re-run over unchanged stats: 2.75 s → 1.57 s (no row rewritten).
// Tried and dropped: purchase days by a two-level hash aggregate (customer × day, then customer)
// instead of the sorted distinct count, +10 %; a plain UPDATE … FROM plus an INSERT of the missing
// rows instead of INSERT … ON CONFLICT, within noise; inserting into an empty table instead of
// updating the customers phase's rows, +30 % (foreign-key triggers).
// Since (stats5): a backfill's customers phase writes no row; Shopify's statistics come with the
// arrays of SetBasedStatsOptions.shopifyStatistics, and the rows are new — a plain INSERT when the
// range has none (no speculative insertion), without the foreign-key triggers but with the store
// and customers locked in one pass (lockReferenced). EXPLAIN ANALYZE of one range at 200k orders
// (36,974 customers, 93,814 counted orders, 152,094 of their lines): aggregation ~0.83 s (orders
// scan + join 0.15, totals/days/mix 0.25, favourites 0.28 — lines join 0.11, grouping sets 0.11,
// ranking sort 0.07 —, the rest joins), writing ~0.72 s (~20 µs a row: a non-HOT update, 8 index
// entries, 10.7 WAL records). Backend CPU of both ranges, same database, alternating runs on a
// busy machine: 3.08 s on average either way (update of the customers phase's rows: 3.13 / 3.11 /
// 3.01; new rows with Shopify's statistics: 3.06 / 2.99 / 3.19) — the gain is the customers
// phase's own write of those rows (8.8 s of PostgreSQL at 1M orders), not this statement.
// At 1M orders (stats7; EXPLAIN (ANALYZE, BUFFERS) of one range on the bench's kept database:
// 197,037 customers, 467,717 counted orders, 758,137 of their lines; alone 8.4–9.2 s, 9.7–10.8 s
// with the other range beside it): no spill anywhere (every sort a quicksort in memory, every
// hash one batch, 106 MB for the grouping sets), so nothing scales worse than 200k's except the
// per-range duplicates. Where one range's 9.2 s went: the named ids (unnest ∪ Shopify's) 0.3 s;
// locking the customers 0.6 s (a hash of all the store's 394,500 customers); the counted orders
// 0.9 s (a hash of all the store's 929,077 counted orders, probed by the range's ids); totals,
// days and mix 0.85 s (sort 0.3 + group 0.55); favourites 2.0 s (all 1.62M lines scanned and
// probed 0.85, grouping sets 0.6, ranking sort 0.45, ordered aggregates 0.15); merge joins 0.4 s;
// writing 3.65 s (18.5 µs a row; the backend also wrote 94 MB of evicted dirty buffers itself).
// What scales worse is the size of the hash tables, not spills: the 200k bench of the same code
// ran the two statements in 2.85 s (14.3 s per 1M orders, against 18.9–20.7 s at 1M, +32–45 %
// per customer), and there the counted orders' join hashes the range's ids (probed by the orders)
// while at 1M it hashes all 929,077 counted orders (70 MB) probed by the ids, beside the 106 MB
// of grouping sets — tables far beyond the CPU caches, two ranges sharing the memory bandwidth.
// Tried and dropped (stats7): filtering each range's orders and customers by its bounds in their
// scans (BETWEEN min/max of the ids: an index range scan, half the hash) — 8.4–8.8 s against
// 8.5–8.7 s alone, 9.9–10.7 against 9.7–10.8 s side by side: within noise, with estimates 100×
// too low. Nor did a coarser ANALYZE before it (bulk-load.server.ts analyseForStatsRebuild at
// statistics target 10: 0.05 s against 0.33 s warm; one range alone 8.3 s with hash instead of
// merge joins at the top): in the 1M bench the tail went 10.7 → 11.2 s, the two statements
// 18.9 → 20.7 s of execution (one run each; the part of the tail outside them 1.25 → 0.85 s).
// The tail's floor with this shape is ~17 s of CPU over two cores (~8.5 s); under 6 s
// needs part of the work moved into the load (per-chunk partial aggregates, not tried). The 1M
// bench of main 9b5bcd7 on a quiet machine: 19,757 orders/s, tail 10.7 s, statements 18.9 s.
// Since (2026-11-24 evening) CustomerStats' cluster, churn and P(alive) indexes are partial (WHERE
// the score IS NOT NULL): a backfill's rows are unscored, so writing one costs 5 index entries, not
// 8. Both ranges side by side on the kept 1M database (bench/.tmp, BENCH_KEEP=1; CustomerStats
// truncated before each run, identical rows — md5 of all of them — every time): 9.0–9.9 s → 8.0–8.4
// s; the named customers merged by the caller (namedMerged) instead of a hash aggregate: within
// noise of that (−0.1–0.3 s). Not locking the customers (lockReferenced off, for the measure only):
// 9.0 against 9.55 s on average, with the full index set. In the 1M bench: tail 11.2 → 9.4 s; 8.4 s
// once the embedded server had 64MB of wal_buffers (the rebuild writes ~700 bytes of WAL a row).
//
// The result is the same by construction (the backfill tests compare every CustomerStats row with
// the webhook path's): the same COUNTED_ORDER rule, the same store-local purchase days, favourites
// ranked by quantity then key (the top three), the channel mix as an object ordered by channel,
// and a row for every customer named, with zeros when none of its orders count.
import {
  COUNTED_ORDER,
  localDate,
} from "#app/core/ingest/customer-stats.server.ts";
import { Prisma, SalesChannel } from "@prisma/client";

const FAVOURITES = 3;
/** The columns the refresh owns (the rest of a CustomerStats row — scores, Shopify's groups — is left alone). */
const UPDATED = [
  "ordersCount",
  "revenueMinor",
  "refundedMinor",
  "firstOrderAt",
  "lastOrderAt",
  "avgOrderMinor",
  "avgDaysBetweenOrders",
  "purchaseDays",
  "favouriteCategories",
  "favouriteProducts",
  "channelMix",
] as const;

export interface SetBasedStatsOptions {
  /**
   * Shopify's statistics of the customers file written into the same rows (a backfill's customers
   * phase queues them instead of writing a row per customer that this statement would rewrite):
   * $3 int[] customer ids (one entry per customer), $4 text[] their groups, $5 text[] their spend
   * tiers, in the same order (ShopifyStatisticsStage.peek), of which those with ids from $6 to $7
   * (this range's share). The customers named there get their row too, with zeros when they have
   * no counted order; a customer named only in $2 keeps the Shopify columns its row has.
   */
  shopifyStatistics?: boolean;
  /**
   * $2 is sorted, without duplicates, and (with shopifyStatistics) already holds every customer
   * of $3 within $6–$7: the caller merged them (bulk-load.server.ts namedIds), so the statement
   * takes $2 as it is instead of a hash aggregate of both lists (0.3 s a range at 1M orders).
   */
  namedMerged?: boolean;
  /**
   * A plain INSERT, no ON CONFLICT (rows believed new: the store has none in this range yet). A
   * row that exists after all fails it with a unique violation: the caller then runs the upsert.
   * New rows through ON CONFLICT cost a speculative insertion each (-8–12 % CPU without it).
   */
  plain?: boolean;
  /**
   * For a session that skips foreign-key triggers (session_replication_role = replica: a new row
   * is then one heap tuple and its index entries, as an update's is, instead of costing two
   * per-row trigger queries more): the Store row and the customers' rows are locked FOR KEY SHARE
   * in one pass first, as those triggers would lock them one by one, so neither can be deleted
   * before this commits and no row can point at a customer that is gone.
   */
  lockReferenced?: boolean;
}

const SHOPIFY = ["shopifyRfmGroup", "shopifyPredictedSpendTier"] as const;

/**
 * The statement, for the customers whose ids are in the int array $2. $1 = store id.
 */
export function setBasedStatsSql(opts: SetBasedStatsOptions = {}): string {
  // The store's zone once (an InitPlan), not a join evaluated per order.
  const tz = Prisma.sql`(SELECT s.timezone FROM "Store" s WHERE s.id = $1)`;
  const channels = Object.values(SalesChannel)
    .map((ch) => `'${ch}', nullif(count(*) FILTER (WHERE o.channel = '${ch}'), 0)`)
    .join(", ");
  const shopify = opts.shopifyStatistics === true;
  const written = [...UPDATED, ...(shopify ? SHOPIFY : [])];
  const named = opts.namedMerged
    ? `SELECT unnest($2::int[]) AS id`
    : shopify
      ? `SELECT unnest($2::int[]) AS id UNION SELECT id FROM shopify`
      : `SELECT DISTINCT unnest($2::int[]) AS id`;
  const customers = opts.lockReferenced
    ? `(SELECT c."storeId", c.id FROM "Customer" c JOIN ids ON ids.id = c.id
         WHERE c."storeId" = (SELECT id FROM "Store" WHERE id = $1 FOR KEY SHARE) FOR KEY SHARE OF c) c`
    : `ids JOIN "Customer" c ON c."storeId" = $1 AND c.id = ids.id`;
  return `
WITH ${
    shopify
      ? `shopify AS MATERIALIZED (SELECT * FROM unnest($3::int[], $4::text[], $5::text[]) AS t(id, grp, tier) WHERE t.id BETWEEN $6 AND $7),
`
      : ""
  }ids AS MATERIALIZED (${named}),
counted AS MATERIALIZED (
  SELECT o.id, o."customerId", o."totalMinor", o."refundedMinor", o."placedAt", o.channel,
    ${localDate(Prisma.sql`o."placedAt"`, tz).text} AS day
  FROM "Order" o JOIN ids ON ids.id = o."customerId"
  WHERE o."storeId" = $1 AND ${COUNTED_ORDER.text}),
-- Totals, purchase days and the channel mix in one pass (sorted by customer and local day, so the
-- distinct count needs no sort of its own); the mix as the per-customer refresh builds it.
agg AS (
  SELECT o."customerId", count(o.id)::int AS n,
    coalesce(sum(o."totalMinor" - o."refundedMinor"), 0)::bigint AS revenue,
    coalesce(sum(o."refundedMinor"), 0)::bigint AS refunded,
    min(o."placedAt") AS first, max(o."placedAt") AS last,
    count(DISTINCT o.day)::int AS days,
    jsonb_strip_nulls(jsonb_build_object(${channels})) AS mix
  FROM counted o GROUP BY 1),
-- Both favourites from one pass over the lines (grouping sets), as the per-customer refresh does:
-- the top ${FAVOURITES} categories and products of each customer by quantity, ties by key. One sort of
-- the groups by customer and rank serves both ordered aggregates (no window function).
favourites AS (
  SELECT "customerId", (array_agg(k ORDER BY q DESC, k) FILTER (WHERE category))[1:${FAVOURITES}] AS categories,
    (array_agg(k ORDER BY q DESC, k) FILTER (WHERE NOT category))[1:${FAVOURITES}] AS products
  FROM (
    SELECT o."customerId", GROUPING(l.category) = 0 AS category, coalesce(l.category, l."productId") AS k, sum(l.quantity) AS q
    FROM counted o JOIN "OrderLine" l ON l."storeId" = $1 AND l."orderId" = o.id
    GROUP BY GROUPING SETS ((o."customerId", l.category), (o."customerId", l."productId"))
    HAVING (GROUPING(l.category) = 0 AND l.category IS NOT NULL) OR (GROUPING(l."productId") = 0 AND l."productId" IS NOT NULL)) g
  GROUP BY 1)
INSERT INTO "CustomerStats" ("storeId", "customerId", ${written.map((c) => `"${c}"`).join(", ")}, "updatedAt")
SELECT c."storeId", c.id, coalesce(a.n, 0), coalesce(a.revenue, 0), coalesce(a.refunded, 0), a.first, a.last,
  coalesce(round(a.revenue::numeric / nullif(a.n, 0)), 0)::bigint,
  CASE WHEN a.n > 1 THEN extract(epoch FROM a.last - a.first) / 86400.0 / (a.n - 1) END,
  coalesce(a.days, 0),
  coalesce(fav.categories, '{}'),
  coalesce(fav.products, '{}'),
  coalesce(a.mix, '{}'),${
    shopify
      ? `
  CASE WHEN sh.id IS NULL THEN cs."shopifyRfmGroup" ELSE sh.grp END,
  CASE WHEN sh.id IS NULL THEN cs."shopifyPredictedSpendTier" ELSE sh.tier END,`
      : ""
  }
  now()
FROM ${customers}
LEFT JOIN agg a ON a."customerId" = c.id
LEFT JOIN favourites fav ON fav."customerId" = c.id${
    shopify
      ? `
LEFT JOIN shopify sh ON sh.id = c.id
LEFT JOIN "CustomerStats" cs ON sh.id IS NULL AND cs."storeId" = $1 AND cs."customerId" = c.id`
      : ""
  }
ORDER BY c.id${
    opts.plain
      ? ""
      : `
ON CONFLICT ("storeId", "customerId") DO UPDATE SET
  ${written.map((c) => `"${c}" = EXCLUDED."${c}"`).join(", ")}, "updatedAt" = now()
-- A row whose values are already these is left alone: no new row version, none of the indexes
-- written (a re-run or resync of a store rewrites nothing; a first backfill skips the customers
-- without counted orders).
WHERE (${written.map((c) => `"CustomerStats"."${c}"`).join(", ")}) IS DISTINCT FROM (${written.map((c) => `EXCLUDED."${c}"`).join(", ")})`
  }`;
}
