// Store metrics. Every function states its definition; all of them count orders by the one rule in
// COUNTED_ORDER (not cancelled, not test, not deleted, money captured) and use revenue net of
// refunds, in the store's minor units. Period bounds are [from, to) instants; months and days are
// the store's local calendar (Store.timezone).
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { recoveredRevenue as flowRecoveredRevenue } from "#app/core/flows/attribution.server.ts";
import { COUNTED_ORDER, localDate, utcTimestamp } from "#app/core/ingest/customer-stats.server.ts";
import { spendBinEdges } from "./metrics.ts";

export interface Period {
  from?: Date;
  to?: Date;
}

function inPeriod(column: Prisma.Sql, p: Period): Prisma.Sql {
  return Prisma.sql`${p.from ? Prisma.sql`AND ${column} >= ${utcTimestamp(p.from)}` : Prisma.empty} ${p.to ? Prisma.sql`AND ${column} < ${utcTimestamp(p.to)}` : Prisma.empty}`;
}

export interface OrderMetrics {
  orders: number;
  /** Customers with at least one counted order in the period. */
  buyers: number;
  revenueMinor: bigint;
  /** Average ticket = net revenue ÷ counted orders (0 without orders), rounded to the minor unit. */
  averageTicketMinor: bigint;
  /** Purchase frequency = counted orders of identified customers ÷ buyers (orders per buyer in the period). */
  purchaseFrequency: number;
  /** Repeat-purchase rate = buyers with ≥ 2 counted orders in the period ÷ buyers (0–1). */
  repeatPurchaseRate: number;
  /** The ratios' parts: counted orders of identified customers, and buyers with ≥ 2 of them. */
  buyerOrders: number;
  repeaters: number;
}

/** Average ticket, purchase frequency and repeat-purchase rate over a period (default: all time). */
export async function orderMetrics(db: Db, storeId: number, period: Period = {}): Promise<OrderMetrics> {
  const [r] = await db.$queryRaw<{ orders: number; revenue: bigint; buyers: number; repeaters: number; buyerOrders: number }[]>`
    WITH o AS (SELECT o."customerId", o."totalMinor" - o."refundedMinor" AS net FROM "Order" o
               WHERE o."storeId" = ${storeId} AND ${COUNTED_ORDER} ${inPeriod(Prisma.sql`o."placedAt"`, period)}),
         per AS (SELECT "customerId", count(*) AS n FROM o WHERE "customerId" IS NOT NULL GROUP BY 1)
    SELECT (SELECT count(*)::int FROM o) AS orders, (SELECT coalesce(sum(net), 0)::bigint FROM o) AS revenue,
           (SELECT count(*)::int FROM per) AS buyers, (SELECT count(*)::int FROM per WHERE n >= 2) AS repeaters,
           (SELECT coalesce(sum(n), 0)::int FROM per) AS "buyerOrders"`;
  const { orders, revenue, buyers, repeaters, buyerOrders } = r!;
  return {
    orders,
    buyers,
    revenueMinor: revenue,
    averageTicketMinor: orders ? (revenue * 2n + BigInt(orders)) / (2n * BigInt(orders)) : 0n,
    purchaseFrequency: buyers ? buyerOrders / buyers : 0,
    repeatPurchaseRate: buyers ? repeaters / buyers : 0,
    buyerOrders,
    repeaters,
  };
}

/**
 * Historical LTV = net revenue to date of customers with at least one counted order ÷ their
 * number (what an average buying customer has spent so far; from the kept stats).
 */
export async function historicalLtv(db: Db, storeId: number): Promise<{ buyers: number; ltvMinor: bigint }> {
  const [r] = await db.$queryRaw<{ buyers: number; revenue: bigint }[]>`
    SELECT count(*)::int AS buyers, coalesce(sum("revenueMinor"), 0)::bigint AS revenue
    FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "ordersCount" > 0`;
  return { buyers: r!.buyers, ltvMinor: r!.buyers ? r!.revenue / BigInt(r!.buyers) : 0n };
}

/**
 * Checkout conversion = checkouts started in the period that completed (into an order) ÷
 * checkouts started in the period. Null when none started.
 */
export async function checkoutConversion(db: Db, storeId: number, period: Period = {}): Promise<{ started: number; completed: number; rate: number | null }> {
  const [r] = await db.$queryRaw<{ started: number; completed: number }[]>`
    SELECT count(*)::int AS started, count(*) FILTER (WHERE c."completedAt" IS NOT NULL OR c."completedOrderId" IS NOT NULL)::int AS completed
    FROM "Checkout" c WHERE c."storeId" = ${storeId} ${inPeriod(Prisma.sql`c."startedAt"`, period)}`;
  return { ...r!, rate: r!.started ? r!.completed / r!.started : null };
}

/**
 * Recovered revenue = net revenue of counted orders credited to a follow-up message: placed by the
 * same customer within the store's attribution window (default 7 days) after the message or its
 * click, or a boleto/Pix reminder's order paid inside it; each order once, to the latest message.
 * One definition, the follow-ups' (app/core/flows/attribution.server.ts), totalled over all flows.
 */
export async function recoveredRevenue(db: Db, storeId: number, period: Period = {}): Promise<{ orders: number; revenueMinor: bigint }> {
  const r = await flowRecoveredRevenue(db, storeId, { from: period.from ?? new Date(0), to: period.to ?? new Date(Date.now() + 86_400_000) });
  return { orders: r.orders, revenueMinor: r.totalMinor };
}

export interface SpendBin {
  fromMinor: number;
  /** null: the open-ended last bin. */
  toMinor: number | null;
  customers: number;
}

/**
 * Distribution of buying customers (≥ 1 counted order) by net total spent, in bins of 1-2-5 steps
 * (spendBinEdges) sized to the store's largest customer. Empty for a store without buyers.
 */
export async function spendHistogram(db: Db, storeId: number, minorPerMajor = 100): Promise<SpendBin[]> {
  const [{ max }] = (await db.$queryRaw<{ max: bigint | null }[]>`
    SELECT max("revenueMinor") AS max FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "ordersCount" > 0`) as [{ max: bigint | null }];
  const buyers = await db.customerStats.count({ where: { storeId, ordersCount: { gt: 0 } } });
  if (!buyers) return [];
  const edges = spendBinEdges(max && max > 0n ? max : 1n, minorPerMajor);
  const rows = await db.$queryRaw<{ bucket: number; customers: number }[]>`
    SELECT width_bucket(greatest("revenueMinor", 0), ${edges}::bigint[])::int AS bucket, count(*)::int AS customers
    FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "ordersCount" > 0 GROUP BY 1`;
  const counts = new Map(rows.map((r) => [r.bucket, r.customers]));
  return [0, ...edges].map((from, i) => ({ fromMinor: from, toMinor: edges[i] ?? null, customers: counts.get(i) ?? 0 }));
}

export interface Cohort {
  /** First day of the cohort's month (YYYY-MM-01), store-local. */
  month: string;
  customers: number;
  /** retained[k] = customers of the cohort with a counted order k months after their first month (retained[0] = customers). */
  retained: number[];
}

/**
 * Cohort retention by month of first purchase: customers grouped by the store-local month of
 * their first counted order; for each later month, how many of them placed a counted order in it.
 * Months run up to `asOf`'s month.
 */
export async function cohortRetention(db: Db, storeId: number, asOf = new Date()): Promise<Cohort[]> {
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { timezone: true } });
  const tz = Prisma.sql`${store.timezone}::text`;
  const month = (col: Prisma.Sql) => Prisma.sql`date_trunc('month', ${localDate(col, tz)})::date`;
  const rows = await db.$queryRaw<{ cohort: Date; offset: number; customers: number }[]>`
    WITH first AS (
      SELECT o."customerId", min(${month(Prisma.sql`o."placedAt"`)}) AS cohort
      FROM "Order" o WHERE o."storeId" = ${storeId} AND o."customerId" IS NOT NULL AND ${COUNTED_ORDER} GROUP BY 1),
    active AS (
      SELECT DISTINCT o."customerId", ${month(Prisma.sql`o."placedAt"`)} AS m
      FROM "Order" o WHERE o."storeId" = ${storeId} AND o."customerId" IS NOT NULL AND ${COUNTED_ORDER})
    SELECT f.cohort, ((extract(year FROM a.m) - extract(year FROM f.cohort)) * 12 + extract(month FROM a.m) - extract(month FROM f.cohort))::int AS "offset",
           count(*)::int AS customers
    FROM first f JOIN active a USING ("customerId")
    WHERE a.m <= ${month(utcTimestamp(asOf))}
    GROUP BY 1, 2 ORDER BY 1, 2`;
  return cohortsFromRows(rows);
}

export { rfmSegmentSummary as revenueBySegment } from "./rfm.server.ts";

/**
 * cohortRetention limited to the cohorts of the last `months` store-local months (including
 * asOf's), for the dashboard: the same numbers for those cohorts, but the first month comes from
 * the kept stats (CustomerStats.firstOrderAt, same counted-order rule) and only orders since the
 * first of those months are read, so a store's whole history is not scanned per page view.
 */
export async function recentCohortRetention(db: Db, storeId: number, months = 12, asOf = new Date()): Promise<Cohort[]> {
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { timezone: true } });
  const tz = Prisma.sql`${store.timezone}::text`;
  const month = (col: Prisma.Sql) => Prisma.sql`date_trunc('month', ${localDate(col, tz)})::date`;
  // The first shown month's start, store-local, and that instant in UTC (constants: index ranges).
  const firstLocal = Prisma.sql`(date_trunc('month', ${asOf.toISOString()}::timestamptz AT TIME ZONE ${tz}) - make_interval(months => ${months - 1}::int))`;
  const since = Prisma.sql`((${firstLocal} AT TIME ZONE ${tz}) AT TIME ZONE 'UTC')`;
  const last = month(utcTimestamp(asOf));
  const rows = await db.$queryRaw<{ cohort: Date; offset: number; customers: number }[]>`
    WITH first AS (
      SELECT cs."customerId", ${month(Prisma.sql`cs."firstOrderAt"`)} AS cohort
      FROM "CustomerStats" cs
      WHERE cs."storeId" = ${storeId} AND cs."ordersCount" > 0 AND cs."firstOrderAt" >= ${since}),
    active AS (
      SELECT DISTINCT o."customerId", ${month(Prisma.sql`o."placedAt"`)} AS m
      FROM "Order" o JOIN first f ON f."customerId" = o."customerId"
      WHERE o."storeId" = ${storeId} AND ${COUNTED_ORDER} AND o."placedAt" >= ${since})
    SELECT f.cohort, ((extract(year FROM a.m) - extract(year FROM f.cohort)) * 12 + extract(month FROM a.m) - extract(month FROM f.cohort))::int AS "offset",
           count(*)::int AS customers
    FROM first f JOIN active a USING ("customerId")
    WHERE a.m >= f.cohort AND a.m <= ${last}
    GROUP BY 1, 2 ORDER BY 1, 2`;
  return cohortsFromRows(rows);
}

/** (cohort month, months since, customers) rows → one Cohort per month. */
function cohortsFromRows(rows: { cohort: Date; offset: number; customers: number }[]): Cohort[] {
  const cohorts = new Map<string, Cohort>();
  for (const r of rows) {
    const key = r.cohort.toISOString().slice(0, 10);
    const c = cohorts.get(key) ?? { month: key, customers: 0, retained: [] };
    cohorts.set(key, c);
    while (c.retained.length <= r.offset) c.retained.push(0);
    c.retained[r.offset] = r.customers;
    if (r.offset === 0) c.customers = r.customers;
  }
  return [...cohorts.values()];
}
