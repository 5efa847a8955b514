// The orders bulk query names each order's customer by id only (`customer { id }`): the customers
// phase loads the customers. A customer created on Shopify after the customers phase's bulk
// operation ran is missing from that file; the loader links their orders to a bare row and the
// backfill fetches them by id (`nodes(ids:)`) and writes them through the webhooks' write path.
// Proof, against the Admin API simulator: the same shop backfilled with and without late
// customers ends up with the same rows everywhere (customers, orders and their links, lines,
// stats); the late customers' rows are what their last webhook gives (but the locale, which REST
// customer bodies lack: SHAPE_DIFFERENCES); a re-run changes nothing and fetches nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGraphql } from "#adapters/shopify/admin-graphql.server.ts";
import { normalizeShopifyWebhook } from "#adapters/shopify/normalize.ts";
import { createStoreSimulator } from "#adapters/shopify/simulator/index.ts";
import { applyChanges } from "#app/core/ingest/apply-batch.server.ts";
import { runShopifyBackfill } from "#app/jobs/shopify-backfill.server.ts";
import { startAdminSimulator, type AdminSimulator } from "#test/support/shopify-admin-simulator.ts";
import { startTestServices, type TestServices } from "#test/support/test-services.ts";

const SHOP = "late-customers.myshopify.com";
const STORE = { seed: 33, customers: 120, shopDomain: SHOP };
let services: TestServices;
let plain: AdminSimulator;
let late: AdminSimulator;
let lateIds: string[];

type Row = Record<string, unknown>;
const DROP = new Set(["id", "storeId", "customerId", "orderId", "createdAt", "updatedAt"]);
const clean = (row: Row): Row => Object.fromEntries(Object.entries(row).filter(([key]) => !DROP.has(key)));

/** Everything the backfill writes, keyed by platform ids (database ids and our own timestamps left out). */
async function snapshot(storeId: number) {
  const { db } = services;
  const customers = await db.$queryRawUnsafe<Row[]>(`SELECT * FROM "Customer" WHERE "storeId" = $1 ORDER BY "platformId"`, storeId);
  const orders = await db.$queryRawUnsafe<Row[]>(
    `SELECT o.*, c."platformId" AS "customerPid" FROM "Order" o LEFT JOIN "Customer" c ON c."storeId" = o."storeId" AND c.id = o."customerId"
     WHERE o."storeId" = $1 ORDER BY o."platformId"`,
    storeId,
  );
  const lines = await db.$queryRawUnsafe<Row[]>(
    `SELECT l.*, o."platformId" AS "orderPid" FROM "OrderLine" l JOIN "Order" o ON o."storeId" = l."storeId" AND o.id = l."orderId"
     WHERE l."storeId" = $1 ORDER BY o."platformId", l."platformId"`,
    storeId,
  );
  const stats = await db.$queryRawUnsafe<Row[]>(
    `SELECT s.*, c."platformId" AS "customerPid" FROM "CustomerStats" s JOIN "Customer" c ON c."storeId" = s."storeId" AND c.id = s."customerId"
     WHERE s."storeId" = $1 ORDER BY c."platformId"`,
    storeId,
  );
  const tags = await db.$queryRawUnsafe<Row[]>(
    `SELECT t.tag, c."platformId" FROM "CustomerTag" t JOIN "Customer" c ON c."storeId" = t."storeId" AND c.id = t."customerId" WHERE t."storeId" = $1 ORDER BY 2, 1`,
    storeId,
  );
  return { customers: customers.map(clean), orders: orders.map(clean), lines: lines.map(clean), stats: stats.map(clean), tags };
}

async function backfill(sim: AdminSimulator, domain: string) {
  const store = await services.db.store.create({ data: { platform: "shopify", domain, name: domain, currency: "BRL" } });
  const client = createAdminGraphql({ shop: SHOP, accessToken: "shpat_late", apiVersion: sim.apiVersion, endpoint: sim.endpoint });
  await runShopifyBackfill(services, store.id, { client, batchSize: 100, pollIntervalMs: 10 });
  return { storeId: store.id, client };
}

const nodesCalls = (sim: AdminSimulator) => sim.requests.filter((r) => r.operation === "customerNodes" && r.outcome === "ok").length;

beforeAll(async () => {
  services = await startTestServices();
  plain = await startAdminSimulator({ store: STORE, accessToken: "shpat_late" });
  // Three customers with orders (one with several), created "late" in the second shop.
  const owners = new Map<string, number>();
  for (const order of plain.store.plan.orders) if (order.customer) owners.set(String(order.customer.id), (owners.get(String(order.customer.id)) ?? 0) + 1);
  const withOrders = [...owners].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  lateIds = [withOrders[0]![0], withOrders[5]![0], withOrders[withOrders.length - 1]![0]];
  late = await startAdminSimulator({ store: STORE, accessToken: "shpat_late", lateCustomers: lateIds });
});
afterAll(async () => {
  await plain?.close();
  await late?.close();
  await services?.cleanup();
});

describe("Shopify backfill: customers created after the customers phase", () => {
  it("are fetched by id and written in full, their orders linked; nothing else differs; a re-run is a no-op", async () => {
    const reference = await backfill(plain, "late-reference.myshopify.com");
    expect(nodesCalls(plain), "every customer was in the customers file: nothing fetched").toBe(0);
    const expected = await snapshot(reference.storeId);

    const { storeId, client } = await backfill(late, "late-customers.myshopify.com");
    expect(nodesCalls(late), "one nodes(ids:) call for the three").toBe(1);
    const got = await snapshot(storeId);
    // The late customers are complete: not bare rows.
    for (const platformId of lateIds) {
      const row = got.customers.find((c) => c.platformId === platformId)!;
      expect(row.platformUpdatedAt, platformId).not.toBeNull();
      expect(row.email ?? row.phone, platformId).not.toBeNull();
      expect(got.orders.filter((o) => o.customerPid === platformId).length, platformId).toBeGreaterThan(0);
    }
    expect(got.customers).toEqual(expected.customers);
    expect(got.orders).toEqual(expected.orders);
    expect(got.lines).toEqual(expected.lines);
    expect(got.stats).toEqual(expected.stats);
    expect(got.tags).toEqual(expected.tags);

    // The webhook path's row for the same customers (their last customers/* delivery), but the locale.
    const last = new Map<string, object>();
    for (const delivery of createStoreSimulator(STORE).deliveries()) {
      if (!delivery.topic.startsWith("customers/")) continue;
      const id = String((delivery.body as { id: unknown }).id);
      if (lateIds.includes(id)) last.set(id, delivery.body);
    }
    expect(last.size).toBe(lateIds.length);
    const webhookStore = await services.db.store.create({ data: { platform: "shopify", domain: "late-webhooks.myshopify.com", name: "w", currency: "BRL" } });
    await applyChanges(services.db, webhookStore.id, [...last.values()].map((body) => normalizeShopifyWebhook("customers/update", body, { shopCurrency: "BRL" })));
    const fromWebhooks = (await snapshot(webhookStore.id)).customers;
    expect(fromWebhooks).toHaveLength(lateIds.length);
    for (const row of fromWebhooks) {
      const filled = got.customers.find((c) => c.platformId === row.platformId)!;
      expect(row.locale).toBeNull();
      expect({ ...filled, locale: null }).toEqual(row);
    }

    // A re-run: the customers file now holds them; nothing changes and nothing is fetched.
    await runShopifyBackfill(services, storeId, { client, batchSize: 100, pollIntervalMs: 10 });
    expect(await snapshot(storeId)).toEqual(got);
    expect(nodesCalls(late)).toBe(1);

    // A reconciliation (no statistics stage across its phases) fills them in the same way.
    const reconciled = await startAdminSimulator({ store: STORE, accessToken: "shpat_late", lateCustomers: lateIds });
    try {
      const store = await services.db.store.create({ data: { platform: "shopify", domain: "late-reconcile.myshopify.com", name: "r", currency: "BRL" } });
      const reconcileClient = createAdminGraphql({ shop: SHOP, accessToken: "shpat_late", apiVersion: reconciled.apiVersion, endpoint: reconciled.endpoint });
      await runShopifyBackfill(services, store.id, { client: reconcileClient, since: new Date(0), batchSize: 100, pollIntervalMs: 10 });
      expect(nodesCalls(reconciled)).toBe(1);
      const after = await snapshot(store.id);
      expect(after.customers).toEqual(expected.customers);
      expect(after.orders).toEqual(expected.orders);
      expect(after.stats).toEqual(expected.stats);
    } finally {
      await reconciled.close();
    }
  });
});
