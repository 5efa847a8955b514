// The dashboard's data for one store (all keyed by storeId). Two sources, so that every answer is
// a few index reads on a store of a million customers:
// - period sums (orders, revenue, average ticket, checkout conversion, customers) from the kept
//   daily totals (daily.server.ts: exact, refreshed for the touched days before each read);
// - figures that need a pass over every customer or order of a period (distinct buyers, purchase
//   frequency, repeat rate, LTV, RFM grid, spend histogram, cohorts) from snapshot.server.ts: live
//   on small stores, a kept snapshot with its time on big ones.
// Metric definitions live in app/core/analytics/metrics.server.ts; money as strings (JSON).
import type { Db } from "#app/db/client.server.ts";
import { checkoutConversion, historicalLtv, orderMetrics, recentCohortRetention, spendHistogram, type Cohort } from "#app/core/analytics/metrics.server.ts";
import type { RfmSegment } from "#app/core/analytics/segments.ts";
import type { Transition } from "#app/core/analytics/rfm.server.ts";
import { currencyDigits } from "#app/core/money.ts";
import { dailyTotals, localDayStart, refreshDailyStatsBounded, type DailyTotals } from "./daily.server.ts";
import { COHORT_MONTHS, rfmGrid, scanFigures, type BuyerMetrics, type CohortScan, type PageScan, type ScanOptions } from "./snapshot.server.ts";
import { comparePeriods, DASHBOARD_PERIODS, type DashboardPeriod, type Delta } from "./periods.ts";

export { rfmGrid, type RfmCell } from "./snapshot.server.ts";
export { COHORT_MONTHS };

export interface Kpi {
  id: "customers" | "activeCustomers" | "averageTicket" | "purchaseFrequency" | "repeatRate" | "ltv" | "checkoutConversion";
  /** Money KPIs: minor units as a string; rates 0–1; counts and frequencies as numbers. */
  value: number | string | null;
  kind: "count" | "money" | "rate" | "ratio";
  delta: Delta | null;
  /** When a kept snapshot gave the figure (ISO instant); absent: computed for this answer. */
  updatedAt?: string;
}

function checkPeriod(days: number): asserts days is DashboardPeriod {
  if (!(DASHBOARD_PERIODS as readonly number[]).includes(days)) throw new RangeError(`period must be one of ${DASHBOARD_PERIODS.join(", ")} days`);
}

/** Average ticket = net revenue ÷ counted orders (0 without orders), rounded to the minor unit. */
const ticket = (revenue: bigint, orders: number) => (orders ? (revenue * 2n + BigInt(orders)) / (2n * BigInt(orders)) : 0n);
const rate = (done: number, started: number) => (started ? done / started : null);
/** Purchase frequency and repeat rate as orderMetrics defines them (0 without buyers). */
const frequency = (b: BuyerMetrics) => (b.buyers ? b.buyerOrders / b.buyers : 0);
const repeatRate = (b: BuyerMetrics) => (b.buyers ? b.repeaters / b.buyers : 0);

/** The KPI cards from the daily totals and the scan figures of one period. */
export function kpisOf(daily: DailyTotals, scan: PageScan, days: DashboardPeriod): Kpi[] {
  const { current: cur, previous: prev } = daily;
  const b = scan.buyers[days];
  if (!b) throw new Error(`no buyer figures for ${days} days`);
  const at = scan.computedAt ? { updatedAt: scan.computedAt } : {};
  const curTicket = ticket(cur.revenueMinor, cur.orders);
  const conv = rate(cur.checkoutsCompleted, cur.checkoutsStarted);
  const prevConv = rate(prev.checkoutsCompleted, prev.checkoutsStarted);
  return [
    { id: "customers", kind: "count", value: daily.customers, delta: comparePeriods(daily.customers, daily.customersBefore) },
    { id: "activeCustomers", kind: "count", value: b.current.buyers, delta: comparePeriods(b.current.buyers, b.previous.buyers), ...at },
    { id: "averageTicket", kind: "money", value: curTicket.toString(), delta: comparePeriods(Number(curTicket), Number(ticket(prev.revenueMinor, prev.orders))) },
    { id: "purchaseFrequency", kind: "ratio", value: frequency(b.current), delta: comparePeriods(frequency(b.current), frequency(b.previous)), ...at },
    { id: "repeatRate", kind: "rate", value: repeatRate(b.current), delta: comparePeriods(repeatRate(b.current), repeatRate(b.previous)), ...at },
    { id: "ltv", kind: "money", value: scan.ltvMinor, delta: null, ...at },
    { id: "checkoutConversion", kind: "rate", value: conv, delta: conv === null || prevConv === null ? null : comparePeriods(conv, prevConv) },
  ];
}

/**
 * The same cards computed from scratch over the orders, checkouts and customers (the previous
 * implementation, no kept state), for the same store-local days: the reference the kept figures
 * are checked and benchmarked against.
 */
export async function dashboardKpisFromScratch(db: Db, storeId: number, days: DashboardPeriod, today: string, now = new Date()): Promise<Kpi[]> {
  checkPeriod(days);
  const from = await localDayStart(db, storeId, today, 1 - days);
  const prevFrom = await localDayStart(db, storeId, today, 1 - 2 * days);
  const [cur, prev, conv, prevConv, ltv, customers] = await Promise.all([
    orderMetrics(db, storeId, { from, to: now }),
    orderMetrics(db, storeId, { from: prevFrom, to: from }),
    checkoutConversion(db, storeId, { from, to: now }),
    checkoutConversion(db, storeId, { from: prevFrom, to: from }),
    historicalLtv(db, storeId),
    db.$queryRaw<{ total: number; before: number }[]>`
      SELECT count(*)::int AS total, count(*) FILTER (WHERE coalesce("platformCreatedAt", "createdAt") < (${from.toISOString()}::timestamptz AT TIME ZONE 'UTC'))::int AS before
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

/**
 * Refresh the touched days (inline when few, see refreshDailyStatsBounded), then the period sums
 * (the first step of both dashboard answers).
 */
async function keptTotals(db: Db, storeId: number, days: DashboardPeriod, now: Date, opts: ScanOptions): Promise<DailyTotals & { pendingDays: number }> {
  const { pendingDays } = await refreshDailyStatsBounded(db, storeId, { onError: opts.onError, ...(opts.inlineDays !== undefined ? { inlineDays: opts.inlineDays } : {}) });
  return { ...(await dailyTotals(db, storeId, days, now)), pendingDays };
}

/**
 * The dashboard's first answer. Cohorts are not in it: the page asks for them separately
 * (dashboardCohorts) and shows them when they come.
 */
export async function loadDashboard(db: Db, store: { id: number; currency: string }, days: DashboardPeriod, now = new Date(), opts: ScanOptions = {}) {
  checkPeriod(days);
  const [daily, history] = await Promise.all([keptTotals(db, store.id, days, now, opts), segmentHistory(db, store.id)]);
  const scan = (await scanFigures(db, store, daily.customers, daily.today, "page", days, now, opts)) as PageScan;
  return {
    kpis: kpisOf(daily, scan, days),
    grid: scan.grid,
    histogram: scan.histogram,
    history,
    /** All-time counted orders and net revenue (the totals row). */
    allTime: daily.allTime,
    customers: daily.customers,
    /** null: the scan figures were computed for this answer; else when the kept snapshot was. */
    scannedAt: scan.computedAt,
    /** Marked days still being recounted in the background (after an import); 0: totals complete. */
    pendingDays: daily.pendingDays,
  };
}

/** The cohort table's own request: the last COHORT_MONTHS months' cohorts, and when they were computed. */
export async function dashboardCohorts(db: Db, store: { id: number; currency: string }, now = new Date(), opts: ScanOptions = {}): Promise<{ cohorts: Cohort[]; computedAt: string | null }> {
  const daily = await keptTotals(db, store.id, 30, now, opts);
  const scan = (await scanFigures(db, store, daily.customers, daily.today, "cohorts", 30, now, opts)) as CohortScan;
  return { cohorts: scan.cohorts, computedAt: scan.computedAt };
}

/** The previous cohort request, from scratch (the benchmark's reference). */
export function dashboardCohortsFromScratch(db: Db, storeId: number, now = new Date()): Promise<Cohort[]> {
  return recentCohortRetention(db, storeId, COHORT_MONTHS, now);
}

/** The previous first answer's scan parts, from scratch (the benchmark's reference). */
export async function scanPartsFromScratch(db: Db, store: { id: number; currency: string }) {
  return Promise.all([rfmGrid(db, store.id), spendHistogram(db, store.id, 10 ** currencyDigits(store.currency))]);
}
