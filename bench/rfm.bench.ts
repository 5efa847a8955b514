// RFM rescoring at scale: BENCH_RFM_CUSTOMERS (default 1,000,000) customers with kept stats
// generated straight into Customer + CustomerStats (no orders: the all-time RFM reads only the
// kept stats, so a million customers take seconds to make instead of the ten million orders
// bench/analytics.bench.ts would need). Runs: the first scoring (every score written), the daily
// case (2 % of customers bought since: their recency and counts moved), and the same again with
// nothing changed. References in the same run: the window-rank scoring SELECT alone (three rank()
// windows over the stats, nothing written: the floor of the previous design, which scored that
// way), and a bare scan of the stats (the floor of any rescoring that reads them).
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { Prisma } from "@prisma/client";
import { rescoreRfm, scoredCustomersSql } from "../app/core/analytics/rfm.server.ts";
import { COUNTED_ORDER } from "../app/core/ingest/customer-stats.server.ts";
import { duckdbFromScratch, generate } from "./analytics.bench.ts";
import { fmt } from "./support/stats.ts";
import type { BenchApp, BenchContext, ResultRow } from "./support/types.ts";
import type { Db } from "../app/db/client.server.ts";

const CUSTOMERS = Number(process.env.BENCH_RFM_CUSTOMERS ?? 1_000_000);
/** Customers of the from-scratch comparison (~10 orders each); 0 skips it. */
const SCRATCH_CUSTOMERS = Number(process.env.BENCH_RFM_SCRATCH_CUSTOMERS ?? CUSTOMERS);
const TIMEZONE = "America/Sao_Paulo";
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
const AS_OF = new Date("2026-06-30T12:00:00Z");
const TARGET_MS = 3000;
const seconds = (ms: number) => `${fmt(ms / 1000, 2)} s`;

export const title = "RFM rescoring at a million customers";
export const description = `${fmt(CUSTOMERS)} customers' kept stats generated in PostgreSQL; first scoring, a day with 2 % changed, a day with nothing changed, vs the window-rank scoring SELECT alone and a bare scan.`;

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const rows = await fromKeptStats(ctx);
  if (SCRATCH_CUSTOMERS > 0) rows.push(...(await fromScratch(ctx)));
  return rows;
}

async function fromKeptStats(ctx: BenchContext): Promise<ResultRow[]> {
  const app = await ctx.startApp("rfm", { http: false, workers: false });
  try {
    const { db } = app.services;
    const storeId = (await db.store.create({ data: { platform: "shopify", domain: "bench-rfm.myshopify.com", name: "RFM", timezone: "America/Sao_Paulo" } })).id;
    const t0 = performance.now();
    await db.$executeRaw`SELECT setseed(0.17)`;
    await db.$executeRaw`INSERT INTO "Customer" ("storeId", id, "platformId", "updatedAt") SELECT ${storeId}, g, 'c' || g, now() FROM generate_series(1, ${CUSTOMERS}::int) g`;
    // 1 + ⌊Exp(mean 2)⌋ orders, last order within two years, tickets skewed like real stores.
    await db.$executeRaw`
      INSERT INTO "CustomerStats" ("storeId", "customerId", "ordersCount", "revenueMinor", "firstOrderAt", "lastOrderAt", "avgOrderMinor", "purchaseDays", "updatedAt")
      SELECT ${storeId}, g, k, k * t, last - (k * 30) * interval '1 day', last, t, k, now()
      FROM (SELECT g, 1 + floor(-ln(1 - random()) * 2)::int AS k, (1000 + floor(random() * random() * 50000))::bigint AS t,
                   timestamp '2026-06-30' - random() * interval '730 days' AS last
            FROM generate_series(1, ${CUSTOMERS}::int) g) s`;
    await db.$executeRaw`VACUUM ANALYZE "CustomerStats"`;
    ctx.log(`generated ${fmt(CUSTOMERS)} customers' stats in ${seconds(performance.now() - t0)}`);

    // References: the window-rank scoring SELECT alone (every rank computed and read, nothing
    // written), and a bare scan of the store's stats.
    const r0 = performance.now();
    await db.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL work_mem = '256MB'`;
      await tx.$queryRaw(Prisma.sql`SELECT count(*), sum(r + f + m), count(DISTINCT segment) FROM (${scoredCustomersSql(storeId, { windowMonths: null, tiePolicy: "rank" }, AS_OF, "America/Sao_Paulo")}) x`);
    }, { timeout: 600_000 });
    const windowMs = performance.now() - r0;
    const s0 = performance.now();
    await db.$queryRaw`SELECT count(*), sum("ordersCount") FROM "CustomerStats" WHERE "storeId" = ${storeId}`;
    const scanMs = performance.now() - s0;

    const timedRun = async () => {
      const steps: Record<string, number> = {};
      // Statistics still on their way from earlier statements (sent up to 10 s late) are not the run's.
      let before = await writeStats(app);
      for (let waited = 0; waited < 12_000; waited += 1000) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const now = await writeStats(app);
        if (now.upd === before.upd && now.fpi === before.fpi) break;
        before = now;
      }
      const t = performance.now();
      const result = await rescoreRfm(db, storeId, { windowMonths: null, tiePolicy: "rank" }, AS_OF, { onStep: (name, ms) => (steps[name] = (steps[name] ?? 0) + ms) });
      const ms = performance.now() - t;
      // An idle backend sends its statistics up to 10 s late: wait until the rescoring's arrive (or 12 s).
      let after = await writeStats(app);
      for (let waited = 0; waited < 12_000 && after.upd === before.upd && after.fpi === before.fpi; waited += 500) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        after = await writeStats(app);
      }
      const wal = `WAL ${fmt((after.lsn - before.lsn) / 1048576, 1)} MB (${fmt(after.fpi - before.fpi)} full-page images), ${fmt(after.upd - before.upd)} rows updated (${fmt(after.hot - before.hot)} HOT)`;
      return { ms, result, steps: `${Object.entries(steps).map(([k, v]) => `${k} ${fmt(v / 1000, 2)} s`).join(", ")}; ${wal}` };
    };
    const first = await timedRun();
    ctx.log(`first: ${seconds(first.ms)} (${first.steps})`);
    // A day later. The first scoring rewrote every row; autovacuum (its threshold is 20 % of the
    // table) cleans that up within a minute, so the daily run starts from a vacuumed table.
    await db.$executeRawUnsafe(`VACUUM "CustomerStats"`);
    // During the day 2 % of customers ordered again (not vacuumed: below autovacuum's threshold).
    // (Its statistics sent at once, so the daily run's WAL and HOT figures are the rescoring's alone.)
    await db.$transaction([
      db.$executeRaw`SELECT pg_stat_force_next_flush()`,
      db.$executeRaw`
      UPDATE "CustomerStats" SET "ordersCount" = "ordersCount" + 1, "revenueMinor" = "revenueMinor" + "avgOrderMinor", "lastOrderAt" = timestamp '2026-06-30'
      WHERE "storeId" = ${storeId} AND "customerId" % 50 = 7`,
    ]);
    const daily = await timedRun();
    ctx.log(`daily: ${seconds(daily.ms)} (${daily.steps})`);
    const same = await timedRun();
    ctx.log(`unchanged: ${seconds(same.ms)} (${same.steps})`);
    const reference = `window-rank SELECT alone ${seconds(windowMs)}; bare scan ${seconds(scanMs)}`;
    ctx.detail(`Kept stats: node peak RSS ${fmt(maxRssMb())} MB after the runs; PostgreSQL's sorts bounded by work_mem = 256MB (SET LOCAL in the rescoring transaction; the server default is 4MB).`);
    const verdict = (ms: number) => (CUSTOMERS >= 1_000_000 ? (ms < TARGET_MS ? "pass" : "fail") : "info");
    return [
      { metric: `RFM first scoring, ${fmt(CUSTOMERS)} customers (every score written: not the daily case)`, measured: seconds(first.ms), reference, target: "—", verdict: "info", note: `${fmt(first.result.changed)} changed; ${first.steps}`, value: first.ms },
      { metric: `RFM daily rescoring, 2 % of customers bought (all-time window)`, measured: seconds(daily.ms), reference, target: "< 3 s at 1M", verdict: verdict(daily.ms), note: `${fmt(daily.result.changed)} changed; ${daily.steps}`, value: daily.ms },
      { metric: `RFM rescoring, nothing changed`, measured: seconds(same.ms), reference, target: "< 3 s at 1M", verdict: verdict(same.ms), note: `${fmt(same.result.changed)} changed; ${same.steps}`, value: same.ms },
    ];
  } finally {
    await app.close();
  }
}

/** WAL position (bytes), full-page images written so far (cluster-wide) and the updates (HOT among them) of the score table. */
async function writeStats(app: BenchApp): Promise<{ lsn: number; fpi: number; upd: number; hot: number }> {
  const [row] = await app.query<{ lsn: string; wal_fpi: string; upd: string; hot: string }>(`
    SELECT (pg_current_wal_lsn() - '0/0')::text AS lsn, (SELECT wal_fpi FROM pg_stat_wal)::text AS wal_fpi,
           coalesce(sum(n_tup_upd), 0)::text AS upd, coalesce(sum(n_tup_hot_upd), 0)::text AS hot
    FROM pg_stat_user_tables WHERE relname = ANY($1)`, [SCORE_TABLES]);
  return { lsn: Number(row!.lsn), fpi: Number(row!.wal_fpi), upd: Number(row!.upd), hot: Number(row!.hot) };
}
const SCORE_TABLES = ["CustomerStats"];

/**
 * RFM from scratch (orders → per-customer recency/frequency/money → rank scores → segments), in
 * PostgreSQL over the "Order" table and in DuckDB over the same counted orders. Both compute and
 * count segments, neither writes scores (writing 1M rows is the first-scoring row above). PostgreSQL:
 * the product's window statement (`scoredCustomersSql`, all orders inside a 120-month window) with
 * work_mem 256MB and up to 2 parallel workers; DuckDB: in memory, 2 threads, after loading a CSV that
 * PostgreSQL exports with COPY (bench/.tmp, deleted after). The segment counts must agree.
 */
async function fromScratch(ctx: BenchContext): Promise<ResultRow[]> {
  const app = await ctx.startApp("rfm_scratch", { http: false, workers: false });
  const csv = path.resolve("bench/.tmp", `rfm-orders-${process.pid}.csv`);
  try {
    const { db } = app.services;
    const storeId = (await db.store.create({ data: { platform: "shopify", domain: "bench-rfm-scratch.myshopify.com", name: "RFM scratch", timezone: TIMEZONE } })).id;
    // This database only serves this comparison: the orders go in without the secondary indexes and
    // with triggers off (per-row foreign-key checks, dashboard counters), ~5× faster, so 10M orders fit
    // the bench's time. Neither from-scratch computation uses those indexes (both read every order).
    for (const index of ["Order_storeId_customerId_placedAt_idx", "Order_storeId_placedAt_idx", "Order_segment_counted_idx"]) {
      await db.$executeRawUnsafe(`DROP INDEX IF EXISTS "${index}"`);
    }
    const g0 = performance.now();
    const { orders } = await db.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL session_replication_role = replica`;
      return generate(tx as unknown as Db, storeId, SCRATCH_CUSTOMERS);
    }, { timeout: 1_800_000 });
    await db.$executeRaw`VACUUM ANALYZE "Order"`;
    const genMs = performance.now() - g0;
    ctx.log(`from scratch: generated ${fmt(SCRATCH_CUSTOMERS)} customers / ${fmt(orders)} orders in ${seconds(genMs)}`);
    const size = `${fmt(SCRATCH_CUSTOMERS)} customers / ${fmt(orders)} orders`;

    const p0 = performance.now();
    const pgCounts = await db.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL work_mem = '256MB'`;
      const rows = await tx.$queryRaw<{ segment: string; n: number }[]>(
        Prisma.sql`SELECT segment, count(*)::int AS n FROM (${scoredCustomersSql(storeId, { windowMonths: 120, tiePolicy: "rank" }, AS_OF, TIMEZONE)}) s GROUP BY 1`,
      );
      return Object.fromEntries(rows.map((r) => [r.segment, r.n]));
    }, { timeout: 600_000 });
    const pgMs = performance.now() - p0;

    const e0 = performance.now();
    const exported = await exportCountedOrders(app, storeId, csv);
    const exportMs = performance.now() - e0;
    const rssBefore = maxRssMb();
    const duck = await duckdbFromScratch(csv, "2026-06-30", 2);
    if ("skipped" in duck) {
      return [{ metric: `RFM from scratch, PostgreSQL (${size})`, measured: seconds(pgMs), reference: "DuckDB skipped", target: "—", verdict: "info", note: `skipped: ${duck.skipped}`, value: pgMs }];
    }
    const same = JSON.stringify(Object.entries(duck.counts).sort()) === JSON.stringify(Object.entries(pgCounts).sort());
    const verdict = same ? "info" : "FAILED";
    const agree = same ? "same segment counts" : `segment counts differ: DuckDB ${JSON.stringify(duck.counts)} vs PostgreSQL ${JSON.stringify(pgCounts)}`;
    ctx.detail(
      `From scratch: ${size} generated in PostgreSQL in ${seconds(genMs)} (set-based, analytics.bench.ts's generator, secondary indexes dropped and triggers off while inserting; BENCH_RFM_SCRATCH_CUSTOMERS, 0 skips). ` +
        `COPY of the ${fmt(exported)} counted orders to CSV ${seconds(exportMs)}, DuckDB load ${seconds(duck.loadMs)}. Node peak RSS ${fmt(rssBefore)} MB before DuckDB, ${fmt(maxRssMb())} MB after (DuckDB runs in this process).`,
    );
    return [
      { metric: `RFM from scratch over the orders, PostgreSQL (${size})`, measured: seconds(pgMs), reference: `DuckDB ${seconds(duck.ms)} (+ load ${seconds(duck.loadMs)})`, target: "— (report next to DuckDB)", verdict, note: `${agree}; window statement, 2 parallel workers, work_mem 256MB`, value: pgMs },
      { metric: "reference: DuckDB, same RFM from scratch (in memory, 2 threads)", measured: seconds(duck.ms), reference: `load from CSV ${seconds(duck.loadMs)}; COPY out of PostgreSQL ${seconds(exportMs)}`, target: "—", verdict, note: agree, value: duck.ms },
    ];
  } finally {
    fs.rmSync(csv, { force: true });
    await app.close();
  }
}

/** The store's counted orders as CSV (customer, net, store-local day) through COPY … TO STDOUT; returns the row count. */
async function exportCountedOrders(app: BenchApp, storeId: number, file: string): Promise<number> {
  const client = new pg.Client({ connectionString: app.databaseUrl, application_name: "bench-rfm-export" });
  await client.connect();
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tz = TIMEZONE.replace(/'/g, "''");
    // COUNTED_ORDER has no parameters: its text is the SQL.
    const where = COUNTED_ORDER.sql;
    const stream = client.query(copyTo(`COPY (SELECT o."customerId", o."totalMinor" - o."refundedMinor", ((o."placedAt" AT TIME ZONE 'UTC') AT TIME ZONE '${tz}')::date
      FROM "Order" o WHERE o."storeId" = ${Number(storeId)} AND o."customerId" IS NOT NULL AND ${where}) TO STDOUT (FORMAT csv)`));
    await pipeline(stream, fs.createWriteStream(file));
    return stream.rowCount ?? 0;
  } finally {
    await client.end();
  }
}
