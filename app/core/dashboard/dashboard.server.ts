// The dashboard's data for one store, a few SQL statements per widget (all keyed by storeId).
// Metric definitions live in app/core/analytics/metrics.server.ts; this file picks periods and
// shapes the answers for the page (money as strings: loaders send JSON).
import type { Db } from "#app/db/client.server.ts";
import { checkoutConversion, historicalLtv, orderMetrics, recentCohortRetention, spendHistogram, type Cohort } from "#app/core/analytics/metrics.server.ts";
import { RFM_SEGMENTS, type RfmSegment } from "#app/core/analytics/segments.ts";
import type { Transition } from "#app/core/analytics/rfm.server.ts";
import { currencyDigits } from "#app/core/money.ts";
import { comparePeriods, DASHBOARD_PERIODS, type DashboardPeriod, type Delta } from "./periods.ts";

export interface Kpi {
  id: "customers" | "activeCustomers" | "averageTicket" | "purchaseFrequency" | "repeatRate" | "ltv" | "checkoutConversion";
  /** Money KPIs: minor units as a string; rates 0–1; counts and frequencies as numbers. */
  value: number | string | null;
  kind: "count" | "money" | "rate" | "ratio";
  delta: Delta | null;
}

export interface RfmCell {
  r: number;
  f: number;
  segment: RfmSegment;
  customers: number;
  revenueMinor: string;
}

const DAY = 86_400_000;

export async function dashboardKpis(db: Db, storeId: number, days: DashboardPeriod, now = new Date()): Promise<Kpi[]> {
  if (!DASHBOARD_PERIODS.includes(days)) throw new RangeError(`period must be one of ${DASHBOARD_PERIODS.join(", ")} days`);
  const from = new Date(now.getTime() - days * DAY);
  const prevFrom = new Date(from.getTime() - days * DAY);
  const [cur, prev, conv, prevConv, ltv, customers] = await Promise.all([
    orderMetrics(db, storeId, { from, to: now }),
    orderMetrics(db, storeId, { from: prevFrom, to: from }),
    checkoutConversion(db, storeId, { from, to: now }),
    checkoutConversion(db, storeId, { from: prevFrom, to: from }),
    historicalLtv(db, storeId),
    db.$queryRaw<{ total: number; before: number }[]>`
      SELECT count(*)::int AS total, count(*) FILTER (WHERE coalesce("platformCreatedAt", "createdAt") < ${from})::int AS before
      FROM "Customer" WHERE "storeId" = ${storeId} AND "erasedAt" IS NULL`,
  ]);
  const c = customers[0]!;
  return [
    { id: "customers", kind: "count", value: c.total, delta: comparePeriods(c.total, c.before) },
    { id: "activeCustomers", kind: "count", value: cur.buyers, delta: comparePeriods(cur.buyers, prev.buyers) },
    { id: "averageTicket", kind: "money", value: cur.averageTicketMinor.toString(), delta: comparePeriods(Number(cur.averageTicketMinor), Number(prev.averageTicketMinor)) },
    { id: "purchaseFrequency", kind: "ratio", value: cur.purchaseFrequency, delta: comparePeriods(cur.purchaseFrequency, prev.purchaseFrequency) },
    { id: "repeatRate", kind: "rate", value: cur.repeatPurchaseRate, delta: comparePeriods(cur.repeatPurchaseRate, prev.repeatPurchaseRate) },
    { id: "ltv", kind: "money", value: ltv.ltvMinor.toString(), delta: null },
    { id: "checkoutConversion", kind: "rate", value: conv.rate, delta: conv.rate === null || prevConv.rate === null ? null : comparePeriods(conv.rate, prevConv.rate) },
  ];
}

/** Customers and revenue per (R, F) cell of the latest scores: the 5 × 5 grid. */
export async function rfmGrid(db: Db, storeId: number): Promise<RfmCell[]> {
  const rows = await db.$queryRaw<{ r: number; f: number; segment: string; customers: number; revenue: bigint }[]>`
    SELECT "rScore" AS r, "fScore" AS f, min("rfmSegment") AS segment, count(*)::int AS customers, coalesce(sum("revenueMinor"), 0)::bigint AS revenue
    FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "rScore" IS NOT NULL AND "fScore" IS NOT NULL
    GROUP BY 1, 2`;
  return rows
    .filter((r) => (RFM_SEGMENTS as readonly string[]).includes(r.segment))
    .map((r) => ({ r: r.r, f: r.f, segment: r.segment as RfmSegment, customers: r.customers, revenueMinor: r.revenue.toString() }));
}

export interface SegmentHistory {
  runs: { runId: number; at: string; sizes: Partial<Record<RfmSegment, number>> }[];
  /** Moves between the previous run and the latest one (from the latest run's record). */
  transitions: Transition[];
}

/**
 * Segment sizes per rescoring run and the latest transition matrix, read from the runs' own
 * records (RfmRun.params.transitions: previous segment → new segment counts), so no snapshot of a
 * million rows is scanned per page view.
 */
export async function segmentHistory(db: Db, storeId: number, runs = 30): Promise<SegmentHistory> {
  const rows = await db.rfmRun.findMany({ where: { storeId }, orderBy: { id: "desc" }, take: runs, select: { id: true, createdAt: true, params: true } });
  const out: SegmentHistory["runs"] = [];
  for (const run of rows.reverse()) {
    const transitions = ((run.params as { transitions?: Transition[] } | null)?.transitions ?? []) as Transition[];
    const sizes: Partial<Record<RfmSegment, number>> = {};
    for (const t of transitions) if (t.to) sizes[t.to] = (sizes[t.to] ?? 0) + t.customers;
    out.push({ runId: run.id, at: run.createdAt.toISOString(), sizes });
  }
  const latest = rows[rows.length - 1];
  const transitions = ((latest?.params as { transitions?: Transition[] } | null)?.transitions ?? []) as Transition[];
  return { runs: out, transitions };
}

export async function loadDashboard(db: Db, store: { id: number; currency: string }, days: DashboardPeriod, now = new Date()) {
  const minorPerMajor = 10 ** currencyDigits(store.currency);
  const [kpis, grid, histogram, history, cohorts] = await Promise.all([
    dashboardKpis(db, store.id, days, now),
    rfmGrid(db, store.id),
    spendHistogram(db, store.id, minorPerMajor),
    segmentHistory(db, store.id),
    recentCohortRetention(db, store.id, 12, now),
  ]);
  return { kpis, grid, histogram, history, cohorts: cohorts satisfies Cohort[] };
}
