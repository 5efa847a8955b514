// Per-store daily totals (StoreDailyStats), kept exactly right: triggers on Order, Checkout and
// Customer (migration 20261123201742_dashboard_aggregates) append a mark for every store-local
// day a write touched, whatever code path wrote it (webhooks, bulk backfill, reconcile, erasure,
// deletion); refreshDailyStats recomputes those days from scratch, in one statement, before the
// dashboard reads. A period's totals are then a sum over at most 730 rows.
//
// Why it is exact: the marks are append-only (writers never wait on each other), and the refresh
// deletes the marks and recomputes their days in ONE statement, so under READ COMMITTED both see
// the same snapshot: a mark it deletes belongs to a committed write whose rows it reads; a mark
// committed later is not deleted and is picked up by the next refresh.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { COUNTED_ORDER, utcTimestamp } from "#app/core/ingest/customer-stats.server.ts";

export interface DailyRow {
  day: string;
  orders: number;
  revenueMinor: bigint;
  checkoutsStarted: number;
  checkoutsCompleted: number;
  newCustomers: number;
}

/**
 * The totals of one store-local day [b.lo, b.hi) (UTC bounds), by the same rules as the metrics.
 * Only the parts marked dirty (b.orders, b.checkouts, b.customers: booleans) are recounted; the
 * others keep the kept row's value (k.*; CASE evaluates only the branch taken).
 */
function dayTotalsSql(storeId: number, all: boolean): Prisma.Sql {
  const part = (flag: string, column: string, count: Prisma.Sql) =>
    all ? count : Prisma.sql`CASE WHEN b.${Prisma.raw(flag)} THEN ${count} ELSE coalesce(k.${Prisma.raw(`"${column}"`)}, 0) END`;
  return Prisma.sql`
    ${part("orders", "orders", Prisma.sql`(SELECT count(*)::int FROM "Order" o WHERE o."storeId" = ${storeId} AND o."placedAt" >= b.lo AND o."placedAt" < b.hi AND ${COUNTED_ORDER})`)} AS orders,
    ${part("orders", "revenueMinor", Prisma.sql`(SELECT coalesce(sum(o."totalMinor" - o."refundedMinor"), 0)::bigint FROM "Order" o WHERE o."storeId" = ${storeId} AND o."placedAt" >= b.lo AND o."placedAt" < b.hi AND ${COUNTED_ORDER})`)} AS "revenueMinor",
    ${part("checkouts", "checkoutsStarted", Prisma.sql`(SELECT count(*)::int FROM "Checkout" c WHERE c."storeId" = ${storeId} AND c."startedAt" >= b.lo AND c."startedAt" < b.hi)`)} AS "checkoutsStarted",
    ${part("checkouts", "checkoutsCompleted", Prisma.sql`(SELECT count(*)::int FROM "Checkout" c WHERE c."storeId" = ${storeId} AND c."startedAt" >= b.lo AND c."startedAt" < b.hi
       AND (c."completedAt" IS NOT NULL OR c."completedOrderId" IS NOT NULL))`)} AS "checkoutsCompleted",
    ${part("customers", "newCustomers", Prisma.sql`(SELECT count(*)::int FROM "Customer" cu WHERE cu."storeId" = ${storeId} AND coalesce(cu."platformCreatedAt", cu."createdAt") >= b.lo
       AND coalesce(cu."platformCreatedAt", cu."createdAt") < b.hi AND cu."erasedAt" IS NULL)`)} AS "newCustomers"`;
}

/** UTC bounds of store-local days `d` (a date column), with the store's time zone `s.timezone`. */
const BOUNDS = Prisma.sql`((d.day::timestamp AT TIME ZONE s.timezone) AT TIME ZONE 'UTC') AS lo, (((d.day + 1)::timestamp AT TIME ZONE s.timezone) AT TIME ZONE 'UTC') AS hi`;

/**
 * Recompute the days marked dirty for one store. Returns how many days were recomputed (0 when
 * nothing changed since the last refresh: one index probe). Per day only the parts a write
 * touched (orders, checkouts, customers) are recounted. Refreshes of one store are serialised
 * (transaction advisory lock) so an older snapshot never overwrites a newer one.
 */
export async function refreshDailyStats(db: Db, storeId: number): Promise<number> {
  const [pending] = await db.$queryRaw<{ any: boolean }[]>`SELECT EXISTS (SELECT 1 FROM "DashboardDirtyDay" WHERE "storeId" = ${storeId}) AS any`;
  if (!pending?.any) return 0;
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('dashboard-daily'), ${storeId}::int)`;
    const rows = await tx.$queryRaw<{ n: number }[]>`
      WITH marks AS (DELETE FROM "DashboardDirtyDay" WHERE "storeId" = ${storeId} RETURNING day, part),
      d AS (SELECT day, bool_or(part = 1) AS orders, bool_or(part = 2) AS checkouts, bool_or(part = 3) AS customers FROM marks GROUP BY day),
      b AS (SELECT d.*, ${BOUNDS} FROM d JOIN "Store" s ON s.id = ${storeId}),
      up AS (
        INSERT INTO "StoreDailyStats" ("storeId", day, orders, "revenueMinor", "checkoutsStarted", "checkoutsCompleted", "newCustomers", "updatedAt")
        SELECT ${storeId}, b.day, t.* , now() FROM b
        LEFT JOIN "StoreDailyStats" k ON k."storeId" = ${storeId} AND k.day = b.day
        CROSS JOIN LATERAL (SELECT ${dayTotalsSql(storeId, false)}) t
        ON CONFLICT ("storeId", day) DO UPDATE SET orders = EXCLUDED.orders, "revenueMinor" = EXCLUDED."revenueMinor",
          "checkoutsStarted" = EXCLUDED."checkoutsStarted", "checkoutsCompleted" = EXCLUDED."checkoutsCompleted",
          "newCustomers" = EXCLUDED."newCustomers", "updatedAt" = now()
        RETURNING 1)
      SELECT count(*)::int AS n FROM up`;
    return rows[0]?.n ?? 0;
  }, { timeout: 600_000, maxWait: 60_000 });
}

/** At most this many marked days are recounted inside a request; more go to the background. */
export const INLINE_REFRESH_DAYS = 31;

const background = new WeakMap<Db, Map<number, Promise<number>>>();

/**
 * What a request does before reading the daily totals: recount the marked days inline when there
 * are few (the usual case: today and a few days with refunds), or, after an import marked many
 * days on a big store, start one background refresh per store (in this process) and answer with
 * the rows as they are, saying how many days are still being recounted.
 */
export async function refreshDailyStatsBounded(db: Db, storeId: number, opts: { inlineDays?: number; onError?: (err: unknown) => void } = {}): Promise<{ pendingDays: number }> {
  const [r] = await db.$queryRaw<{ days: number }[]>`SELECT count(DISTINCT day)::int AS days FROM "DashboardDirtyDay" WHERE "storeId" = ${storeId}`;
  const days = r?.days ?? 0;
  if (days === 0) return { pendingDays: 0 };
  if (days <= (opts.inlineDays ?? INLINE_REFRESH_DAYS)) {
    await refreshDailyStats(db, storeId);
    return { pendingDays: 0 };
  }
  const mine = background.get(db) ?? new Map<number, Promise<number>>();
  background.set(db, mine);
  if (!mine.has(storeId)) {
    const p = refreshDailyStats(db, storeId).finally(() => mine.delete(storeId));
    p.catch((err: unknown) => opts.onError?.(err));
    mine.set(storeId, p);
  }
  return { pendingDays: days };
}

/** The background refresh running for a store in this process, if any (tests wait for it). */
export function runningDailyRefresh(db: Db, storeId: number): Promise<number> | undefined {
  return background.get(db)?.get(storeId);
}

/** Throw the kept rows away and rebuild every day with activity (after a restore, or to check). */
export async function recomputeDailyStats(db: Db, storeId: number): Promise<number> {
  await db.$transaction([
    db.$executeRaw`DELETE FROM "StoreDailyStats" WHERE "storeId" = ${storeId}`,
    db.$executeRaw`
      INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
      SELECT ${storeId}, x.part, x.day FROM "Store" s CROSS JOIN LATERAL (
        SELECT DISTINCT 1::smallint AS part, ((o."placedAt" AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date AS day FROM "Order" o WHERE o."storeId" = s.id
        UNION ALL SELECT DISTINCT 2::smallint, ((c."startedAt" AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date FROM "Checkout" c WHERE c."storeId" = s.id
        UNION ALL SELECT DISTINCT 3::smallint, ((coalesce(c."platformCreatedAt", c."createdAt") AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date FROM "Customer" c WHERE c."storeId" = s.id) x
      WHERE s.id = ${storeId}`,
  ]);
  return refreshDailyStats(db, storeId);
}

/** The kept rows with any activity, oldest first (what the from-scratch check compares). */
export async function keptDailyRows(db: Db, storeId: number): Promise<DailyRow[]> {
  const rows = await db.$queryRaw<(Omit<DailyRow, "day"> & { day: Date })[]>`
    SELECT day, orders, "revenueMinor", "checkoutsStarted", "checkoutsCompleted", "newCustomers" FROM "StoreDailyStats"
    WHERE "storeId" = ${storeId} AND (orders, "revenueMinor", "checkoutsStarted", "checkoutsCompleted", "newCustomers") <> (0, 0, 0, 0, 0)
    ORDER BY day`;
  return rows.map((r) => ({ ...r, day: r.day.toISOString().slice(0, 10) }));
}

/** The same rows computed from the orders, checkouts and customers directly (no kept state). */
export async function dailyRowsFromScratch(db: Db, storeId: number): Promise<DailyRow[]> {
  const rows = await db.$queryRaw<(Omit<DailyRow, "day"> & { day: Date })[]>`
    WITH days AS (
      SELECT ((o."placedAt" AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date AS day FROM "Order" o JOIN "Store" s ON s.id = o."storeId" WHERE o."storeId" = ${storeId}
      UNION SELECT ((c."startedAt" AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date FROM "Checkout" c JOIN "Store" s ON s.id = c."storeId" WHERE c."storeId" = ${storeId}
      UNION SELECT ((coalesce(c."platformCreatedAt", c."createdAt") AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date FROM "Customer" c JOIN "Store" s ON s.id = c."storeId" WHERE c."storeId" = ${storeId}),
    b AS (SELECT d.day, ${BOUNDS} FROM days d JOIN "Store" s ON s.id = ${storeId})
    SELECT * FROM (SELECT b.day, t.* FROM b CROSS JOIN LATERAL (SELECT ${dayTotalsSql(storeId, true)}) t) x
    WHERE (orders, "revenueMinor", "checkoutsStarted", "checkoutsCompleted", "newCustomers") <> (0, 0, 0, 0, 0)
    ORDER BY day`;
  return rows.map((r) => ({ ...r, day: r.day.toISOString().slice(0, 10) }));
}

export interface PeriodTotals {
  orders: number;
  revenueMinor: bigint;
  checkoutsStarted: number;
  checkoutsCompleted: number;
}

export interface DailyTotals {
  /** Store-local today (YYYY-MM-DD) as of `now`. */
  today: string;
  /** The `days` store-local days ending today (today included, up to now). */
  current: PeriodTotals;
  /** The `days` days before those. */
  previous: PeriodTotals;
  allTime: { orders: number; revenueMinor: bigint };
  /** Customers not erased: all of them, and those created before the current period. */
  customers: number;
  customersBefore: number;
}

/** Period sums over the kept days (refresh first: refreshDailyStats). */
export async function dailyTotals(db: Db, storeId: number, days: number, now = new Date()): Promise<DailyTotals> {
  const [r] = await db.$queryRaw<
    { today: Date; co: number; cr: bigint; cs: number; cc: number; po: number; pr: bigint; ps: number; pc: number; ao: number; ar: bigint; cust: number; before: number }[]
  >`
    WITH t AS (SELECT ((${utcTimestamp(now)} AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date AS today FROM "Store" s WHERE s.id = ${storeId})
    SELECT t.today,
      coalesce(sum(orders) FILTER (WHERE cur), 0)::int AS co, coalesce(sum("revenueMinor") FILTER (WHERE cur), 0)::bigint AS cr,
      coalesce(sum("checkoutsStarted") FILTER (WHERE cur), 0)::int AS cs, coalesce(sum("checkoutsCompleted") FILTER (WHERE cur), 0)::int AS cc,
      coalesce(sum(orders) FILTER (WHERE prev), 0)::int AS po, coalesce(sum("revenueMinor") FILTER (WHERE prev), 0)::bigint AS pr,
      coalesce(sum("checkoutsStarted") FILTER (WHERE prev), 0)::int AS ps, coalesce(sum("checkoutsCompleted") FILTER (WHERE prev), 0)::int AS pc,
      coalesce(sum(orders), 0)::int AS ao, coalesce(sum("revenueMinor"), 0)::bigint AS ar,
      coalesce(sum("newCustomers"), 0)::int AS cust, coalesce(sum("newCustomers") FILTER (WHERE day <= t.today - ${days}::int), 0)::int AS before
    FROM t LEFT JOIN LATERAL (
      SELECT d.*, d.day > t.today - ${days}::int AND d.day <= t.today AS cur,
             d.day > t.today - ${2 * days}::int AND d.day <= t.today - ${days}::int AS prev
      FROM "StoreDailyStats" d WHERE d."storeId" = ${storeId}) d ON true
    GROUP BY t.today`;
  if (!r) throw new Error(`store ${storeId} not found`);
  return {
    today: r.today.toISOString().slice(0, 10),
    current: { orders: r.co, revenueMinor: r.cr, checkoutsStarted: r.cs, checkoutsCompleted: r.cc },
    previous: { orders: r.po, revenueMinor: r.pr, checkoutsStarted: r.ps, checkoutsCompleted: r.pc },
    allTime: { orders: r.ao, revenueMinor: r.ar },
    customers: r.cust,
    customersBefore: r.before,
  };
}

/** The UTC instant a store-local day starts (for period bounds that match the daily rows). */
export async function localDayStart(db: Db, storeId: number, day: string, offsetDays = 0): Promise<Date> {
  const [r] = await db.$queryRaw<{ at: Date }[]>`
    SELECT ((((${day}::date + ${offsetDays}::int)::timestamp AT TIME ZONE s.timezone) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS at FROM "Store" s WHERE s.id = ${storeId}`;
  return r!.at;
}
