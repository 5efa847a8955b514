// Per-customer aggregates, recomputed for the customers an order event touched. The cost is one
// statement reading that customer's orders once (totals, days, channel mix) and their lines once
// (both favourites), through the (storeId, customerId, placedAt) index: independent of store size.
// The result is by construction the same as a full recompute (recomputeAllCustomerStats), which tests compare.
// Recomputing the customer rather than adding deltas keeps it exact when an order changes status,
// is refunded, cancelled, deleted, moved to another customer or replayed out of order.
import { Prisma, SalesChannel } from "@prisma/client";

import type { RawTx } from "#app/db/raw-tx.server.ts";

/** Raw SQL only: a Prisma transaction client, or a node-postgres one (app/db/raw-tx.server.ts). */
type Tx = Pick<Prisma.TransactionClient, "$executeRaw"> | Pick<RawTx, "$executeRaw">;

/**
 * Which orders count, everywhere in analytics (the one place this rule lives): not cancelled, not
 * test, not deleted, and money actually captured (a pending boleto or a voided authorisation is
 * not a purchase). Revenue is net of refunds; a fully refunded order still counts as an order
 * (the customer did buy) with zero net revenue. `o` is the alias of "Order".
 */
export const COUNTED_ORDER = Prisma.sql`o."cancelledAt" IS NULL AND o."deletedAt" IS NULL AND NOT o.test
  AND o."financialStatus" IN ('paid', 'partially_paid', 'partially_refunded', 'refunded', 'authorized')`;

/** The store-local calendar date of a timestamp column (stored as UTC `timestamp(3)`). */
export function localDate(column: Prisma.Sql, timezone: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`((${column} AT TIME ZONE 'UTC') AT TIME ZONE ${timezone})::date`;
}

/**
 * A JS Date as the UTC `timestamp` our columns hold, independent of the session's TimeZone
 * setting (a bare timestamptz → timestamp cast would shift it by the server's zone).
 */
export function utcTimestamp(date: Date): Prisma.Sql {
  return Prisma.sql`(${date.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
}

const FAVOURITES = 3;

function statsSql(storeId: number, customerIds: number[] | null): Prisma.Sql {
  const which = customerIds ? Prisma.sql`AND c.id = ANY(${customerIds}::int[])` : Prisma.empty;
  const tz = Prisma.sql`s.timezone`;
  // Channel mix in the same pass over the orders as the totals: one count per channel, absent
  // channels dropped (jsonb keeps keys in its own order, so this equals an aggregate of the groups).
  const channels = Prisma.join(Object.values(SalesChannel).map((ch) => Prisma.sql`${ch}::text, nullif(count(*) FILTER (WHERE ${COUNTED_ORDER} AND o.channel = ${ch}::"SalesChannel"), 0)`));
  // Favourites: the lines of the customer's counted orders read once, grouped by category and by
  // product together (grouping sets), the top FAVOURITES of each by quantity, ties by key.
  // The counted rule is applied as FILTERs, not in WHERE, and the lines are found from the ids the
  // first pass collected: a WHERE implying COUNTED_ORDER let the planner pick the partial
  // "Order_segment_counted_idx" (storeId, id) when its statistics of a growing store were stale,
  // reading every counted order of the store for each customer (1 ms per customer at 6k orders,
  // growing with the store; 42 % of PostgreSQL's time in the load bench). Now only an index on
  // (storeId, customerId, …) can serve the one scan of the customer's orders.
  return Prisma.sql`
INSERT INTO "CustomerStats" ("storeId", "customerId", "ordersCount", "revenueMinor", "refundedMinor",
  "firstOrderAt", "lastOrderAt", "avgOrderMinor", "avgDaysBetweenOrders", "purchaseDays",
  "favouriteCategories", "favouriteProducts", "channelMix", "updatedAt")
SELECT c."storeId", c.id, a.n, a.revenue, a.refunded, a.first, a.last,
  coalesce(round(a.revenue::numeric / nullif(a.n, 0)), 0)::bigint,
  CASE WHEN a.n > 1 THEN extract(epoch FROM a.last - a.first) / 86400.0 / (a.n - 1) END,
  a.days, coalesce(fav.categories, '{}'), coalesce(fav.products, '{}'), a.channels, now()
FROM "Customer" c
JOIN "Store" s ON s.id = c."storeId"
CROSS JOIN LATERAL (
  SELECT count(o.id) FILTER (WHERE ${COUNTED_ORDER})::int AS n,
    coalesce(sum(o."totalMinor" - o."refundedMinor") FILTER (WHERE ${COUNTED_ORDER}), 0)::bigint AS revenue,
    coalesce(sum(o."refundedMinor") FILTER (WHERE ${COUNTED_ORDER}), 0)::bigint AS refunded,
    min(o."placedAt") FILTER (WHERE ${COUNTED_ORDER}) AS first, max(o."placedAt") FILTER (WHERE ${COUNTED_ORDER}) AS last,
    count(DISTINCT ${localDate(Prisma.sql`o."placedAt"`, tz)}) FILTER (WHERE ${COUNTED_ORDER})::int AS days,
    jsonb_strip_nulls(jsonb_build_object(${channels})) AS channels,
    array_agg(o.id) FILTER (WHERE ${COUNTED_ORDER}) AS ids
  FROM "Order" o WHERE o."storeId" = c."storeId" AND o."customerId" = c.id) a
CROSS JOIN LATERAL (
  SELECT array_agg(t.k ORDER BY t.q DESC, t.k) FILTER (WHERE t.category AND t.rank <= ${FAVOURITES}) AS categories,
         array_agg(t.k ORDER BY t.q DESC, t.k) FILTER (WHERE NOT t.category AND t.rank <= ${FAVOURITES}) AS products
  FROM (SELECT g.category, g.k, g.q, row_number() OVER (PARTITION BY g.category ORDER BY g.q DESC, g.k) AS rank
        FROM (SELECT GROUPING(l.category) = 0 AS category, coalesce(l.category, l."productId") AS k, sum(l.quantity) AS q
              FROM unnest(a.ids) AS o(id) JOIN "OrderLine" l ON l."storeId" = c."storeId" AND l."orderId" = o.id
              GROUP BY GROUPING SETS ((l.category), (l."productId"))
              HAVING (GROUPING(l.category) = 0 AND l.category IS NOT NULL) OR (GROUPING(l."productId") = 0 AND l."productId" IS NOT NULL)) g) t) fav
WHERE c."storeId" = ${storeId} ${which}
ON CONFLICT ("storeId", "customerId") DO UPDATE SET
  "ordersCount" = EXCLUDED."ordersCount", "revenueMinor" = EXCLUDED."revenueMinor",
  "refundedMinor" = EXCLUDED."refundedMinor", "firstOrderAt" = EXCLUDED."firstOrderAt",
  "lastOrderAt" = EXCLUDED."lastOrderAt", "avgOrderMinor" = EXCLUDED."avgOrderMinor",
  "avgDaysBetweenOrders" = EXCLUDED."avgDaysBetweenOrders", "purchaseDays" = EXCLUDED."purchaseDays",
  "favouriteCategories" = EXCLUDED."favouriteCategories", "favouriteProducts" = EXCLUDED."favouriteProducts",
  "channelMix" = EXCLUDED."channelMix", "updatedAt" = now()`;
}

export async function refreshCustomerStats(tx: Tx, storeId: number, customerIds: number[]): Promise<void> {
  if (customerIds.length === 0) return;
  await tx.$executeRaw(statsSql(storeId, customerIds));
}

export async function recomputeAllCustomerStats(tx: Tx, storeId: number): Promise<void> {
  await tx.$executeRaw(statsSql(storeId, null));
}
