// Per-customer aggregates, recomputed for the customers an order event touched. The cost is a few
// indexed aggregates over that one customer's orders (independent of store size), and the result
// is by construction the same as a full recompute (recomputeAllCustomerStats), which tests compare.
// Recomputing the customer rather than adding deltas keeps it exact when an order changes status,
// is refunded, cancelled, deleted, moved to another customer or replayed out of order.
import { Prisma } from "@prisma/client";

type Tx = Pick<Prisma.TransactionClient, "$executeRaw">;

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
  // The lines of this customer's counted orders, for favourites.
  const lines = (key: Prisma.Sql) => Prisma.sql`
    SELECT array_agg(k ORDER BY q DESC, k) FROM (
      SELECT ${key} AS k, sum(l.quantity) AS q
      FROM "Order" o JOIN "OrderLine" l ON l."storeId" = o."storeId" AND l."orderId" = o.id
      WHERE o."storeId" = c."storeId" AND o."customerId" = c.id AND ${COUNTED_ORDER} AND ${key} IS NOT NULL
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${FAVOURITES}) t`;
  return Prisma.sql`
INSERT INTO "CustomerStats" ("storeId", "customerId", "ordersCount", "revenueMinor", "refundedMinor",
  "firstOrderAt", "lastOrderAt", "avgOrderMinor", "avgDaysBetweenOrders", "purchaseDays",
  "favouriteCategories", "favouriteProducts", "channelMix", "updatedAt")
SELECT c."storeId", c.id, a.n, a.revenue, a.refunded, a.first, a.last,
  coalesce(round(a.revenue::numeric / nullif(a.n, 0)), 0)::bigint,
  CASE WHEN a.n > 1 THEN extract(epoch FROM a.last - a.first) / 86400.0 / (a.n - 1) END,
  a.days,
  coalesce((${lines(Prisma.sql`l.category`)}), '{}'),
  coalesce((${lines(Prisma.sql`l."productId"`)}), '{}'),
  coalesce((SELECT jsonb_object_agg(channel, n ORDER BY channel) FROM (
     SELECT o.channel::text AS channel, count(*)::int AS n FROM "Order" o
     WHERE o."storeId" = c."storeId" AND o."customerId" = c.id AND ${COUNTED_ORDER} GROUP BY 1) m), '{}'),
  now()
FROM "Customer" c
JOIN "Store" s ON s.id = c."storeId"
CROSS JOIN LATERAL (
  SELECT count(o.id)::int AS n,
    coalesce(sum(o."totalMinor" - o."refundedMinor"), 0)::bigint AS revenue,
    coalesce(sum(o."refundedMinor"), 0)::bigint AS refunded,
    min(o."placedAt") AS first, max(o."placedAt") AS last,
    count(DISTINCT ${localDate(Prisma.sql`o."placedAt"`, tz)})::int AS days
  FROM "Order" o WHERE o."storeId" = c."storeId" AND o."customerId" = c.id AND ${COUNTED_ORDER}) a
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
