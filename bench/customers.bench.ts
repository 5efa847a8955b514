// The admin's big-store pages: the customers index (first page, a deep keyset page, every sort,
// substring search by name / e-mail / phone digits, filters) and the dashboard's data, on a
// synthetic store of BENCH_CUSTOMERS_INDEX customers (default 1,000,000) generated in PostgreSQL.
// Reference in the same run: the obvious way to page (ORDER BY … OFFSET over the joined tables),
// and for the dashboard the previous from-scratch queries (its kept figures are checked equal).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";
import { Prisma } from "@prisma/client";
import { SEARCH_DOCUMENT, searchCustomers } from "../app/core/customers/search.server.ts";
import { decodeCursor, parseCustomerQuery, type Cursor } from "../app/core/customers/query.ts";
import { dashboardCohorts, dashboardCohortsFromScratch, dashboardKpisFromScratch, loadDashboard, scanPartsFromScratch, segmentHistory } from "../app/core/dashboard/dashboard.server.ts";
import { recomputeDailyStats } from "../app/core/dashboard/daily.server.ts";
import { refreshSnapshot } from "../app/core/dashboard/snapshot.server.ts";
import { storeOverview, storeOverviewFromScratch } from "../app/core/metrics/overview.server.ts";
import { rescoreRfm } from "../app/core/analytics/rfm.server.ts";
import { fmt, latencySummary } from "./support/stats.ts";
import type { BenchContext, ResultRow } from "./support/types.ts";
import type { Db } from "../app/db/client.server.ts";

export const title = "Admin pages: customers index and dashboard on a big store";
export const description = "Customers index (keyset pages, sorts, trigram search, filters) and the dashboard's data on a synthetic store; OFFSET paging over the join as the reference.";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS_INDEX ?? 1_000_000);
const REPS = Number(process.env.BENCH_CUSTOMERS_REPS ?? 15);
const TARGET_MS = 300;
const MIGRATION = path.join(path.dirname(fileURLToPath(import.meta.url)), "../prisma/migrations/20261123170000_customers_index/migration.sql");

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

async function repeat(fn: () => Promise<unknown>, reps = REPS): Promise<{ p50: number; p95: number }> {
  await fn(); // warm
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) ms.push((await timed(fn)).ms);
  const s = latencySummary(ms);
  return { p50: s.p50, p95: s.p95 ?? s.p99 };
}

/** The migration's expression/GIN indexes, dropped while generating and rebuilt from the same file. */
function searchIndexSql(): string[] {
  const sql = fs.readFileSync(MIGRATION, "utf8");
  return sql
    .split(/;\s*\n/)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter((s) => /^CREATE INDEX "Customer_/.test(s));
}

async function generate(db: Db, storeId: number, n: number): Promise<{ orders: number }> {
  for (const name of ["Customer_search_trgm_idx", "Customer_storeId_name_idx", "Customer_tags_idx"]) await db.$executeRawUnsafe(`DROP INDEX IF EXISTS "${name}"`);
  // The dashboard's dirty-day triggers are off while generating (the kept daily totals are then
  // built from scratch, a timed row of its own), like the kept stats below: one aggregate instead
  // of the per-write path. The write path's cost is measured by the ingest/backfill benches.
  const dirtyTriggers = [["Customer", "dashboard_customer_insert"], ["Order", "dashboard_order_insert"]] as const;
  for (const [table, trigger] of dirtyTriggers) await db.$executeRawUnsafe(`ALTER TABLE "${table}" DISABLE TRIGGER ${trigger}`);
  await db.$executeRaw`SELECT setseed(0.17)`;
  await db.$executeRaw`
    INSERT INTO "Customer" ("storeId", id, "platformId", "firstName", "lastName", email, phone, "taxId", country, province, city, tags, "acceptsEmailMarketing", "updatedAt")
    SELECT ${storeId}, g, 'c' || g,
      (ARRAY['Ana','Bruno','Carla','Diego','Elisa','Fábio','Gabriela','Hugo','Isabel','João','Karina','Lucas','Marina','Nuno','Olívia','Paulo'])[1 + (g * 7) % 16],
      (ARRAY['Silva','Souza','Oliveira','Santos','Pereira','Lima','Costa','Ferreira','Rodrigues','Almeida','Nascimento','Carvalho'])[1 + (g * 13) % 12],
      'cliente' || g || '@example.com', '+55 11 9' || lpad((g::bigint * 7919 % 100000000)::text, 8, '0'), lpad((g::bigint * 9176543 % 100000000000)::text, 11, '0'),
      CASE WHEN g % 10 = 0 THEN 'PT' ELSE 'BR' END, (ARRAY['SP','RJ','MG','RS','PR','BA'])[1 + g % 6], 'Cidade',
      CASE WHEN g % 50 = 0 THEN ARRAY['vip'] WHEN g % 7 = 0 THEN ARRAY['atacado'] ELSE '{}' END, g % 3 <> 0, now()
    FROM generate_series(1, ${n}::int) g`;
  await db.$executeRaw`SELECT setval(pg_get_serial_sequence('"Customer"', 'id'), ${n}::int)`;
  // 70 % of customers buy: 1 + ⌊Exp(mean 2)⌋ orders over two years.
  await db.$executeRaw`
    INSERT INTO "Order" ("storeId", "platformId", "customerId", currency, "totalMinor", "financialStatus", channel, "placedAt", "updatedAt")
    SELECT ${storeId}, c || '-' || i, c, 'BRL', (1000 + floor(random() * random() * 50000))::bigint, 'paid', 'web',
           now() AT TIME ZONE 'UTC' - (random() * 730) * interval '1 day', now()
    FROM (SELECT c, 1 + floor(-ln(1 - random()) * 2)::int AS k FROM generate_series(1, ${n}::int) c WHERE random() < 0.7) cs
    CROSS JOIN LATERAL generate_series(1, k) i`;
  // Kept stats as the ingest keeps them (one aggregate here instead of per-order refreshes).
  await db.$executeRaw`
    INSERT INTO "CustomerStats" ("storeId", "customerId", "ordersCount", "revenueMinor", "firstOrderAt", "lastOrderAt", "avgOrderMinor", "purchaseDays", "updatedAt")
    SELECT ${storeId}, "customerId", count(*)::int, sum("totalMinor"), min("placedAt"), max("placedAt"), (sum("totalMinor") / count(*))::bigint, count(*)::int, now()
    FROM "Order" WHERE "storeId" = ${storeId} GROUP BY "customerId"`;
  for (const [table, trigger] of dirtyTriggers) await db.$executeRawUnsafe(`ALTER TABLE "${table}" ENABLE TRIGGER ${trigger}`);
  for (const sql of searchIndexSql()) await db.$executeRawUnsafe(sql);
  await db.$executeRaw`VACUUM ANALYZE "Customer"`;
  await db.$executeRaw`VACUUM ANALYZE "Order"`;
  await db.$executeRaw`VACUUM ANALYZE "CustomerStats"`;
  const [r] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "Order" WHERE "storeId" = ${storeId}`;
  return { orders: r!.n };
}

function q(search: string) {
  const r = parseCustomerQuery(new URLSearchParams(search));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.query;
}

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const app = await ctx.startApp("customers", { http: false, workers: false });
  try {
    const db = app.services.db;
    const store = await db.store.create({ data: { platform: "shopify", domain: "bench-customers.myshopify.com", name: "Bench", currency: "BRL" } });
    ctx.log(`generating ${fmt(CUSTOMERS)} customers…`);
    const gen = await timed(() => generate(db, store.id, CUSTOMERS));
    ctx.log(`generated ${fmt(gen.result.orders)} orders and indexes in ${fmt(gen.ms / 1000, 1)} s; rescoring twice for the segment history…`);
    await rescoreRfm(db, store.id);
    await rescoreRfm(db, store.id);
    await db.$executeRaw`ANALYZE "CustomerStats"`;
    const size = `${fmt(CUSTOMERS)} customers / ${fmt(gen.result.orders)} orders`;
    const row = (metric: string, r: { p50: number; p95: number }, note: string, reference?: string): ResultRow => ({
      metric,
      measured: `p50 ${fmt(r.p50, 1)} ms, p95 ${fmt(r.p95, 1)} ms`,
      reference,
      target: `< ${TARGET_MS} ms`,
      verdict: r.p95 < TARGET_MS ? "pass" : "fail",
      note,
      value: r.p50,
    });

    // A deep keyset page: 200 pages in (10,000 customers).
    let cursor: Cursor | undefined;
    for (let i = 0; i < 200; i++) {
      const page = await searchCustomers(db, store.id, q(""), cursor ? { after: cursor } : {});
      if (page.rows.length !== 50) throw new Error(`page ${i} had ${page.rows.length} rows`);
      cursor = (decodeCursor(page.next!, "after") as { ok: true; cursor: Cursor }).cursor;
    }
    const offsetRef = await repeat(() =>
      db.$queryRaw`SELECT c.id FROM "Customer" c LEFT JOIN "CustomerStats" s ON s."storeId" = c."storeId" AND s."customerId" = c.id
        WHERE c."storeId" = ${store.id} ORDER BY s."lastOrderAt" DESC NULLS LAST, c.id DESC LIMIT 50 OFFSET 10000`,
    );
    const firstPage = await repeat(() => searchCustomers(db, store.id, q("")));
    const deep = await repeat(() => searchCustomers(db, store.id, q(""), { after: cursor! }));
    const refText = `OFFSET 10,000 over the join: p50 ${fmt(offsetRef.p50, 0)} ms`;
    rows.push(row("customers index, first page (last order, newest first)", firstPage, size, refText));
    rows.push(row("customers index, page 201 by keyset cursor", deep, "10,000 customers in", refText));
    rows.push({ metric: "reference: the same page 201 with ORDER BY … OFFSET 10,000", measured: `p50 ${fmt(offsetRef.p50, 1)} ms, p95 ${fmt(offsetRef.p95, 1)} ms`, verdict: "info", value: offsetRef.p50 });
    for (const [label, search] of [
      ["sort: total spent, highest first", "sort=total_spent"],
      ["sort: orders, fewest first (customers without orders first)", "sort=orders&dir=asc"],
      ["sort: name A–Z", "sort=name"],
      ["search a common surname (\"silva\", ~8 % of customers)", "q=silva"],
      ["search a rare e-mail (\"cliente987654@\")", "q=cliente987654%40"],
      ["search phone digits (\"9 1234\")", "q=9%201234"],
      ["filter: RFM segment champions", "segment=champions"],
      ["filter: tag vip + consent, sorted by name", "tag=vip&consent=subscribed&sort=name"],
      ["filter: state RJ without orders", "state=RJ&hasOrders=no"],
    ] as const) {
      rows.push(row(`customers index, ${label}`, await repeat(() => searchCustomers(db, store.id, q(search))), search));
    }
    const plan = await db.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)
      SELECT c.id FROM "Customer" c WHERE c."storeId" = ${store.id} AND ${SEARCH_DOCUMENT} LIKE ${"%cliente987654@%"}`);

    // The dashboard. Measured: what the page loader and the cohort request call (kept daily totals
    // refreshed for the touched days, kept snapshot); reference: the previous from-scratch queries.
    const parts = Math.max(3, Math.floor(REPS / 3));
    const daily = await timed(() => recomputeDailyStats(db, store.id));
    rows.push({ metric: "dashboard setup: daily totals built from scratch (once; then only touched days)", measured: `${fmt(daily.ms / 1000, 1)} s for ${fmt(daily.result)} days`, verdict: "info", value: daily.ms });
    const [{ today }] = (await db.$queryRaw<{ today: string }[]>`SELECT (now() AT TIME ZONE timezone)::date::text AS today FROM "Store" WHERE id = ${store.id}`) as [{ today: string }];
    const snap = await timed(() => refreshSnapshot(db, store, today));
    rows.push({ metric: "dashboard setup: snapshot of the scan-based figures (background, hourly / after rescoring)", measured: `${fmt(snap.ms / 1000, 1)} s`, verdict: "info", value: snap.ms });
    const page = (days: 30 | 365) => () => Promise.all([storeOverview(db, store.id), loadDashboard(db, store, days)]);
    const pageRef = (days: 30 | 365) => () =>
      Promise.all([storeOverviewFromScratch(db, store.id), dashboardKpisFromScratch(db, store.id, days, today), scanPartsFromScratch(db, store), segmentHistory(db, store.id)]);
    // Right figures first: the kept answer equals the from-scratch one (else the bench fails).
    for (const days of [30, 365] as const) {
      const [[ov, dash], [ovRef, kpiRef, [gridRef, histRef]]] = await Promise.all([page(days)(), pageRef(days)()]);
      const strip = (k: { id: string; value: unknown; delta: unknown }) => ({ id: k.id, value: k.value, delta: k.delta });
      const text = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
      for (const [part, kept, ref] of [["totals", ov, ovRef], ["KPIs", dash.kpis.map(strip), kpiRef.map(strip)], ["RFM grid", dash.grid, gridRef], ["histogram", dash.histogram, histRef]] as const) {
        if (!isDeepStrictEqual(JSON.parse(text(kept)), JSON.parse(text(ref)))) throw new Error(`dashboard ${days} days: kept ${part} differ from the from-scratch ones: ${text(kept).slice(0, 400)} vs ${text(ref).slice(0, 400)}`);
      }
    }
    for (const days of [30, 365] as const) {
      const ref = await repeat(pageRef(days), 1);
      const r = await repeat(page(days), parts);
      rows.push(row(`dashboard page loader, ${days} days (totals, KPIs ×2 periods, RFM grid, histogram, segment history)`, r, `${size}; figures checked equal to the reference`, `from scratch: p50 ${fmt(ref.p50, 0)} ms`));
      rows.push({ metric: `reference: the same ${days}-day figures from scratch (previous queries)`, measured: `p50 ${fmt(ref.p50, 1)} ms, p95 ${fmt(ref.p95, 1)} ms`, verdict: "info", value: ref.p50 });
    }
    const cohortsRef = await repeat(() => dashboardCohortsFromScratch(db, store.id), 1);
    const cohorts = await repeat(() => dashboardCohorts(db, store), parts);
    const kept = await dashboardCohorts(db, store);
    const scratch = await dashboardCohortsFromScratch(db, store.id);
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(kept.cohorts)), scratch)) throw new Error("cohorts: kept snapshot differs from the from-scratch cohorts");
    rows.push(row("dashboard cohort request (12 monthly cohorts)", cohorts, "figures checked equal to the reference", `from scratch: p50 ${fmt(cohortsRef.p50, 0)} ms`));
    rows.push({ metric: "reference: the same 12 cohorts from scratch (previous query)", measured: `p50 ${fmt(cohortsRef.p50, 1)} ms, p95 ${fmt(cohortsRef.p95, 1)} ms`, verdict: "info", value: cohortsRef.p50 });

    // The next view after a write pays for recomputing the touched day (here: a new order today).
    let k = 0;
    const afterWrite: number[] = [];
    for (let i = 0; i < parts; i++) {
      await db.$executeRaw`INSERT INTO "Order" ("storeId", "platformId", "customerId", currency, "totalMinor", "financialStatus", channel, "placedAt", "updatedAt")
        VALUES (${store.id}, ${`bench-new-${k++}`}, 1, 'BRL', 12345, 'paid', 'web', now() AT TIME ZONE 'UTC', now())`;
      afterWrite.push((await timed(page(30))).ms);
    }
    const aw = latencySummary(afterWrite);
    rows.push(row("dashboard page loader, 30 days, right after a new order (its day recomputed)", { p50: aw.p50, p95: aw.p95 ?? aw.p99 }, `${parts} writes, one view after each`));
    ctx.detail(
      `Synthetic store: ${size} (70 % of customers buy, 1 + ⌊Exp(mean 2)⌋ orders over two years), generated in PostgreSQL in ${fmt(gen.ms / 1000, 1)} s with the ` +
        "migration's search indexes rebuilt afterwards. Times are the core functions the loaders call (no HTTP), " +
        `${REPS} repetitions after one warm-up. Set BENCH_CUSTOMERS_INDEX for another size.\n\nPlan of the rare e-mail search:\n\n\`\`\`\n${plan.map((p) => p["QUERY PLAN"]).join("\n")}\n\`\`\``,
    );
    return rows;
  } finally {
    await app.close();
  }
}
