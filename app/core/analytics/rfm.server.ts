// RFM rescoring of a whole store in SQL (window functions over one scan), written back to
// CustomerStats, snapshotted per run (RfmRun + RfmSnapshot) with the transition matrix from the
// previous scores. Rules: rfm.ts (tie policies, options) and segments.ts (the R×F map).
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { COUNTED_ORDER, localDate, utcTimestamp } from "#app/core/ingest/customer-stats.server.ts";
import { DEFAULT_RFM_OPTIONS, parseRfmOptions, type RfmOptions } from "./rfm.ts";
import { rfMapCells, type RfmSegment } from "./segments.ts";

type Tx = Prisma.TransactionClient;

/** Snapshots of this many most recent runs are kept per store (one run a day ≈ a month of history). */
export const SNAPSHOT_RUNS_KEPT = 30;

export interface Transition {
  /** null: had no segment before (new customer, or first run). */
  from: RfmSegment | null;
  /** null: no longer scored (all orders cancelled, or outside the window). */
  to: RfmSegment | null;
  customers: number;
}

export interface RfmRunResult {
  runId: number;
  customers: number;
  options: RfmOptions;
  /** Customers whose scores changed and were rewritten. */
  changed: number;
  transitions: Transition[];
}

/** The options stored in the store's settings (`settings.analytics.rfm`), validated. */
export function storeRfmOptions(settings: unknown): RfmOptions {
  const s = settings as { analytics?: { rfm?: unknown } } | null;
  return s?.analytics?.rfm === undefined ? DEFAULT_RFM_OPTIONS : parseRfmOptions(s.analytics.rfm);
}

/** (customer, recency in store-local days, frequency, monetary) of every customer to score. */
function baseSql(storeId: number, opts: RfmOptions, asOf: Date, timezone: string): Prisma.Sql {
  const tz = Prisma.sql`${timezone}::text`;
  const asOfLocal = Prisma.sql`((${asOf.toISOString()}::timestamptz AT TIME ZONE ${tz})::date)`;
  if (opts.windowMonths === null) {
    // All time: straight from the kept stats, no order is read.
    return Prisma.sql`
      SELECT cs."customerId" AS id, ${asOfLocal} - ${localDate(Prisma.sql`cs."lastOrderAt"`, tz)} AS recency,
             cs."ordersCount"::bigint AS frequency, cs."revenueMinor" AS monetary
      FROM "CustomerStats" cs WHERE cs."storeId" = ${storeId} AND cs."ordersCount" > 0`;
  }
  // Last N months (store-local calendar): aggregate the counted orders placed since then.
  const since = Prisma.sql`(((${asOf.toISOString()}::timestamptz AT TIME ZONE ${tz}) - make_interval(months => ${opts.windowMonths}::int)) AT TIME ZONE ${tz} AT TIME ZONE 'UTC')`;
  return Prisma.sql`
    SELECT o."customerId" AS id, ${asOfLocal} - max(${localDate(Prisma.sql`o."placedAt"`, tz)}) AS recency,
           count(*)::bigint AS frequency, sum(o."totalMinor" - o."refundedMinor")::bigint AS monetary
    FROM "Order" o
    WHERE o."storeId" = ${storeId} AND o."customerId" IS NOT NULL AND ${COUNTED_ORDER}
      AND o."placedAt" >= ${since} AND o."placedAt" <= ${utcTimestamp(asOf)}
    GROUP BY o."customerId"`;
}

/** Scores per the tie policy: "worse" is older (recency), fewer orders, less money. */
function scoresSql(opts: RfmOptions): Prisma.Sql {
  if (opts.tiePolicy === "ntile") {
    return Prisma.sql`ntile(5) OVER (ORDER BY recency DESC, id) AS r, ntile(5) OVER (ORDER BY frequency, id) AS f, ntile(5) OVER (ORDER BY monetary, id) AS m`;
  }
  // rank() − 1 = customers strictly worse; 1 + floor(5 × that / n).
  const score = (order: Prisma.Sql) => Prisma.sql`(1 + (5 * (rank() OVER (ORDER BY ${order}) - 1)) / count(*) OVER ())::int`;
  return Prisma.sql`${score(Prisma.sql`recency DESC`)} AS r, ${score(Prisma.sql`frequency`)} AS f, ${score(Prisma.sql`monetary`)} AS m`;
}

/** The R×F map of segments.ts as a VALUES list, so SQL and TypeScript cannot drift apart. */
function mapSql(): Prisma.Sql {
  return Prisma.sql`(VALUES ${Prisma.join(rfMapCells().map((c) => Prisma.sql`(${c.r}::int, ${c.f}::int, ${c.segment}::text)`))}) AS map(r, f, segment)`;
}

/**
 * Rescore every customer of the store. One transaction: the scores, the snapshot and the run
 * appear together or not at all. Returns the run with how customers moved between segments.
 */
export async function rescoreRfm(db: Db, storeId: number, options?: Partial<RfmOptions>, asOf = new Date()): Promise<RfmRunResult> {
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { timezone: true, settings: true } });
  const opts = options ? parseRfmOptions({ ...storeRfmOptions(store.settings), ...options }) : storeRfmOptions(store.settings);
  return db.$transaction(
    async (tx) => {
      const run = await tx.rfmRun.create({ data: { storeId, params: { ...opts, asOf: asOf.toISOString() } } });
      await tx.$executeRaw`CREATE TEMP TABLE rfm_scored (id int PRIMARY KEY, recency int, frequency bigint, monetary bigint, r int, f int, m int, segment text) ON COMMIT DROP`;
      const customers = await tx.$executeRaw(Prisma.sql`
        INSERT INTO rfm_scored
        SELECT s.id, s.recency, s.frequency, s.monetary, s.r, s.f, s.m, map.segment
        FROM (SELECT b.*, ${scoresSql(opts)} FROM (${baseSql(storeId, opts, asOf, store.timezone)}) b) s
        JOIN ${mapSql()} ON map.r = s.r AND map.f = s.f`);
      const transitions = await transitionsFromCurrent(tx, storeId);
      const changed = await tx.$executeRaw`
        UPDATE "CustomerStats" cs SET "rScore" = s.r, "fScore" = s.f, "mScore" = s.m, "rfmSegment" = s.segment
        FROM rfm_scored s
        WHERE cs."storeId" = ${storeId} AND cs."customerId" = s.id
          AND (cs."rScore", cs."fScore", cs."mScore", cs."rfmSegment") IS DISTINCT FROM (s.r, s.f, s.m, s.segment)`;
      const cleared = await tx.$executeRaw`
        UPDATE "CustomerStats" cs SET "rScore" = NULL, "fScore" = NULL, "mScore" = NULL, "rfmSegment" = NULL
        WHERE cs."storeId" = ${storeId} AND cs."rfmSegment" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM rfm_scored s WHERE s.id = cs."customerId")`;
      await tx.$executeRaw`
        INSERT INTO "RfmSnapshot" ("storeId", "runId", "customerId", "rScore", "fScore", "mScore", segment)
        SELECT ${storeId}, ${run.id}, id, r, f, m, segment FROM rfm_scored`;
      await tx.rfmRun.update({
        where: { storeId_id: { storeId, id: run.id } },
        data: { customers, params: { ...opts, asOf: asOf.toISOString(), changed: changed + cleared, transitions: transitions as unknown as Prisma.InputJsonValue } },
      });
      await pruneSnapshots(tx, storeId);
      return { runId: run.id, customers, options: opts, changed: changed + cleared, transitions };
    },
    { timeout: 15 * 60_000, maxWait: 60_000 },
  );
}

/** Previous segment (CustomerStats, before the update) → new segment (rfm_scored). */
async function transitionsFromCurrent(tx: Tx, storeId: number): Promise<Transition[]> {
  return tx.$queryRaw<Transition[]>`
    SELECT cs."rfmSegment" AS "from", s.segment AS "to", count(*)::int AS customers
    FROM "CustomerStats" cs LEFT JOIN rfm_scored s ON s.id = cs."customerId"
    WHERE cs."storeId" = ${storeId} AND (cs."rfmSegment" IS NOT NULL OR s.id IS NOT NULL)
    GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST`;
}

async function pruneSnapshots(tx: Tx, storeId: number): Promise<void> {
  await tx.$executeRaw`
    DELETE FROM "RfmSnapshot" WHERE "storeId" = ${storeId} AND "runId" < (
      SELECT min(id) FROM (SELECT id FROM "RfmRun" WHERE "storeId" = ${storeId} ORDER BY id DESC LIMIT ${SNAPSHOT_RUNS_KEPT}) kept)`;
}

/**
 * How customers moved between two runs' snapshots (default: the two most recent runs), for the
 * UI's transition matrix. Customers in only one of the runs appear with null on the other side.
 */
export async function rfmTransitionMatrix(db: Db, storeId: number, runs?: { from: number; to: number }): Promise<{ from: number | null; to: number | null; cells: Transition[] }> {
  let pair = runs;
  if (!pair) {
    const latest = await db.rfmRun.findMany({ where: { storeId }, orderBy: { id: "desc" }, take: 2, select: { id: true } });
    if (latest.length === 0) return { from: null, to: null, cells: [] };
    if (latest.length === 1) {
      const cells = await db.$queryRaw<Transition[]>`
        SELECT NULL AS "from", segment AS "to", count(*)::int AS customers FROM "RfmSnapshot"
        WHERE "storeId" = ${storeId} AND "runId" = ${latest[0]!.id} GROUP BY 2 ORDER BY 2`;
      return { from: null, to: latest[0]!.id, cells };
    }
    pair = { from: latest[1]!.id, to: latest[0]!.id };
  }
  const cells = await db.$queryRaw<Transition[]>`
    SELECT a.segment AS "from", b.segment AS "to", count(*)::int AS customers
    FROM (SELECT "customerId", segment FROM "RfmSnapshot" WHERE "storeId" = ${storeId} AND "runId" = ${pair.from}) a
    FULL JOIN (SELECT "customerId", segment FROM "RfmSnapshot" WHERE "storeId" = ${storeId} AND "runId" = ${pair.to}) b USING ("customerId")
    GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST`;
  return { ...pair, cells };
}

export interface SegmentSummary {
  segment: RfmSegment;
  customers: number;
  revenueMinor: bigint;
}

/** Customers and net revenue per RFM segment, from the latest scores. */
export async function rfmSegmentSummary(db: Db, storeId: number): Promise<SegmentSummary[]> {
  return db.$queryRaw<SegmentSummary[]>`
    SELECT "rfmSegment" AS segment, count(*)::int AS customers, sum("revenueMinor")::bigint AS "revenueMinor"
    FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "rfmSegment" IS NOT NULL
    GROUP BY 1 ORDER BY 3 DESC`;
}
