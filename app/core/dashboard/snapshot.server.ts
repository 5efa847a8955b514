// The dashboard figures that need a pass over every customer or every order of a period: distinct
// buyers (active customers, purchase frequency, repeat rate) per period, the RFM grid, the spend
// histogram and the cohort retention table. On a small store they are computed live on every view;
// on a big one (more than LIVE_CUSTOMER_LIMIT customers) they are computed in the background and
// kept in DashboardSnapshot with their time, which the page shows ("updated at …"). A snapshot is
// refreshed when a rescoring run is newer than it, when the store-local day changed, or after
// SNAPSHOT_MAX_AGE_MS; the page keeps showing the previous one meanwhile.
import type { Db } from "#app/db/client.server.ts";
import { historicalLtv, orderMetrics, recentCohortRetention, spendHistogram, type Cohort, type SpendBin } from "#app/core/analytics/metrics.server.ts";
import { RFM_SEGMENTS, type RfmSegment } from "#app/core/analytics/segments.ts";
import { currencyDigits } from "#app/core/money.ts";
import { localDayStart } from "./daily.server.ts";
import { DASHBOARD_PERIODS, type DashboardPeriod } from "./periods.ts";

export const LIVE_CUSTOMER_LIMIT = 20_000;
export const SNAPSHOT_MAX_AGE_MS = 60 * 60 * 1000;
export const COHORT_MONTHS = 12;

/** Integers only (the ratios are derived on read: exact through JSON). */
export interface BuyerMetrics {
  buyers: number;
  /** Counted orders of identified customers, and buyers with ≥ 2 of them, in the period. */
  buyerOrders: number;
  repeaters: number;
}

export interface RfmCell {
  r: number;
  f: number;
  segment: RfmSegment;
  customers: number;
  revenueMinor: string;
}

export interface ScanFigures {
  /** null: computed live for this answer. */
  computedAt: string | null;
  /** Store-local day the periods end on (YYYY-MM-DD). */
  asOfDay: string;
  /** Every period in a kept snapshot; only the period asked for when computed live. */
  buyers: Partial<Record<DashboardPeriod, { current: BuyerMetrics; previous: BuyerMetrics }>>;
  /** Historical LTV (net revenue to date ÷ buying customers), minor units. */
  ltvMinor: string;
  grid: RfmCell[];
  histogram: SpendBin[];
  cohorts: Cohort[];
}

/** Customers and revenue per (R, F) cell of the latest scores: the 5 × 5 grid. */
export async function rfmGrid(db: Db, storeId: number): Promise<RfmCell[]> {
  const rows = await db.$queryRaw<{ r: number; f: number; segment: string; customers: number; revenue: bigint }[]>`
    SELECT "rScore" AS r, "fScore" AS f, min("rfmSegment") AS segment, count(*)::int AS customers, coalesce(sum("revenueMinor"), 0)::bigint AS revenue
    FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "rScore" IS NOT NULL AND "fScore" IS NOT NULL
    GROUP BY 1, 2 ORDER BY 1, 2`;
  return rows
    .filter((r) => (RFM_SEGMENTS as readonly string[]).includes(r.segment))
    .map((r) => ({ r: r.r, f: r.f, segment: r.segment as RfmSegment, customers: r.customers, revenueMinor: r.revenue.toString() }));
}

async function buyerMetrics(db: Db, storeId: number, from: Date, to: Date): Promise<BuyerMetrics> {
  const m = await orderMetrics(db, storeId, { from, to });
  return { buyers: m.buyers, buyerOrders: m.buyerOrders, repeaters: m.repeaters };
}

async function pageFigures(db: Db, store: { id: number; currency: string }, today: string, now: Date, periods: readonly DashboardPeriod[] = DASHBOARD_PERIODS) {
  const buyers = {} as ScanFigures["buyers"];
  for (const days of periods) {
    const from = await localDayStart(db, store.id, today, 1 - days);
    const prevFrom = await localDayStart(db, store.id, today, 1 - 2 * days);
    const [current, previous] = await Promise.all([buyerMetrics(db, store.id, from, now), buyerMetrics(db, store.id, prevFrom, from)]);
    buyers[days] = { current, previous };
  }
  const [grid, histogram, ltv] = await Promise.all([rfmGrid(db, store.id), spendHistogram(db, store.id, 10 ** currencyDigits(store.currency)), historicalLtv(db, store.id)]);
  return { buyers, grid, histogram, ltvMinor: ltv.ltvMinor.toString() };
}

/**
 * Everything scan-based, from scratch, as of `now`: periods are the `days` store-local days
 * ending on `today` (up to `now`) and the `days` before, the same days the daily totals sum.
 */
export async function computeScanFigures(db: Db, store: { id: number; currency: string }, today: string, now = new Date()): Promise<Omit<ScanFigures, "computedAt">> {
  const [page, cohorts] = await Promise.all([pageFigures(db, store, today, now), recentCohortRetention(db, store.id, COHORT_MONTHS, now)]);
  return { asOfDay: today, ...page, cohorts };
}

const running = new WeakMap<Db, Map<number, Promise<boolean>>>();

/**
 * Compute and keep the snapshot; resolves when a snapshot that started after this call is kept.
 * In this process one refresh per store runs at a time: a call during a run waits for it and then
 * runs once more (calls during that wait share the one more run). Two processes refreshing at
 * once both write a correct snapshot.
 */
export function refreshSnapshot(db: Db, store: { id: number; currency: string }, today: string, now = new Date()): Promise<boolean> {
  const mine = running.get(db) ?? new Map<number, Promise<boolean>>();
  running.set(db, mine);
  const queued = queuedRuns.get(mine)?.get(store.id);
  if (queued) return queued;
  const busy = mine.get(store.id);
  const run = async () => {
    const figures = await computeScanFigures(db, store, today, now);
    const data = JSON.parse(JSON.stringify(figures)) as object;
    await db.dashboardSnapshot.upsert({
      where: { storeId: store.id },
      create: { storeId: store.id, computedAt: now, asOfDay: today, data },
      update: { computedAt: now, asOfDay: today, data },
    });
    return true;
  };
  if (!busy) {
    const p = run().finally(() => mine.delete(store.id));
    mine.set(store.id, p);
    return p;
  }
  const q = queuedRuns.get(mine) ?? new Map<number, Promise<boolean>>();
  queuedRuns.set(mine, q);
  const next = busy
    .catch(() => false)
    .then(() => {
      q.delete(store.id);
      return refreshSnapshot(db, store, today, now);
    });
  q.set(store.id, next);
  return next;
}
const queuedRuns = new WeakMap<Map<number, Promise<boolean>>, Map<number, Promise<boolean>>>();

export interface ScanOptions {
  /** Stores with at most this many customers get live figures (default LIVE_CUSTOMER_LIMIT). */
  liveLimit?: number;
  /** Where a background refresh's failure is reported. */
  onError?: (err: unknown) => void;
  /** Marked days recounted inside the request (default INLINE_REFRESH_DAYS). */
  inlineDays?: number;
}

type Part = "page" | "cohorts";
export type PageScan = Omit<ScanFigures, "cohorts">;
export type CohortScan = Pick<ScanFigures, "computedAt" | "asOfDay" | "cohorts">;

/**
 * The scan-based figures for the page (part "page": buyers, grid, histogram) or for the cohort
 * table's own request (part "cohorts"): live on a small store; else the kept snapshot (computed
 * here on the very first view), with a background refresh started when it is out of date.
 */
export async function scanFigures(db: Db, store: { id: number; currency: string }, customers: number, today: string, part: Part, days: DashboardPeriod, now = new Date(), opts: ScanOptions = {}): Promise<ScanFigures | PageScan | CohortScan> {
  if (customers <= (opts.liveLimit ?? LIVE_CUSTOMER_LIMIT)) {
    if (part === "cohorts") return { computedAt: null, asOfDay: today, cohorts: await recentCohortRetention(db, store.id, COHORT_MONTHS, now) };
    // Live: only the period asked for.
    return { computedAt: null, asOfDay: today, ...(await pageFigures(db, store, today, now, [days])) };
  }
  const [snap, lastRun] = await Promise.all([
    db.dashboardSnapshot.findUnique({ where: { storeId: store.id } }),
    db.rfmRun.findFirst({ where: { storeId: store.id }, orderBy: { id: "desc" }, select: { createdAt: true } }),
  ]);
  if (!snap) {
    await refreshSnapshot(db, store, today, now);
    const fresh = await db.dashboardSnapshot.findUniqueOrThrow({ where: { storeId: store.id } });
    return { computedAt: fresh.computedAt.toISOString(), ...(fresh.data as unknown as Omit<ScanFigures, "computedAt">) };
  }
  const stale = snap.asOfDay !== today || now.getTime() - snap.computedAt.getTime() > SNAPSHOT_MAX_AGE_MS || (lastRun !== null && lastRun.createdAt > snap.computedAt);
  if (stale) refreshSnapshot(db, store, today, now).catch((err: unknown) => opts.onError?.(err));
  return { computedAt: snap.computedAt.toISOString(), ...(snap.data as unknown as Omit<ScanFigures, "computedAt">) };
}
