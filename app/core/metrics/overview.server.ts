// The dashboard's headline numbers for one store. Which orders count: COUNTED_ORDER (not
// cancelled, not a test, money captured), the same rule as the customer stats.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { COUNTED_ORDER } from "#app/core/ingest/customer-stats.server.ts";

export interface StoreOverview {
  customers: number;
  orders: number;
  revenueMinor: bigint;
  averageOrderMinor: bigint;
  unpaidPayments: number;
  abandonedCheckouts: number;
}

/** A checkout counts as abandoned when it has not completed an hour after its last update. */
export const ABANDONED_AFTER_MINUTES = 60;

export async function storeOverview(db: Db, storeId: number): Promise<StoreOverview> {
  const [row] = await db.$queryRaw<
    { customers: number; orders: number; revenue: bigint; unpaid: number; abandoned: number }[]
  >(Prisma.sql`
    SELECT
      (SELECT count(*)::int FROM "Customer" WHERE "storeId" = ${storeId}) AS customers,
      (SELECT count(*)::int FROM "Order" o WHERE o."storeId" = ${storeId} AND ${COUNTED_ORDER}) AS orders,
      (SELECT coalesce(sum(o."totalMinor" - o."refundedMinor"), 0)::bigint FROM "Order" o WHERE o."storeId" = ${storeId} AND ${COUNTED_ORDER}) AS revenue,
      (SELECT count(*)::int FROM "Payment" p WHERE p."storeId" = ${storeId} AND p.status = 'pending' AND p.method IN ('boleto','pix')) AS unpaid,
      (SELECT count(*)::int FROM "Checkout" c WHERE c."storeId" = ${storeId} AND c."completedAt" IS NULL
         AND coalesce(c."platformUpdatedAt", c."startedAt") < now() - make_interval(mins => ${ABANDONED_AFTER_MINUTES})) AS abandoned`);
  const r = row!;
  return {
    customers: r.customers,
    orders: r.orders,
    revenueMinor: r.revenue,
    averageOrderMinor: r.orders ? r.revenue / BigInt(r.orders) : 0n,
    unpaidPayments: r.unpaid,
    abandonedCheckouts: r.abandoned,
  };
}
