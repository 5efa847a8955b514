// Per-customer aggregates, recomputed for the customers an order event touched. The cost is one
// indexed aggregate over that customer's orders, independent of store size, and the result is
// by construction the same as a full recompute (recomputeAllCustomerStats), which tests compare.
import { Prisma } from "@prisma/client";

type Tx = Pick<Prisma.TransactionClient, "$executeRaw">;

// Which orders count: not cancelled, not test, not deleted, and money actually captured (a pending
// boleto or a voided authorisation is not a purchase). Revenue is net of refunds.
const COUNTED = Prisma.sql`o."cancelledAt" IS NULL AND o."deletedAt" IS NULL AND NOT o.test
  AND o."financialStatus" IN ('paid', 'partially_paid', 'partially_refunded', 'refunded', 'authorized')`;

function statsSql(storeId: number, customerIds: number[] | null): Prisma.Sql {
  const which = customerIds ? Prisma.sql`AND c.id = ANY(${customerIds}::int[])` : Prisma.empty;
  return Prisma.sql`
INSERT INTO "CustomerStats" ("storeId", "customerId", "ordersCount", "revenueMinor", "refundedMinor",
  "firstOrderAt", "lastOrderAt", "avgOrderMinor", "avgDaysBetweenOrders", "updatedAt")
SELECT c."storeId", c.id,
  count(o.id)::int,
  coalesce(sum(o."totalMinor" - o."refundedMinor"), 0)::bigint,
  coalesce(sum(o."refundedMinor"), 0)::bigint,
  min(o."placedAt"), max(o."placedAt"),
  coalesce(round(sum(o."totalMinor" - o."refundedMinor") / nullif(count(o.id), 0)), 0)::bigint,
  CASE WHEN count(o.id) > 1 THEN extract(epoch FROM max(o."placedAt") - min(o."placedAt")) / 86400.0 / (count(o.id) - 1) END,
  now()
FROM "Customer" c
LEFT JOIN "Order" o ON o."storeId" = c."storeId" AND o."customerId" = c.id AND ${COUNTED}
WHERE c."storeId" = ${storeId} ${which}
GROUP BY c."storeId", c.id
ON CONFLICT ("storeId", "customerId") DO UPDATE SET
  "ordersCount" = EXCLUDED."ordersCount", "revenueMinor" = EXCLUDED."revenueMinor",
  "refundedMinor" = EXCLUDED."refundedMinor", "firstOrderAt" = EXCLUDED."firstOrderAt",
  "lastOrderAt" = EXCLUDED."lastOrderAt", "avgOrderMinor" = EXCLUDED."avgOrderMinor",
  "avgDaysBetweenOrders" = EXCLUDED."avgDaysBetweenOrders", "updatedAt" = now()`;
}

export async function refreshCustomerStats(tx: Tx, storeId: number, customerIds: number[]): Promise<void> {
  if (customerIds.length === 0) return;
  await tx.$executeRaw(statsSql(storeId, customerIds));
}

export async function recomputeAllCustomerStats(tx: Tx, storeId: number): Promise<void> {
  await tx.$executeRaw(statsSql(storeId, null));
}
