// WooCommerce backfill rate: the simulated store (seed, BENCH_SCALE customers) imported over real
// HTTP REST v3 (OAuth 1.0a signing, pages of 100, 4 pages at a time) through runWooBackfill into a
// fresh database — products, customers, orders of every status, checkout drafts. References in the
// same run: the same pages only fetched (the REST side alone), and the same changes only written
// with applyChanges (the database side alone), so the figure says which side bounds it. A last
// run injects 429s and 503s on 5 % of the order pages to show what the retries cost.
import { performance } from "node:perf_hooks";
import { ensureWooStore, saveWooCredentials } from "../app/jobs/woocommerce-connection.server.ts";
import { changesOf, runWooBackfill, WOO_PHASES, type WooPhase } from "../app/jobs/woocommerce-backfill.server.ts";
import { applyChanges } from "../app/core/ingest/apply-batch.server.ts";
import { createWooClient } from "../adapters/woocommerce/rest-client.server.ts";
import type { NormalizedChange } from "../app/core/types.ts";
import { startWooSimulator, type WooSimulator } from "../test/support/woocommerce-simulator.ts";
import { fmt, perSecond } from "./support/stats.ts";
import { phaseTable } from "./support/probe.ts";
import type { BenchApp, BenchContext, ResultRow } from "./support/types.ts";

export const title = "WooCommerce: REST backfill rate against the simulator";
export const description =
  "runWooBackfill over real HTTP (OAuth 1.0a, per_page=100, 4 pages in flight) into a fresh database; references: fetching only, writing only; and the same import with 5 % of order pages answering 429/503.";

const PARAMS: Record<WooPhase, Record<string, string>> = { products: {}, customers: { role: "all" }, orders: { status: "any" }, drafts: { status: "checkout-draft" } };

async function backfill(ctx: BenchContext, sim: WooSimulator, label: string) {
  const app: BenchApp = await ctx.startApp(label, { http: false, workers: false });
  try {
    const store = await ensureWooStore(app.services, sim.url, "bench");
    await saveWooCredentials(app.services, store.id, { consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret });
    const probe = ctx.probe(app, label);
    const t0 = performance.now();
    const result = await ctx.profile(label, () => runWooBackfill(app.services, store.id, { webhooks: false }));
    const seconds = (performance.now() - t0) / 1000;
    const phase = await probe.stop();
    const [{ orders }] = (await app.query<{ orders: number }>(`SELECT count(*)::int AS orders FROM "Order" WHERE "storeId" = $1`, [store.id])) as [{ orders: number }];
    return { seconds, result, orders, phase };
  } finally {
    await app.close();
  }
}

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const sim = await startWooSimulator({ seed: ctx.seed, customers: ctx.scale });
  try {
    const expected = sim.expected();
    const records = expected.products + expected.registeredCustomers + expected.orders + expected.draftCheckouts;
    ctx.log(`simulated store: ${expected.orders} orders, ${expected.registeredCustomers} registered customers, ${expected.draftCheckouts} drafts`);

    // Reference 1: the REST side alone (same client, same pages, nothing written).
    const client = createWooClient({ url: sim.url, consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret });
    const fetched: { phase: WooPhase; items: unknown[] }[] = [];
    const f0 = performance.now();
    for (const phase of WOO_PHASES) {
      const head = await client.page<unknown>(phase === "drafts" ? "orders" : phase, { ...PARAMS[phase], per_page: 100, page: 1, orderby: "id", order: "asc" });
      const rest = await Promise.all(
        Array.from({ length: Math.max(0, (head.totalPages ?? 1) - 1) }, (_, i) => client.page<unknown>(phase === "drafts" ? "orders" : phase, { ...PARAMS[phase], per_page: 100, page: i + 2, orderby: "id", order: "asc" })),
      );
      fetched.push({ phase, items: [head, ...rest].flatMap((p) => p.items) });
    }
    const fetchSeconds = (performance.now() - f0) / 1000;

    // Reference 2: the database side alone (the same changes, applied in batches of 400 items).
    const changes: NormalizedChange[][] = [];
    for (const { phase, items } of fetched) for (let i = 0; i < items.length; i += 400) changes.push(changesOf(phase, items.slice(i, i + 400), "BRL"));
    const writer = await ctx.startApp("woo_write_only", { http: false, workers: false });
    let writeSeconds: number;
    try {
      const store = await ensureWooStore(writer.services, sim.url, "bench");
      const w0 = performance.now();
      for (const batch of changes) await applyChanges(writer.services.db, store.id, batch);
      writeSeconds = (performance.now() - w0) / 1000;
    } finally {
      await writer.close();
    }

    const full = await backfill(ctx, sim, "woo_backfill");
    const orderPages = Math.ceil(expected.orders / 100);
    const faults = Math.max(2, Math.round(orderPages * 0.05));
    sim.failNext(Math.ceil(faults / 2), { status: 429, retryAfterSeconds: 1 }, /\/orders\?/);
    sim.failNext(Math.floor(faults / 2), { status: 503 }, /\/orders\?/);
    const faulty = await backfill(ctx, sim, "woo_backfill_faults");

    const ok = (r: typeof full) => r.result.status === "done" && r.orders === expected.orders;
    const rows: ResultRow[] = [
      {
        metric: "backfill rate (orders)",
        measured: perSecond(expected.orders / full.seconds, "orders"),
        reference: `REST only ${perSecond(expected.orders / fetchSeconds, "orders")}; writes only ${perSecond(expected.orders / writeSeconds, "orders")}`,
        target: "n/a: bounded by the store's REST API (DESIGN's 20,000/s is Shopify bulk)",
        verdict: ok(full) ? "info" : "FAILED",
        note: ok(full) ? `${fmt(full.seconds, 2)} s for ${records} records (${perSecond(records / full.seconds, "records")})` : `imported ${full.orders} of ${expected.orders} orders (${full.result.status})`,
        value: expected.orders / full.seconds,
      },
      {
        metric: "backfill with 429/503 on 5 % of order pages",
        measured: perSecond(expected.orders / faulty.seconds, "orders"),
        reference: `${faults} injected failures, Retry-After 1 s on the 429s`,
        verdict: ok(faulty) ? "info" : "FAILED",
        note: ok(faulty) ? `${fmt(faulty.seconds, 2)} s, every order imported` : `imported ${faulty.orders} of ${expected.orders} orders`,
        value: expected.orders / faulty.seconds,
      },
    ];
    ctx.detail(`Simulated store (seed ${ctx.seed}, ${ctx.scale} customers): ${expected.products} products, ${expected.registeredCustomers} registered customers, ${expected.orders} orders, ${expected.draftCheckouts} checkout drafts; ${fmt(full.seconds, 2)} s in all, of which fetching alone takes ${fmt(fetchSeconds, 2)} s and writing alone ${fmt(writeSeconds, 2)} s (the backfill downloads the next window of pages while it writes one, so the slower side bounds it).`);
    ctx.detail(phaseTable([full.phase, faulty.phase]));
    return rows;
  } finally {
    await sim.close();
  }
}
