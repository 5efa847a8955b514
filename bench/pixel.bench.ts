// Storefront pixel ingestion: how many behaviour events per second POST /pixel/events accepts on
// this machine with nothing lost. Closed loop (BENCH_PIXEL_CONCURRENCY, default 16) for
// BENCH_PIXEL_SECONDS (default 10), batches of BENCH_PIXEL_BATCH events (default 5, what the pixel
// sends for a page with a product view and an add to cart), each request from another shopper
// address (X-Forwarded-For behind TRUST_PROXY, so the per-shopper limit is not what is measured).
// Reference in the same run: a bare node:http + pg server doing only JSON.parse and one INSERT.
import http from "node:http";
import pg from "pg";
import { fmt, latencySummary, ms } from "./support/stats.ts";
import { phaseTable } from "./support/probe.ts";
import { saturatedPost, type SaturatedPostResult } from "./support/saturated-post.ts";
import type { BenchContext, ResultRow } from "./support/types.ts";

const SECONDS = Number(process.env.BENCH_PIXEL_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_PIXEL_CONCURRENCY ?? 16);
const BATCH = Number(process.env.BENCH_PIXEL_BATCH ?? 5);

/** The request maker, as thread source: a batch of pixel events from shopper i. */
function requestMaker(path: string): string {
  return `
    const names = ["page_viewed", "product_viewed", "product_added_to_cart", "checkout_started", "page_viewed"];
    const events = [];
    for (let k = 0; k < ${BATCH}; k++) events.push({ name: names[k % names.length], id: "e-" + i + "-" + k, occurredAt: new Date().toISOString(),
      clientId: "c-" + (i % 5000), url: "https://loja.example/products/p" + (i % 300), productId: String(i % 300) });
    return { path: ${JSON.stringify(path)}, headers: { "Content-Type": "text/plain", "X-Forwarded-For": "10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255) },
      body: JSON.stringify({ events }) };`;
}

function summary(r: SaturatedPostResult): string {
  const s = latencySummary(r.latenciesMs);
  return `${fmt((r.accepted * BATCH) / r.seconds)} events/s (p50 ${ms(s.p50)}, p99 ${ms(s.p99)})`;
}

export const title = "Storefront pixel: events accepted";
export const description = `POST /pixel/events, ${CONCURRENCY} shoppers' requests in flight, ${BATCH} events per request, ${SECONDS} s, vs a bare node:http + pg server.`;

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const app = await ctx.startApp("pixel", { http: true, workers: false, env: { TRUST_PROXY: "true" } });
  try {
    const { db } = app.services;
    const store = await db.store.create({ data: { platform: "shopify", domain: "bench-pixel.myshopify.com", name: "Pixel" } });
    const refStore = await db.store.create({ data: { platform: "shopify", domain: "bench-pixel-ref.myshopify.com", name: "Pixel ref" } });

    // Reference: the least a server can do with the same requests.
    const pool = new pg.Pool({ connectionString: app.databaseUrl, max: 10 });
    const bare = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const { events } = JSON.parse(Buffer.concat(chunks).toString()) as { events: unknown[] };
        pool
          .query(
            `INSERT INTO "Event" ("storeId", type, "occurredAt", data)
             SELECT $1, 'storefront.' || (e ->> 'name'), (e ->> 'occurredAt')::timestamptz, e FROM jsonb_array_elements($2::jsonb) e`,
            [refStore.id, JSON.stringify(events)],
          )
          .then(() => res.writeHead(202).end('{"stored":' + events.length + "}"))
          .catch(() => res.writeHead(500).end());
      });
    });
    await new Promise<void>((r) => bare.listen(0, "127.0.0.1", () => r()));
    let ref: SaturatedPostResult;
    try {
      ref = await saturatedPost({ origin: `http://127.0.0.1:${(bare.address() as { port: number }).port}`, concurrency: CONCURRENCY, seconds: SECONDS, makeRequest: requestMaker("/") });
    } finally {
      await new Promise((r) => bare.close(r));
      await pool.end();
    }

    const origin = app.http!.url.replace("localhost", "127.0.0.1");
    const path = `/pixel/events?key=${store.publicToken}`;
    await saturatedPost({ origin, concurrency: 4, seconds: 1, makeRequest: requestMaker(path) }); // warm-up
    await db.event.deleteMany({ where: { storeId: store.id } });
    const probe = ctx.probe(app, "pixel");
    const r = await saturatedPost({ origin, concurrency: CONCURRENCY, seconds: SECONDS, makeRequest: requestMaker(path) });
    const phase = await probe.stop();
    ctx.detail(`Where the time went (pixel ingestion, saturated):\n\n${phaseTable([phase])}`);

    const [{ stored, distinct } = { stored: 0, distinct: 0 }] = await app.query<{ stored: number; distinct: number }>(
      `SELECT count(*)::int AS stored, count(DISTINCT data ->> 'id')::int AS distinct FROM "Event" WHERE "storeId" = $1`,
      [store.id],
    );
    const expected = r.accepted * BATCH;
    const intact = stored === expected && distinct === expected;
    ctx.log(`pixel: ${summary(r)}; statuses ${JSON.stringify(r.statuses)}, errors ${r.errors}; stored ${stored} of ${expected}; reference ${summary(ref)}`);
    const s = latencySummary(r.latenciesMs);
    return [
      {
        metric: `pixel events accepted, ${CONCURRENCY} in flight, ${BATCH} per request`,
        measured: `${fmt(expected / r.seconds)} events/s`,
        reference: `bare node:http + pg: ${summary(ref)}`,
        verdict: intact && r.errors === 0 ? "info" : "FAILED",
        note: `${fmt(r.accepted)} requests (${fmt(r.accepted / r.seconds)}/s), p50 ${ms(s.p50)}, p99 ${ms(s.p99)}; stored ${fmt(stored)} of ${fmt(expected)} accepted events${intact ? ", none lost or doubled" : " — MISMATCH"}; statuses ${JSON.stringify(r.statuses)}`,
        value: expected / r.seconds,
      },
    ];
  } finally {
    await app.close();
  }
}
