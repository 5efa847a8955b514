// "Compre junto": (1) co-purchase mining time on a generated store of BENCH_CROSSSELL_ORDERS orders
// (default 1,000,000; 1–5 distinct products each out of 5,000, popular products and complements
// more likely, two years of dates), made with generate_series in PostgreSQL; (2) the app proxy
// answering signed recommendation requests at 500/s on loopback, from the production server,
// against a reference in the same run: a bare node:http server answering a fixed JSON.
import http from "node:http";
import { performance } from "node:perf_hooks";
import { minePairs } from "../app/core/cross-sell/mine-pairs.server.ts";
import { phaseTable } from "./support/probe.ts";
import { pacedGet, type PacedGetResult } from "./support/paced-get.ts";
import { fmt, latencySummary, ms } from "./support/stats.ts";
import type { BenchContext, ResultRow } from "./support/types.ts";

const ORDERS = Number(process.env.BENCH_CROSSSELL_ORDERS ?? 1_000_000);
const PRODUCTS = 5_000;
const RATE = 500;
const SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 8);
const P99_TARGET_MS = 15;
const MINE_TARGET_S = 20; // for 1M orders (DESIGN.md)
const SHOP = "bench-crosssell.myshopify.com";

function latencyText(r: PacedGetResult): string {
  const s = latencySummary(r.latenciesMs);
  return `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)}`;
}

/** The signing code, as the thread's URL maker (a function body over i and crypto). */
function signedUrlMaker(base: string, secret: string): string {
  return `
    const q = [["cart", ""], ["limit", "4"], ["logged_in_customer_id", ""], ["path_prefix", "/apps/caderninho"],
               ["product_id", String((i * 7919) % ${PRODUCTS})], ["shop", ${JSON.stringify(SHOP)}], ["timestamp", String(Math.floor(Date.now() / 1000))]];
    const sig = crypto.createHmac("sha256", ${JSON.stringify(secret)}).update(q.map(([k, v]) => k + "=" + v).join("")).digest("hex");
    return ${JSON.stringify(base)} + "/proxy/recommendations?" + new URLSearchParams([...q, ["signature", sig]]).toString();`;
}

export const title = "Compre junto: mining and the app proxy";
export const description = `Mining ${fmt(ORDERS)} generated orders, then signed app proxy requests at ${RATE}/s for ${SECONDS} s vs a bare node:http server.`;

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const app = await ctx.startApp("crosssell", { http: true, workers: false });
  const rows: ResultRow[] = [];
  try {
    const { db } = app.services;
    const storeId = (await db.store.create({ data: { platform: "shopify", domain: SHOP, name: "Bench" } })).id;
    const t0 = performance.now();
    await db.$executeRaw`SELECT setseed(0.42)`;
    await db.$executeRaw`
      INSERT INTO "Product" ("storeId", "platformId", title, handle, category, collections, "priceMinor", currency, variants, "updatedAt")
      SELECT ${storeId}, g::text, 'Produto ' || g, 'produto-' || g, 'cat-' || (g / 100), ARRAY['col-' || (g / 250)], 1000 + g, 'BRL',
             jsonb_build_array(jsonb_build_object('id', (g * 10)::text, 'available', true)), now()
      FROM generate_series(0, ${PRODUCTS - 1}) g`;
    await db.$executeRaw`
      INSERT INTO "Order" ("storeId", "platformId", currency, "totalMinor", "financialStatus", "placedAt", "updatedAt")
      SELECT ${storeId}, g::text, 'BRL', 1000, 'paid', now() - random() * interval '730 days', now() FROM generate_series(1, ${ORDERS}) g`;
    // A popular base product (squared uniform), then complements near it (60 %) or anything.
    await db.$executeRaw`
      INSERT INTO "OrderLine" ("storeId", "orderId", "productId", title, quantity, "unitPriceMinor", "totalMinor")
      SELECT o."storeId", o.id,
             (CASE WHEN j = 1 THEN o.base WHEN random() < 0.6 THEN (o.base + 1 + floor(random() * 3)::int) % ${PRODUCTS}
                   ELSE floor(random() * ${PRODUCTS})::int END)::text, 'x', 1, 100, 100
      FROM (SELECT "storeId", id, floor(power(random(), 2) * ${PRODUCTS})::int AS base, 1 + floor(random() * 5)::int AS k
            FROM "Order" WHERE "storeId" = ${storeId}) o, generate_series(1, o.k) j`;
    await db.$executeRaw`ANALYZE "Order"`;
    await db.$executeRaw`ANALYZE "OrderLine"`;
    const [{ lines } = { lines: 0 }] = await app.query<{ lines: number }>(`SELECT count(*)::int AS lines FROM "OrderLine" WHERE "storeId" = $1`, [storeId]);
    ctx.log(`generated ${fmt(ORDERS)} orders, ${fmt(lines)} lines in ${fmt((performance.now() - t0) / 1000)} s`);

    const probe = ctx.probe(app, "mining");
    const mined = await ctx.profile("mining", () => minePairs(db, storeId));
    const mining = await probe.stop();
    ctx.log(`mined: ${JSON.stringify(mined)}`);
    const scaled = ORDERS === 1_000_000;
    rows.push({
      metric: `co-purchase mining, ${fmt(ORDERS)} orders (${fmt(lines)} lines)`,
      measured: `${fmt(mined.ms / 1000)} s`,
      target: scaled ? `< ${MINE_TARGET_S} s` : `< ${MINE_TARGET_S} s at 1M orders`,
      verdict: mined.pairs > 0 ? (scaled ? (mined.ms / 1000 < MINE_TARGET_S ? "pass" : "fail") : "info") : "FAILED",
      note: `${fmt(mined.baskets)} baskets, ${fmt(mined.products)} products, ${fmt(mined.pairs)} pairs kept`,
      value: mined.ms / 1000,
    });


    // Reference: the same load against a server that does nothing but answer.
    const fixed = JSON.stringify({ productIds: ["1"], personalised: false, items: [] });
    const bare = http.createServer((_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(fixed));
    await new Promise<void>((r) => bare.listen(0, "127.0.0.1", () => r()));
    const barePort = (bare.address() as { port: number }).port;
    const secret = app.services.secrets.shopifyWebhookSecret;
    let ref: PacedGetResult;
    try {
      ref = await pacedGet({ rate: RATE, seconds: SECONDS, makeUrl: signedUrlMaker(`http://127.0.0.1:${barePort}`, secret) });
    } finally {
      await new Promise((r) => bare.close(r));
    }
    // Warm-up: the first request builds the store's snapshot (pairs + cards in memory).
    const base = app.http!.url.replace("localhost", "127.0.0.1");
    await pacedGet({ rate: 100, seconds: 1, makeUrl: signedUrlMaker(base, secret) });
    const proxyProbe = ctx.probe(app, "proxy");
    const r = await pacedGet({ rate: RATE, seconds: SECONDS, makeUrl: signedUrlMaker(base, secret) });
    const proxyPhase = await proxyProbe.stop();
    ctx.detail(`Where the time went (mining; proxy at ${RATE}/s):\n\n${phaseTable([mining, proxyPhase])}`);
    const s = latencySummary(r.latenciesMs);
    const ok = r.statuses["200"] ?? 0;
    ctx.log(`proxy: ${latencyText(r)}; statuses ${JSON.stringify(r.statuses)}; reference ${latencyText(ref)}`);
    rows.push({
      metric: `app proxy recommendations at ${RATE} req/s, p99`,
      measured: ms(s.p99),
      reference: `bare node:http: ${latencyText(ref)}`,
      target: `< ${P99_TARGET_MS} ms`,
      verdict: ok !== r.latenciesMs.length || r.errors ? "FAILED" : s.p99 < P99_TARGET_MS ? "pass" : "fail",
      note: `p50 ${ms(s.p50)}, max ${ms(s.max)}; ${fmt(ok)} of ${fmt(r.latenciesMs.length)} answered 200`,
      value: s.p99,
    });
  } finally {
    await app.close();
  }
  return rows;
}
