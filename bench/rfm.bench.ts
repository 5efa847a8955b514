// RFM rescoring at scale: BENCH_RFM_CUSTOMERS (default 1,000,000) customers with kept stats
// generated straight into Customer + CustomerStats (no orders: the all-time RFM reads only the
// kept stats, so a million customers take seconds to make instead of the ten million orders
// bench/analytics.bench.ts would need). Runs: the first scoring (every score written), the daily
// case (2 % of customers bought since: their recency and counts moved), and the same again with
// nothing changed. References in the same run: the window-rank scoring SELECT alone (three rank()
// windows over the stats, nothing written: the floor of the previous design, which scored that
// way), and a bare scan of the stats (the floor of any rescoring that reads them).
import { performance } from "node:perf_hooks";
import { Prisma } from "@prisma/client";
import { rescoreRfm, scoredCustomersSql } from "../app/core/analytics/rfm.server.ts";
import { fmt } from "./support/stats.ts";
import type { BenchContext, ResultRow } from "./support/types.ts";

const CUSTOMERS = Number(process.env.BENCH_RFM_CUSTOMERS ?? 1_000_000);
const AS_OF = new Date("2026-06-30T12:00:00Z");
const TARGET_MS = 3000;
const seconds = (ms: number) => `${fmt(ms / 1000, 2)} s`;

export const title = "RFM rescoring at a million customers";
export const description = `${fmt(CUSTOMERS)} customers' kept stats generated in PostgreSQL; first scoring, a day with 2 % changed, a day with nothing changed, vs the window-rank scoring SELECT alone and a bare scan.`;

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
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
      const t = performance.now();
      const result = await rescoreRfm(db, storeId, { windowMonths: null, tiePolicy: "rank" }, AS_OF, { onStep: (name, ms) => (steps[name] = (steps[name] ?? 0) + ms) });
      return { ms: performance.now() - t, result, steps: Object.entries(steps).map(([k, v]) => `${k} ${fmt(v / 1000, 2)} s`).join(", ") };
    };
    const first = await timedRun();
    ctx.log(`first: ${seconds(first.ms)} (${first.steps})`);
    // A day later. The first scoring rewrote every row; autovacuum (its threshold is 20 % of the
    // table) cleans that up within a minute, so the daily run starts from a vacuumed table.
    await db.$executeRawUnsafe(`VACUUM "CustomerStats"`);
    // During the day 2 % of customers ordered again (not vacuumed: below autovacuum's threshold).
    await db.$executeRaw`
      UPDATE "CustomerStats" SET "ordersCount" = "ordersCount" + 1, "revenueMinor" = "revenueMinor" + "avgOrderMinor", "lastOrderAt" = timestamp '2026-06-30'
      WHERE "storeId" = ${storeId} AND "customerId" % 50 = 7`;
    const daily = await timedRun();
    ctx.log(`daily: ${seconds(daily.ms)} (${daily.steps})`);
    const same = await timedRun();
    ctx.log(`unchanged: ${seconds(same.ms)} (${same.steps})`);
    const reference = `window-rank SELECT alone ${seconds(windowMs)}; bare scan ${seconds(scanMs)}`;
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
