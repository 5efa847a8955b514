// Analytics at size: a synthetic store of BENCH_ANALYTICS_CUSTOMERS customers (default 1,000,000)
// with ~10 orders each, generated inside PostgreSQL (deterministic: setseed). Measured: customer
// stats from scratch, RFM rescoring from the kept stats (the design's < 3 s), RFM from scratch
// over the orders next to DuckDB doing the same in the same run, the incremental per-order stats
// update (< 2 ms), the BG/NBD fit on 100k customers (< 5 s), predictions and clusters for the
// whole store, and the Node heap while doing it (flat: work is paged, models see grouped data).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Prisma } from "@prisma/client";
import { recomputeAllCustomerStats, refreshCustomerStats } from "../app/core/ingest/customer-stats.server.ts";
import { applyChanges } from "../app/core/ingest/apply-batch.server.ts";
import { rescoreRfm } from "../app/core/analytics/rfm.server.ts";
import { rescorePredictions } from "../app/core/analytics/predict.server.ts";
import { rescoreClusters } from "../app/core/analytics/clusters.server.ts";
import { fitBgNbd } from "../app/core/analytics/bgnbd.ts";
import { rfMapCells } from "../app/core/analytics/segments.ts";
import { fmt, latencySummary } from "./support/stats.ts";
import type { BenchContext, ResultRow } from "./support/types.ts";
import type { Db } from "../app/db/client.server.ts";
import type { NormalizedChange } from "../app/core/types.ts";
import type * as DuckDbApi from "@duckdb/node-api";

/** A devDependency, loaded lazily: a platform without its native binding only skips the DuckDB rows. */
const DUCKDB_PACKAGE = "@duckdb/node-api";
type DuckDb = typeof DuckDbApi;

export const title = "Analytics: customer stats, RFM rescoring, BG/NBD, clusters";
export const description =
  "A synthetic store generated in PostgreSQL; RFM from kept stats and from scratch (DuckDB from scratch as the yardstick), incremental stats per order, BG/NBD fit on 100k customers.";

const CUSTOMERS = Number(process.env.BENCH_ANALYTICS_CUSTOMERS ?? 1_000_000);
const AS_OF = new Date("2026-06-30T12:00:00Z");
const TIMEZONE = "America/Sao_Paulo";

const seconds = (ms: number) => `${fmt(ms / 1000, 2)} s`;
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

/** Heap high-water mark while `fn` runs (sampled every 50 ms). */
async function heapPeak<T>(fn: () => Promise<T>): Promise<{ peakMb: number; result: T }> {
  let peak = process.memoryUsage().heapUsed;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 50);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { peakMb: peak / 2 ** 20, result };
  } finally {
    clearInterval(timer);
  }
}

/** Customers 1…n with 1 + ⌊Exp(mean 9)⌋ orders each over two years; 3 % cancelled, 2 % refunded, 1 % pending. */
export async function generate(db: Db, storeId: number, n: number): Promise<{ orders: number }> {
  await db.$executeRaw`SELECT setseed(0.42)`;
  await db.$executeRaw`INSERT INTO "Customer" ("storeId", id, "platformId", "updatedAt") SELECT ${storeId}, g, 'c' || g, now() FROM generate_series(1, ${n}::int) g`;
  await db.$executeRaw`SELECT setval(pg_get_serial_sequence('"Customer"', 'id'), ${n}::int)`;
  await db.$executeRaw`
    INSERT INTO "Order" ("storeId", "platformId", "customerId", currency, "totalMinor", "refundedMinor", "financialStatus", channel, "placedAt", "cancelledAt", "updatedAt")
    SELECT ${storeId}, c || '-' || i, c, 'BRL', total, CASE WHEN u < 0.02 THEN total / 2 ELSE 0 END,
           (CASE WHEN u < 0.02 THEN 'partially_refunded' WHEN u < 0.03 THEN 'pending' ELSE 'paid' END)::"FinancialStatus",
           (CASE WHEN u > 0.9 THEN 'pos' ELSE 'web' END)::"SalesChannel",
           at, CASE WHEN u > 0.97 THEN at END, now()
    FROM (SELECT c, i, (1000 + floor(random() * random() * 50000))::bigint AS total, random() AS u,
                 timestamp '2024-07-01' + (start + (729 - start) * random()) * interval '1 day' AS at
          FROM (SELECT c, floor(random() * 720) AS start, 1 + floor(-ln(1 - random()) * 9)::int AS k FROM generate_series(1, ${n}::int) c) cs
          CROSS JOIN LATERAL generate_series(1, k) i) o`;
  const [r] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "Order" WHERE "storeId" = ${storeId}`;
  await db.$executeRaw`ANALYZE "Order"`;
  return { orders: r!.n };
}

/** Segment counts, to compare our SQL with DuckDB's. */
async function segmentCounts(db: Db, storeId: number): Promise<Record<string, number>> {
  const rows = await db.$queryRaw<{ segment: string; n: number }[]>`SELECT "rfmSegment" AS segment, count(*)::int AS n FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "rfmSegment" IS NOT NULL GROUP BY 1`;
  return Object.fromEntries(rows.map((r) => [r.segment, r.n]));
}

/**
 * DuckDB: the same rules (counted orders, local days, rank-based quintiles, R×F map) over the
 * counted orders in a CSV (customer, net, local day) exported by PostgreSQL. Times the load into
 * DuckDB's memory and the RFM query separately, on `threads` threads. Null with the reason when
 * @duckdb/node-api or its platform binding cannot be loaded.
 */
export async function duckdbFromScratch(csv: string, asOfLocal: string, threads = os.cpus().length): Promise<{ loadMs: number; ms: number; counts: Record<string, number> } | { skipped: string }> {
  let duck: DuckDb;
  try {
    duck = (await import(DUCKDB_PACKAGE)) as DuckDb;
  } catch (e) {
    return { skipped: `${DUCKDB_PACKAGE} could not be loaded (${e instanceof Error ? e.message.split("\n")[0] : String(e)})` };
  }
  const instance = await duck.DuckDBInstance.create(":memory:", { threads: String(threads) });
  const con = await instance.connect();
  try {
    const load = await timed(() => con.run(`CREATE TABLE o AS SELECT * FROM read_csv('${csv}', header = false, columns = {'customer': 'INTEGER', 'net': 'BIGINT', 'day': 'DATE'})`));
    const map = rfMapCells().map((c) => `(${c.r}, ${c.f}, '${c.segment}')`).join(", ");
    const q = await timed(() =>
      con.runAndReadAll(`
        WITH b AS (SELECT customer, DATE '${asOfLocal}' - max(day) AS recency, count(*) AS frequency, sum(net) AS monetary FROM o GROUP BY customer),
        s AS (SELECT *, (1 + (5 * (rank() OVER (ORDER BY recency DESC) - 1)) // count(*) OVER ()) AS r,
                        (1 + (5 * (rank() OVER (ORDER BY frequency) - 1)) // count(*) OVER ()) AS f,
                        (1 + (5 * (rank() OVER (ORDER BY monetary) - 1)) // count(*) OVER ()) AS m FROM b)
        SELECT map.segment, count(*)::INTEGER AS n FROM s JOIN (VALUES ${map}) map(r, f, segment) ON map.r = s.r AND map.f = s.f GROUP BY 1`),
    );
    return { loadMs: load.ms, ms: q.ms, counts: Object.fromEntries(q.result.getRows().map(([segment, n]) => [String(segment), Number(n)])) };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

/** n customers drawn from BG/NBD with known parameters, observed for 52 weeks from staggered starts. */
function simulateBgNbd(n: number, p = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 }) {
  let seed = 12345;
  const rand = () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32 || 1e-12;
  const gamma = (k: number): number => {
    if (k < 1) return gamma(k + 1) * Math.pow(rand(), 1 / k);
    const d = k - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
      const v = (1 + c * x) ** 3;
      if (v > 0 && Math.log(rand()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const x = new Int32Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    T[i] = 52 - Math.floor(rand() * 13); // first purchase in the first quarter
    const lambda = gamma(p.r) / p.alpha;
    const ga = gamma(p.a);
    const drop = ga / (ga + gamma(p.b));
    let t = 0;
    for (;;) {
      t += -Math.log(rand()) / lambda;
      if (t > T[i]!) break;
      x[i]!++;
      tx[i] = t;
      if (rand() < drop) break;
    }
  }
  return { truth: p, data: { x, tx, T, count: new Int32Array(n).fill(1) } };
}

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const app = await ctx.startApp("analytics", { http: false, workers: false });
  try {
    const db = app.services.db;
    const storeId = (await db.store.create({ data: { platform: "shopify", domain: "bench-analytics.myshopify.com", name: "Bench", timezone: TIMEZONE } })).id;
    ctx.log(`generating ${fmt(CUSTOMERS)} customers in PostgreSQL…`);
    const gen = await timed(() => generate(db, storeId, CUSTOMERS));
    const orders = gen.result.orders;
    ctx.log(`generated ${fmt(orders)} orders in ${seconds(gen.ms)}`);
    const size = `${fmt(CUSTOMERS)} customers / ${fmt(orders)} orders`;

    // Customer stats from scratch (the recompute every incremental update must agree with).
    const scratch = await timed(() => db.$transaction((tx) => recomputeAllCustomerStats(tx, storeId), { timeout: 3_600_000 }));
    rows.push({ metric: "customer stats from scratch (recomputeAllCustomerStats)", measured: seconds(scratch.ms), verdict: "info", note: size, value: scratch.ms });
    await db.$executeRaw`VACUUM ANALYZE "CustomerStats"`;

    // RFM from kept stats: first run rewrites every score; the daily case rewrites only changes.
    const first = await heapPeak(() => timed(() => rescoreRfm(db, storeId, { windowMonths: null, tiePolicy: "rank" }, AS_OF)));
    const again = await timed(() => rescoreRfm(db, storeId, { windowMonths: null, tiePolicy: "rank" }, AS_OF));
    const ours = await segmentCounts(db, storeId);
    const scoredCustomers = first.result.result.customers;
    rows.push({ metric: "RFM rescoring from kept stats, first run (all scores written + snapshot)", measured: seconds(first.result.ms), target: "< 3 s", verdict: first.result.ms < 3000 ? "pass" : "fail", note: `${fmt(scoredCustomers)} customers scored; heap peak ${fmt(first.peakMb)} MB`, value: first.result.ms });
    rows.push({ metric: "RFM rescoring from kept stats, next run (nothing changed: snapshot only)", measured: seconds(again.ms), target: "< 3 s", verdict: again.ms < 3000 ? "pass" : "fail", note: `${fmt(again.result.changed)} changed`, value: again.ms });

    // From scratch over the orders (a window long enough to hold everything), next to DuckDB.
    const fromScratch = await timed(() => rescoreRfm(db, storeId, { windowMonths: 120, tiePolicy: "rank" }, AS_OF));
    const scratchCounts = await segmentCounts(db, storeId);
    const csv = path.join(os.tmpdir(), `caderninho-bench-orders-${process.pid}.csv`);
    let duckRow: ResultRow;
    try {
      const exported = await timed(() =>
        db.$executeRawUnsafe(`COPY (SELECT o."customerId", o."totalMinor" - o."refundedMinor", ((o."placedAt" AT TIME ZONE 'UTC') AT TIME ZONE '${TIMEZONE}')::date FROM "Order" o
          WHERE o."storeId" = ${storeId} AND o."cancelledAt" IS NULL AND NOT o.test AND o."deletedAt" IS NULL
            AND o."financialStatus" IN ('paid', 'partially_paid', 'partially_refunded', 'refunded', 'authorized')) TO '${csv}' (FORMAT csv)`),
      );
      const duck = await duckdbFromScratch(csv, "2026-06-30");
      if ("skipped" in duck) duckRow = { metric: "DuckDB, same RFM from scratch", measured: "n/a", verdict: "info", note: `skipped: ${duck.skipped}` };
      else {
        const same = JSON.stringify(Object.entries(duck.counts).sort()) === JSON.stringify(Object.entries(scratchCounts).sort());
        duckRow = {
          metric: "reference: DuckDB, same RFM from scratch (in memory, after loading)",
          measured: seconds(duck.ms),
          verdict: same ? "info" : "FAILED",
          note: `${same ? "same segment counts as ours (from scratch)" : `segment counts differ: ${JSON.stringify(duck.counts)} vs ${JSON.stringify(scratchCounts)}`}; export ${seconds(exported.ms)} + load ${seconds(duck.loadMs)} not included`,
          value: duck.ms,
        };
      }
    } finally {
      fs.rmSync(csv, { force: true });
    }
    const sameAsKept = JSON.stringify(Object.entries(scratchCounts).sort()) === JSON.stringify(Object.entries(ours).sort());
    rows.push({ metric: "RFM rescoring from scratch over the orders (PostgreSQL)", measured: seconds(fromScratch.ms), reference: duckRow.measured, verdict: sameAsKept ? "info" : "FAILED", note: sameAsKept ? "same segments as from kept stats" : "differs from the kept-stats run", value: fromScratch.ms });
    rows.push(duckRow);

    // Predictions and clusters for the whole store.
    const pred = await heapPeak(() => timed(() => rescorePredictions(db, storeId, AS_OF)));
    rows.push({ metric: "BG/NBD + Gamma-Gamma fit and per-customer predictions, whole store", measured: seconds(pred.result.ms), verdict: pred.result.result.bgnbd ? "info" : "FAILED", note: `${fmt(pred.result.result.customers)} customers; fitting ${fmt(pred.result.result.fitSeconds, 2)} s (BG/NBD converged: ${pred.result.result.bgnbd?.converged}, Gamma-Gamma: ${pred.result.result.gammaGamma?.converged ?? "not fitted"}); heap peak ${fmt(pred.peakMb)} MB`, value: pred.result.ms });
    const clusters = await timed(() => rescoreClusters(db, storeId, {}, AS_OF));
    rows.push({ metric: "clusters (k by silhouette on a 20k sample, assignment in SQL)", measured: seconds(clusters.ms), verdict: clusters.result.model ? "info" : "FAILED", note: `k = ${clusters.result.model?.k}`, value: clusters.ms });

    // Incremental: one new order for an existing customer (~10 orders), then its stats refreshed.
    // In production the refresh runs inside the order's own write transaction (applyChanges), so
    // its cost per order is the statement: timed inside an open transaction. Alternate orders are
    // refreshed in a transaction of their own instead (BEGIN + refresh + COMMIT with its WAL flush),
    // next to an empty one-row write transaction: the commit every ingest pays anyway.
    const inTxMs: number[] = [];
    const ownTxMs: number[] = [];
    const commitMs: number[] = [];
    const applyMs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const customerId = 1 + ((i * 7919) % CUSTOMERS);
      const change: NormalizedChange = {
        kind: "order.upsert",
        order: {
          platformId: `inc-${i}`, name: null, customer: null, email: null, currency: "BRL", subtotalMinor: 5000n, discountMinor: 0n, shippingMinor: 0n, taxMinor: 0n, totalMinor: 5000n,
          refundedMinor: 0n, financialStatus: "paid", fulfillmentStatus: null, channel: "web", paymentMethod: "pix", gateways: [], tags: [], landingSite: null, referringSite: null,
          utmSource: null, utmMedium: null, utmCampaign: null, test: false, placedAt: AS_OF, cancelledAt: null, closedAt: null, platformUpdatedAt: AS_OF, lines: [], payments: [],
        },
      };
      const a = await timed(() => applyChanges(db, storeId, [change]));
      applyMs.push(a.ms);
      await db.$executeRaw(Prisma.sql`UPDATE "Order" SET "customerId" = ${customerId} WHERE "storeId" = ${storeId} AND "platformId" = ${`inc-${i}`}`);
      if (i % 2 === 0) {
        await db.$transaction(async (tx) => {
          const r = await timed(() => refreshCustomerStats(tx, storeId, [customerId]));
          inTxMs.push(r.ms);
        });
      } else {
        ownTxMs.push((await timed(() => db.$transaction((tx) => refreshCustomerStats(tx, storeId, [customerId])))).ms);
        commitMs.push((await timed(() => db.$transaction((tx) => tx.$executeRaw`UPDATE "CustomerStats" SET "updatedAt" = now() WHERE "storeId" = ${storeId} AND "customerId" = ${customerId}`))).ms);
      }
    }
    const inTx = latencySummary(inTxMs);
    const ownTx = latencySummary(ownTxMs);
    const commit = latencySummary(commitMs);
    const apply = latencySummary(applyMs);
    const p = (x: { p50: number; p99: number }) => `p50 ${fmt(x.p50, 2)} ms, p99 ${fmt(x.p99, 2)} ms`;
    rows.push({ metric: "incremental stats update per order (refreshCustomerStats inside the order's transaction)", measured: p(inTx), reference: `own transaction ${p(ownTx)}`, target: "< 2 ms", verdict: inTx.p50 < 2 ? "pass" : "fail", note: "150 orders to customers with ~10 orders each; the statement's time, as ingestion pays it", value: inTx.p50 });
    rows.push({ metric: "the same in a transaction of its own (BEGIN + refresh + COMMIT)", measured: p(ownTx), reference: `empty one-row write transaction ${p(commit)}`, verdict: "info", note: "150 other orders; includes the commit's WAL flush (synchronous_commit on)", value: ownTx.p50 });
    rows.push({ metric: "reference: a whole one-order batch (applyChanges incl. the refresh)", measured: p(apply), verdict: "info", value: apply.p50 });

    // BG/NBD fit on 100k simulated customers: one by one, and grouped as the product does.
    const sim = simulateBgNbd(100_000);
    const fit = await heapPeak(async () => timed(async () => fitBgNbd(sim.data)));
    const f = fit.result.result;
    const close = Math.abs(f.r - sim.truth.r) < 0.05 && Math.abs(f.a - sim.truth.a) < 0.3 && Math.abs(f.b - sim.truth.b) < 1;
    rows.push({
      metric: "BG/NBD fit on 100k customers (ungrouped)",
      measured: seconds(fit.result.ms),
      target: "< 5 s",
      verdict: !close ? "FAILED" : fit.result.ms < 5000 ? "pass" : "fail",
      note: `fitted r=${f.r.toFixed(3)} α=${f.alpha.toFixed(2)} a=${f.a.toFixed(2)} b=${f.b.toFixed(2)} (true 0.25, 4, 0.8, 2.5); heap peak ${fmt(fit.peakMb)} MB`,
      value: fit.result.ms,
    });
    ctx.detail(
      `Synthetic store: ${size}, generated in PostgreSQL in ${seconds(gen.ms)} (customers with 1 + ⌊Exp(mean 9)⌋ orders over two years; 3 % cancelled, ` +
        `2 % half refunded, 1 % pending; store time zone ${TIMEZONE}). Set BENCH_ANALYTICS_CUSTOMERS for another size. DuckDB runs in this process on the ` +
        "counted orders exported by PostgreSQL's COPY; its time is the query alone.",
    );
    return rows;
  } finally {
    await app.close();
  }
}
