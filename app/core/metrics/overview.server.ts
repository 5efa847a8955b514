// The dashboard's headline numbers for one store. Which orders count: COUNTED_ORDER (not
// cancelled, not a test, money captured), the same rule as the customer stats. Customers, orders
// and revenue are sums over the kept daily totals (app/core/dashboard/daily.server.ts, refreshed
// for the touched days first); unpaid payments and abandoned checkouts are counted live (indexed).
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { COUNTED_ORDER } from "#app/core/ingest/customer-stats.server.ts";
import { refreshDailyStatsBounded } from "#app/core/dashboard/daily.server.ts";

export interface StoreOverview {
  /** Customers not erased. */
  customers: number;
  orders: number;
  revenueMinor: bigint;
  averageOrderMinor: bigint;
  unpaidPayments: number;
  abandonedCheckouts: number;
}

/** A checkout counts as abandoned when it has not completed an hour after its last update. */
export const ABANDONED_AFTER_MINUTES = 60;

function liveCounts(storeId: number): Prisma.Sql {
  return Prisma.sql`
      (SELECT count(*)::int FROM "Payment" p WHERE p."storeId" = ${storeId} AND p.status = 'pending' AND p.method IN ('boleto','pix')) AS unpaid,
      (SELECT count(*)::int FROM "Checkout" c WHERE c."storeId" = ${storeId} AND c."completedAt" IS NULL
         AND coalesce(c."platformUpdatedAt", c."startedAt") < now() - make_interval(mins => ${ABANDONED_AFTER_MINUTES})) AS abandoned`;
}

type Row = { customers: number; orders: number; revenue: bigint; unpaid: number; abandoned: number };

function overviewOf(r: Row): StoreOverview {
  return {
    customers: r.customers,
    orders: r.orders,
    revenueMinor: r.revenue,
    averageOrderMinor: r.orders ? r.revenue / BigInt(r.orders) : 0n,
    unpaidPayments: r.unpaid,
    abandonedCheckouts: r.abandoned,
  };
}

export async function storeOverview(db: Db, storeId: number, opts: { inlineDays?: number; onError?: (err: unknown) => void } = {}): Promise<StoreOverview> {
  await refreshDailyStatsBounded(db, storeId, opts);
  const [row] = await db.$queryRaw<Row[]>(Prisma.sql`
    SELECT coalesce(d.customers, 0)::int AS customers, coalesce(d.orders, 0)::int AS orders, coalesce(d.revenue, 0)::bigint AS revenue, ${liveCounts(storeId)}
    FROM (SELECT sum("newCustomers") AS customers, sum(orders) AS orders, sum("revenueMinor") AS revenue FROM "StoreDailyStats" WHERE "storeId" = ${storeId}) d`);
  return overviewOf(row!);
}

/** The same figures counted over every customer and order (no kept state): the reference. */
export async function storeOverviewFromScratch(db: Db, storeId: number): Promise<StoreOverview> {
  const [row] = await db.$queryRaw<Row[]>(Prisma.sql`
    SELECT
      (SELECT count(*)::int FROM "Customer" WHERE "storeId" = ${storeId} AND "erasedAt" IS NULL) AS customers,
      (SELECT count(*)::int FROM "Order" o WHERE o."storeId" = ${storeId} AND ${COUNTED_ORDER}) AS orders,
      (SELECT coalesce(sum(o."totalMinor" - o."refundedMinor"), 0)::bigint FROM "Order" o WHERE o."storeId" = ${storeId} AND ${COUNTED_ORDER}) AS revenue,
      ${liveCounts(storeId)}`);
  return overviewOf(row!);
}
