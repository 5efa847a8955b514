// Segment counts at size: BENCH_SEGMENT_CUSTOMERS customers (default 1,000,000) with stats, generated
// in PostgreSQL (deterministic: setseed), ~0.5 % erased, orders with lines for a fifth of them,
// checkouts for a fourth, emails for a third.
// For a handful of typical filters: countSegment (the compiled, parameterised query, including
// validation and the store lookup) p50/p99, next to a hand-written SQL count of the same filter in
// the same run, and `SELECT count(*)` of the store. The counts must agree (else FAILED). Then the
// preview's sampleSegment (20 best customers) of each filter. BENCH_SEGMENT_RUNS timed runs of
// ours, BENCH_SEGMENT_REF_RUNS of the hand-written reference (slow by design: keep the run < 6 min).
import { performance } from "node:perf_hooks";
import { Prisma } from "@prisma/client";
import { COUNT_RANDOM_PAGE_COST, countSegment, sampleSegment, segmentContext, segmentCountQuery } from "../app/core/segments/compile.server.ts";
import { parseSegmentFilter } from "../app/core/segments/filter.ts";
import { ABANDONED_AFTER_MINUTES } from "../app/core/metrics/overview.server.ts";
import { fmt, latencySummary } from "./support/stats.ts";
import type { BenchContext, ResultRow } from "./support/types.ts";
import type { Db } from "../app/db/client.server.ts";

export const title = "Segments: live count over a large store";
export const description = "countSegment of typical filters over 1M customers with stats, next to a hand-written SQL count of the same filter and a plain count of the store.";

const CUSTOMERS = Number(process.env.BENCH_SEGMENT_CUSTOMERS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_SEGMENT_RUNS ?? 11);
const REF_RUNS = Number(process.env.BENCH_SEGMENT_REF_RUNS ?? 5);
const SAMPLE_RUNS = 5;
const NOW = new Date("2026-06-30T12:00:00Z");
const CITIES = ["São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba", "Porto Alegre", "Salvador", "Recife", "Fortaleza", "Campinas", "Brasília"];

/** Tables the generator fills; their secondary indexes are built after the load (much faster than row by row). */
const LOADED_TABLES = ["Customer", "CustomerStats", "Order", "OrderLine", "CustomerTag", "Checkout", "Message"];

async function generate(db: Db, storeId: number, n: number): Promise<number> {
  // Bulk-load practice: drop the secondary indexes (not the constraints: primary keys stay, for the
  // foreign keys and CustomerTag's trigger), load, then build them again from their own definitions.
  const indexes = await db.$queryRaw<{ name: string; def: string }[]>`
    SELECT i.indexname::text AS name, i.indexdef AS def FROM pg_indexes i
    WHERE i.schemaname = current_schema() AND i.tablename = ANY(${LOADED_TABLES}::text[])
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)`;
  for (const ix of indexes) await db.$executeRawUnsafe(`DROP INDEX "${ix.name.replace(/"/g, '""')}"`);
  await db.$executeRaw`SELECT setseed(0.17)`;
  const NOW_UTC = Prisma.sql`(${NOW.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
  await db.$executeRaw`
    INSERT INTO "Customer" ("storeId", id, "platformId", email, city, province, country, "birthDate", gender, "acceptsEmailMarketing", tags, "erasedAt", "updatedAt")
    SELECT ${storeId}, g, 'c' || g, 'c' || g || '@example.com',
           (${CITIES}::text[])[1 + (g::bigint * 7919 % 10)::int], CASE WHEN g % 10 IN (0, 8) THEN 'SP' ELSE 'XX' END, CASE WHEN g % 50 = 0 THEN 'PT' ELSE 'BR' END,
           CASE WHEN g % 3 = 0 THEN date '1960-01-01' + (g * 37 % 16000) END, CASE g % 4 WHEN 0 THEN 'male' WHEN 3 THEN NULL ELSE 'female' END, random() < 0.6,
           CASE WHEN g % 20 = 0 THEN ARRAY['VIP'] WHEN g % 7 = 0 THEN ARRAY['atacado', 'crm:Leais'] ELSE '{}' END,
           CASE WHEN g % 200 = 0 THEN timestamp '2026-01-01' END, now()
    FROM generate_series(1, ${n}::int) g`;
  await db.$executeRaw`SELECT setval(pg_get_serial_sequence('"Customer"', 'id'), ${n}::int)`;
  // Stats for 90 % of customers (the rest never bought).
  await db.$executeRaw`
    INSERT INTO "CustomerStats" ("storeId", "customerId", "ordersCount", "revenueMinor", "avgOrderMinor", "firstOrderAt", "lastOrderAt",
      "rScore", "fScore", "mScore", "rfmSegment", cluster, "predictedClvMinor", "pAlive", "churnRisk", "channelMix", "updatedAt")
    SELECT ${storeId}, g, k, rev, rev / k, last - (k * 20) * interval '1 day', last,
           r, f, 1 + (g % 5), (ARRAY['lost','hibernating','about_to_sleep','promising','new','at_risk','need_attention','potential_loyalist','loyal','champions','cant_lose'])[1 + ((r * 5 + f) % 11)],
           g % 5, rev * 2, p, 1 - p, CASE WHEN g % 10 = 0 THEN '{"pos": 1}'::jsonb ELSE '{"web": 1}'::jsonb END, now()
    FROM (SELECT g, 1 + floor(-ln(1 - random()) * 3)::int AS k, (1000 + floor(random() * random() * 100000))::bigint * 1 AS rev,
                 timestamp '2024-07-01' + random() * interval '730 days' AS last, 1 + floor(random() * 5)::int AS r, 1 + floor(random() * 5)::int AS f, random() AS p
          FROM generate_series(1, ${n}::int) g WHERE g % 10 <> 9) x`;
  // One order with one line for every fifth customer (products P0…P99), for the "bought" filter.
  await db.$executeRaw`
    INSERT INTO "Order" ("storeId", id, "platformId", "customerId", currency, "totalMinor", "financialStatus", "paymentMethod", "placedAt", "updatedAt")
    SELECT ${storeId}, g / 5, 'o' || g, g, 'BRL', 5000, 'paid', (CASE g % 3 WHEN 0 THEN 'pix' WHEN 1 THEN 'boleto' ELSE 'card' END)::"PaymentMethod",
           timestamp '2024-07-01' + (g % 730) * interval '1 day', now()
    FROM generate_series(5, ${n}::int, 5) g`;
  await db.$executeRaw`
    INSERT INTO "OrderLine" ("storeId", id, "orderId", "productId", title, category, quantity, "unitPriceMinor", "totalMinor")
    SELECT ${storeId}, g / 5, g / 5, 'P' || (g * 31 % 100), 'Produto', 'Cat' || (g % 12), 1, 5000, 5000
    FROM generate_series(5, ${n}::int, 5) g`;
  // A checkout for every fourth customer over the last 90 days, half of them never completed.
  await db.$executeRaw`
    INSERT INTO "Checkout" ("storeId", id, "platformId", "customerId", currency, "totalMinor", "startedAt", "completedAt", "updatedAt")
    SELECT ${storeId}, g / 4 + 1, 'k' || g, g, 'BRL', 5000, ${NOW_UTC} - (g % 90) * interval '1 day' - interval '3 hours',
           CASE WHEN g % 8 <> 1 THEN ${NOW_UTC} - (g % 90) * interval '1 day' - interval '2 hours' END, now()
    FROM generate_series(1, ${n}::int, 4) g`;
  // An email to every third customer, a third of them opened.
  await db.$executeRaw`
    INSERT INTO "Message" ("storeId", id, "customerId", "idempotencyKey", "to", status, "sentAt", "openedAt", "updatedAt")
    SELECT ${storeId}, g / 3 + 1, g, 'm' || g, 'c' || g || '@example.com', 'sent', ${NOW_UTC} - (g % 180) * interval '1 day',
           CASE WHEN g % 9 = 2 THEN ${NOW_UTC} - (g % 180) * interval '1 day' + interval '1 hour' END, now()
    FROM generate_series(2, ${n}::int, 3) g`;
  for (const ix of indexes) await db.$executeRawUnsafe(ix.def);
  await db.$executeRaw`VACUUM ANALYZE "CustomerTag"`;
  await db.$executeRaw`VACUUM ANALYZE "Customer"`;
  await db.$executeRaw`VACUUM ANALYZE "CustomerStats"`;
  await db.$executeRaw`VACUUM ANALYZE "CustomerRfmSegment"`;
  await db.$executeRaw`VACUUM ANALYZE "Order"`;
  await db.$executeRaw`VACUUM ANALYZE "OrderLine"`;
  await db.$executeRaw`VACUUM ANALYZE "Checkout"`;
  await db.$executeRaw`VACUUM ANALYZE "Message"`;
  return Math.floor(n / 5);
}

interface Case {
  name: string;
  filter: unknown;
  /** The same filter written by hand ($1 = store id). */
  sql: string;
}

const cond = (c: Record<string, unknown>) => ({ type: "condition", ...c });
const and = (...children: unknown[]) => ({ type: "group", op: "and", children });
const or = (...children: unknown[]) => ({ type: "group", op: "or", children });
const BASE = `FROM "Customer" c LEFT JOIN "CustomerStats" s ON s."storeId" = c."storeId" AND s."customerId" = c.id WHERE c."storeId" = $1 AND c."erasedAt" IS NULL`;
const ninetyDaysAgo = new Date(NOW.getTime() - 90 * 86_400_000).toISOString();
const yearAgo = new Date(NOW.getTime() - 365 * 86_400_000).toISOString();
const weekAgo = new Date(NOW.getTime() - 7 * 86_400_000).toISOString();
const abandonedBefore = new Date(NOW.getTime() - ABANDONED_AFTER_MINUTES * 60_000).toISOString();
/** NOW's calendar day in the store's time zone (America/Sao_Paulo), for ages. */
const TODAY = "2026-06-30";

const CASES: Case[] = [
  {
    name: "RFM segment in (champions, loyal)",
    filter: and(cond({ field: "rfmSegment", op: "in", values: ["champions", "loyal"] })),
    sql: `SELECT count(*) ${BASE} AND s."rfmSegment" IN ('champions', 'loyal')`,
  },
  {
    name: "city = São Paulo AND accepts email",
    filter: and(cond({ field: "city", op: "in", values: ["São Paulo"] }), cond({ field: "emailConsent", value: true })),
    sql: `SELECT count(*) ${BASE} AND lower(c.city) = 'são paulo' AND c."acceptsEmailMarketing"`,
  },
  {
    name: "spent ≥ R$ 300 AND last order > 90 days ago",
    filter: and(cond({ field: "totalSpent", op: "gte", value: 30_000 }), cond({ field: "lastOrderAt", op: "more_than_days_ago", days: 90 })),
    sql: `SELECT count(*) ${BASE} AND s."revenueMinor" >= 30000 AND s."lastOrderAt" < '${ninetyDaysAgo}'::timestamptz AT TIME ZONE 'UTC'`,
  },
  {
    name: "churn band high OR P(alive) < 0.3, NOT tagged VIP",
    filter: and(or(cond({ field: "churnBand", op: "in", values: ["high"] }), cond({ field: "pAlive", op: "lt", value: 0.3 })), { type: "group", op: "and", not: true, children: [cond({ field: "tags", op: "any", values: ["vip"] })] }),
    sql: `SELECT count(*) ${BASE} AND (s."churnRisk" > 0.66 OR s."pAlive" < 0.3) AND NOT ('VIP' = ANY(c.tags))`,
  },
  {
    name: "tagged vip (any case)",
    filter: and(cond({ field: "tags", op: "any", values: ["vip"] })),
    sql: `SELECT count(*) ${BASE} AND EXISTS (SELECT 1 FROM unnest(c.tags) x WHERE lower(x) = 'vip')`,
  },
  {
    name: "bought product P10 in the last 365 days",
    filter: and(cond({ field: "boughtProduct", productIds: ["P10"], inLastDays: 365 })),
    sql: `SELECT count(*) ${BASE} AND c.id IN (SELECT o."customerId" FROM "OrderLine" l JOIN "Order" o ON o."storeId" = l."storeId" AND o.id = l."orderId"
            WHERE l."storeId" = $1 AND l."productId" = 'P10' AND o."placedAt" >= '${yearAgo}'::timestamptz AT TIME ZONE 'UTC' AND o."cancelledAt" IS NULL AND o."deletedAt" IS NULL AND NOT o.test
              AND o."financialStatus" IN ('paid', 'partially_paid', 'partially_refunded', 'refunded', 'authorized'))`,
  },
  {
    name: "country = BR",
    filter: and(cond({ field: "country", op: "in", values: ["BR"] })),
    sql: `SELECT count(*) ${BASE} AND upper(c.country) = 'BR'`,
  },
  {
    name: "state = SP",
    filter: and(cond({ field: "province", op: "in", values: ["SP"] })),
    sql: `SELECT count(*) ${BASE} AND upper(c.province) = 'SP'`,
  },
  {
    name: "gender = female",
    filter: and(cond({ field: "gender", op: "in", values: ["female"] })),
    sql: `SELECT count(*) ${BASE} AND lower(c.gender) = 'female'`,
  },
  {
    name: "age 25–34",
    filter: and(cond({ field: "age", op: "between", value: 25, value2: 34 })),
    sql: `SELECT count(*) ${BASE} AND extract(year FROM age(date '${TODAY}', c."birthDate")) BETWEEN 25 AND 34`,
  },
  {
    name: "birthday in December",
    filter: and(cond({ field: "birthdayMonth", op: "in", values: [12] })),
    sql: `SELECT count(*) ${BASE} AND to_char(c."birthDate", 'MM') = '12'`,
  },
  {
    name: "paid by boleto",
    filter: and(cond({ field: "paymentMethod", values: ["boleto"] })),
    sql: `SELECT count(*) ${BASE} AND c.id IN (SELECT o."customerId" FROM "Order" o WHERE o."storeId" = $1 AND o."paymentMethod" = 'boleto'
            AND o."cancelledAt" IS NULL AND o."deletedAt" IS NULL AND NOT o.test AND o."financialStatus" IN ('paid', 'partially_paid', 'partially_refunded', 'refunded', 'authorized'))`,
  },
  {
    name: "abandoned a checkout in the last 7 days",
    filter: and(cond({ field: "abandonedCheckout", inLastDays: 7 })),
    sql: `SELECT count(*) ${BASE} AND c.id IN (SELECT k."customerId" FROM "Checkout" k WHERE k."storeId" = $1 AND k."completedAt" IS NULL
            AND k."startedAt" >= '${weekAgo}'::timestamptz AT TIME ZONE 'UTC' AND coalesce(k."platformUpdatedAt", k."startedAt") < '${abandonedBefore}'::timestamptz AT TIME ZONE 'UTC')`,
  },
  {
    name: "opened a message",
    filter: and(cond({ field: "messageOpened" })),
    sql: `SELECT count(*) ${BASE} AND c.id IN (SELECT m."customerId" FROM "Message" m WHERE m."storeId" = $1 AND m."openedAt" IS NOT NULL)`,
  },
  {
    name: "everyone (empty AND)",
    filter: and(),
    sql: `SELECT count(*) FROM "Customer" c WHERE c."storeId" = $1 AND c."erasedAt" IS NULL`,
  },
];

async function measure<T>(fn: () => Promise<T>, runs = RUNS): Promise<{ p50: number; p99: number; value: T }> {
  let value = await fn(); // warm-up (plans, caches)
  value = await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = await fn();
    samples.push(performance.now() - t0);
  }
  const s = latencySummary(samples);
  return { p50: s.p50, p99: s.p99, value };
}

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const app = await ctx.startApp("segments", { http: false, workers: false });
  try {
    const db = app.services.db;
    const storeId = (await db.store.create({ data: { platform: "shopify", domain: "bench-segments.myshopify.com", name: "Bench", timezone: "America/Sao_Paulo" } })).id;
    ctx.log(`generating ${fmt(CUSTOMERS)} customers with stats in PostgreSQL…`);
    const t0 = performance.now();
    const orders = await generate(db, storeId, CUSTOMERS);
    ctx.log(`generated in ${fmt((performance.now() - t0) / 1000, 1)} s`);

    // BENCH_SEGMENT_ONLY=<text>: only the filters whose name contains it (while developing).
    const only = process.env.BENCH_SEGMENT_ONLY?.toLowerCase();
    const cases = only ? CASES.filter((c) => c.name.toLowerCase().includes(only)) : CASES;
    const plain = await measure(async () => Number((await app.query<{ n: string }>(`SELECT count(*) AS n FROM "Customer" WHERE "storeId" = $1`, [storeId]))[0]!.n));
    rows.push({ metric: "reference: SELECT count(*) of the store's customers", measured: `p50 ${fmt(plain.p50)} ms, p99 ${fmt(plain.p99)} ms`, verdict: "info", note: `${fmt(plain.value)} rows`, value: plain.p50 });

    for (const c of cases) {
      const ours = await measure(() => countSegment(db, storeId, c.filter, NOW));
      const hand = await measure(async () => Number((await app.query<{ count: string }>(c.sql, [storeId]))[0]!.count), REF_RUNS);
      const same = ours.value === hand.value;
      if (process.env.BENCH_SEGMENT_EXPLAIN === "1") {
        const query = segmentCountQuery(parseSegmentFilter(c.filter), await segmentContext(db, storeId, NOW));
        // The same planner setting as countSegment's own transaction (COUNT_RANDOM_PAGE_COST), so the
        // plan shown is the plan measured.
        const [, plan] = await db.$transaction([
          db.$executeRaw`SELECT set_config('random_page_cost', ${COUNT_RANDOM_PAGE_COST}, true)`,
          db.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN (ANALYZE, BUFFERS) ${query}`),
        ]);
        ctx.log(`${c.name}\n${plan.map((r) => r["QUERY PLAN"]).join("\n")}`);
      }
      rows.push({
        metric: `countSegment: ${c.name}`,
        measured: `p50 ${fmt(ours.p50)} ms, p99 ${fmt(ours.p99)} ms`,
        reference: `hand-written SQL p50 ${fmt(hand.p50)} ms, p99 ${fmt(hand.p99)} ms`,
        target: "< 150 ms",
        verdict: !same ? "FAILED" : ours.p50 < 150 ? "pass" : "fail",
        note: same ? `${fmt(ours.value)} customers` : `counts differ: ${ours.value} vs hand-written ${hand.value}`,
        value: ours.p50,
      });
    }
    for (const c of cases) {
      const sample = await measure(() => sampleSegment(db, storeId, c.filter, 20, NOW), SAMPLE_RUNS);
      rows.push({
        metric: `sampleSegment (20 best customers): ${c.name}`,
        measured: `p50 ${fmt(sample.p50)} ms, p99 ${fmt(sample.p99)} ms`,
        target: "< 150 ms",
        verdict: sample.p50 < 150 ? "pass" : "fail",
        note: `${sample.value.length} rows`,
        value: sample.p50,
      });
    }
    ctx.detail(
      `Synthetic store: ${fmt(CUSTOMERS)} customers (0.5 % erased, 90 % with stats, a third with a birth date), ${fmt(orders)} orders with one line each (pix / boleto / card), ` +
        `a checkout for every fourth customer and an email for every third, generated in PostgreSQL, then VACUUM ANALYZE (as autovacuum would have run). ` +
        `${RUNS} timed runs per filter after two warm-ups (hand-written reference: ${REF_RUNS}; sample: ${SAMPLE_RUNS}). countSegment includes parsing the filter and reading the store's time zone (one extra query) ` +
        "and runs in a short transaction that sets random_page_cost for the count; " +
        "the hand-written SQL is sent as text with literal values through node-postgres on its own connection, planned with the server's defaults.",
    );
    return rows;
  } finally {
    await app.close();
  }
}
