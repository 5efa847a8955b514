// Receipts are written in groups (app/jobs/webhook-intake.server.ts): deliveries that arrive while
// an INSERT is in flight go together in the next one. What must still hold, over real HTTP and a
// real PostgreSQL: a 200 means the receipt is committed (visible to another connection the moment
// the answer arrives), a delivery sent several times at once is stored and queued once per store,
// stores never mix, and one bad row fails only its own delivery.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimulatedDelivery } from "../../adapters/shopify/simulator/index.ts";
import { poolOf } from "../../app/db/client.server.ts";
import { DEMO_SHOP_DOMAIN, ensureDemoStore, postShopifyDelivery } from "../../app/demo/demo-store.server.ts";
import { QUEUES } from "../../app/jobs/queues.ts";
import { flushWebhookEnqueues } from "../../app/jobs/webhook-intake.server.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

let app: TestApp;
let monitor: pg.Pool;
let endpoint: string;
let secret: string;
const SHOP_B = "loja-b.myshopify.com";

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  endpoint = `${app.url}/webhooks/shopify`;
  secret = app.services.secrets.shopifyWebhookSecret;
  await ensureDemoStore(app.services);
  await app.services.db.store.create({ data: { platform: "shopify", domain: SHOP_B, name: "Loja B" } });
  monitor = new pg.Pool({ connectionString: app.services.databaseUrl, application_name: "test-monitor", max: 4 });
});
afterAll(async () => {
  await monitor?.end();
  await app?.close();
});

const order = (id: number, webhookId = `gc-${id}`): SimulatedDelivery => ({
  topic: "orders/create",
  webhookId,
  triggeredAt: "2026-03-01T10:00:00-03:00",
  body: { id, name: `#${id}`, currency: "BRL", total_price: "10.00", created_at: "2026-03-01T10:00:00-03:00", updated_at: "2026-03-01T10:00:00-03:00", line_items: [] },
});

async function storeIdOf(domain: string): Promise<number> {
  return (await app.services.db.store.findUniqueOrThrow({ where: { platform_domain: { platform: "shopify", domain } } })).id;
}

async function stored(storeId: number, dedupeKey: string): Promise<number> {
  const { rows } = await monitor.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WebhookReceipt" WHERE "storeId" = $1 AND "dedupeKey" = $2`, [storeId, dedupeKey]);
  return rows[0]!.n;
}

/** Count the receipt INSERT statements the intake sends (the real pool's query, only counted). */
function countReceiptInserts() {
  const pool = poolOf(app.services.db);
  const original = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  let n = 0;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const q = args[0] as { text?: string } | string;
    if ((typeof q === "string" ? q : (q.text ?? "")).startsWith(`INSERT INTO "WebhookReceipt"`)) n++;
    return original(...args);
  };
  return {
    count: () => n,
    restore: () => void ((pool as unknown as { query: unknown }).query = original),
  };
}

describe("webhook receipts written in groups", () => {
  it("answers 200 only once the receipt is committed, and stores and queues a repeated delivery once per store", async () => {
    const [a, b] = [await storeIdOf(DEMO_SHOP_DOMAIN), await storeIdOf(SHOP_B)];
    const ids = Array.from({ length: 60 }, (_, i) => 7_000_000 + i);
    // Every delivery three times to the demo shop and once (same webhook ids) to shop B, all at once.
    const sends = [
      ...ids.flatMap((id) => [0, 1, 2].map(() => ({ shop: DEMO_SHOP_DOMAIN, storeId: a, d: order(id) }))),
      ...ids.map((id) => ({ shop: SHOP_B, storeId: b, d: order(id) })),
    ];
    const inserts = countReceiptInserts();
    let visibleAtAnswer = 0;
    try {
      const statuses = await Promise.all(
        sends.map(async ({ shop, storeId, d }) => {
          const res = await postShopifyDelivery(endpoint, shop, secret, d);
          await res.arrayBuffer();
          // Read from another connection the moment the 200 arrives.
          if (res.status === 200 && (await stored(storeId, d.webhookId)) === 1) visibleAtAnswer++;
          return res.status;
        }),
      );
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
    } finally {
      inserts.restore();
    }
    expect(visibleAtAnswer).toBe(sends.length);
    // Grouped: fewer INSERT statements than deliveries.
    expect(inserts.count()).toBeGreaterThan(0);
    expect(inserts.count()).toBeLessThan(sends.length);

    const { rows } = await monitor.query<{ storeId: number; n: number; keys: number }>(
      `SELECT "storeId", count(*)::int AS n, count(DISTINCT "dedupeKey")::int AS keys FROM "WebhookReceipt" WHERE "dedupeKey" LIKE 'gc-%' GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { storeId: Math.min(a, b), n: 60, keys: 60 },
      { storeId: Math.max(a, b), n: 60, keys: 60 },
    ]);
    // Each stored receipt has exactly one processing job, in its own store.
    await flushWebhookEnqueues(app.services);
    const jobs = await monitor.query<{ storeId: number; receipts: number; jobs: number }>(
      `SELECT (j.data->>'storeId')::int AS "storeId", count(DISTINCT j.data->>'receiptId')::int AS receipts, count(*)::int AS jobs
       FROM pgboss.job j JOIN "WebhookReceipt" r ON r.id = (j.data->>'receiptId')::bigint AND r."storeId" = (j.data->>'storeId')::int
       WHERE j.name = $1 AND r."dedupeKey" LIKE 'gc-%' GROUP BY 1 ORDER BY 1`,
      [QUEUES.webhookProcess],
    );
    expect(jobs.rows).toEqual([
      { storeId: Math.min(a, b), receipts: 60, jobs: 60 },
      { storeId: Math.max(a, b), receipts: 60, jobs: 60 },
    ]);
  });

  it("a delivery that cannot be stored fails alone; the others in its group are stored", async () => {
    const gone = await app.services.db.store.create({ data: { platform: "shopify", domain: "loja-fechada.myshopify.com", name: "Fechada" } });
    // One delivery puts the store in the intake's store cache; then the store is deleted.
    const first = await postShopifyDelivery(endpoint, gone.domain, secret, order(8_000_000, "gone-0"));
    expect(first.status).toBe(200);
    await app.services.db.store.delete({ where: { id: gone.id } });

    const a = await storeIdOf(DEMO_SHOP_DOMAIN);
    const good = Array.from({ length: 40 }, (_, i) => order(8_100_000 + i, `mixed-${i}`));
    const bad = Array.from({ length: 5 }, (_, i) => order(8_200_000 + i, `gone-${i + 1}`));
    const results = await Promise.all([
      ...good.map(async (d) => ({ bad: false, res: await postShopifyDelivery(endpoint, DEMO_SHOP_DOMAIN, secret, d) })),
      ...bad.map(async (d) => ({ bad: true, res: await postShopifyDelivery(endpoint, gone.domain, secret, d) })),
    ]);
    const goodStatuses = results.filter((r) => !r.bad).map((r) => r.res.status);
    const badAnswers = await Promise.all(results.filter((r) => r.bad).map(async (r) => ({ status: r.res.status, text: await r.res.text() })));
    expect(new Set(goodStatuses)).toEqual(new Set([200]));
    // Refused with a 5xx, so Shopify retries; the reason is in the body.
    expect(badAnswers.map((x) => x.status)).toEqual([500, 500, 500, 500, 500]);
    expect(badAnswers[0]!.text).toMatch(/could not be stored/);
    for (const d of good) expect(await stored(a, d.webhookId)).toBe(1);
    const { rows } = await monitor.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WebhookReceipt" WHERE "dedupeKey" LIKE 'gone-%'`);
    expect(rows[0]!.n).toBe(0);
  });
});
