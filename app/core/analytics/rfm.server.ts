// RFM rescoring of a whole store in SQL, written back to CustomerStats where scores changed, with each run's changes kept (RfmRun + RfmSnapshot rows of
// the customers who changed) and the transition matrix from the previous scores. Rules: rfm.ts (tie policies, options) and segments.ts (the R×F map).
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { COUNTED_ORDER, localDate, utcTimestamp } from "#app/core/ingest/customer-stats.server.ts";
import { DEFAULT_RFM_OPTIONS, parseRfmOptions, type RfmOptions } from "./rfm.ts";
import { rfMapCells, type RfmSegment } from "./segments.ts";

type Tx = Prisma.TransactionClient;

/** While 'on' (SET LOCAL), the rescoring mirrors segment moves into CustomerRfmSegment itself and the row trigger on CustomerStats skips them. */
const MEMBERS_BY_STATEMENT = "caderninho.rfm_members_by_statement";

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

/** What a rescoring statement reports: moves (rewritten rows), clears, and segment sizes after the run. */
type TransitionRow = { kind: "moved" | "cleared" | "scored"; from: RfmSegment | null; to: RfmSegment | null; customers: number };

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
 * The rank policy by cut values instead of per-row windows (the default all-time rescoring).
 * A customer's score is 1 + floor(5 × L / n), L = customers strictly worse, so score ≥ k + 1
 * ⟺ L ≥ ⌈k·n/5⌉ ⟺ the ⌈k·n/5⌉-th worst value is strictly worse than the customer's. Four cut
 * values per dimension (the ⌈n/5⌉-th, ⌈2n/5⌉-th… worst) therefore give every score: a score is
 * 1 + the number of cuts strictly worse than the value. The cuts come from `percentile_disc`, which takes the ⌈p·n⌉-th
 * value: with p = k/5 − 10⁻¹² that is exactly ⌈k·n/5⌉ for any n below 10¹¹ (k·n/5 is either
 * whole or at least 0.2 above the integer below it, and the float error is ~n·10⁻¹⁶).
 * Same scores as the window formulation (tested against it on heavy ties), for one scan with three
 * single-column sorts for the cuts, then one scan scoring each row — no per-row ranks, no join.
 *
 * Recency is the store-local date of the last order, worst = oldest. Converting every row's
 * timestamp to a local date costs more than the rest of the scoring, so: the cut is the local
 * date of the ⌈k·n/5⌉-th oldest last order (local dates never run backwards in time: DST changes
 * move the clock back within a day, not across midnight), and a row's "local date > cut day D"
 * is decided from its UTC timestamp alone unless it lies within 16 hours of D + 1 at midnight
 * (no zone is that far from UTC); only those few rows are converted.
 */
const K = [1, 2, 3, 4] as const;

/** The four cut values per dimension, as SQL literals (validated: they are inlined so the scoring scan plans them as constants). */
interface Cuts {
  /** Local date of the ⌈k·n/5⌉-th oldest last order, and the UTC window (day + 1 at midnight ± 16 h) where a row must be converted. */
  day: (string | null)[];
  lo: (string | null)[];
  hi: (string | null)[];
  f: (string | null)[];
  m: (string | null)[];
}

const TIMESTAMP_TEXT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/;
const DATE_TEXT = /^\d{4}-\d\d-\d\d$/;
const INTEGER_TEXT = /^-?\d+$/;
function literal(value: string | null | undefined, pattern: RegExp, type: string): Prisma.Sql {
  if (value === null || value === undefined) return Prisma.raw(`NULL::${type}`);
  if (!pattern.test(value)) throw new Error(`RFM cut ${JSON.stringify(value)} is not a ${type}`);
  return Prisma.raw(`'${value}'::${type}`);
}

const CUT_FRACTIONS = Prisma.sql`ARRAY[0.2 - 1e-12, 0.4 - 1e-12, 0.6 - 1e-12, 0.8 - 1e-12]::float8[]`;

/**
 * The cut values, one row per (dimension, k), as text: `percentile_disc` at k/5 − 10⁻¹² (see
 * above) over the scored customers, in one scan with three single-column sorts. (A histogram
 * with an exact look-up inside the right bucket was measured slower: hashing a million rows three
 * times costs more than sorting them.) Ordered-set aggregates run in one process, but the scan
 * under them can be parallel: workers read and filter the wide rows and pass on three columns.
 */
function cutsSql(storeId: number, timezone: string): Prisma.Sql {
  const tz = Prisma.sql`${timezone}::text`;
  const day = localDate(Prisma.sql`p.at[k]`, tz);
  return Prisma.sql`
    SELECT k, p.f[k]::text AS f, p.m[k]::text AS m, ${day}::text AS day,
           ((${day} + 1)::timestamp - interval '16 hours')::text AS lo, ((${day} + 1)::timestamp + interval '16 hours')::text AS hi
    FROM (SELECT percentile_disc(${CUT_FRACTIONS}) WITHIN GROUP (ORDER BY cs."lastOrderAt") AS at,
                 percentile_disc(${CUT_FRACTIONS}) WITHIN GROUP (ORDER BY cs."ordersCount") AS f,
                 percentile_disc(${CUT_FRACTIONS}) WITHIN GROUP (ORDER BY cs."revenueMinor") AS m
          FROM (SELECT "lastOrderAt", "ordersCount", "revenueMinor" FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "ordersCount" > 0) cs) p
    CROSS JOIN generate_series(1, 4) k
    ORDER BY k`;
}

async function cutsOf(tx: Tx, storeId: number, timezone: string): Promise<Cuts | null> {
  // The planner prices each row passed from a worker (parallel_tuple_cost) above reading it in
  // one process; here the workers save the reading of the wide rows (measured ~10 % of the step).
  await tx.$executeRaw`SELECT set_config('parallel_tuple_cost', '0', true), set_config('parallel_setup_cost', '0', true)`;
  const rows = await tx.$queryRaw<{ k: number; f: string | null; m: string | null; day: string | null; lo: string | null; hi: string | null }[]>(cutsSql(storeId, timezone));
  await tx.$executeRaw`RESET parallel_tuple_cost`;
  await tx.$executeRaw`RESET parallel_setup_cost`;
  // No scored customer: no cuts (every score becomes NULL).
  if (rows[0]!.f === null) return null;
  return { day: rows.map((r) => r.day), lo: rows.map((r) => r.lo), hi: rows.map((r) => r.hi), f: rows.map((r) => r.f), m: rows.map((r) => r.m) };
}

/**
 * (id, new r, f, m, segment, previous segment `prev`) of the store's customers whose scores differ from
 * the kept ones (NULL scores for those without a counted order left), by the cuts. A plain
 * SELECT with the cuts inlined as constants, so PostgreSQL scans in parallel; the result (the
 * changed rows only) goes into a temporary table that the UPDATE then reads by key.
 */
function changedByCutsSql(storeId: number, timezone: string, cuts: Cuts | null): Prisma.Sql {
  const tz = Prisma.sql`${timezone}::text`;
  const segments = Prisma.sql`ARRAY[${Prisma.join(rfMapCells().map((c) => Prisma.sql`${c.segment}`))}]::text[]`;
  const each = (fn: (i: number) => Prisma.Sql, sep = ", ") => Prisma.join(K.map((k) => fn(k - 1)), sep);
  const at = Prisma.sql`cs."lastOrderAt"`;
  // Per row: 1 + the number of cuts strictly worse (scalar comparisons, cheaper than array lookups).
  // Recency: is the row's local date after cut day k? From the UTC timestamp where that is certain.
  const score = (expr: Prisma.Sql) => (cuts === null ? Prisma.sql`NULL::int` : Prisma.sql`CASE WHEN cs."ordersCount" > 0 THEN 1 + ${expr} END`);
  const r = cuts && each((i) => Prisma.sql`CASE WHEN ${at} < ${literal(cuts.lo[i], TIMESTAMP_TEXT, "timestamp")} THEN 0 WHEN ${at} >= ${literal(cuts.hi[i], TIMESTAMP_TEXT, "timestamp")} THEN 1
      ELSE (${localDate(at, tz)} > ${literal(cuts.day[i], DATE_TEXT, "date")})::int END`, " + ");
  const f = cuts && each((i) => Prisma.sql`(cs."ordersCount" > ${literal(cuts.f[i], INTEGER_TEXT, "int")})::int`, " + ");
  const m = cuts && each((i) => Prisma.sql`(cs."revenueMinor" > ${literal(cuts.m[i], INTEGER_TEXT, "bigint")})::int`, " + ");
  return Prisma.sql`
    SELECT x.id, x.r, x.f, x.m, x.segment, x."rfmSegment" AS prev
    FROM (SELECT y.*, (${segments})[(y.r - 1) * 5 + y.f] AS segment
          FROM (SELECT cs."customerId" AS id, cs."rScore", cs."fScore", cs."mScore", cs."rfmSegment",
                       ${score(r ?? Prisma.empty)} AS r, ${score(f ?? Prisma.empty)} AS f, ${score(m ?? Prisma.empty)} AS m
                FROM "CustomerStats" cs WHERE cs."storeId" = ${storeId}) y) x
    WHERE (x."rScore", x."fScore", x."mScore", x."rfmSegment") IS DISTINCT FROM (x.r, x.f, x.m, x.segment)`;
}

/**
 * The all-time rank rescoring: the cuts (one scan, three sorts), the changed rows (a parallel scan
 * into a temporary table, each with its previous segment), then one statement per table, each
 * reading that table by key: the scores into CustomerStats, the snapshot rows, the segment
 * members. Segment sizes: counted from the members afterwards (a parallel scan of that narrow
 * table; counting them in the cuts' scan, eleven text comparisons per row, cost more).
 */
async function rescoreByCuts(tx: Tx, storeId: number, runId: number, timezone: string, step: (name: string) => void): Promise<TransitionRow[]> {
  const cuts = await cutsOf(tx, storeId, timezone);
  step("cuts");
  const found = await tx.$executeRaw`CREATE TEMP TABLE rfm_changed ON COMMIT DROP AS ${changedByCutsSql(storeId, timezone, cuts)}`;
  // Its size, so the statements below probe the primary keys once per changed row instead of joining whole tables.
  await tx.$executeRaw`ANALYZE rfm_changed`;
  step("find changed");
  // The changed rows are found by primary key, one probe each: the planner cannot know how few
  // changed and would otherwise hash the whole table to find them.
  // The segment moves are mirrored into CustomerRfmSegment below, set-based, instead of by its row
  // trigger on CustomerStats (see migration rfm_segment_members): the setting turns that trigger off
  // for this transaction. No index of CustomerStats covers a score, so these updates are HOT.
  await tx.$executeRaw`SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true), set_config(${MEMBERS_BY_STATEMENT}, 'on', true)`;
  // Written only where the segment is still the one the scan read (the WHERE is rechecked on the
  // row's latest version), so the members mirrored below move from the right segment.
  const written = await tx.$executeRaw`
    UPDATE "CustomerStats" cs SET "rScore" = s.r, "fScore" = s.f, "mScore" = s.m, "rfmSegment" = s.segment
    FROM rfm_changed s
    WHERE cs."storeId" = ${storeId} AND cs."customerId" = s.id AND cs."rfmSegment" IS NOT DISTINCT FROM s.prev`;
  if (written !== found) {
    // A customer deleted, or moved by another writer, since the scan (rare): the snapshot, the
    // members and the transitions below cover only the rows this run wrote.
    await tx.$executeRaw`
      DELETE FROM rfm_changed s WHERE NOT EXISTS (
        SELECT 1 FROM "CustomerStats" cs WHERE cs."storeId" = ${storeId} AND cs."customerId" = s.id
          AND (cs."rScore", cs."fScore", cs."mScore", cs."rfmSegment") IS NOT DISTINCT FROM (s.r, s.f, s.m, s.segment))`;
  }
  step("write stats");
  await tx.$executeRaw`
    INSERT INTO "RfmSnapshot" ("storeId", "runId", "customerId", "rScore", "fScore", "mScore", segment)
    SELECT ${storeId}, ${runId}, id, r, f, m, segment FROM rfm_changed WHERE segment IS NOT NULL`;
  step("write snapshot");
  await tx.$executeRaw`
    DELETE FROM "CustomerRfmSegment" g USING rfm_changed s
    WHERE g."storeId" = ${storeId} AND g.segment = s.prev AND g."customerId" = s.id AND s.prev IS DISTINCT FROM s.segment`;
  await tx.$executeRaw`
    INSERT INTO "CustomerRfmSegment" ("storeId", segment, "customerId")
    SELECT ${storeId}, segment, id FROM rfm_changed WHERE segment IS NOT NULL AND prev IS DISTINCT FROM segment ORDER BY segment, id
    ON CONFLICT DO NOTHING`;
  await tx.$executeRaw`SELECT set_config('enable_hashjoin', 'on', true), set_config('enable_mergejoin', 'on', true), set_config(${MEMBERS_BY_STATEMENT}, '', true)`;
  step("write members");
  const moved = await tx.$queryRaw<TransitionRow[]>`
    SELECT CASE WHEN segment IS NULL THEN 'cleared' ELSE 'moved' END AS kind, prev AS "from", segment AS "to", count(*)::int AS customers
    FROM rfm_changed GROUP BY 1, 2, 3`;
  await tx.$executeRaw`DROP TABLE rfm_changed`;
  // Segment sizes after the run. The rows this run moved stay locked until it commits, so a
  // concurrent deletion cannot take one of them out of the count.
  const scored = await tx.$queryRaw<TransitionRow[]>`
    SELECT 'scored' AS kind, NULL AS "from", segment AS "to", count(*)::int AS customers FROM "CustomerRfmSegment" WHERE "storeId" = ${storeId} GROUP BY segment`;
  step("segment sizes");
  return [...moved, ...scored];
}

/** (id, r, f, m, segment) of every customer to score: the SELECT the rescoring writes from. */
export function scoredCustomersSql(storeId: number, opts: RfmOptions, asOf: Date, timezone: string): Prisma.Sql {
  return Prisma.sql`
    SELECT s.id, s.r, s.f, s.m, map.segment
    FROM (SELECT b.*, ${scoresSql(opts)} FROM (${baseSql(storeId, opts, asOf, timezone)}) b) s
    JOIN ${mapSql()} ON map.r = s.r AND map.f = s.f`;
}

/**
 * Rescore every customer of the store. One transaction: the scores, the snapshot and the run
 * appear together or not at all. Returns the run with how customers moved between segments.
 */
export async function rescoreRfm(
  db: Db,
  storeId: number,
  options?: Partial<RfmOptions>,
  asOf = new Date(),
  instrument: { onStep?: (name: string, ms: number) => void } = {},
): Promise<RfmRunResult> {
  let mark = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    instrument.onStep?.(name, now - mark);
    mark = now;
  };
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { timezone: true, settings: true } });
  const opts = options ? parseRfmOptions({ ...storeRfmOptions(store.settings), ...options }) : storeRfmOptions(store.settings);
  return db.$transaction(
    async (tx) => {
      const run = await tx.rfmRun.create({ data: { storeId, params: { ...opts, asOf: asOf.toISOString() } } });
      // The sorts (cuts, or the window ranks) in memory, not spilled to disk in 4 MB runs.
      // The commit does not wait for its WAL to reach the disk (the WAL writer flushes it within
      // ~0.2 s). Safe here: a crash in between loses the whole run (its transaction) and nothing
      // else, and the job that ran it is marked done by a later commit, which the WAL orders after
      // this one — so a lost run's job is never recorded as done and pg-boss runs it again.
      await tx.$executeRaw`SELECT set_config('work_mem', '256MB', true), set_config('synchronous_commit', 'off', true)`;
      step("start");
      // Score everyone, rewrite only the rows whose scores changed (PostgreSQL 18's RETURNING old.*
      // gives each one's previous segment), clear those no longer scored, and snapshot only the
      // changes. A day where 2 % of a million customers moved writes 2 % of the rows.
      const byCuts = opts.windowMonths === null && opts.tiePolicy === "rank";
      const rows = byCuts
        ? await rescoreByCuts(tx, storeId, run.id, store.timezone, step)
        : await tx.$queryRaw<TransitionRow[]>`
        WITH scored AS MATERIALIZED (${scoredCustomersSql(storeId, opts, asOf, store.timezone)}),
        upd AS (
          UPDATE "CustomerStats" cs SET "rScore" = s.r, "fScore" = s.f, "mScore" = s.m, "rfmSegment" = s.segment
          FROM scored s
          WHERE cs."storeId" = ${storeId} AND cs."customerId" = s.id
            AND (cs."rScore", cs."fScore", cs."mScore", cs."rfmSegment") IS DISTINCT FROM (s.r, s.f, s.m, s.segment)
          RETURNING cs."customerId" AS id, old."rfmSegment" AS "from", s.segment AS "to", s.r, s.f, s.m),
        clr AS (
          UPDATE "CustomerStats" cs SET "rScore" = NULL, "fScore" = NULL, "mScore" = NULL, "rfmSegment" = NULL
          WHERE cs."storeId" = ${storeId} AND cs."rfmSegment" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM scored s WHERE s.id = cs."customerId")
          RETURNING old."rfmSegment" AS "from"),
        snap AS (
          INSERT INTO "RfmSnapshot" ("storeId", "runId", "customerId", "rScore", "fScore", "mScore", segment)
          SELECT ${storeId}, ${run.id}, id, r, f, m, "to" FROM upd)
        SELECT 'moved' AS kind, "from", "to", count(*)::int AS customers FROM upd GROUP BY 2, 3
        UNION ALL SELECT 'cleared', "from", NULL, count(*)::int FROM clr GROUP BY 2
        UNION ALL SELECT 'scored', NULL, segment, count(*)::int FROM scored GROUP BY 3`;
      if (!byCuts) step("score+write");
      const { customers, changed, transitions } = transitionsOf(rows);
      await tx.rfmRun.update({
        where: { storeId_id: { storeId, id: run.id } },
        data: {
          customers,
          params: { ...opts, asOf: asOf.toISOString(), changed, transitions: transitions as unknown as Prisma.InputJsonValue },
        },
      });
      await pruneSnapshots(tx, storeId);
      step("transitions+prune");
      return { runId: run.id, customers, options: opts, changed, transitions };
    },
    { timeout: 15 * 60_000, maxWait: 60_000 },
  ).finally(() => step("commit"));
}

/**
 * The full transition matrix (previous segment → new segment, every customer scored before or
 * now) from what the statement reports: the rows it rewrote, the customers it cleared, and the
 * segment sizes. Customers whose scores did not change stayed where they were: per segment, its
 * size minus those who were rewritten into it.
 */
export function transitionsOf(rows: TransitionRow[]): {
  customers: number;
  changed: number;
  transitions: Transition[];
} {
  const cells = new Map<string, Transition>();
  const add = (from: RfmSegment | null, to: RfmSegment | null, n: number) => {
    if (n === 0) return;
    const key = `${from ?? ""}>${to ?? ""}`;
    const cell = cells.get(key);
    if (cell) cell.customers += n;
    else cells.set(key, { from, to, customers: n });
  };
  const movedInto = new Map<string, number>();
  let customers = 0;
  let changed = 0;
  for (const row of rows) {
    if (row.kind === "scored") customers += row.customers;
    else changed += row.customers;
    if (row.kind === "moved") movedInto.set(row.to!, (movedInto.get(row.to!) ?? 0) + row.customers);
    if (row.kind !== "scored") add(row.from, row.to, row.customers);
  }
  for (const row of rows) if (row.kind === "scored") add(row.to, row.to, row.customers - (movedInto.get(row.to!) ?? 0));
  const order = (s: RfmSegment | null) => s ?? "";
  const transitions = [...cells.values()].sort((a, b) => order(a.from).localeCompare(order(b.from)) || order(a.to).localeCompare(order(b.to)));
  return { customers, changed, transitions };
}

async function pruneSnapshots(tx: Tx, storeId: number): Promise<void> {
  await tx.$executeRaw`
    DELETE FROM "RfmSnapshot" WHERE "storeId" = ${storeId} AND "runId" < (
      SELECT min(id) FROM (SELECT id FROM "RfmRun" WHERE "storeId" = ${storeId} ORDER BY id DESC LIMIT ${SNAPSHOT_RUNS_KEPT}) kept)`;
}

/**
 * How customers moved into the latest run from the one before (the UI's transition matrix), as
 * the run recorded it. Snapshots hold only each run's changes, so this is not recomputed from them.
 */
export async function rfmTransitionMatrix(db: Db, storeId: number): Promise<{ from: number | null; to: number | null; cells: Transition[] }> {
  const latest = await db.rfmRun.findMany({ where: { storeId }, orderBy: { id: "desc" }, take: 2, select: { id: true, params: true } });
  if (latest.length === 0) return { from: null, to: null, cells: [] };
  const cells = ((latest[0]!.params as { transitions?: Transition[] } | null)?.transitions ?? []) as Transition[];
  return { from: latest[1]?.id ?? null, to: latest[0]!.id, cells };
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
