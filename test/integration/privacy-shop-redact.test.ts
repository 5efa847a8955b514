// A store's whole lifecycle: install → data → app/uninstalled (store marked, deletion scheduled
// 48 h later) → shop/redact (every row of the store deleted, in batches, other stores untouched)
// → reinstall starts with zero customers. And a reinstall before the scheduled deletion cancels it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { postShopifyDelivery } from "../../app/demo/demo-store.server.ts";
import type { SimulatedDelivery } from "../../adapters/shopify/simulator/index.ts";
import { deleteStoreData, tenantTablesChildFirst } from "../../app/core/privacy/store-deletion.server.ts";
import { runShopDeletion } from "../../app/jobs/privacy-jobs.server.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

let app: TestApp;
const SHOP = "loja-que-sai.myshopify.com";
const NEIGHBOUR = "loja-que-fica.myshopify.com";
let seq = 0;

const d = (topic: string, body: Record<string, unknown>): SimulatedDelivery => ({ topic, webhookId: `redact-${++seq}`, triggeredAt: "2026-06-01T12:00:00-03:00", body });
const customer = (id: number) => ({ id, email: `c${id}@example.com`, first_name: `Cliente ${id}`, last_name: "Teste", created_at: "2026-01-01T10:00:00-03:00", updated_at: "2026-06-01T12:00:00-03:00", tags: "", currency: "BRL", addresses: [] });
const order = (id: number, customerId: number) => ({
  id,
  name: `#${id}`,
  email: `c${customerId}@example.com`,
  currency: "BRL",
  created_at: "2026-06-01T12:00:00-03:00",
  processed_at: "2026-06-01T12:00:00-03:00",
  updated_at: "2026-06-01T12:00:00-03:00",
  financial_status: "paid",
  total_price: "10.00",
  subtotal_price: "10.00",
  total_line_items_price: "10.00",
  total_discounts: "0.00",
  total_tax: "0.00",
  line_items: [{ id: id * 10, product_id: 1, variant_id: 2, title: "Item", quantity: 1, price: "10.00", total_discount: "0.00" }],
  customer: customer(customerId),
});

async function send(shop: string, delivery: SimulatedDelivery) {
  expect((await postShopifyDelivery(`${app.url}/webhooks/shopify`, shop, app.services.secrets.shopifyWebhookSecret, delivery)).status).toBe(200);
}

/** Rows per tenant table for a store (every table with a storeId column). */
async function rowsOf(storeId: number): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: app.services.databaseUrl });
  await client.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of await tenantTablesChildFirst(app.services.db)) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}" WHERE "storeId" = $1`, [storeId]);
      if (rows[0]!.n) out[t] = rows[0]!.n;
    }
    return out;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
afterAll(async () => app?.close());

describe("uninstall, shop/redact and reinstall", () => {
  it("deletes every row of the store after shop/redact; the neighbour keeps everything; a reinstall starts clean", async () => {
    const { db } = app.services;
    for (const shop of [SHOP, NEIGHBOUR]) {
      await db.store.create({ data: { platform: "shopify", domain: shop, name: shop } });
      for (let i = 1; i <= 3; i++) {
        await send(shop, d("customers/create", customer(i)));
        await send(shop, d("orders/create", order(100 + i, i)));
      }
      await db.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x" } });
    }
    await app.drain();
    const leaving = await db.store.findUniqueOrThrow({ where: { platform_domain: { platform: "shopify", domain: SHOP } } });
    const staying = await db.store.findUniqueOrThrow({ where: { platform_domain: { platform: "shopify", domain: NEIGHBOUR } } });
    const seg = await db.segment.create({ data: { storeId: leaving.id, name: "VIP", filter: {} } });
    const c1 = await db.customer.findFirstOrThrow({ where: { storeId: leaving.id } });
    await db.segmentMember.create({ data: { storeId: leaving.id, segmentId: seg.id, customerId: c1.id } });
    const neighbourBefore = await rowsOf(staying.id);
    expect(neighbourBefore.Customer).toBe(3);
    expect((await rowsOf(leaving.id)).Order).toBe(3);

    await send(SHOP, d("app/uninstalled", { id: 1, name: SHOP, myshopify_domain: SHOP }));
    await app.drain();
    expect((await db.store.findUniqueOrThrow({ where: { id: leaving.id } })).uninstalledAt).not.toBeNull();
    const [scheduled] = await db.$queryRaw<{ hours: number }[]>`
      SELECT (extract(epoch FROM start_after - now()) / 3600)::float8 AS hours FROM pgboss.job WHERE name = 'privacy.shop-delete' AND data->>'storeId' = ${String(leaving.id)}`;
    expect(scheduled!.hours).toBeGreaterThan(47);
    expect((await rowsOf(leaving.id)).Customer).toBe(3); // nothing deleted yet: Shopify's 48 h

    await send(SHOP, d("shop/redact", { shop_id: 1, shop_domain: SHOP }));
    await app.drain();
    const deadline = Date.now() + 30_000;
    while ((await db.store.findUnique({ where: { id: leaving.id } })) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await db.store.findUnique({ where: { id: leaving.id } })).toBeNull();
    expect(await rowsOf(leaving.id)).toEqual({});
    expect(await db.session.count({ where: { shop: SHOP } })).toBe(0);
    const [jobs] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE state <> 'active' AND state <> 'completed' AND data->>'storeId' = ${String(leaving.id)}`;
    expect(jobs!.n).toBe(0);
    expect(await rowsOf(staying.id)).toEqual(neighbourBefore);
    expect(await db.session.count({ where: { shop: NEIGHBOUR } })).toBe(1);

    // Reinstall (what afterAuth does): a new, empty store.
    const again = await db.store.upsert({ where: { platform_domain: { platform: "shopify", domain: SHOP } }, create: { platform: "shopify", domain: SHOP, name: SHOP }, update: { uninstalledAt: null } });
    expect(again.id).not.toBe(leaving.id);
    expect(await db.customer.count({ where: { storeId: again.id } })).toBe(0);
    expect(again.lastSyncedAt).toBeNull(); // so afterAuth queues a fresh backfill
  }, 120_000);

  it("a reinstall before our scheduled deletion cancels it; shop/redact is trusted", async () => {
    const { db } = app.services;
    const s = await db.store.create({ data: { platform: "shopify", domain: "volta-logo.myshopify.com", name: "Volta", uninstalledAt: new Date() } });
    await db.customer.create({ data: { storeId: s.id, platformId: "1" } });
    const job = { storeId: s.id, reason: "uninstalled" as const, uninstalledAt: s.uninstalledAt!.toISOString() };
    await db.store.update({ where: { id: s.id }, data: { uninstalledAt: null } });
    expect(await runShopDeletion(app.services, job)).toEqual({ skipped: "reinstalled" });
    expect(await db.customer.count({ where: { storeId: s.id } })).toBe(1);
    // Uninstalled again later: the old job is not the one to act.
    await db.store.update({ where: { id: s.id }, data: { uninstalledAt: new Date(Date.now() + 60_000) } });
    expect(await runShopDeletion(app.services, job)).toEqual({ skipped: "a later uninstall has its own deletion" });
    expect(await db.customer.count({ where: { storeId: s.id } })).toBe(1);
    // shop/redact is Shopify saying the shop stayed uninstalled for 48 h: trusted even when our
    // app/uninstalled delivery never arrived.
    await db.store.update({ where: { id: s.id }, data: { uninstalledAt: null } });
    expect(await runShopDeletion(app.services, { ...job, reason: "shop/redact" })).toMatchObject({ deleted: true });
    expect(await db.customer.count({ where: { storeId: s.id } })).toBe(0);
  });

  it("deletes in batches, children before parents", async () => {
    const { db } = app.services;
    const s = await db.store.create({ data: { platform: "woocommerce", domain: "lotes.example.com", name: "Lotes" } });
    for (let i = 0; i < 7; i++) {
      const c = await db.customer.create({ data: { storeId: s.id, platformId: String(i) } });
      await db.order.create({ data: { storeId: s.id, platformId: String(i), customerId: c.id, currency: "BRL", totalMinor: 100n, placedAt: new Date() } });
    }
    const batches: [string, number][] = [];
    const result = await deleteStoreData(db, s.id, { batchSize: 3, onBatch: (t, n) => batches.push([t, n]) });
    expect(result.rows.Customer).toBe(7);
    expect(result.rows.Order).toBe(7);
    expect(batches.filter(([t]) => t === "Customer").map(([, n]) => n)).toEqual([3, 3, 1]);
    const order = batches.map(([t]) => t);
    expect(order.lastIndexOf("Order")).toBeLessThan(order.indexOf("Customer"));
    expect(await db.store.findUnique({ where: { id: s.id } })).toBeNull();
  });
});
